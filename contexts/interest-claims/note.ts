/**
 * The interest debit note (nota di debito per interessi moratori), pure: from one customer's invoices in one currency
 * — paid late, or still open and overdue as of a date — the late-payment interest and fixed compensation a credit
 * manager can claim, computed by `domain/interest.ts` (the letters' and the statement's arithmetic):
 *
 * - business customers: D.Lgs. 231/2002 art. 5 (ECB reference rate of the half-year + 8 points, simple interest,
 *   days/365) and art. 6 (EUR 40 per invoice, only when at least one day late);
 * - consumers: the legal rate of art. 1284 c.c., no EUR 40 (the decree does not apply to them);
 * - the due date moved to the next business day first (arts. 1187 and 2963 c.c.);
 * - what an earlier note already claimed on an invoice is not claimed again: a new note runs from the day after the
 *   earlier one's end, and the EUR 40 is claimed once per invoice;
 * - a waiver (the customer's or the policy's) in force on the note's date removes the interest and/or the EUR 40.
 *
 * Never invents a rate: when a half-year's reference rate (or a year's legal rate) is not entered, the line's
 * interest is `null` with the periods named in `missingRates`, the note's total is `null`, and it cannot be issued.
 */
import { effectiveDueDate, type BusinessCalendar } from '../../domain/calendar';
import { computeLateInterest, halfYearStart, type Allocation, type RatePoint } from '../../domain/interest';

/** Stages whose invoice can carry a claim: open ones, and the ones closed by being paid or settled. */
const CLOSED_CLAIMABLE = new Set(['PAID', 'SETTLED']);
const CLOSED_OTHER = new Set(['WRITTEN_OFF', 'CANCELLED', 'LEGAL_CLOSED']);

export interface ClaimInvoice {
  id: string;
  number: string;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  dueDate: string;
  stage: string;
  payments: Array<{ amountMinor: number; paidOn: string; applied: boolean }>;
}

/** What earlier notes claimed on an invoice. */
export interface PriorClaim {
  /** Last day of interest already claimed. */
  to: string;
  interestMinor: number;
  compensationClaimed: boolean;
}

/** The waiver in force on the note's date; `source` says whose. */
export interface WaiverInForce {
  interest: boolean;
  compensation: boolean;
  source: 'customer' | 'policy';
  reason?: string;
  fromDate?: string;
}

export interface NoteInput {
  asOf: string;
  currency: string;
  consumer: boolean;
  invoices: ClaimInvoice[];
  prior: Map<string, PriorClaim>;
  referenceRates: RatePoint[];
  legalRates: RatePoint[];
  consumerFlatRateBp?: number;
  calendar?: BusinessCalendar;
  allocation?: Allocation;
  waiver?: WaiverInForce | null;
}

export interface NotePeriod {
  from: string;
  to: string;
  days: number;
  principalMinor: number;
  /** Annual rate applied (reference + 8 points, or the legal rate), basis points; null when not entered. */
  rateBp: number | null;
  /** This period's interest rounded on its own (display only); null when its rate is not entered. */
  interestMinor: number | null;
}

export interface NoteLine {
  invoiceId: string;
  invoiceNumber: string;
  dueDate: string;
  /** The due date after arts. 1187/2963 c.c. */
  effectiveDueDate: string;
  /** PAID: interest ran to the payment; OPEN: to the note's date. */
  state: 'PAID' | 'OPEN';
  /** Days from the moved due date to the last day interest ran (the payment, or the note's date). */
  daysLate: number;
  /** First and last day of interest claimed on this note. */
  from: string;
  to: string;
  periods: NotePeriod[];
  /** Null when a rate is missing (see missingRates). */
  interestMinor: number | null;
  /** Interest claimed on earlier notes for this invoice (subtracted). */
  priorInterestMinor: number;
  compensationMinor: number;
  compensationEurMinor: number;
  missingRates: string[];
  /** What a waiver removed from this line. */
  waived: { interest: boolean; compensation: boolean };
}

export interface NoteComputation {
  asOf: string;
  currency: string;
  consumer: boolean;
  /** "231/2002" for businesses, "1284" for consumers. */
  basis: 'DLGS_231_2002' | 'CC_1284';
  lines: NoteLine[];
  interestMinor: number | null;
  compensationMinor: number;
  compensationEurMinor: number;
  /** Interest + compensation in the note's currency; null while a rate is missing. */
  totalMinor: number | null;
  missingRates: string[];
  waiver: WaiverInForce | null;
  /** Invoices that were late but whose whole claim a waiver removed. */
  waivedInvoices: string[];
}

const DAY = 86_400_000;
const dayOf = (iso: string): number => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY);
const isoOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
const roundHalfUp = (n: bigint, d: bigint): number => Number((n * 2n + d) / (2n * d));

