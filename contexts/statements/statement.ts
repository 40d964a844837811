/**
 * The statement of account (estratto conto): every open item of one customer as of a date — invoices not yet due
 * and overdue (due date, days overdue), the credit notes and payments applied to them, payments received but not
 * yet applied to the balance, credits left in the customer's favour by overpaid invoices — with a running balance,
 * one section per currency (amounts of different currencies are never added), and for a business customer the
 * statutory late-payment interest as of that date plus the EUR 40 fixed compensation per invoice (D.Lgs. 231/2002 as
 * amended by D.Lgs. 192/2012, arts. 4–6), computed by the same `domain/interest.ts` and rate table as the letters.
 *
 * Never invents a rate: where a half-year's reference rate has not been entered, that invoice's interest is `null`
 * with the half-years named in `missingRates`, and the section's total interest is `null` too — the PDF says so
 * instead of printing a figure (the letters print a provisional figure; a statement is a balance the debtor checks
 * against their books, so it states only what is known).
 *
 * `composeStatement` is pure (unit-tested with worked examples); `buildStatement` loads the rows and calls it.
 */
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { extraHolidays, loadConfig, type Config } from '../../infra/config';
import { letterheadFromConfig, type Letterhead } from '../../infra/pdf';
import { effectiveDueDate, localDate, type BusinessCalendar } from '../../domain/calendar';
import { postalAddressLines } from '../../domain/format';
import { computeLateInterest, type Allocation, type RatePoint } from '../../domain/interest';
import { daysOverdue } from '../../domain/time';
import { isTerminal, LANGUAGES, type Language, type Stage } from '../../workflows/contract';
import { rateTable } from '../rates/service';
import { waiverInForce } from '../interest-claims/waivers';
import { notFound } from '../errors';

export const STATEMENT_LINE_KINDS = [
  'INVOICE',
  'CREDIT_NOTE',
  'PAYMENT',
  'ADJUSTMENT',
  'UNMATCHED_PAYMENT',
  'CREDIT',
  'INTEREST_NOTE',
] as const;
/**
 * INVOICE: an open invoice at its document amount (debit). CREDIT_NOTE, PAYMENT: applied to that invoice (credit).
 * ADJUSTMENT: what else moved the invoice's balance (an amount change, a balance the ERP sent lower than the amount),
 * so that the lines of an invoice always add up to its balance. UNMATCHED_PAYMENT: received and recorded but not yet
 * applied to the invoice's balance. CREDIT: an overpaid invoice's surplus, in the customer's favour. INTEREST_NOTE: an
 * issued interest debit note (contexts/interest-claims), a debit of its total; `invoiceId` and `invoiceNumber` are the
 * note's id and number.
 */
export type StatementLineKind = (typeof STATEMENT_LINE_KINDS)[number];

export interface StatementLine {
  kind: StatementLineKind;
  /** ISO date of the document or the movement. */
  date: string;
  /** Invoice number, payment or credit-note reference. */
  reference: string;
  invoiceId: string;
  invoiceNumber: string;
  /** INVOICE lines: the due date, days past it as of the statement date (negative: not yet due), the status. */
  dueDate?: string;
  /** INVOICE lines: the day the term really ends (arts. 1187 and 2963 c.c.), which days overdue count from. */
  effectiveDueDate?: string;
  daysOverdue?: number;
  status?: 'OVERDUE' | 'NOT_DUE';
  /** INVOICE lines: the invoice's balance still open. */
  openMinor?: number;
  debitMinor: number;
  creditMinor: number;
  /** Running balance after this line (positive: the customer owes). */
  balanceMinor: number;
}

export interface StatementInterestLine {
  invoiceId: string;
  invoiceNumber: string;
  /** The due date after arts. 1187/2963 c.c. (a Sunday or holiday moves it). */
  effectiveDueDate: string;
  /** First day of interest and the statement date (inclusive). */
  from: string;
  to: string;
  days: number;
  /** The annual rates applied (reference + 8 points), basis points. */
  ratesBp: number[];
  /** Null when a half-year's reference rate is not entered: see `missingRates`. */
  interestMinor: number | null;
  /** Half-years (their 1 January / 1 July) the interest would need and whose reference rate is not entered. */
  missingRates: string[];
  /** The EUR 40 in the invoice currency (0 when not convertible without a rate; see compensationEurMinor). */
  compensationMinor: number;
  compensationEurMinor: number;
}

