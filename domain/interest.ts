/**
 * Statutory late-payment interest (EU Directive 2011/7/EU; Italian D.Lgs. 231/2002 as amended by D.Lgs. 192/2012).
 * Pure: the rate tables are arguments (see data/ecb-rates.json and the ReferenceRate table).
 *
 * B2B (art. 5): rate = ECB main refinancing rate in force on 1 January (for January–June) or on 1 July (for
 * July–December) + 8 percentage points; simple interest, days / 365 (also in leap years), accruing from the day
 * after the due date up to and including the payment date, on the balance outstanding on each day; plus a fixed
 * compensation of EUR 40 per invoice for recovery costs (art. 6), due without a reminder.
 * B2C (consumers are outside the decree): the legal rate of art. 1284 c.c., per calendar year or one configured flat
 * rate; no fixed compensation.
 *
 * Rounding: each period's exact contribution principal × rateBp × days / (10 000 × 365) is summed as an exact
 * fraction and the total is rounded once, half up, to the minor unit. Period amounts shown in letters are rounded
 * the same way individually, so they may differ from the total by a cent.
 */

export interface RatePoint {
  /** ISO date from which the rate applies. */
  validFrom: string;
  /** Basis points: 215 = 2.15 %. */
  rateBp: number;
}

export interface InterestPayment {
  /** ISO date the money was received. */
  date: string;
  amountMinor: number;
}

export interface InterestInput {
  /** Unpaid amount on the due date, minor units (payments after the due date go in `payments`). */
  principalMinor: number;
  /** ISO date the invoice was due. */
  dueDate: string;
  /** ISO date up to which interest runs (inclusive): the payment date, or today for a still-open balance. */
  asOf: string;
  payments?: InterestPayment[];
  currency: string;
  /** Consumer (B2C) invoice. */
  consumer?: boolean;
  /** ECB reference rates by half-year (validFrom on 01-01 / 07-01). */
  referenceRates: RatePoint[];
  /** Italian legal rate by year, for B2C. */
  legalRates?: RatePoint[];
  /** B2C: one flat rate overriding the table. */
  consumerFlatRateBp?: number;
}

export interface InterestPeriod {
  from: string;
  to: string;
  days: number;
  principalMinor: number;
  /** Annual rate applied (reference + 8 points for B2B), basis points. */
  rateBp: number;
  /** This period's interest rounded half up on its own (display only). */
  interestMinor: number;
}

export interface InterestResult {
  interestMinor: number;
  /** EUR 40 per invoice in B2B (4000 minor units), 0 for consumers. */
  compensationMinor: number;
  totalMinor: number;
  days: number;
  periods: InterestPeriod[];
  /** E.g. a half-year missing from the rate table (the last known rate was used). */
  warnings: string[];
}

export const STATUTORY_MARGIN_BP = 800;
export const FIXED_COMPENSATION_EUR_MINOR = 4000;
const DAY_MS = 86_400_000;
const DENOMINATOR = 10_000n * 365n;

const ISO = /^\d{4}-\d{2}-\d{2}$/;
function toDay(iso: string): number {
  if (!ISO.test(iso)) throw new Error(`invalid ISO date "${iso}"`);
  const t = Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
  return Math.round(t / DAY_MS);
}
function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Round a non-negative fraction n/d half up. */
function roundHalfUp(n: bigint, d: bigint): number {
  return Number((n * 2n + d) / (2n * d));
}

/** The start of the half-year containing a day (1 Jan or 1 Jul). */
function halfYearStart(iso: string): string {
  return `${iso.slice(0, 4)}-${Number(iso.slice(5, 7)) <= 6 ? '01' : '07'}-01`;
}

/** Rate whose validFrom is the latest at or before `date`; flags a gap when the exact period start is missing. */
function rateAt(table: RatePoint[], periodStart: string, label: string, warnings: string[]): number {
  const sorted = [...table].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  let found: RatePoint | undefined;
  for (const r of sorted) if (r.validFrom <= periodStart) found = r;
  if (!found) throw new Error(`no ${label} rate in force on ${periodStart}`);
  if (found.validFrom !== periodStart) {
    const w = `${label} rate for the period starting ${periodStart} is missing; used ${found.rateBp} bp of ${found.validFrom}`;
    if (!warnings.includes(w)) warnings.push(w);
  }
  return found.rateBp;
}

