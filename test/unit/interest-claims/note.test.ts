/**
 * The interest debit note's arithmetic (contexts/interest-claims/note.ts), worked examples with their sources:
 * D.Lgs. 231/2002 art. 5 (ECB reference rate of the half-year + 8 points, simple interest, days/365, from the day after
 * the due date up to the payment), art. 6 (EUR 40 per invoice at least one day late, never for consumers); arts. 1187
 * and 2963 c.c. (a due date on a Sunday moves to the Monday); art. 1284 c.c. (legal rate for consumers). Rates: the
 * bundled table (data/ecb-rates.json): 3.15 % from 2025-01-01, 2.15 % from 2025-07-01 and 2026-01-01; legal rate
 * 2026 1.60 %. None of these examples needs a rate that is not in the table, except the one that checks the refusal.
 */
import {
  composeNote,
  type ClaimInvoice,
  type NoteInput,
  type PriorClaim,
} from '../../../contexts/interest-claims/note';
import { BUNDLED_LEGAL_RATES, BUNDLED_REFERENCE_RATES } from '../../../domain/reference-rates';

const base = (over: Partial<NoteInput> = {}): NoteInput => ({
  asOf: '2026-03-31',
  currency: 'EUR',
  consumer: false,
  invoices: [],
  prior: new Map(),
  referenceRates: BUNDLED_REFERENCE_RATES,
  legalRates: BUNDLED_LEGAL_RATES,
  ...over,
});

/** €10,000.00 due Sunday 1 March 2026, paid in full on 1 April 2026. */
const paidLate: ClaimInvoice = {
  id: 'a',
  number: 'FT-A',
  currency: 'EUR',
  amountMinor: 1_000_000,
  balanceMinor: 0,
  dueDate: '2026-03-01',
  stage: 'PAID',
  payments: [{ amountMinor: 1_000_000, paidOn: '2026-04-01', applied: true }],
};
/** €5,000.00 due Monday 16 June 2025, still open. */
const open: ClaimInvoice = {
  id: 'b',
  number: 'FT-B',
  currency: 'EUR',
  amountMinor: 500_000,
  balanceMinor: 500_000,
  dueDate: '2025-06-16',
  stage: 'REMINDER',
  payments: [],
};

test('paid late: the Sunday due date moves to Monday; 30 days at 10.15 % on €10,000 = €83.42, plus €40', () => {
  const n = composeNote(base({ asOf: '2026-06-30', invoices: [paidLate] }));
  expect(n.lines).toHaveLength(1);
  const l = n.lines[0];
  // Art. 1187 c.c.: due 2026-03-01 (Sunday) → 2026-03-02; interest from 03-03 to the payment on 04-01: 30 days.
  expect(l).toMatchObject({
    effectiveDueDate: '2026-03-02',
    state: 'PAID',
    daysLate: 30,
    from: '2026-03-03',
    to: '2026-04-01',
  });
  // 1,000,000 × 1015 bp × 30 / (10,000 × 365) = 8,342.47 → 8,342 cents.
  expect(l.periods).toEqual([
    { from: '2026-03-03', to: '2026-04-01', days: 30, principalMinor: 1_000_000, rateBp: 1015, interestMinor: 8342 },
  ]);
  expect(l.interestMinor).toBe(8342);
  expect(l.compensationMinor).toBe(4000);
  expect(n).toMatchObject({
    basis: 'DLGS_231_2002',
    interestMinor: 8342,
    compensationMinor: 4000,
    totalMinor: 12_342,
    missingRates: [],
  });
});

test('open across half-years: 14 days at 11.15 % and 274 at 10.15 % on €5,000 = €402.36, plus €40', () => {
  const n = composeNote(base({ invoices: [open] }));
  const l = n.lines[0];
  expect(l).toMatchObject({ state: 'OPEN', daysLate: 288, from: '2025-06-17', to: '2026-03-31' });
  // H1 2025: 500,000 × 1115 × 14 / 3,650,000 = 2,138.36; from 2025-07-01 (2.15 % in both later half-years, one row):
  // 500,000 × 1015 × 274 / 3,650,000 = 38,097.26. The total is rounded once: 40,235.62 → 40,236.
  expect(l.periods.map((p) => [p.from, p.to, p.days, p.rateBp, p.interestMinor])).toEqual([
    ['2025-06-17', '2025-06-30', 14, 1115, 2138],
    ['2025-07-01', '2026-03-31', 274, 1015, 38_097],
  ]);
  expect(n.interestMinor).toBe(40_236);
  expect(n.totalMinor).toBe(44_236);
});