export interface StatementInterest {
  asOf: string;
  lines: StatementInterestLine[];
  /** Null when any line's interest is unknown (a missing reference rate). */
  interestMinor: number | null;
  compensationMinor: number;
  /** EUR 40 per late invoice in euro cents (for a non-EUR section it is stated in euro). */
  compensationEurMinor: number;
  /** Half-years whose reference rate is not entered (union of the lines'). */
  missingRates: string[];
  /** Balance + interest + compensation; null when the interest is unknown. */
  totalDueMinor: number | null;
}

export interface StatementSection {
  currency: string;
  lines: StatementLine[];
  totals: {
    debitMinor: number;
    creditMinor: number;
    /** The closing balance (positive: owed by the customer; negative: in the customer's favour). */
    balanceMinor: number;
    /** Open balances of invoices past their due date, and not yet due. */
    overdueMinor: number;
    notDueMinor: number;
  };
  /** Business customers only (consumers are outside D.Lgs. 231/2002); null for consumers. */
  interest: StatementInterest | null;
}

/** The creditor as the debtor sees it (the letterhead's payment instructions and contacts); no server paths. */
export type StatementCreditor = Pick<
  Letterhead,
  'name' | 'addressLines' | 'vat' | 'iban' | 'bic' | 'email' | 'phone' | 'pec'
>;

export interface Statement {
  /** ISO date the statement is made as of (days overdue and interest run to it, inclusive). */
  asOf: string;
  generatedAt: string;
  customer: {
    id: string;
    externalId: string;
    name: string;
    vatNumber: string | null;
    pec: string | null;
    email: string | null;
    addressLines: string[];
    consumer: boolean;
    /** The customer's language (it, en, fr): the default language of the PDF. */
    language: Language;
  };
  creditor: StatementCreditor;
  /** One per currency, sorted by currency code; empty when nothing is open. */
  sections: StatementSection[];
  /** The invoice numbers on the statement (the payment reference names them). */
  invoiceNumbers: string[];
  /** Art. 1194 c.c. allocation the interest assumes for partial payments (the segment policy's). */
  allocation: Allocation;
}

/** What composeStatement needs, as plain values (dates as ISO strings, money as numbers). */
export interface StatementInput {
  asOf: string;
  generatedAt: string;
  customer: Statement['customer'];
  creditor: StatementCreditor;
  invoices: Array<{
    id: string;
    number: string;
    currency: string;
    amountMinor: number;
    balanceMinor: number;
    issueDate: string;
    dueDate: string;
    /** The stored term end (`Invoice.effectiveDueDate`); computed from `calendar` when the row has none yet. */
    effectiveDueDate?: string | null;
    stage: string;
    payments: Array<{ reference: string; amountMinor: number; paidOn: string; applied: boolean }>;
    adjustments: Array<{ reference: string; kind: string; amountMinor: number | null; date: string }>;
  }>;
  referenceRates: RatePoint[];
  calendar?: BusinessCalendar;
  allocation?: Allocation;
  /** Issued interest debit notes: each a debit line of its currency. */
  interestNotes?: Array<{ id: string; number: string; currency: string; issueDate: string; totalMinor: number }>;
  /** What those notes claimed per invoice: the statement's interest table shows only what accrued beyond it. */
  claimed?: Map<string, { interestMinor: number; compensationClaimed: boolean }>;
  /** A waiver in force (the customer's or the policy's): the interest table leaves out what it waives. */
  waiver?: { interest: boolean; compensation: boolean } | null;
}