/** Statutory interest and compensation for one invoice. */
export function computeLateInterest(input: InterestInput): InterestResult {
  const warnings: string[] = [];
  if (!Number.isSafeInteger(input.principalMinor) || input.principalMinor < 0) {
    throw new Error('principalMinor must be a non-negative integer');
  }
  const consumer = input.consumer === true;
  const compensationMinor = consumer ? 0 : input.currency === 'EUR' ? FIXED_COMPENSATION_EUR_MINOR : 0;
  if (!consumer && input.currency !== 'EUR') {
    warnings.push(`fixed compensation is EUR 40; not converted into ${input.currency}`);
  }
  const first = toDay(input.dueDate) + 1;
  const last = toDay(input.asOf);
  if (last < first || input.principalMinor === 0) {
    return { interestMinor: 0, compensationMinor, totalMinor: compensationMinor, days: 0, periods: [], warnings };
  }

  // Balance changes take effect the day after a payment: the payment day itself still accrues.
  const payments = [...(input.payments ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  const balanceOn = (day: number): number => {
    let b = input.principalMinor;
    for (const p of payments) if (toDay(p.date) < day) b -= p.amountMinor;
    return Math.max(0, b);
  };

  const rateFor = (iso: string): number => {
    if (consumer) {
      if (input.consumerFlatRateBp !== undefined) return input.consumerFlatRateBp;
      if (!input.legalRates?.length) throw new Error('consumer interest needs legalRates or consumerFlatRateBp');
      return rateAt(input.legalRates, `${iso.slice(0, 4)}-01-01`, 'legal', warnings);
    }
    return rateAt(input.referenceRates, halfYearStart(iso), 'ECB reference', warnings) + STATUTORY_MARGIN_BP;
  };

  // Cut points: every day where the rate period or the balance may change.
  const cuts = new Set<number>([first, last + 1]);
  for (let y = Number(fromDay(first).slice(0, 4)); y <= Number(fromDay(last).slice(0, 4)); y++) {
    cuts.add(toDay(`${y}-01-01`));
    cuts.add(toDay(`${y}-07-01`));
  }
  for (const p of payments) cuts.add(toDay(p.date) + 1);
  const points = [...cuts].filter((d) => d >= first && d <= last + 1).sort((a, b) => a - b);

  const periods: InterestPeriod[] = [];
  let numerator = 0n;
  for (let i = 0; i < points.length - 1; i++) {
    const from = points[i];
    const to = points[i + 1] - 1;
    const principalMinor = balanceOn(from);
    const days = to - from + 1;
    const rateBp = rateFor(fromDay(from));
    const n = BigInt(principalMinor) * BigInt(rateBp) * BigInt(days);
    numerator += n;
    const prev = periods[periods.length - 1];
    // Merge neighbours with the same rate and balance (a half-year cut that changed nothing).
    if (prev && prev.rateBp === rateBp && prev.principalMinor === principalMinor && toDay(prev.to) === from - 1) {
      prev.to = fromDay(to);
      prev.days += days;
      prev.interestMinor = roundHalfUp(BigInt(principalMinor) * BigInt(rateBp) * BigInt(prev.days), DENOMINATOR);
    } else {
      periods.push({
        from: fromDay(from),
        to: fromDay(to),
        days,
        principalMinor,
        rateBp,
        interestMinor: roundHalfUp(n, DENOMINATOR),
      });
    }
  }
  const interestMinor = roundHalfUp(numerator, DENOMINATOR);
  return {
    interestMinor,
    compensationMinor,
    totalMinor: interestMinor + compensationMinor,
    days: last - first + 1,
    periods: periods.filter((p) => p.principalMinor > 0),
    warnings,
  };
}
