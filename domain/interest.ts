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
 * Calendar (arts. 1187 and 2963 c.c.): a due date on a Sunday, an Italian public holiday or (policy) a Saturday
 * moves to the next business day; interest and the EUR 40 start only after that day (`effectiveDueDate`).
 * Fixed compensation (art. 6): due only once the debtor is at least one day late, never from consumers, and always
 * EUR 40: for an invoice in another currency it is stated in euro, converted only with a rate the caller supplies.
 * Partial payments (art. 1194 c.c.): allocated to capital first (default) or, when the policy says so, to accrued
 * interest (and the compensation) before capital; each allocation is returned.
 * Missing rates: a half-year without a published reference rate uses the last known one and is flagged
 * `provisional` so that every letter can say so.
 *
 * Rounding: each period's exact contribution principal × rateBp × days / (10 000 × 365) is summed as an exact
 * fraction and the total is rounded once, half up, to the minor unit. Period amounts shown in letters are rounded
 * the same way individually, so they may differ from the total by a cent.
 */

import { effectiveDueDate, type BusinessCalendar } from './calendar';
import { currencyDigits } from './money';

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

/**
 * Art. 1194 c.c.: the creditor may allocate a partial payment to interest and costs before capital.
 * `capital-first` (default, what most ERPs book), `interest-first` (accrued interest, then capital; the EUR 40 stays
 * claimed on its own), `costs-interest-first` (the EUR 40 compensation, then interest, then capital).
 */
export const ALLOCATIONS = ['capital-first', 'interest-first', 'costs-interest-first'] as const;
export type Allocation = (typeof ALLOCATIONS)[number];

/** A rate to state the EUR 40 in another currency: 1 EUR = `unitsPerEur` units of the invoice currency. */
export interface EurExchangeRate {
  unitsPerEur: number;
  /** Where the rate comes from, e.g. "BCE, tassi di riferimento del 2026-03-02". */
  source: string;
}

export interface InterestInput {
  /** Unpaid amount on the due date, minor units (payments after the due date go in `payments`). */
  principalMinor: number;
  /** ISO date the invoice was due (as written on the invoice; the calendar moves it when needed). */
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
  /** Non-working days that move the due date (Sundays and Italian holidays always do). */
  calendar?: BusinessCalendar;
  /** Allocation of partial payments (art. 1194 c.c.); default capital first. */
  allocation?: Allocation;
  /** Only to state the EUR 40 in a non-EUR invoice's currency; without it the EUR 40 is stated in euro. */
  eurRate?: EurExchangeRate;
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
  /** The half-year's reference rate is not published yet: the rate of `rateFrom` was used. */
  provisional?: boolean;
}

/** How one partial payment was allocated (art. 1194 c.c.). */
export interface PaymentAllocation {
  date: string;
  amountMinor: number;
  toCostsMinor: number;
  toInterestMinor: number;
  toCapitalMinor: number;
}

/** A half-year computed with the last known rate because its own is not in the table yet. */
export interface ProvisionalRate {
  /** Start of the half-year (or year, for the legal rate) that has no published rate. */
  periodStart: string;
  /** validFrom of the rate used instead. */
  usedFrom: string;
  /** The reference (or legal) rate used, basis points, without the 8 points. */
  rateBp: number;
  kind: 'reference' | 'legal';
}

export interface InterestResult {
  /** The due date after arts. 1187/2963 c.c. */
  effectiveDueDate: string;
  interestMinor: number;
  /**
   * The fixed compensation in the invoice currency's minor units: 4000 for EUR, the converted amount when `eurRate`
   * was given, 0 otherwise (and always 0 for consumers or a debtor not late).
   */
  compensationMinor: number;
  /** The compensation in euro cents: 4000 when due (whatever the invoice currency), else 0. */
  compensationEurMinor: number;
  /** interest + compensation in the invoice currency (a non-converted EUR 40 is not in it). */
  totalMinor: number;
  days: number;
  periods: InterestPeriod[];
  allocation: Allocation;
  allocations: PaymentAllocation[];
  /** Capital still owed after the allocations (larger than the booked balance when interest was paid first). */
  capitalOutstandingMinor: number;
  /** Interest accrued and not covered by an allocation. */
  interestOutstandingMinor: number;
  provisional: ProvisionalRate[];
  /** E.g. a half-year missing from the rate table (the last known rate was used). */
  warnings: string[];
}

export const STATUTORY_MARGIN_BP = 800;
/** D.Lgs. 231/2002 art. 6(2): EUR 40, in euro cents. */
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
export function halfYearStart(iso: string): string {
  return `${iso.slice(0, 4)}-${Number(iso.slice(5, 7)) <= 6 ? '01' : '07'}-01`;
}

