/**
 * The credit-management formulas, pure: SQL gathers the sums, these turn them into KPIs. Every formula, its source
 * and its rounding are in docs/reports.md; money stays integer minor units, ratios and days are rounded here.
 */

/** Rounds to `digits` decimals, half away from zero (so 12.25 → 12.3 and −12.25 → −12.3). */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  const r = Math.round(Math.abs(value) * f + 1e-9) / f;
  return value < 0 ? -r : r;
}

/** Whole days from ISO date `a` to ISO date `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** ISO date `days` after `iso`. */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days in the inclusive period [from, to]. */
export const periodDays = (from: string, to: string): number => daysBetween(from, to) + 1;

/**
 * Standard (period-average) DSO: ending receivables ÷ credit sales of the period × days in the period.
 * Null when there were no sales (the ratio is undefined, not zero).
 */
export function standardDso(receivablesEnd: number, creditSales: number, days: number): number | null {
  if (creditSales <= 0) return null;
  return round((receivablesEnd / creditSales) * days, 1);
}

/** Best possible DSO: the DSO the current (not yet due) receivables alone would give. */
export function bestPossibleDso(currentEnd: number, creditSales: number, days: number): number | null {
  return standardDso(currentEnd, creditSales, days);
}

/** Average days delinquent: DSO − best possible DSO (computed from unrounded parts, then rounded). */
export function averageDaysDelinquent(
  receivablesEnd: number,
  currentEnd: number,
  creditSales: number,
  days: number,
): number | null {
  if (creditSales <= 0) return null;
  return round(((receivablesEnd - currentEnd) / creditSales) * days, 1);
}

/**
 * Collection Effectiveness Index (Credit Research Foundation):
 * (beginning receivables + credit sales − ending total receivables) ÷
 * (beginning receivables + credit sales − ending current receivables) × 100.
 */
export function cei(begin: number, sales: number, endTotal: number, endCurrent: number): number | null {
  const denominator = begin + sales - endCurrent;
  if (denominator <= 0) return null;
  return round(((begin + sales - endTotal) / denominator) * 100, 1);
}

export interface MonthSales {
  /** Label, e.g. 2026-10. */
  month: string;
  /** Days of the month that belong to the look-back (the newest month may be partial). */
  days: number;
  sales: number;
}

/**
 * Count-back (exhaustion) DSO: walk back month by month from the newest, subtracting each month's credit sales from
 * the ending receivables; every fully absorbed month adds its days, the month that exhausts the rest adds the
 * fraction receivables-left ÷ that month's sales of its days. `months` is newest first. When the receivables outlast
 * the months given the result is a lower bound and `exhausted` is false.
 */
export function countBackDso(receivablesEnd: number, months: MonthSales[]): { dso: number; exhausted: boolean } {
  let left = receivablesEnd;
  let days = 0;
  if (left <= 0) return { dso: 0, exhausted: true };
  for (const m of months) {
    if (m.sales <= 0) {
      days += m.days;
      continue;
    }
    if (left <= m.sales) {
      days += (left / m.sales) * m.days;
      return { dso: round(days, 1), exhausted: true };
    }
    left -= m.sales;
    days += m.days;
  }
  return { dso: round(days, 1), exhausted: false };
}

/** Percentage a ÷ b × 100, 1 decimal; null when b is 0. */
export function pct(a: number, b: number): number | null {
  if (b === 0) return null;
  return round((a / b) * 100, 1);
}

export const AGING_BUCKETS = ['not_due', 'd1_30', 'd31_60', 'd61_90', 'd91_180', 'over_180'] as const;
export type AgingBucket = (typeof AGING_BUCKETS)[number];
export const AGING_LABELS: Record<AgingBucket, string> = {
  not_due: 'Not due',
  d1_30: '1–30',
  d31_60: '31–60',
  d61_90: '61–90',
  d91_180: '91–180',
  over_180: '>180',
};

/** The aging bucket of an invoice `daysPastDue` days after its due date (0 or negative: not due). */
export function agingBucket(daysPastDue: number): AgingBucket {
  if (daysPastDue <= 0) return 'not_due';
  if (daysPastDue <= 30) return 'd1_30';
  if (daysPastDue <= 60) return 'd31_60';
  if (daysPastDue <= 90) return 'd61_90';
  if (daysPastDue <= 180) return 'd91_180';
  return 'over_180';
}
