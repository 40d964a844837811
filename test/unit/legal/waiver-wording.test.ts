/**
 * The wording under a waiver (contexts/interest-claims/waivers.ts), without a database: what a waived customer's
 * second reminder and formal notice say in it/en/fr. The database-to-PDF path is in
 * test/integration/waiver-letters.test.ts. A consumer owes no EUR 40 (D.Lgs. 231/2002 art. 2), so a consumer's
 * interest waiver leaves nothing to claim; a business with everything waived is claimed the capital alone.
 */
import { renderMessage, type MessageContext } from '../../../activities/channels/messages';
import type { Language } from '../../../workflows/contract';

function ctx(lang: Language, template: MessageContext['template'], consumer: boolean): MessageContext {
  return {
    lang,
    template,
    company: { name: 'Acme S.p.A.', email: 'crediti@acme.example', iban: 'IT60X0542811101000000123456' },
    customerName: consumer ? 'Mario Rossi' : 'Rossi S.r.l.',
    consumer,
    currency: 'EUR',
    invoices: [
      {
        number: 'F-1',
        issueDate: '2026-03-01',
        dueDate: '2026-03-31',
        amountMinor: 1_000_000,
        balanceMinor: 1_000_000,
      },
    ],
    balanceMinor: 1_000_000,
    reference: 'SEG-TEST0001',
    today: '2026-06-30',
    deadline: '2026-07-15',
    // What activities/channels/context.ts passes when nothing is left to claim: no interest block, the waiver.
    waiver: { interest: true, compensation: !consumer },
  };
}
const text = (c: MessageContext): string => {
  const m = renderMessage(c);
  return [m.title, m.salutation, ...m.intro, ...m.outro, m.sms].join('\n');
};
const CLAIMS =
  /interess|interest|intérêts (de retard|moratoires)|231\/2002|2011\/7|forfett|forfait|fixed compensation|40,00|€40/i;

describe.each([
  ['consumer, interest waived', true],
  ['business, interest and EUR 40 waived', false],
])('%s', (_, consumer) => {
  it.each(['it', 'en', 'fr'] as const)('%s: the formal notice and the second reminder claim nothing waived', (lang) => {
    const notice = text(ctx(lang, 'formal-notice', consumer));
    expect(notice).not.toMatch(CLAIMS);
    expect(notice).toMatch(/10[.,\u202f\u00a0 ]000[.,]00/);
    expect(notice).toMatch(/1219/);
    expect(text(ctx(lang, 'reminder-2', consumer))).not.toMatch(CLAIMS);
  });
});

test('the second reminder without a waiver is unchanged', () => {
  const c = { ...ctx('it', 'reminder-2', false), waiver: undefined };
  expect(text(c)).toContain('con addebito degli interessi di mora e delle spese di recupero.');
  const b2c = { ...ctx('en', 'reminder-2', true), waiver: undefined };
  expect(text(b2c)).toContain('together with default interest at the statutory rate.');
});
