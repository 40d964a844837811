/**
 * What an operator reads about an invoice workflow in the Temporal UI and CLI (issue 15, "Operators in the Temporal
 * UI"): the workflow's summary and details (SDK workflow metadata), and the name of each timer it waits on. Ids,
 * stages and money only — no names or addresses (DESIGN.md: personal data stays out of Temporal). Pure: the
 * workflow and the intake both import it.
 *
 * Money is in the Italian form of the product's home market ("15.300,00 €", the currency's own digits: "¥125.000",
 * "1.250,500 KWD"); dates are read in the policy's time zone.
 */
import { currencyDigits } from './money';

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** An amount as an Italian operator reads it: `15.300,00 €`, in the currency's own minor digits. */
export function operatorMoney(minor: number, currency: string): string {
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat('it-IT', { style: 'currency', currency });
    } catch {
      return `${(minor / 100).toFixed(2)} ${currency}`;
    }
    moneyFormats.set(currency, f);
  }
  return f.format(minor / 10 ** currencyDigits(currency));
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** `12 Dec 2026 09:00` in the time zone (a timer's instant as the operator's calendar shows it). */
export function operatorInstant(ms: number, timeZone: string): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateFormats.set(timeZone, f);
  }
  return f.format(new Date(ms));
}

/** One line for the workflow list and the top of its page: `FT-2026-0105 · REMINDER · 15.300,00 €`. */
export function invoiceSummary(i: { invoiceNumber: string; stage: string; balanceMinor: number; currency: string }) {
  return `${i.invoiceNumber} · ${i.stage} · ${operatorMoney(i.balanceMinor, i.currency)}`;
}

/** The fixed details given at start (Temporal markdown): what the invoice is and which policy follows it. */
export function invoiceStaticDetails(i: {
  invoiceNumber: string;
  customerId: string;
  segment: string;
  currency: string;
  amountMinor: number;
  dueDate: string;
  overdueAt: string;
  policy: { segment: string; version: number };
}): string {
  return [
    `**Invoice ${i.invoiceNumber}** of customer \`${i.customerId}\` (segment ${i.segment})`,
    `amount ${operatorMoney(i.amountMinor, i.currency)}, due ${i.dueDate}, overdue from ${i.overdueAt}`,
    `policy ${i.policy.segment} v${i.policy.version}`,
  ].join('\n\n');
}

/** Human words for what the main loop waits for (`NextAction.kind`), with the step's template when it is a step. */
const WAITS: Record<string, string> = {
  RESUME: 'end of the pause',
  PROMISE_KEPT: 'promise kept',
  PROMISE_CHECK: 'promise check',
  INSTALMENT_CHECK: 'instalment check',
  FIX_CONTACT: 'contact fix task',
  CALL_OUTCOME: 'call outcome deadline',
};

/**
 * The name of the main loop's timer: `next step: reminder-2 (REMINDER) on 12 Dec 2026 09:00`, `promise check on …`.
 */
export function timerSummary(kind: string, atMs: number, timeZone: string, template?: string): string {
  const at = operatorInstant(atMs, timeZone);
  const what = WAITS[kind];
  if (what) return `${what} on ${at}`;
  return `next step: ${template ? `${template} (${kind})` : kind} on ${at}`;
}

/** The live details (SDK current details): the summary line, then what the invoice waits for and why it is held. */
export function invoiceCurrentDetails(
  i: { invoiceNumber: string; stage: string; balanceMinor: number; currency: string },
  waiting: string | null,
  held: string[],
): string {
  return [invoiceSummary(i), ...(waiting ? [waiting] : []), ...held].join('\n\n');
}