test('a second note claims only the days after the first, and the €40 once: the two add up to the one-shot figure', () => {
  const first = composeNote(base({ invoices: [open] }));
  const prior = new Map<string, PriorClaim>([
    ['b', { to: '2026-03-31', interestMinor: 40_236, compensationClaimed: true }],
  ]);
  const second = composeNote(base({ asOf: '2026-06-30', invoices: [open], prior }));
  const l = second.lines[0];
  // 2026-04-01 … 2026-06-30: 91 days; to date 500,000 × (1115 × 14 + 1015 × 365) / 3,650,000 = 52,888.36 → 52,888.
  expect(l).toMatchObject({ from: '2026-04-01', to: '2026-06-30', priorInterestMinor: 40_236, compensationMinor: 0 });
  expect(l.periods).toEqual([
    { from: '2026-04-01', to: '2026-06-30', days: 91, principalMinor: 500_000, rateBp: 1015, interestMinor: 12_653 },
  ]);
  expect(l.interestMinor).toBe(12_652);
  expect((first.interestMinor ?? 0) + (second.interestMinor ?? 0)).toBe(52_888);
  expect(second.totalMinor).toBe(12_652);
  // Everything claimed up to the payment of a paid invoice: nothing more to claim.
  const donePrior = new Map<string, PriorClaim>([
    ['a', { to: '2026-04-01', interestMinor: 8342, compensationClaimed: true }],
  ]);
  expect(composeNote(base({ asOf: '2026-06-30', invoices: [paidLate], prior: donePrior })).lines).toEqual([]);
});

test('paid on the moved due date: not late, no interest and no €40 (arts. 1187 c.c., 231/2002 art. 6)', () => {
  const onTime = { ...paidLate, payments: [{ amountMinor: 1_000_000, paidOn: '2026-03-02', applied: true }] };
  expect(composeNote(base({ asOf: '2026-06-30', invoices: [onTime] })).lines).toEqual([]);
});

test('consumer: legal rate of art. 1284 c.c. (1.60 % in 2026), no €40', () => {
  const n = composeNote(
    base({
      asOf: '2026-06-30',
      consumer: true,
      invoices: [
        {
          ...paidLate,
          amountMinor: 100_000,
          payments: [{ amountMinor: 100_000, paidOn: '2026-04-01', applied: true }],
        },
      ],
    }),
  );
  // 100,000 × 160 × 30 / 3,650,000 = 131.51 → 132 cents.
  expect(n).toMatchObject({
    basis: 'CC_1284',
    interestMinor: 132,
    compensationMinor: 0,
    compensationEurMinor: 0,
    totalMinor: 132,
  });
  expect(n.lines[0].periods[0].rateBp).toBe(160);
});

test('a half-year without its reference rate: no figure, the half-year named', () => {
  const rates = BUNDLED_REFERENCE_RATES.filter((r) => r.validFrom !== '2026-01-01');
  const n = composeNote(base({ invoices: [open], referenceRates: rates }));
  expect(n.missingRates).toEqual(['2026-01-01']);
  expect(n.interestMinor).toBeNull();
  expect(n.totalMinor).toBeNull();
  const p = n.lines[0].periods;
  expect(p[p.length - 1]).toMatchObject({ from: '2026-01-01', rateBp: null, interestMinor: null });
});

test('paid before a half-year without its rate: the note is issuable as of today', () => {
  // The half-year after the payment has no rate in this table; the claim does not need it.
  const rates = BUNDLED_REFERENCE_RATES.filter((r) => r.validFrom < '2026-07-01');
  const n = composeNote(base({ asOf: '2026-12-01', invoices: [paidLate], referenceRates: rates }));
  expect(n).toMatchObject({ missingRates: [], interestMinor: 8342, totalMinor: 12_342 });
  // The open one does need it: named, no figure.
  const o = composeNote(base({ asOf: '2026-12-01', invoices: [open], referenceRates: rates }));
  expect(o.missingRates).toEqual(['2026-07-01']);
  expect(o.totalMinor).toBeNull();
});

test('waivers: the interest, the €40, or both (then the invoice is named as waived)', () => {
  const w = (interest: boolean, compensation: boolean) =>
    composeNote(
      base({ asOf: '2026-06-30', invoices: [paidLate], waiver: { interest, compensation, source: 'customer' } }),
    );
  expect(w(true, false)).toMatchObject({ interestMinor: 0, compensationMinor: 4000, totalMinor: 4000 });
  expect(w(true, false).lines[0].waived).toEqual({ interest: true, compensation: false });
  expect(w(false, true)).toMatchObject({ interestMinor: 8342, compensationMinor: 0, totalMinor: 8342 });
  const both = w(true, true);
  expect(both.lines).toEqual([]);
  expect(both.waivedInvoices).toEqual(['FT-A']);
});

test('a USD invoice: interest in dollars, the €40 stated in euro and kept out of the total; other currencies apart', () => {
  const usd = { ...paidLate, id: 'u', number: 'FT-U', currency: 'USD' };
  const n = composeNote(base({ asOf: '2026-06-30', currency: 'USD', invoices: [usd, open] }));
  expect(n.lines.map((l) => l.invoiceNumber)).toEqual(['FT-U']);
  expect(n).toMatchObject({ interestMinor: 8342, compensationMinor: 0, compensationEurMinor: 4000, totalMinor: 8342 });
});

test('written-off and cancelled invoices carry no claim', () => {
  const n = composeNote(
    base({
      invoices: [
        { ...open, stage: 'WRITTEN_OFF' },
        { ...open, id: 'c', stage: 'CANCELLED' },
      ],
    }),
  );
  expect(n.lines).toEqual([]);
});
