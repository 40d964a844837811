/**
 * The invoice timeline as structured events: a stable `type` and its parameters, which a client renders in its
 * user's language (the web console's `tl.<type>` messages). Records read from their own tables (payments, promises,
 * contacts…) carry their fields directly; the workflow's own entries (TimelineEntry rows) are English sentences the
 * workflow writes, read back here by their known shapes — an entry of a shape not known yet is `{ type: 'text' }`
 * with the sentence, so nothing is lost. The sentences stay in the API response as `summary` for compatibility.
 */

export interface TimelineEvent {
  type: string;
  params: Record<string, string | number | boolean | null>;
}

/** Recognised workflow sentences, most specific first; each names its event type and how to read its params. */
const PATTERNS: Array<[RegExp, string, (m: RegExpExecArray) => TimelineEvent['params']]> = [
  [/^collection started under policy (\S+) v(\d+)$/, 'collection_started', (m) => ({ segment: m[1], version: +m[2] })],
  [
    /^(\w+) \((.+)\) skipped: the invoice is already overdue$/,
    'step_skipped_overdue',
    (m) => ({ stage: m[1], template: m[2] }),
  ],
  [
    /^(\w+) \((.+)\) skipped: balance below (\d+)$/,
    'step_skipped_balance',
    (m) => ({ stage: m[1], template: m[2], minBalanceMinor: +m[3] }),
  ],
  [/^(\w+) \(([^)]+)\) — /, 'step', (m) => ({ stage: m[1], template: m[2] })],
  [/no further policy step$/, 'no_more_steps', () => ({})],
  [/^dispute opened \((\w+)\)/, 'dispute_opened', (m) => ({ reasonCode: m[1] })],
  [/^dispute rejected/, 'dispute_rejected', () => ({})],
  [/^dispute partially accepted/, 'dispute_partial', () => ({})],
  [/^dispute accepted|^settled by the dispute resolution/, 'dispute_accepted', () => ({})],
  [/^repayment plan of (\d+) instalments agreed/, 'plan_agreed', (m) => ({ n: +m[1] })],
  [/^legal action approved(?:: (.*))?$/s, 'legal_approved', (m) => ({ note: m[1] ?? null })],
  [/^legal action declined: written off/, 'written_off', () => ({ reason: null })],
  [/^legal action declined/, 'legal_declined', () => ({})],
  [/^legal (\w+) on (\d{4}-\d{2}-\d{2}):/, 'legal_event', (m) => ({ step: m[1], date: m[2] })],
  [/^paused(?: until (\S+))?: (.*)$/s, 'paused', (m) => ({ until: m[1] ? m[1].slice(0, 10) : null, reason: m[2] })],
  [/^resumed$/, 'resumed', () => ({})],
  [/^pause ended$/, 'pause_ended', () => ({})],
  [/^written off: (.*)$/s, 'written_off', (m) => ({ reason: m[1] })],
  [/^invoice cancelled by the ERP/, 'cancelled', () => ({})],
  [/^paid in full/, 'paid', () => ({})],
  [/^no call outcome by the deadline$/, 'call_outcome_missed', () => ({})],
  [/^policy (\S+) v(\d+) → v(\d+)/, 'policy_changed', (m) => ({ segment: m[1], from: +m[2], to: +m[3] })],
  [/^payment (\S+) of .* received \((\d{4}-\d{2}-\d{2})\)$/, 'payment', (m) => ({ reference: m[1], paidOn: m[2] })],
  [/^promise to pay .* by (\d{4}-\d{2}-\d{2})$/, 'promise', (m) => ({ promisedDate: m[1] })],
];

/**
 * A workflow-written entry as an event. `amounts` gives a payment's amount by its reference (the workflow's sentence
 * has it formatted in English; the payments table has the number).
 */
export function workflowEvent(
  entry: { kind: string; stage: string; summary: string },
  amounts: { payment?: (reference: string) => number | undefined } = {},
): TimelineEvent {
  for (const [re, type, read] of PATTERNS) {
    const m = re.exec(entry.summary);
    if (!m) continue;
    const params = read(m);
    if (type === 'payment') params.amountMinor = amounts.payment?.(String(params.reference)) ?? null;
    if (type === 'promise') return { type: 'stage', params: { stage: entry.stage } };
    return { type, params };
  }
  // A stage change whose sentence is not one of the above still says which stage it entered.
  if (entry.kind === 'STAGE') return { type: 'stage', params: { stage: entry.stage } };
  return { type: 'text', params: { text: entry.summary } };
}
