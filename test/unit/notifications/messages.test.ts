/** The notification texts: every kind in it/en/fr, money in the currency's digits, dates in the recipient's locale. */
import { renderNotification } from '../../../activities/notifications/messages';
import { NOTIFICATION_KINDS, REQUIRED_KINDS, kindsFor, wants } from '../../../contexts/notifications/preferences';
import { LANGUAGES } from '../../../workflows/contract';

const params: Record<string, Record<string, unknown>> = {
  'order-block': {
    customerName: 'Officine Brianza',
    at: '2026-12-01T09:30:00.000Z',
    invoices: [
      { number: 'FT-1', dueDate: '2026-10-31', balanceMinor: 1_234_550, currency: 'EUR', stage: 'ORDER_BLOCK' },
    ],
  },
  'order-release': { customerName: 'Officine Brianza', at: '2026-12-01T09:30:00.000Z' },
  'step-ahead': {
    customerName: 'Officine Brianza',
    invoiceNumber: 'FT-1',
    step: 'FORMAL_NOTICE',
    at: '2026-12-04T09:30:00.000Z',
    balanceMinor: 1_234_550,
    currency: 'EUR',
  },
  'promise-broken': {
    customerName: 'Officine Brianza',
    invoiceNumber: 'FT-1',
    promisedDate: '2026-11-30',
    amountMinor: 50_000,
    currency: 'JPY',
  },
  'plan-broken': { customerName: 'Officine Brianza', invoiceNumber: 'FT-1', balanceMinor: 1_234_550, currency: 'EUR' },
  approval: {
    taskKind: 'APPROVE_LEGAL',
    customerName: 'Officine Brianza',
    invoiceNumber: 'FT-1',
    balanceMinor: 1_234_550,
    currency: 'EUR',
    waitingSince: '2026-12-01T09:30:00.000Z',
  },
  'approval-reminder': { taskKind: 'APPROVE_PAUSE', waitingSince: '2026-11-30T09:30:00.000Z' },
  digest: {
    date: '2026-12-01',
    newTasks: [
      { kind: 'CALL', customerName: 'Officine Brianza', invoiceNumber: 'FT-1', dueAt: '2026-12-01T16:00:00.000Z' },
    ],
    promisesDueToday: [],
    promisesBrokenYesterday: [],
    disputesAnswered: [{ customerName: 'Officine Brianza', invoiceNumber: 'FT-1', status: 'PARTIAL', reasonCode: 'X' }],
  },
};

describe.each(LANGUAGES)('%s', (lang) => {
  test.each(NOTIFICATION_KINDS)('%s renders every fact, nothing undefined', (kind) => {
    const r = renderNotification(kind, params[kind], { lang, timeZone: 'Europe/Rome', recipientName: 'Paolo' });
    expect(r.subject).toMatch(/^\[Segugio\] \S/);
    for (const s of [r.subject, r.text, r.html]) expect(s).not.toMatch(/undefined|NaN|null|\[object/);
    expect(r.html).toContain(`<html lang="${lang}">`);
  });
});

test('money in the currency’s own digits and the recipient’s locale; dates in the business time zone', () => {
  const it = renderNotification('step-ahead', params['step-ahead'], {
    lang: 'it',
    timeZone: 'Europe/Rome',
    recipientName: 'Paolo',
  });
  expect(it.text).toContain('12.345,50');
  expect(it.text).toContain('4 dicembre 2026'); // 10:30 in Rome
  expect(it.text).toContain('10:30');
  const en = renderNotification('promise-broken', params['promise-broken'], {
    lang: 'en',
    timeZone: 'Europe/Rome',
    recipientName: 'Paolo',
  });
  expect(en.text).toContain('¥50,000'); // yen have no minor digits: never ¥500.00
  expect(en.text).toContain('30/11/2026');
  const fr = renderNotification('digest', params.digest, {
    lang: 'fr',
    timeZone: 'Europe/Rome',
    recipientName: 'Paolo',
  });
  expect(fr.subject).toBe('[Segugio] Votre agenda du 01/12/2026');
  expect(fr.text).toContain('contestation acceptée en partie');
});

test('required kinds cannot be opted out of; each role gets its own kinds', () => {
  expect(REQUIRED_KINDS).toEqual(['order-block', 'step-ahead', 'approval']);
  expect(wants(['order-block', 'order-release'], 'order-block')).toBe(true);
  expect(wants(['order-block', 'order-release'], 'order-release')).toBe(false);
  expect(kindsFor('collector')).toEqual(['digest']);
  expect(kindsFor('manager')).toEqual(['approval', 'approval-reminder']);
  expect(kindsFor('salesperson')).toEqual([
    'order-block',
    'order-release',
    'step-ahead',
    'promise-broken',
    'plan-broken',
  ]);
});
