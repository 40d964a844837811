/**
 * The stored term end (contexts/intake/term-end.ts) and the statement's days overdue, without a database. Arts. 1187
 * and 2963 c.c.: a term ending on a Sunday or a public holiday (L. 260/1949) ends the next business day; Saturday only
 * where the policy says so (`saturdayIsHoliday`).
 *
 * Worked examples (checked with domain/calendar.ts): due Sunday 1 November 2026 (Ognissanti) → Monday 2 November, 0
 * days overdue on 2 November and 1 on 3 November; due Friday 25 December 2026 (Natale) → Monday 28 December
 * (26 December Santo Stefano is a Saturday, 27 a Sunday); due Saturday 31 October 2026 → itself, or Monday 2 November
 * when the policy treats Saturday as a holiday (1 November being a Sunday and Ognissanti).
 */
import { termEndOf, termEndOfRow, termEndSql } from '../../../contexts/intake/term-end';
import { composeStatement, type StatementInput } from '../../../contexts/statements/statement';
import { daysOverdue } from '../../../domain/time';

const plain = { settings: {} } as Parameters<typeof termEndOf>[1];
const saturdays = { settings: { saturdayIsHoliday: true } } as Parameters<typeof termEndOf>[1];

test('the term end of the worked examples', () => {
  expect(termEndOf('2026-11-01', plain, [])).toBe('2026-11-02');
  expect(termEndOf('2026-12-25', plain, [])).toBe('2026-12-28');
  expect(termEndOf('2026-10-31', plain, [])).toBe('2026-10-31');
  expect(termEndOf('2026-10-31', saturdays, [])).toBe('2026-11-02');
  // A local holiday on Monday 2 November (SEGUGIO_EXTRA_HOLIDAYS=11-02) pushes it to Tuesday.
  expect(termEndOf('2026-11-01', plain, ['11-02'])).toBe('2026-11-03');
  expect(daysOverdue('2026-11-02', '2026-11-02')).toBe(0);
  expect(daysOverdue('2026-11-02', '2026-11-03')).toBe(1);
});

test('a row reads its stored term end, or the contractual date until backfilled', () => {
  const dueDate = new Date('2026-11-01T00:00:00Z');
  expect(termEndOfRow({ dueDate, effectiveDueDate: new Date('2026-11-02T00:00:00Z') })).toBe('2026-11-02');
  expect(termEndOfRow({ dueDate, effectiveDueDate: null })).toBe('2026-11-01');
  expect(termEndSql('o').sql).toBe('COALESCE(o."effectiveDueDate", o."dueDate")');
  expect(() => termEndSql('i; DROP TABLE x')).toThrow(/invalid table alias/);
});

function statementOn(asOf: string, effectiveDueDate?: string | null): StatementInput {
  return {
    asOf,
    generatedAt: `${asOf}T08:00:00.000Z`,
    customer: {
      id: 'c1',
      externalId: 'CUST-1',
      name: 'Rossi Forniture S.p.A.',
      vatNumber: 'IT01234567890',
      pec: null,
      email: null,
      addressLines: [],
      consumer: false,
      language: 'it',
    },
    creditor: {
      name: 'Segugio S.r.l.',
      addressLines: [],
      vat: 'IT00000000000',
      iban: 'IT60X0542811101000000123456',
      email: 'crediti@segugio.example',
    },
    referenceRates: [{ validFrom: '2026-07-01', rateBp: 215 }],
    invoices: [
      {
        id: 'i1',
        number: 'F-NOV',
        currency: 'EUR',
        amountMinor: 100_000,
        balanceMinor: 100_000,
        issueDate: '2026-10-01',
        dueDate: '2026-11-01',
        effectiveDueDate,
        stage: 'REMINDER',
        payments: [],
        adjustments: [],
      },
    ],
  } as StatementInput;
}

test.each([
  ['stored', '2026-11-02'],
  ['not yet backfilled: computed from the calendar', null],
])('statement on 2 November 2026 of an invoice due Sunday 1 November (%s): 0 days, not due', (_, stored) => {
  const on2 = composeStatement(statementOn('2026-11-02', stored));
  const line = on2.sections[0].lines.find((l) => l.kind === 'INVOICE')!;
  expect(line).toMatchObject({ dueDate: '2026-11-01', effectiveDueDate: '2026-11-02', daysOverdue: 0 });
  expect(line.status).toBe('NOT_DUE');
  // No interest line either: nothing accrued on the term's last day.
  expect(on2.sections[0].interest?.lines ?? []).toEqual([]);
  const on3 = composeStatement(statementOn('2026-11-03', stored));
  expect(on3.sections[0].lines.find((l) => l.kind === 'INVOICE')).toMatchObject({ daysOverdue: 1, status: 'OVERDUE' });
});
