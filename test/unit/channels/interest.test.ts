import { computeLateInterest, type RatePoint } from '../../../domain/interest';
import {
  BUNDLED_LEGAL_RATES,
  BUNDLED_REFERENCE_RATES,
  mergeRates,
  validateReferenceRate,
} from '../../../domain/reference-rates';

const rates = BUNDLED_REFERENCE_RATES;
const b2b = { currency: 'EUR', referenceRates: rates };

describe('statutory late-payment interest (D.Lgs. 231/2002)', () => {
  it('carries the rates stated in the issue', () => {
    const at = (d: string): number | undefined => rates.find((r) => r.validFrom === d)?.rateBp;
    expect([at('2025-01-01'), at('2025-07-01'), at('2026-01-01')]).toEqual([315, 215, 215]);
    expect(rates[0].validFrom <= '2019-01-01').toBe(true);
  });

  it('one half-year: EUR 10,000 due 31 Dec 2024, paid 31 Mar 2025 → 90 days at 11.15 %', () => {
    // 1,000,000 × 1115 bp × 90 / (10,000 × 365) = 27,493.15… → 27,493 cents
    const r = computeLateInterest({ ...b2b, principalMinor: 1_000_000, dueDate: '2024-12-31', asOf: '2025-03-31' });
    expect(r.days).toBe(90);
    expect(r.periods).toEqual([
      {
        from: '2025-01-01',
        to: '2025-03-31',
        days: 90,
        principalMinor: 1_000_000,
        rateBp: 1115,
        interestMinor: 27_493,
      },
    ]);
    expect(r).toMatchObject({ interestMinor: 27_493, compensationMinor: 4000, totalMinor: 31_493, warnings: [] });
  });

  it('four half-years: EUR 5,000 due 15 May 2024, paid 20 Aug 2025', () => {
    // 46 d × 12.50 % + 184 d × 12.25 % + 181 d × 11.15 % + 51 d × 10.15 % on 500,000 cents
    // = (28,750,000,000 + 112,700,000,000 + 100,907,500,000 + 25,882,500,000) / 3,650,000 = 73,490.41 → 73,490
    const r = computeLateInterest({ ...b2b, principalMinor: 500_000, dueDate: '2024-05-15', asOf: '2025-08-20' });
    expect(r.periods.map((p) => [p.from, p.to, p.days, p.rateBp])).toEqual([
      ['2024-05-16', '2024-06-30', 46, 1250],
      ['2024-07-01', '2024-12-31', 184, 1225],
      ['2025-01-01', '2025-06-30', 181, 1115],
      ['2025-07-01', '2025-08-20', 51, 1015],
    ]);
    expect(r.days).toBe(462);
    expect(r.interestMinor).toBe(73_490);
  });

  it('leap year: 29 February counts, the divisor stays 365', () => {
    // 16 Feb – 15 Mar 2024 = 14 + 15 = 29 days; 1,000,000 × 1250 × 29 / 3,650,000 = 9,931.51 → 9,932
    const r = computeLateInterest({ ...b2b, principalMinor: 1_000_000, dueDate: '2024-02-15', asOf: '2024-03-15' });
    expect(r.days).toBe(29);
    expect(r.interestMinor).toBe(9_932);
  });

  it('partial payment: the payment day still accrues on the old balance', () => {
    // 1–31 Jul 2025 on 1,000,000 (31 d) + 1 Aug – 30 Sep on 600,000 (61 d), both at 10.15 %
    // = (31,465,000,000 + 37,149,000,000) / 3,650,000 = 18,798.36 → 18,798
    const r = computeLateInterest({
      ...b2b,
      principalMinor: 1_000_000,
      dueDate: '2025-06-30',
      asOf: '2025-09-30',
      payments: [{ date: '2025-07-31', amountMinor: 400_000 }],
    });
    expect(r.periods.map((p) => [p.from, p.to, p.principalMinor])).toEqual([
      ['2025-07-01', '2025-07-31', 1_000_000],
      ['2025-08-01', '2025-09-30', 600_000],
    ]);
    expect(r.interestMinor).toBe(18_798);
  });

  it('crosses into a half-year and a new year in one run (Dec 2025 → Jan 2026, same 2.15 % reference)', () => {
    // Due Saturday 20 Dec 2025 (Saturdays are working days unless the policy says otherwise; a Sunday would move).
    const r = computeLateInterest({ ...b2b, principalMinor: 365_000, dueDate: '2025-12-20', asOf: '2026-01-09' });
    // 20 days at 10.15 % on 3,650.00: 365,000 × 1015 × 20 / 3,650,000 = 2,030 exactly; merged into one period
    expect(r.periods).toHaveLength(1);
    expect(r.interestMinor).toBe(2_030);
  });

  it('nothing before the day after the due date, and no EUR 40 for a punctual debtor (art. 6 D.Lgs. 231/2002)', () => {
    // 10 Mar 2025 is a Monday: paying on the due date is punctual, so neither interest nor the EUR 40 is owed.
    const r = computeLateInterest({ ...b2b, principalMinor: 100_000, dueDate: '2025-03-10', asOf: '2025-03-10' });
    expect(r).toMatchObject({
      interestMinor: 0,
      compensationMinor: 0,
      compensationEurMinor: 0,
      days: 0,
      totalMinor: 0,
    });
    // One day late: 100,000 × 1115 × 1 / 3,650,000 = 30.55 → 31 cents, plus the EUR 40.
    const late = computeLateInterest({ ...b2b, principalMinor: 100_000, dueDate: '2025-03-10', asOf: '2025-03-11' });
    expect(late).toMatchObject({ interestMinor: 31, compensationMinor: 4000, totalMinor: 4031, days: 1 });
  });

  it('rounds half up once on the exact total', () => {
    const table: RatePoint[] = [{ validFrom: '2025-01-01', rateBp: 200 }];
    // 1,825 × 1000 bp × 1 day / 3,650,000 = 0.5 → 1
    const r = computeLateInterest({
      currency: 'EUR',
      referenceRates: table,
      principalMinor: 1825,
      dueDate: '2025-01-09',
      asOf: '2025-01-10',
    });
    expect(r.interestMinor).toBe(1);
  });

  it('consumers: legal rate, no EUR 40', () => {
    // 1 Feb – 2 Mar 2025 = 30 days at 2.00 %: 100,000 × 200 × 30 / 3,650,000 = 164.38 → 164
    const r = computeLateInterest({
      ...b2b,
      consumer: true,
      legalRates: BUNDLED_LEGAL_RATES,
      principalMinor: 100_000,
      dueDate: '2025-01-31',
      asOf: '2025-03-02',
    });
    expect(r).toMatchObject({ interestMinor: 164, compensationMinor: 0, totalMinor: 164 });
    const flat = computeLateInterest({
      ...b2b,
      consumer: true,
      consumerFlatRateBp: 500,
      principalMinor: 100_000,
      dueDate: '2025-01-31',
      asOf: '2025-03-02',
    });
    expect(flat.interestMinor).toBe(411); // 100,000 × 500 × 30 / 3,650,000 = 410.96
  });

  it('warns and uses the last known rate when a half-year is missing', () => {
    const r = computeLateInterest({ ...b2b, principalMinor: 100_000, dueDate: '2026-06-30', asOf: '2026-07-10' });
    expect(r.warnings[0]).toMatch(/2026-07-01 is missing/);
    expect(r.periods[0]).toMatchObject({ rateBp: 1015, provisional: true });
    expect(r.provisional).toEqual([
      { periodStart: '2026-07-01', usedFrom: '2026-01-01', rateBp: 215, kind: 'reference' },
    ]);
    const fixed = mergeRates(rates, [{ validFrom: '2026-07-01', rateBp: 200 }]);
    expect(
      computeLateInterest({
        ...b2b,
        referenceRates: fixed,
        principalMinor: 100_000,
        dueDate: '2026-06-30',
        asOf: '2026-07-10',
      }).warnings,
    ).toEqual([]);
  });

  it('rejects bad input', () => {
    expect(() =>
      computeLateInterest({ ...b2b, principalMinor: 1.5, dueDate: '2025-01-01', asOf: '2025-02-01' }),
    ).toThrow(/integer/);
    expect(() => computeLateInterest({ ...b2b, principalMinor: 1, dueDate: '1/1/2025', asOf: '2025-02-01' })).toThrow(
      /ISO/,
    );
  });
});

describe('reference-rate entries', () => {
  it('accept half-year starts and integer basis points', () => {
    expect(validateReferenceRate({ validFrom: '2026-07-01', rateBp: 215 })).toEqual([]);
  });
  it('name the bad field', () => {
    expect(validateReferenceRate({ validFrom: '2026-03-01', rateBp: 2.15 }).map((p) => p.path)).toEqual([
      'validFrom',
      'rateBp',
    ]);
  });
});
