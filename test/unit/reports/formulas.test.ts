/** The pure formula pieces on small worked examples (hand-computed values in the comments). */
import {
  addDays,
  agingBucket,
  averageDaysDelinquent,
  bestPossibleDso,
  cei,
  countBackDso,
  daysBetween,
  pct,
  periodDays,
  round,
  standardDso,
} from '../../../contexts/reports/formulas';
import { countBackWindows } from '../../../contexts/reports/kpis';

describe('rounding and dates', () => {
  test('half away from zero, one decimal by default', () => {
    expect(round(12.25)).toBe(12.3);
    expect(round(-12.25)).toBe(-12.3);
    expect(round(42.625)).toBe(42.6); // 42.625 is stored as 42.62499…: the float is honest here
    expect(round(2 / 3, 3)).toBe(0.667);
  });
  test('period arithmetic', () => {
    expect(periodDays('2025-03-01', '2025-03-31')).toBe(31);
    expect(periodDays('2024-02-01', '2024-02-29')).toBe(29);
    expect(daysBetween('2024-10-31', '2025-03-15')).toBe(135);
    expect(addDays('2025-03-01', -1)).toBe('2025-02-28');
  });
});

describe('DSO family', () => {
  // Quarter of 90 days: receivables 600,000 at the end, sales 900,000, of which 400,000 not yet due.
  test('standard DSO = receivables ÷ sales × days', () => {
    expect(standardDso(600_000, 900_000, 90)).toBe(60); // 600/900 × 90
    expect(standardDso(1, 0, 90)).toBeNull();
  });
  test('best possible DSO and ADD', () => {
    expect(bestPossibleDso(400_000, 900_000, 90)).toBe(40); // 400/900 × 90
    expect(averageDaysDelinquent(600_000, 400_000, 900_000, 90)).toBe(20); // 60 − 40
  });
  test('ADD is computed from unrounded parts', () => {
    // DSO 10/3 × 31 = 103.33…, BPDSO 1/3 × 31 = 10.33… → ADD exactly 93.0 (not 103.3 − 10.3 = 93.0 by luck)
    expect(averageDaysDelinquent(1000, 100, 300, 31)).toBe(93);
  });
  test('CEI (Credit Research Foundation)', () => {
    // begin 500, sales 900, end 600, current end 400: (500 + 900 − 600) / (500 + 900 − 400) = 800 / 1000
    expect(cei(500, 900, 600, 400)).toBe(80);
    expect(cei(0, 0, 0, 0)).toBeNull();
    // collecting everything collectable is 100 %
    expect(cei(500, 900, 400, 400)).toBe(100);
  });
  test('count-back exhausts receivables month by month', () => {
    // receivables 250; newest month: 31 days, sales 100 → absorbed (31 d, 150 left); then 30 days, sales 120 →
    // absorbed (61 d, 30 left); then 31 days, sales 60 → 30/60 × 31 = 15.5 → 76.5
    const months = [
      { month: '2025-03', days: 31, sales: 100 },
      { month: '2025-02', days: 30, sales: 120 },
      { month: '2025-01', days: 31, sales: 60 },
    ];
    expect(countBackDso(250, months)).toEqual({ dso: 76.5, exhausted: true });
    expect(countBackDso(0, months)).toEqual({ dso: 0, exhausted: true });
    // receivables larger than all the sales: a lower bound, flagged
    expect(countBackDso(1000, months)).toEqual({ dso: 92, exhausted: false });
    // a month without sales adds its days and goes on
    expect(
      countBackDso(50, [
        { month: 'a', days: 30, sales: 0 },
        { month: 'b', days: 31, sales: 100 },
      ]),
    ).toEqual({ dso: 45.5, exhausted: true });
  });
  test('count-back windows: the newest month is cut at the period end', () => {
    expect(countBackWindows('2025-03-20', 3)).toEqual([
      { month: '2025-03', start: '2025-03-01', days: 20 },
      { month: '2025-02', start: '2025-02-01', days: 28 },
      { month: '2025-01', start: '2025-01-01', days: 31 },
    ]);
  });
});

test('aging buckets', () => {
  expect([-5, 0, 1, 30, 31, 60, 61, 90, 91, 180, 181, 1000].map(agingBucket)).toEqual([
    'not_due',
    'not_due',
    'd1_30',
    'd1_30',
    'd31_60',
    'd31_60',
    'd61_90',
    'd61_90',
    'd91_180',
    'd91_180',
    'over_180',
    'over_180',
  ]);
});

test('percentages', () => {
  expect(pct(1, 3)).toBe(33.3);
  expect(pct(2, 3)).toBe(66.7);
  expect(pct(1, 0)).toBeNull();
});