/** The statement from plain rows (pure). */
export function composeStatement(input: StatementInput): Statement {
  const asOf = input.asOf;
  const allocation = input.allocation ?? 'capital-first';
  const byCurrency = new Map<string, StatementInput['invoices']>();
  for (const inv of [...input.invoices].sort(
    (a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number),
  )) {
    const list = byCurrency.get(inv.currency) ?? [];
    list.push(inv);
    byCurrency.set(inv.currency, list);
  }
  for (const n of input.interestNotes ?? []) if (!byCurrency.has(n.currency)) byCurrency.set(n.currency, []);
  const invoiceNumbers: string[] = [];
  const sections: StatementSection[] = [];
  for (const currency of [...byCurrency.keys()].sort()) {
    const invoices = byCurrency.get(currency)!;
    const lines: StatementLine[] = [];
    let running = 0;
    const push = (l: Omit<StatementLine, 'balanceMinor'>): void => {
      running += l.debitMinor - l.creditMinor;
      lines.push({ ...l, balanceMinor: running });
    };
    let overdueMinor = 0;
    let notDueMinor = 0;
    const open = invoices.filter((i) => !isTerminal(i.stage as Stage) && i.balanceMinor > 0);
    const unmatched: Array<Omit<StatementLine, 'balanceMinor'>> = [];
    for (const inv of open) {
      invoiceNumbers.push(inv.number);
      // A due date on a Sunday or holiday is not late the next business day (arts. 1187 and 2963 c.c.).
      const termEnd = inv.effectiveDueDate ?? effectiveDueDate(inv.dueDate, input.calendar);
      const late = daysOverdue(termEnd, asOf);
      if (late > 0) overdueMinor += inv.balanceMinor;
      else notDueMinor += inv.balanceMinor;
      const base = { invoiceId: inv.id, invoiceNumber: inv.number };
      push({
        ...base,
        kind: 'INVOICE',
        date: inv.issueDate,
        reference: inv.number,
        dueDate: inv.dueDate,
        effectiveDueDate: termEnd,
        daysOverdue: late,
        status: late > 0 ? 'OVERDUE' : 'NOT_DUE',
        openMinor: inv.balanceMinor,
        debitMinor: inv.amountMinor,
        creditMinor: 0,
      });
      let left = inv.amountMinor;
      const movements: Array<Omit<StatementLine, 'balanceMinor'>> = [];
      for (const a of inv.adjustments) {
        if (a.kind !== 'CREDIT_NOTE' || !a.amountMinor || a.amountMinor <= 0) continue;
        movements.push({
          ...base,
          kind: 'CREDIT_NOTE',
          date: a.date,
          reference: a.reference,
          debitMinor: 0,
          creditMinor: a.amountMinor,
        });
      }
      for (const p of inv.payments) {
        const line = {
          ...base,
          date: p.paidOn,
          reference: p.reference,
          debitMinor: 0,
          creditMinor: p.amountMinor,
        };
        // A payment the invoice's balance does not reflect yet is shown apart, and still lowers the running balance.
        if (p.applied) movements.push({ ...line, kind: 'PAYMENT' });
        else unmatched.push({ ...line, kind: 'UNMATCHED_PAYMENT' });
      }
      movements.sort((a, b) => a.date.localeCompare(b.date) || a.reference.localeCompare(b.reference));
      for (const m of movements) {
        push(m);
        left -= m.creditMinor;
      }
      // Whatever else moved the balance (an amount change, an opening balance below the amount): one line, so that
      // the invoice's lines always add up to the balance Segugio holds for it.
      const diff = inv.balanceMinor - left;
      if (diff !== 0) {
        push({
          ...base,
          kind: 'ADJUSTMENT',
          date: asOf,
          reference: inv.number,
          debitMinor: Math.max(0, diff),
          creditMinor: Math.max(0, -diff),
        });
      }
    }
    for (const u of unmatched.sort((a, b) => a.date.localeCompare(b.date))) push(u);
    // Overpaid invoices (paid or settled with more than their amount): the surplus is the customer's credit.
    for (const inv of invoices) {
      if (inv.stage !== 'PAID' && inv.stage !== 'SETTLED') continue;
      const paid =
        inv.payments.reduce((s, p) => s + p.amountMinor, 0) +
        inv.adjustments.reduce((s, a) => s + (a.kind === 'CREDIT_NOTE' ? (a.amountMinor ?? 0) : 0), 0);
      const surplus = paid - inv.amountMinor;
      if (surplus <= 0) continue;
      const last = [...inv.payments.map((p) => p.paidOn), ...inv.adjustments.map((a) => a.date)].sort().pop() ?? asOf;
      push({
        invoiceId: inv.id,
        invoiceNumber: inv.number,
        kind: 'CREDIT',
        date: last,
        reference: inv.number,
        debitMinor: 0,
        creditMinor: surplus,
      });
    }
    for (const n of (input.interestNotes ?? []).filter((x) => x.currency === currency && x.issueDate <= asOf)) {
      push({
        invoiceId: n.id,
        invoiceNumber: n.number,
        kind: 'INTEREST_NOTE',
        date: n.issueDate,
        reference: n.number,
        debitMinor: n.totalMinor,
        creditMinor: 0,
      });
    }
    if (!lines.length) continue;

    let interest: StatementInterest | null = null;
    if (!input.customer.consumer) {
      const ilines: StatementInterestLine[] = [];
      for (const inv of open) {
        if (daysOverdue(inv.effectiveDueDate ?? effectiveDueDate(inv.dueDate, input.calendar), asOf) <= 0) continue;
        const later = inv.payments.filter((p) => p.paidOn > inv.dueDate && p.paidOn <= asOf);
        // The balance already reflects applied payments; those after the due date lowered it day by day.
        const principal = inv.balanceMinor + later.filter((p) => p.applied).reduce((s, p) => s + p.amountMinor, 0);
        const r = computeLateInterest({
          principalMinor: principal,
          dueDate: inv.dueDate,
          asOf,
          payments: later.map((p) => ({ date: p.paidOn, amountMinor: p.amountMinor })),
          currency: inv.currency,
          referenceRates: input.referenceRates,
          calendar: input.calendar,
          allocation,
        });
        if (r.days <= 0 && r.compensationEurMinor === 0) continue;
        const missingRates = r.provisional.filter((p) => p.kind === 'reference').map((p) => p.periodStart);
        // What an issued note already claims is a debit line of its own; a waiver removes its part.
        const claimed = input.claimed?.get(inv.id);
        const noInterest = input.waiver?.interest === true;
        const noCompensation = input.waiver?.compensation === true || claimed?.compensationClaimed === true;
        const interestLeft = noInterest ? 0 : Math.max(0, r.interestMinor - (claimed?.interestMinor ?? 0));
        if ((noInterest || (interestLeft === 0 && !missingRates.length)) && noCompensation) continue;
        ilines.push({
          invoiceId: inv.id,
          invoiceNumber: inv.number,
          effectiveDueDate: r.effectiveDueDate,
          from: r.periods[0]?.from ?? r.effectiveDueDate,
          to: asOf,
          days: r.days,
          // Only the rates actually known; a provisional period's borrowed rate is not shown as if it applied.
          ratesBp: [...new Set(r.periods.filter((p) => !p.provisional).map((p) => p.rateBp))],
          interestMinor: noInterest ? 0 : missingRates.length ? null : interestLeft,
          missingRates: noInterest ? [] : missingRates,
          compensationMinor: noCompensation ? 0 : r.compensationMinor,
          compensationEurMinor: noCompensation ? 0 : r.compensationEurMinor,
        });
      }
      const missingRates = [...new Set(ilines.flatMap((l) => l.missingRates))].sort();
      const known = ilines.every((l) => l.interestMinor !== null);
      const interestMinor = known ? ilines.reduce((s, l) => s + (l.interestMinor ?? 0), 0) : null;
      const compensationMinor = ilines.reduce((s, l) => s + l.compensationMinor, 0);
      interest = {
        asOf,
        lines: ilines,
        interestMinor,
        compensationMinor,
        compensationEurMinor: ilines.reduce((s, l) => s + l.compensationEurMinor, 0),
        missingRates,
        totalDueMinor: interestMinor === null ? null : running + interestMinor + compensationMinor,
      };
    }
    sections.push({
      currency,
      lines,
      totals: {
        debitMinor: lines.reduce((s, l) => s + l.debitMinor, 0),
        creditMinor: lines.reduce((s, l) => s + l.creditMinor, 0),
        balanceMinor: running,
        overdueMinor,
        notDueMinor,
      },
      interest,
    });
  }
  return {
    asOf,
    generatedAt: input.generatedAt,
    customer: input.customer,
    creditor: input.creditor,
    sections,
    invoiceNumbers,
    allocation,
  };
}