/** Rate whose validFrom is the latest at or before `periodStart`; a gap is recorded as provisional. */
function rateAt(
  table: RatePoint[],
  periodStart: string,
  kind: 'reference' | 'legal',
  warnings: string[],
  provisional: ProvisionalRate[],
): { rateBp: number; provisional: boolean } {
  const label = kind === 'reference' ? 'ECB reference' : 'legal';
  const sorted = [...table].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  let found: RatePoint | undefined;
  for (const r of sorted) if (r.validFrom <= periodStart) found = r;
  if (!found) throw new Error(`no ${label} rate in force on ${periodStart}`);
  if (found.validFrom !== periodStart) {
    const w = `${label} rate for the period starting ${periodStart} is missing; used ${found.rateBp} bp of ${found.validFrom}`;
    if (!warnings.includes(w)) warnings.push(w);
    if (!provisional.some((p) => p.periodStart === periodStart && p.kind === kind)) {
      provisional.push({ periodStart, usedFrom: found.validFrom, rateBp: found.rateBp, kind });
    }
    return { rateBp: found.rateBp, provisional: true };
  }
  return { rateBp: found.rateBp, provisional: false };
}

/** The EUR 40 in the invoice currency's minor units, or null when it cannot be stated without a rate. */
export function compensationInCurrency(currency: string, eurRate?: EurExchangeRate): number | null {
  if (currency === 'EUR') return FIXED_COMPENSATION_EUR_MINOR;
  if (!eurRate || !(eurRate.unitsPerEur > 0)) return null;
  return Math.round((FIXED_COMPENSATION_EUR_MINOR / 100) * eurRate.unitsPerEur * 10 ** currencyDigits(currency));
}