/** The claimable interest and compensation of one customer's invoices in one currency as of `asOf` (pure). */
export function composeNote(input: NoteInput): NoteComputation {
  const lines: NoteLine[] = [];
  const waivedInvoices: string[] = [];
  const waiver = input.waiver ?? null;
  const invoices = input.invoices
    .filter((i) => i.currency === input.currency && !CLOSED_OTHER.has(i.stage))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
  for (const inv of invoices) {
    if (inv.balanceMinor <= 0 && !CLOSED_CLAIMABLE.has(inv.stage)) continue;
    const later = inv.payments.filter((p) => p.paidOn > inv.dueDate);
    // The booked balance already reflects applied payments; those after the due date lowered it day by day.
    const principal = inv.balanceMinor + later.filter((p) => p.applied).reduce((s, p) => s + p.amountMinor, 0);
    if (principal <= 0) continue;
    const r = computeLateInterest({
      principalMinor: principal,
      dueDate: inv.dueDate,
      asOf: input.asOf,
      payments: later.map((p) => ({ date: p.paidOn, amountMinor: p.amountMinor })),
      currency: inv.currency,
      consumer: input.consumer,
      referenceRates: input.referenceRates,
      legalRates: input.legalRates,
      consumerFlatRateBp: input.consumerFlatRateBp,
      calendar: input.calendar,
      allocation: input.allocation,
    });
    const accrued = r.periods.filter((p) => p.principalMinor > 0);
    if (!accrued.length) continue;
    const prior = input.prior.get(inv.id);
    const start = prior ? dayOf(prior.to) + 1 : dayOf(accrued[0].from);
    const lastDay = accrued[accrued.length - 1].to;
    const periods: NotePeriod[] = [];
    for (const p of accrued) {
      if (dayOf(p.to) < start) continue;
      const from = Math.max(dayOf(p.from), start);
      const days = dayOf(p.to) - from + 1;
      const known = !p.provisional;
      periods.push({
        from: isoOf(from),
        to: p.to,
        days,
        principalMinor: p.principalMinor,
        rateBp: known ? p.rateBp : null,
        interestMinor: known
          ? roundHalfUp(BigInt(p.principalMinor) * BigInt(p.rateBp) * BigInt(days), 10_000n * 365n)
          : null,
      });
    }
    const compensationNew = !(prior?.compensationClaimed ?? false);
    if (!periods.length && !(compensationNew && r.compensationEurMinor > 0)) continue;
    // Only the half-years (years, for the legal rate) this note charges interest in: a half-year without its rate after
    // the invoice was paid does not stop the claim.
    const missingRates = r.provisional
      .filter((pr) =>
        periods.some(
          (p) =>
            p.rateBp === null &&
            pr.periodStart <= p.to &&
            pr.periodStart >= (pr.kind === 'legal' ? `${p.from.slice(0, 4)}-01-01` : halfYearStart(p.from)),
        ),
      )
      .map((pr) => pr.periodStart)
      .sort();
    const priorInterest = prior?.interestMinor ?? 0;
    // The exact total to date minus what was claimed: consecutive notes add up to the one-shot figure to the cent.
    let interestMinor: number | null = missingRates.length ? null : Math.max(0, r.interestMinor - priorInterest);
    let compensationMinor = compensationNew ? r.compensationMinor : 0;
    let compensationEurMinor = compensationNew ? r.compensationEurMinor : 0;
    const waived = { interest: false, compensation: false };
    if (waiver?.interest && periods.length) {
      waived.interest = true;
      interestMinor = 0;
    }
    if (waiver?.compensation && compensationEurMinor > 0) {
      waived.compensation = true;
      compensationMinor = 0;
      compensationEurMinor = 0;
    }
    if (interestMinor === 0 && compensationEurMinor === 0) {
      if (waived.interest || waived.compensation) waivedInvoices.push(inv.number);
      continue;
    }
    const eff = effectiveDueDate(inv.dueDate, input.calendar);
    lines.push({
      invoiceId: inv.id,
      invoiceNumber: inv.number,
      dueDate: inv.dueDate,
      effectiveDueDate: eff,
      state: inv.balanceMinor > 0 ? 'OPEN' : 'PAID',
      daysLate: dayOf(lastDay) - dayOf(eff),
      from: periods[0]?.from ?? isoOf(start),
      to: periods[periods.length - 1]?.to ?? lastDay,
      periods: waived.interest ? [] : periods,
      interestMinor,
      priorInterestMinor: priorInterest,
      compensationMinor,
      compensationEurMinor,
      missingRates: waived.interest ? [] : missingRates,
      waived,
    });
  }
  const missingRates = [...new Set(lines.flatMap((l) => l.missingRates))].sort();
  const interestMinor = lines.some((l) => l.interestMinor === null)
    ? null
    : lines.reduce((s, l) => s + (l.interestMinor ?? 0), 0);
  const compensationMinor = lines.reduce((s, l) => s + l.compensationMinor, 0);
  return {
    asOf: input.asOf,
    currency: input.currency,
    consumer: input.consumer,
    basis: input.consumer ? 'CC_1284' : 'DLGS_231_2002',
    lines,
    interestMinor,
    compensationMinor,
    compensationEurMinor: lines.reduce((s, l) => s + l.compensationEurMinor, 0),
    totalMinor: interestMinor === null ? null : interestMinor + compensationMinor,
    missingRates,
    waiver,
    waivedInvoices,
  };
}
