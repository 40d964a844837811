/**
 * The law's calendar (artt. 1187 e 2963 c.c.), the EUR 40 of art. 6 D.Lgs. 231/2002 and the allocation of partial
 * payments (art. 1194 c.c.), each with a worked example. Sources: docs/channels.md, "Legal rules".
 */
import { effectiveDueDate, isBusinessDay, nthBusinessDay } from '../../../domain/calendar';
import { computeLateInterest } from '../../../domain/interest';
import { BUNDLED_REFERENCE_RATES } from '../../../domain/reference-rates';

const b2b = { currency: 'EUR', referenceRates: BUNDLED_REFERENCE_RATES };

describe('the law’s calendar (art. 1187 c.c., art. 2963 c.c.)', () => {
  it('moves a Sunday, a public holiday and an opted-in Saturday to the next business day', () => {
    expect(effectiveDueDate('2025-03-30')).toBe('2025-03-31'); // Sunday → Monday
    expect(effectiveDueDate('2025-12-25')).toBe('2025-12-27'); // Christmas, St Stephen → Saturday 27 (a working day)
    expect(effectiveDueDate('2025-12-25', { saturdayIsHoliday: true })).toBe('2025-12-29');
    expect(effectiveDueDate('2025-12-27')).toBe('2025-12-27'); // Saturday is a working day by default
    expect(effectiveDueDate('2025-12-27', { saturdayIsHoliday: true })).toBe('2025-12-29');
    expect(effectiveDueDate('2026-04-05')).toBe('2026-04-07'); // Easter Sunday and Easter Monday 2026
    expect(effectiveDueDate('2026-10-04')).toBe('2026-10-05'); // San Francesco (L. 151/2025), a Sunday in 2026
    expect(effectiveDueDate('2025-12-08')).toBe('2025-12-09'); // Immacolata, a Monday
    // Milan's patron saint (Sant'Ambrogio, 7 Dec) as a local holiday, then the Immacolata: Monday 7 → Wednesday 9
    expect(effectiveDueDate('2026-12-07', { extraHolidays: ['12-07'] })).toBe('2026-12-09');
    expect(isBusinessDay('2025-06-02')).toBe(false); // Festa della Repubblica
  });

  it('a debtor who pays on the moved day owes no interest and no EUR 40', () => {
    // EUR 10,000 due Sunday 30 March 2025, paid Monday 31 March: punctual.
    const onTime = computeLateInterest({
      ...b2b,
      principalMinor: 1_000_000,
      dueDate: '2025-03-30',
      asOf: '2025-03-31',
    });
    expect(onTime).toMatchObject({ effectiveDueDate: '2025-03-31', interestMinor: 0, compensationMinor: 0, days: 0 });
    // Paid Tuesday 1 April: one day late, counted from the moved date: 1,000,000 × 1115 / 3,650,000 = 305.48 → 305.
    const late = computeLateInterest({ ...b2b, principalMinor: 1_000_000, dueDate: '2025-03-30', asOf: '2025-04-01' });
    expect(late).toMatchObject({ days: 1, interestMinor: 305, compensationMinor: 4000, totalMinor: 4305 });
  });

  it('Saturday moves only when the policy says so', () => {
    // Due Saturday 29 March 2025, paid Monday 31: two days late by default, punctual with saturdayIsHoliday.
    const plain = computeLateInterest({ ...b2b, principalMinor: 1_000_000, dueDate: '2025-03-29', asOf: '2025-03-31' });
    expect(plain).toMatchObject({ days: 2, interestMinor: 611, compensationMinor: 4000 }); // 610.96 → 611
    const policy = computeLateInterest({
      ...b2b,
      principalMinor: 1_000_000,
      dueDate: '2025-03-29',
      asOf: '2025-03-31',
      calendar: { saturdayIsHoliday: true },
    });
    expect(policy).toMatchObject({ days: 0, interestMinor: 0, compensationMinor: 0 });
  });

  it('finds the 5th working day of a half-year (the rate reminder opens on it)', () => {
    // January 2027: 1 (holiday), 2 Sat, 3 Sun, 4, 5, 6 (Epiphany), 7, 8 → 4, 5, 7, 8, 11 → 11 January
    expect(nthBusinessDay(2027, 1, 5, { saturdayIsHoliday: true })).toBe('2027-01-11');
    // July 2026: Wed 1, Thu 2, Fri 3, Mon 6, Tue 7
    expect(nthBusinessDay(2026, 7, 5, { saturdayIsHoliday: true })).toBe('2026-07-07');
  });
});

