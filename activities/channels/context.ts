/**
 * Everything a contact needs from the database, loaded by id: the customer (language, addresses), the invoices,
 * payments for interest, the active repayment plan, the reference-rate table. Personal data stays in this process:
 * it is never logged and never returned to the workflow.
 */
import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { extraHolidays, type Config } from '../../infra/config';
import type { Logger } from '../../infra/logger';
import { toNumber, type Db } from '../../infra/db';
import { localDate, type BusinessCalendar } from '../../domain/calendar';
import { postalAddressLines } from '../../domain/format';
import { computeLateInterest, type Allocation, type ProvisionalRate, type RatePoint } from '../../domain/interest';
import { BUNDLED_LEGAL_RATES, BUNDLED_REFERENCE_RATES, mergeRates } from '../../domain/reference-rates';
import { waiverInForce } from '../../contexts/interest-claims/waivers';
import { LANGUAGES, type Language } from '../../workflows/contract';
import { addDays } from './format';
import type { InterestLine, LetterModel } from './letters/render';
import { letterheadFromConfig } from './letters/store';
import {
  PAYMENT_TERM_DAYS,
  renderMessage,
  SHOWS_INTEREST,
  type MessageContext,
  type RenderedMessage,
  type TemplateName,
} from './messages';

export type LoadedCustomer = NonNullable<Awaited<ReturnType<Db['customer']['findUnique']>>>;

export interface ContactData {
  customer: LoadedCustomer;
  lang: Language;
  ctx: MessageContext;
  message: RenderedMessage;
  letter: LetterModel;
}

/** Short, stable reference printed on letters and asked for in bank transfers. */
export const referenceFor = (idempotencyKey: string): string =>
  `SEG-${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 8).toUpperCase()}`;

const iso = (d: Date): string => d.toISOString().slice(0, 10);

export async function referenceRates(db: Db): Promise<RatePoint[]> {
  const rows = await db.referenceRate.findMany();
  return mergeRates(
    BUNDLED_REFERENCE_RATES,
    rows.map((r) => ({ validFrom: iso(r.validFrom), rateBp: r.rateBp })),
  );
}

/**
 * How a letter travels, printed above the recipient ("A mezzo PEC", "Raccomandata A.R."): proof of receipt is what
 * puts the debtor in default (art. 1219 c.c.) and interrupts prescription (art. 2943 c.c.). A formal notice printed
 * for the post goes as registered mail with return receipt; other printed letters as ordinary mail.
 */
function deliveryOf(channel: string | undefined, template: TemplateName): 'PEC' | 'RACCOMANDATA_AR' | undefined {
  if (channel === 'PEC') return 'PEC';
  if (channel === 'LETTER' && template === 'formal-notice') return 'RACCOMANDATA_AR';
  return undefined;
}

function days(duration: string | undefined): number {
  const m = /^P(\d+)D$/.exec(duration ?? '');
  return m ? Number(m[1]) : 0;
}