/** Settings a statement is made with; by default read from the process's configuration. */
export interface StatementOptions {
  /** The time zone whose calendar day `asOf` falls on (SEGUGIO_TZ). */
  timeZone?: string;
  /** SEGUGIO_EXTRA_HOLIDAYS, split. */
  extraHolidays?: string[];
  letterhead?: Letterhead;
}

export function statementOptionsFromConfig(config: Config): Required<StatementOptions> {
  return {
    timeZone: config.SEGUGIO_TZ,
    extraHolidays: extraHolidays(config),
    letterhead: letterheadFromConfig(config),
  };
}

let defaults: Required<StatementOptions> | undefined;
function defaultOptions(): Required<StatementOptions> {
  defaults ??= statementOptionsFromConfig(loadConfig());
  return defaults;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);

export function creditorOf(lh: Letterhead): StatementCreditor {
  return {
    name: lh.name,
    addressLines: lh.addressLines,
    vat: lh.vat,
    iban: lh.iban,
    ...(lh.bic ? { bic: lh.bic } : {}),
    email: lh.email,
    ...(lh.phone ? { phone: lh.phone } : {}),
    ...(lh.pec ? { pec: lh.pec } : {}),
  };
}

/**
 * The statement of account of one customer (by id) as of `asOf` (its calendar day in the configured time zone).
 * Reads only; throws the NOT_FOUND HttpError for an unknown customer. Access checks are the caller's.
 */