/** Statutory interest and compensation for one invoice. */
export function computeLateInterest(input: InterestInput): InterestResult {
  const warnings: string[] = [];
  const provisional: ProvisionalRate[] = [];
  if (!Number.isSafeInteger(input.principalMinor) || input.principalMinor < 0) {
    throw new Error('principalMinor must be a non-negative integer');
  }
  const consumer = input.consumer === true;
  const allocation: Allocation = input.allocation ?? 'capital-first';
  toDay(input.dueDate);
  const dueDate = effectiveDueDate(input.dueDate, input.calendar);
  const first = toDay(dueDate) + 1;
  const last = toDay(input.asOf);
  // Art. 6: the compensation is owed "from the day after the due date" (automatic default, art. 4): one day late.
  const late = last >= first && input.principalMinor > 0;
  const compensationEurMinor = late && !consumer ? FIXED_COMPENSATION_EUR_MINOR : 0;
  let compensationMinor = 0;
  if (compensationEurMinor) {
    const converted = compensationInCurrency(input.currency, input.eurRate);
    if (converted === null) {
      warnings.push(`fixed compensation is EUR 40; no EUR/${input.currency} rate given, so it is stated in euro`);
    } else {
      compensationMinor = converted;
    }
  }
  const payments = [...(input.payments ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  const empty = (): InterestResult => {
    const paid = payments.reduce((s, p) => s + p.amountMinor, 0);
    return {
      effectiveDueDate: dueDate,
      interestMinor: 0,
      compensationMinor,
      compensationEurMinor,
      totalMinor: compensationMinor,
      days: 0,
      periods: [],
      allocation,
      allocations: payments.map((p) => ({
        date: p.date,
        amountMinor: p.amountMinor,
        toCostsMinor: 0,
        toInterestMinor: 0,
        toCapitalMinor: p.amountMinor,
      })),
      capitalOutstandingMinor: Math.max(0, input.principalMinor - paid),
      interestOutstandingMinor: 0,
      provisional,
      warnings,
    };
  };
  if (!late) return empty();

  const rateFor = (iso: string): { rateBp: number; provisional: boolean } => {
    if (consumer) {
      if (input.consumerFlatRateBp !== undefined) return { rateBp: input.consumerFlatRateBp, provisional: false };
      if (!input.legalRates?.length) throw new Error('consumer interest needs legalRates or consumerFlatRateBp');
      return rateAt(input.legalRates, `${iso.slice(0, 4)}-01-01`, 'legal', warnings, provisional);
    }
    const r = rateAt(input.referenceRates, halfYearStart(iso), 'reference', warnings, provisional);
    return { rateBp: r.rateBp + STATUTORY_MARGIN_BP, provisional: r.provisional };
  };

  // Cut points: every day where the rate period or the balance may change.
  const cuts = new Set<number>([first, last + 1]);
  for (let y = Number(fromDay(first).slice(0, 4)); y <= Number(fromDay(last).slice(0, 4)); y++) {
    cuts.add(toDay(`${y}-01-01`));
    cuts.add(toDay(`${y}-07-01`));
  }
  for (const p of payments) cuts.add(toDay(p.date) + 1);
  const points = [...cuts].filter((d) => d >= first && d <= last + 1).sort((a, b) => a - b);

  // Balance changes take effect the day after a payment: the payment day itself still accrues.
  let capital = input.principalMinor;
  let compensationDue = compensationEurMinor ? compensationMinor : 0;
  let accrued = 0n; // exact interest numerator accrued so far
  let interestPaid = 0; // minor units allocated to interest
  const allocations: PaymentAllocation[] = [];
  let nextPayment = 0;
  const allocate = (p: InterestPayment): void => {
    let rest = p.amountMinor;
    let toCostsMinor = 0;
    let toInterestMinor = 0;
    if (allocation === 'costs-interest-first') {
      toCostsMinor = Math.min(rest, compensationDue);
      compensationDue -= toCostsMinor;
      rest -= toCostsMinor;
    }
    if (allocation !== 'capital-first') {
      const interestDue = Math.max(0, roundHalfUp(accrued, DENOMINATOR) - interestPaid);
      toInterestMinor = Math.min(rest, interestDue);
      interestPaid += toInterestMinor;
      rest -= toInterestMinor;
    }
    const toCapitalMinor = Math.min(rest, capital);
    capital -= toCapitalMinor;
    allocations.push({ date: p.date, amountMinor: p.amountMinor, toCostsMinor, toInterestMinor, toCapitalMinor });
  };
  // Payments on or before the due date only reduce capital.
  while (nextPayment < payments.length && toDay(payments[nextPayment].date) < first) allocate(payments[nextPayment++]);

  const periods: InterestPeriod[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const from = points[i];
    const to = points[i + 1] - 1;
    while (nextPayment < payments.length && toDay(payments[nextPayment].date) < from) {
      allocate(payments[nextPayment++]);
    }
    const principalMinor = capital;
    const days = to - from + 1;
    const rate = rateFor(fromDay(from));
    const rateBp = rate.rateBp;
    const n = BigInt(principalMinor) * BigInt(rateBp) * BigInt(days);
    accrued += n;
    const prev = periods[periods.length - 1];
    // Merge neighbours with the same rate and balance (a half-year cut that changed nothing).
    if (
      prev &&
      prev.rateBp === rateBp &&
      prev.principalMinor === principalMinor &&
      Boolean(prev.provisional) === rate.provisional &&
      toDay(prev.to) === from - 1
    ) {
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
        ...(rate.provisional ? { provisional: true } : {}),
      });
    }
  }
  // Payments made after asOf are not part of this computation; those on asOf already are (they cut at asOf + 1).
  while (nextPayment < payments.length && toDay(payments[nextPayment].date) <= last) allocate(payments[nextPayment++]);
  const interestMinor = roundHalfUp(accrued, DENOMINATOR);
  return {
    effectiveDueDate: dueDate,
    interestMinor,
    compensationMinor,
    compensationEurMinor,
    totalMinor: interestMinor + compensationMinor,
    days: last - first + 1,
    periods: periods.filter((p) => p.principalMinor > 0),
    allocation,
    allocations,
    capitalOutstandingMinor: capital,
    interestOutstandingMinor: interestMinor - interestPaid,
    provisional,
    warnings,
  };
}

/**
 * Late interest on a constant principal (no payments), for many principals under the same dates and rates: the
 * accrued numerator is principal × Σ(rate × days) exactly, so one computation per (due date, as-of, rates, kind)
 * gives Σ(rate × days) and each principal's interest is that times the principal, rounded half up once — the same
 * figure `computeLateInterest` returns for it (test/unit/interest-per-principal.test.ts). Reports that value
 * thousands of open balances at once (legal cost-benefit) use it instead of re-walking the half-years per invoice.
 */
export function lateInterestPerPrincipal(
  input: Omit<InterestInput, 'principalMinor' | 'payments' | 'allocation'>,
): (principalMinor: number) => { interestMinor: number; compensationMinor: number } {
  // With the denominator as principal the rounded interest is Σ(rate × days) itself (an exact multiple).
  const unit = computeLateInterest({ ...input, principalMinor: Number(DENOMINATOR) });
  const perMinor = BigInt(unit.interestMinor);
  return (principalMinor) => {
    if (!Number.isSafeInteger(principalMinor) || principalMinor <= 0) {
      const r = computeLateInterest({ ...input, principalMinor });
      return { interestMinor: r.interestMinor, compensationMinor: r.compensationMinor };
    }
    return {
      interestMinor: roundHalfUp(BigInt(principalMinor) * perMinor, DENOMINATOR),
      compensationMinor: unit.compensationMinor,
    };
  };
}
