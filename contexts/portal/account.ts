/**
 * What the debtor's page shows, read from the database mirror for one customer only: open invoices with balance,
 * due date and days overdue; for B2B the statutory interest and the EUR 40 as of today, computed by the same domain
 * module as the letters (domain/interest.ts, same inputs as activities/channels/context.ts); the letters sent, the
 * invoice copies on file, the live promise / dispute / plan of each invoice, and what the debtor asked for that a
 * person has not decided yet.
 */
import { toNumber, type Db } from '../../infra/db';
import { localDate, type BusinessCalendar } from '../../domain/calendar';
import { computeLateInterest, type Allocation, type ProvisionalRate } from '../../domain/interest';
import { BUNDLED_LEGAL_RATES, BUNDLED_REFERENCE_RATES, mergeRates } from '../../domain/reference-rates';
import { daysOverdue } from '../../domain/time';
import { termEndOfRow } from '../intake/term-end';
import { ACTIVE_STAGES, LANGUAGES, type Language } from '../../workflows/contract';

const iso = (d: Date): string => d.toISOString().slice(0, 10);

export interface PortalInvoice {
  id: string;
  number: string;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  issueDate: string;
  dueDate: string;
  daysOverdue: number;
  stage: string;
  /** B2B only, when overdue: statutory interest and the EUR 40 as of today. */
  interest: {
    interestMinor: number;
    compensationMinor: number;
    compensationEurMinor: number;
    ratesBp: number[];
  } | null;
  promise: { promisedDate: string; amountMinor: number } | null;
  dispute: { reasonCode: string; openedAt: string } | null;
  plan: { instalments: Array<{ dueDate: string; amountMinor: number }> } | null;
  /** A plan request awaiting the credit manager. */
  planRequested: boolean;
  paidClaimed: boolean;
  documents: Array<{ id: string; filename: string; createdAt: string }>;
}

export interface PortalAccount {
  customer: {
    id: string;
    name: string;
    language: Language;
    consumer: boolean;
    email: string | null;
    phone: string | null;
  };
  today: string;
  invoices: PortalInvoice[];
  letters: Array<{ id: string; template: string; createdAt: string; invoiceNumbers: string[] }>;
  /** Half-years whose reference rate is not known yet: the interest shown uses the last known one. */
  provisional: ProvisionalRate[];
  contactPending: boolean;
  /** The segment's policy limits a plan request must stay within. */
  planMaxInstalments: number;
  promiseMaxHorizon: string;
}