export async function loadContactData(
  deps: { db: Db; config: Config; log?: Logger },
  input: { idempotencyKey: string; customerId: string; invoiceIds: string[]; template: TemplateName; channel?: string },
  now: Date,
): Promise<ContactData> {
  const { db, config } = deps;
  const customer = await db.customer.findUnique({ where: { id: input.customerId } });
  if (!customer) {
    throw ApplicationFailure.nonRetryable(`customer ${input.customerId} not found`, 'NotFound');
  }
  const invoices = await db.invoice.findMany({
    where: { id: { in: input.invoiceIds } },
    include: { payments: true },
    orderBy: { dueDate: 'asc' },
  });
  const missing = input.invoiceIds.filter((id) => !invoices.some((i) => i.id === id));
  if (missing.length) throw ApplicationFailure.nonRetryable(`invoices not found: ${missing.join(', ')}`, 'NotFound');
  const foreign = invoices.filter((i) => i.customerId !== customer.id);
  if (foreign.length) {
    throw ApplicationFailure.nonRetryable(
      `invoices of another customer: ${foreign.map((i) => i.id).join(', ')}`,
      'BadRequest',
    );
  }
  const currencies = new Set(invoices.map((i) => i.currency));
  if (currencies.size > 1) throw ApplicationFailure.nonRetryable('one message cannot mix currencies', 'BadRequest');
  const currency = invoices[0]?.currency ?? config.SEGUGIO_DEFAULT_CURRENCY;

  const lang: Language = (LANGUAGES as readonly string[]).includes(customer.language)
    ? (customer.language as Language)
    : 'it';
  const today = localDate(now, config.SEGUGIO_TZ);
  const msgInvoices = invoices.map((i) => ({
    number: i.externalNumber,
    issueDate: iso(i.issueDate),
    dueDate: iso(i.dueDate),
    amountMinor: toNumber(i.amountMinor),
    balanceMinor: toNumber(i.balanceMinor),
  }));
  const balanceMinor = msgInvoices.reduce((s, i) => s + i.balanceMinor, 0);

  // The segment's current policy: its calendar, allocation and formal-notice settings (and the plan grace).
  const policy = await db.dunningPolicy.findFirst({
    where: { segment: customer.segment },
    orderBy: { version: 'desc' },
  });
  const settings = (policy?.settings ?? {}) as {
    planGrace?: string;
    saturdayIsHoliday?: boolean;
    paymentAllocation?: Allocation;
    diffidaAdAdempiere?: boolean;
    interestWaiver?: { interest?: boolean; compensation?: boolean };
  };
  const calendar: BusinessCalendar = {
    saturdayIsHoliday: settings.saturdayIsHoliday === true,
    extraHolidays: extraHolidays(config),
  };

  let interest: LetterModel['interest'];
  // A waiver of the customer or the policy (contexts/interest-claims/waivers.ts): the letter claims none of its part.
  const waiver = SHOWS_INTEREST.has(input.template)
    ? await waiverInForce(db, customer.id, today, settings.interestWaiver)
    : null;
  // Nothing left to claim when the interest is waived and the EUR 40 is too, or is not owed at all (a consumer).
  const nothingClaimed = waiver?.interest === true && (waiver.compensation || customer.consumer);
  if (SHOWS_INTEREST.has(input.template) && !nothingClaimed) {
    const rates = await referenceRates(db);
    const provisional: ProvisionalRate[] = [];
    const lines: InterestLine[] = invoices.map((inv) => {
      const due = iso(inv.dueDate);
      const later = inv.payments.filter((p) => iso(p.paidOn) > due);
      const principal = toNumber(inv.balanceMinor) + later.reduce((s, p) => s + toNumber(p.amountMinor), 0);
      const r = computeLateInterest({
        principalMinor: principal,
        dueDate: due,
        asOf: today,
        payments: later.map((p) => ({ date: iso(p.paidOn), amountMinor: toNumber(p.amountMinor) })),
        currency: inv.currency,
        consumer: customer.consumer,
        referenceRates: rates,
        legalRates: BUNDLED_LEGAL_RATES,
        consumerFlatRateBp: config.SEGUGIO_B2C_INTEREST_BP,
        calendar,
        allocation: settings.paymentAllocation,
      });
      for (const p of r.provisional) {
        if (!provisional.some((q) => q.periodStart === p.periodStart && q.kind === p.kind)) provisional.push(p);
      }
      if (r.warnings.length) {
        // e.g. the half-year's ECB rate is not in the table yet: the letter used the last known one.
        deps.log?.warn({ invoiceId: inv.id, warnings: r.warnings }, 'statutory interest computed with a fallback');
      }
      return {
        invoiceNumber: inv.externalNumber,
        from: r.periods[0]?.from ?? due,
        to: today,
        days: r.days,
        ratesBp: [...new Set(r.periods.map((p) => p.rateBp))],
        interestMinor: waiver?.interest ? 0 : r.interestMinor,
        compensationMinor: waiver?.compensation ? 0 : r.compensationMinor,
        compensationEurMinor: waiver?.compensation ? 0 : r.compensationEurMinor,
        allocations: r.allocation === 'capital-first' ? [] : r.allocations,
      };
    });
    interest = {
      asOf: today,
      lines,
      interestMinor: lines.reduce((s, l) => s + l.interestMinor, 0),
      compensationMinor: lines.reduce((s, l) => s + l.compensationMinor, 0),
      compensationEurMinor: lines.reduce((s, l) => s + (l.compensationEurMinor ?? 0), 0),
      // A waived interest needs no rate: no "provisional" note about a figure the letter does not claim.
      provisional: waiver?.interest ? [] : provisional.sort((a, b) => a.periodStart.localeCompare(b.periodStart)),
      allocation: settings.paymentAllocation ?? 'capital-first',
      paidToInterestMinor: lines.reduce(
        (s, l) => s + (l.allocations ?? []).reduce((t, a) => t + a.toInterestMinor, 0),
        0,
      ),
      paidToCostsMinor: lines.reduce((s, l) => s + (l.allocations ?? []).reduce((t, a) => t + a.toCostsMinor, 0), 0),
    };
  }

  let plan: LetterModel['plan'];
  let graceDays = 0;
  if (input.template === 'repayment-plan') {
    const row = await db.repaymentPlan.findFirst({
      where: { invoiceId: { in: input.invoiceIds }, status: 'ACTIVE' },
      orderBy: { createdAt: 'desc' },
    });
    const instalments = (row?.instalments ?? []) as Array<{ dueDate: string; amountMinor: number }>;
    plan = {
      instalments: instalments.map((i) => ({
        dueDate: String(i.dueDate).slice(0, 10),
        amountMinor: Number(i.amountMinor),
      })),
    };
    graceDays = days(settings.planGrace);
  }

  const letterhead = letterheadFromConfig(config);
  const reference = referenceFor(input.idempotencyKey);
  const ctx: MessageContext = {
    lang,
    template: input.template,
    company: {
      name: letterhead.name,
      email: letterhead.email,
      phone: letterhead.phone,
      iban: letterhead.iban,
      bic: letterhead.bic,
    },
    customerName: customer.name,
    consumer: customer.consumer,
    delivery: deliveryOf(input.channel, input.template),
    signatory: letterhead.signatory ? { name: letterhead.signatory, role: letterhead.signatoryRole } : undefined,
    diffidaAdAdempiere: settings.diffidaAdAdempiere === true,
    currency,
    invoices: msgInvoices,
    balanceMinor,
    reference,
    today,
    deadline: addDays(today, PAYMENT_TERM_DAYS[input.template]),
    interest: interest && { ...interest, totalMinor: interest.interestMinor + interest.compensationMinor },
    plan: plan && { ...plan, graceDays },
    ...(waiver ? { waiver: { interest: waiver.interest, compensation: waiver.compensation } } : {}),
  };
  const message = renderMessage(ctx);
  const addressLines = postalAddressLines(customer);
  const letter: LetterModel = {
    lang,
    template: input.template,
    reference,
    date: today,
    letterhead,
    recipient: {
      name: customer.name,
      lines: addressLines,
      vatNumber: customer.vatNumber,
      pec: customer.pec,
      consumer: customer.consumer,
    },
    currency,
    invoices: msgInvoices,
    balanceMinor,
    interest,
    plan,
    message,
    ...(waiver ? { waiver: { interest: waiver.interest, compensation: waiver.compensation } } : {}),
  };
  return { customer, lang, ctx, message, letter };
}