export async function buildStatement(
  db: Db,
  customerId: string,
  asOf: Date,
  options: StatementOptions = {},
): Promise<Statement> {
  const opts: Required<StatementOptions> = {
    timeZone: options.timeZone ?? defaultOptions().timeZone,
    extraHolidays: options.extraHolidays ?? defaultOptions().extraHolidays,
    letterhead: options.letterhead ?? defaultOptions().letterhead,
  };
  const customer = await db.customer.findUnique({ where: { id: customerId } });
  if (!customer) throw notFound(`customer ${customerId}`);
  const [invoices, policy, rates] = await Promise.all([
    // Open invoices, and closed ones that were paid or settled (an overpayment leaves a credit).
    db.invoice.findMany({
      where: { customerId, OR: [{ closedAt: null }, { stage: { in: ['PAID', 'SETTLED'] } }] },
      include: { payments: true, adjustments: true },
    }),
    db.dunningPolicy.findFirst({ where: { segment: customer.segment }, orderBy: { version: 'desc' } }),
    rateTable(db),
  ]);
  const settings = (policy?.settings ?? {}) as {
    saturdayIsHoliday?: boolean;
    paymentAllocation?: Allocation;
    interestWaiver?: { interest?: boolean; compensation?: boolean };
  };
  const day = localDate(asOf, opts.timeZone);
  const [notes, noteLines, waiver] = await Promise.all([
    db.interestNote.findMany({
      where: { customerId },
      select: { id: true, number: true, currency: true, issueDate: true, totalMinor: true },
      orderBy: { issueDate: 'asc' },
    }),
    db.interestNoteLine.findMany({ where: { note: { customerId } } }),
    waiverInForce(db, customerId, day, settings.interestWaiver),
  ]);
  const claimed = new Map<string, { interestMinor: number; compensationClaimed: boolean }>();
  for (const l of noteLines) {
    const c = claimed.get(l.invoiceId) ?? { interestMinor: 0, compensationClaimed: false };
    claimed.set(l.invoiceId, {
      interestMinor: c.interestMinor + toNumber(l.interestMinor),
      compensationClaimed: c.compensationClaimed || l.compensationEurMinor > 0,
    });
  }
  const lang: Language = (LANGUAGES as readonly string[]).includes(customer.language)
    ? (customer.language as Language)
    : 'it';
  const addressLines = postalAddressLines(customer);
  return composeStatement({
    asOf: day,
    generatedAt: new Date().toISOString(),
    customer: {
      id: customer.id,
      externalId: customer.externalId,
      name: customer.name,
      vatNumber: customer.vatNumber,
      pec: customer.pec,
      email: customer.email,
      addressLines,
      consumer: customer.consumer,
      language: lang,
    },
    creditor: creditorOf(opts.letterhead),
    invoices: invoices.map((i) => ({
      id: i.id,
      number: i.externalNumber,
      currency: i.currency,
      amountMinor: toNumber(i.amountMinor),
      balanceMinor: toNumber(i.balanceMinor),
      issueDate: iso(i.issueDate),
      dueDate: iso(i.dueDate),
      effectiveDueDate: i.effectiveDueDate ? iso(i.effectiveDueDate) : null,
      stage: i.stage,
      payments: i.payments.map((p) => ({
        reference: p.reference,
        amountMinor: toNumber(p.amountMinor),
        paidOn: iso(p.paidOn),
        // Signalled to the invoice workflow, which lowers the balance (Payment.signalledAt is the intake's outbox).
        applied: p.signalledAt !== null,
      })),
      adjustments: i.adjustments.map((a) => ({
        reference: a.reference,
        kind: a.kind,
        amountMinor: a.amountMinor === null ? null : toNumber(a.amountMinor),
        date: localDate(a.createdAt, opts.timeZone),
      })),
    })),
    referenceRates: rates.map((r) => ({ validFrom: r.validFrom, rateBp: r.rateBp })),
    calendar: { saturdayIsHoliday: settings.saturdayIsHoliday === true, extraHolidays: opts.extraHolidays },
    allocation: settings.paymentAllocation,
    interestNotes: notes.map((n) => ({
      id: n.id,
      number: n.number,
      currency: n.currency,
      issueDate: iso(n.issueDate),
      totalMinor: toNumber(n.totalMinor),
    })),
    claimed,
    waiver,
  });
}