export async function loadAccount(
  db: Db,
  customerId: string,
  opts: { timeZone: string; now: Date; consumerFlatRateBp?: number; extraHolidays?: string },
): Promise<PortalAccount | null> {
  const customer = await db.customer.findUnique({ where: { id: customerId } });
  if (!customer) return null;
  const today = localDate(opts.now, opts.timeZone);
  const [invoices, letters, rateRows, policy, requests] = await Promise.all([
    db.invoice.findMany({
      where: { customerId, stage: { in: [...ACTIVE_STAGES] } },
      include: {
        payments: true,
        promises: { where: { status: 'OPEN' }, orderBy: { createdAt: 'desc' }, take: 1 },
        disputes: { where: { status: 'OPEN' }, orderBy: { openedAt: 'desc' }, take: 1 },
        plans: { where: { status: 'ACTIVE' }, orderBy: { createdAt: 'desc' }, take: 1 },
        documents: { orderBy: { createdAt: 'asc' } },
      },
      orderBy: [{ dueDate: 'asc' }, { externalNumber: 'asc' }],
    }),
    db.letter.findMany({ where: { customerId }, orderBy: { createdAt: 'desc' }, take: 50 }),
    db.referenceRate.findMany(),
    db.dunningPolicy.findFirst({ where: { segment: customer.segment }, orderBy: { version: 'desc' } }),
    db.portalRequest.findMany({ where: { customerId, status: 'PENDING' } }),
  ]);
  const rates = mergeRates(
    BUNDLED_REFERENCE_RATES,
    rateRows.map((r) => ({ validFrom: iso(r.validFrom), rateBp: r.rateBp })),
  );
  const settings = (policy?.settings ?? {}) as {
    saturdayIsHoliday?: boolean;
    paymentAllocation?: Allocation;
    planMaxInstalments?: number;
    promiseMaxHorizon?: string;
  };
  const calendar: BusinessCalendar = {
    saturdayIsHoliday: settings.saturdayIsHoliday === true,
    extraHolidays: (opts.extraHolidays ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
  const provisional: ProvisionalRate[] = [];
  const numbers = new Map<string, string>();
  const view: PortalInvoice[] = invoices.map((inv) => {
    numbers.set(inv.id, inv.externalNumber);
    const due = iso(inv.dueDate);
    const balance = toNumber(inv.balanceMinor);
    let interest: PortalInvoice['interest'] = null;
    if (!customer.consumer && due < today && balance > 0) {
      const later = inv.payments.filter((p) => iso(p.paidOn) > due);
      const r = computeLateInterest({
        principalMinor: balance + later.reduce((s, p) => s + toNumber(p.amountMinor), 0),
        dueDate: due,
        asOf: today,
        payments: later.map((p) => ({ date: iso(p.paidOn), amountMinor: toNumber(p.amountMinor) })),
        currency: inv.currency,
        consumer: false,
        referenceRates: rates,
        legalRates: BUNDLED_LEGAL_RATES,
        consumerFlatRateBp: opts.consumerFlatRateBp,
        calendar,
        allocation: settings.paymentAllocation,
      });
      for (const p of r.provisional)
        if (!provisional.some((q) => q.periodStart === p.periodStart && q.kind === p.kind)) provisional.push(p);
      interest = {
        interestMinor: r.interestMinor,
        compensationMinor: r.compensationMinor,
        compensationEurMinor: r.compensationEurMinor,
        ratesBp: [...new Set(r.periods.map((p) => p.rateBp))],
      };
    }
    const promise = inv.promises[0];
    const dispute = inv.disputes[0];
    const plan = inv.plans[0];
    return {
      id: inv.id,
      number: inv.externalNumber,
      currency: inv.currency,
      amountMinor: toNumber(inv.amountMinor),
      balanceMinor: balance,
      issueDate: iso(inv.issueDate),
      dueDate: due,
      // From the term end (arts. 1187 and 2963 c.c.), as the reminders count.
      daysOverdue: Math.max(0, daysOverdue(termEndOfRow(inv), today)),
      stage: inv.stage,
      interest,
      promise: promise ? { promisedDate: iso(promise.promisedDate), amountMinor: toNumber(promise.amountMinor) } : null,
      dispute: dispute ? { reasonCode: dispute.reasonCode, openedAt: dispute.openedAt.toISOString() } : null,
      plan: plan
        ? {
            instalments: (plan.instalments as Array<{ dueDate: string; amountMinor: number }>).map((i) => ({
              dueDate: String(i.dueDate).slice(0, 10),
              amountMinor: Number(i.amountMinor),
            })),
          }
        : null,
      planRequested: requests.some((r) => r.kind === 'PLAN' && r.invoiceId === inv.id),
      paidClaimed: requests.some((r) => r.kind === 'PAYMENT_CLAIM' && r.invoiceId === inv.id),
      documents: inv.documents.map((d) => ({ id: d.id, filename: d.filename, createdAt: d.createdAt.toISOString() })),
    };
  });
  const lang = (LANGUAGES as readonly string[]).includes(customer.language) ? (customer.language as Language) : 'it';
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      language: lang,
      consumer: customer.consumer,
      email: customer.email,
      phone: customer.phone,
    },
    today,
    invoices: view,
    letters: letters.map((l) => ({
      id: l.id,
      template: l.template,
      createdAt: l.createdAt.toISOString(),
      invoiceNumbers: (l.invoiceIds.length ? l.invoiceIds : l.invoiceId ? [l.invoiceId] : [])
        .map((id) => numbers.get(id))
        .filter((n): n is string => Boolean(n)),
    })),
    provisional: provisional.sort((a, b) => a.periodStart.localeCompare(b.periodStart)),
    contactPending: requests.some((r) => r.kind === 'CONTACT'),
    planMaxInstalments: settings.planMaxInstalments ?? 12,
    promiseMaxHorizon: settings.promiseMaxHorizon ?? 'P60D',
  };
}

/**
 * Equal monthly instalments summing exactly to the balance (the last one takes the rounding), the first on
 * `firstDate`: what a debtor's plan request proposes and what the credit manager then approves.
 */
export function equalInstalments(
  balanceMinor: number,
  count: number,
  firstDate: string,
): Array<{ dueDate: string; amountMinor: number }> {
  const base = Math.floor(balanceMinor / count);
  const out: Array<{ dueDate: string; amountMinor: number }> = [];
  const [y, m, d] = firstDate.split('-').map(Number);
  for (let i = 0; i < count; i++) {
    // The same day of each following month, or that month's last day (31 January → 28/29 February).
    const last = new Date(Date.UTC(y, m - 1 + i + 1, 0)).getUTCDate();
    const date = new Date(Date.UTC(y, m - 1 + i, Math.min(d, last)));
    out.push({ dueDate: iso(date), amountMinor: i === count - 1 ? balanceMinor - base * (count - 1) : base });
  }
  return out;
}