describe('the EUR 40 of art. 6 D.Lgs. 231/2002', () => {
  it('never for consumers', () => {
    const r = computeLateInterest({
      ...b2b,
      consumer: true,
      consumerFlatRateBp: 200,
      principalMinor: 100_000,
      dueDate: '2025-01-31',
      asOf: '2025-06-30',
    });
    expect(r).toMatchObject({ compensationMinor: 0, compensationEurMinor: 0 });
  });

  it('a USD invoice: the EUR 40 stays in euro unless a rate is given, and is never counted in dollars as 0', () => {
    const usd = { ...b2b, currency: 'USD', principalMinor: 1_000_000, dueDate: '2025-03-31', asOf: '2025-04-30' };
    const r = computeLateInterest(usd);
    expect(r).toMatchObject({ compensationEurMinor: 4000, compensationMinor: 0 });
    expect(r.totalMinor).toBe(r.interestMinor);
    expect(r.warnings.join()).toMatch(/stated in euro/);
    // With a rate supplied by the caller (1 EUR = 1.0815 USD): 40 × 1.0815 = USD 43.26
    const conv = computeLateInterest({ ...usd, eurRate: { unitsPerEur: 1.0815, source: 'test' } });
    expect(conv).toMatchObject({ compensationEurMinor: 4000, compensationMinor: 4326 });
    // Yen have no minor digits: 40 × 162.5 = JPY 6,500 (6500 minor units); dinars have three: 40 × 0.3325 = 13.300
    const jpy = computeLateInterest({ ...usd, currency: 'JPY', eurRate: { unitsPerEur: 162.5, source: 'test' } });
    expect(jpy.compensationMinor).toBe(6500);
    const kwd = computeLateInterest({ ...usd, currency: 'KWD', eurRate: { unitsPerEur: 0.3325, source: 'test' } });
    expect(kwd.compensationMinor).toBe(13_300);
  });
});

describe('partial payments, art. 1194 c.c.', () => {
  // EUR 10,000 due Monday 31 March 2025, EUR 4,000 paid 30 September 2025, interest up to 15 February 2026.
  // Reference rates (data/ecb-rates.json): H1 2025 3.15 %, H2 2025 and H1 2026 2.15 % → 11.15 % and 10.15 %.
  // Up to the payment: 1,000,000 × (1115 × 91 + 1015 × 92) / 3,650,000 = 53,382.19 cents accrued.
  const example = {
    ...b2b,
    principalMinor: 1_000_000,
    dueDate: '2025-03-31',
    asOf: '2026-02-15',
    payments: [{ date: '2025-09-30', amountMinor: 400_000 }],
  };

  it('capital first (default): EUR 764.07', () => {
    // then 600,000 × 1015 × 138 / 3,650,000 = 23,025.21 → total 76,407.40 → 76,407
    const r = computeLateInterest(example);
    expect(r.interestMinor).toBe(76_407);
    expect(r.allocations).toEqual([
      { date: '2025-09-30', amountMinor: 400_000, toCostsMinor: 0, toInterestMinor: 0, toCapitalMinor: 400_000 },
    ]);
    expect(r.capitalOutstandingMinor).toBe(600_000);
  });

  it('interest first: EUR 784.56, of which EUR 533.82 already paid by the EUR 4,000', () => {
    // 533.82 to interest, 3,466.18 to capital → 653,382 × 1015 × 138 / 3,650,000 = 25,073.76 → 78,455.95 → 78,456
    const r = computeLateInterest({ ...example, allocation: 'interest-first' });
    expect(r.interestMinor).toBe(78_456);
    expect(r.allocations).toEqual([
      { date: '2025-09-30', amountMinor: 400_000, toCostsMinor: 0, toInterestMinor: 53_382, toCapitalMinor: 346_618 },
    ]);
    expect(r.capitalOutstandingMinor).toBe(653_382);
    expect(r.interestOutstandingMinor).toBe(78_456 - 53_382);
  });

  it('costs, then interest, then capital: EUR 786.09', () => {
    // 40.00 to the compensation, 533.82 to interest, 3,426.18 to capital → 657,382 left: 25,227.27 → 78,609.45
    const r = computeLateInterest({ ...example, allocation: 'costs-interest-first' });
    expect(r.interestMinor).toBe(78_609);
    expect(r.allocations[0]).toMatchObject({ toCostsMinor: 4000, toInterestMinor: 53_382, toCapitalMinor: 342_618 });
  });
});
