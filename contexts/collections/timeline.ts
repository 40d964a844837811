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
  // Entering the cadence late (entry bands, docs/workflow.md): the entry, a triage and its choice, a consumer's invoice.
  [
    /^entered at (\w+): (\d+) days overdue at intake \(policy band ≥ (\d+)(?:, consumers included)?\)(?:; not sent: (.*))?$/s,
    'entered_band',
    (m) => ({ stage: m[1], days: +m[2], band: +m[3], skipped: m[4] ?? null }),
  ],
  [
    /^entered at (\w+): chosen in triage \((\d+) days overdue at intake\)(?: — (.*?))?(?:; not sent: ([^;]*))?$/s,
    'entered_triage',
    (m) => ({ stage: m[1], days: +m[2], note: m[3] ?? null, skipped: m[4] ?? null }),
  ],
  [
    /^triage: collection starts at the first step \((\d+) days overdue at intake\)(?: — (.*))?$/s,
    'triage_start',
    (m) => ({ days: +m[1], note: m[2] ?? null }),
  ],
  [
    /^triage: (\d+) days overdue at intake \(policy band ≥ (\d+)/,
    'triage_opened',
    (m) => ({ days: +m[1], band: +m[2] }),
  ],
  [
    /^consumer invoice (\d+) days overdue at intake: the policy band ≥ (\d+) does not apply/,
    'band_not_for_consumers',
    (m) => ({ days: +m[1], band: +m[2] }),
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
  [
    /^reminder (\S+) sent now by a person on ([A-Z, ]+); the schedule is unchanged(?: — (.*))?$/s,
    'reminder_now',
    (m) => ({ template: m[1], channels: m[2], note: m[3] ?? null }),
  ],
  [/^collector changed: \S+ → (\S+)$/, 'collector_changed', (m) => ({ unassigned: m[1] === 'none' })],
  [/^pause ended$/, 'pause_ended', () => ({})],
  [/^written off: (.*)$/s, 'written_off', (m) => ({ reason: m[1] })],
  [/^invoice cancelled by the ERP/, 'cancelled', () => ({})],
  [/^paid in full/, 'paid', () => ({})],
  [/^no call outcome by the deadline$/, 'call_outcome_missed', () => ({})],
  [/^policy (\S+) v(\d+) → v(\d+)/, 'policy_changed', (m) => ({ segment: m[1], from: +m[2], to: +m[3] })],
  [/^payment (\S+) of .* received \((\d{4}-\d{2}-\d{2})\)$/, 'payment', (m) => ({ reference: m[1], paidOn: m[2] })],
  [/^promise of .* by (\d{4}-\d{2}-\d{2}) broken/, 'promise_broken', (m) => ({ promisedDate: m[1] })],
  [/^instalment of (\d{4}-\d{2}-\d{2}) missed: plan defaulted/, 'plan_defaulted', (m) => ({ dueDate: m[1] })],
  // The ERP's own refusal text stays out: it is the ERP's words, shown on the reconcile task.
  [/^the ERP refused the closing status (\w+):/s, 'erp_refused_close', (m) => ({ stage: m[1] })],
  [/^payment (\S+) of .* received after closing$/, 'payment_after_close', (m) => ({ reference: m[1] })],
  [/^credit note (\S+) of .*$/, 'adjustment', (m) => ({ kind: 'CREDIT_NOTE', reference: m[1] })],
  [/^amount changed to .* \(([^()]+)\)$/, 'adjustment', (m) => ({ kind: 'AMOUNT_CHANGE', reference: m[1] })],
  [
    /^([A-Z_]+) done: ([A-Z_]+)(?: \(([A-Z_]+)\))?(?: — (.*))?$/s,
    'task_done',
    (m) => ({ kind: m[1], outcome: m[2], reasonCode: m[3] ?? null, note: m[4] ?? null }),
  ],
  [
    /^open call tasks cancelled: (.*)$/s,
    'calls_cancelled',
    (m) => ({ why: m[1] === 'dispute opened' ? 'dispute' : /LEGAL$/.test(m[1]) ? 'legal' : 'other' }),
  ],
  [/^promise to pay .* by (\d{4}-\d{2}-\d{2})$/, 'promise', (m) => ({ promisedDate: m[1] })],
];

/**
 * A workflow-written entry as an event. `amounts` gives a payment's amount by its reference (the workflow's sentence
 * has it formatted in English; the payments table has the number).
 */
export function workflowEvent(
  entry: { kind: string; stage: string; summary: string },
  amounts: {
    payment?: (reference: string) => number | undefined;
    adjustment?: (reference: string) => number | undefined;
  } = {},
): TimelineEvent {
  for (const [re, type, read] of PATTERNS) {
    const m = re.exec(entry.summary);
    if (!m) continue;
    const params = read(m);
    if (type === 'payment' || type === 'payment_after_close')
      params.amountMinor = amounts.payment?.(String(params.reference)) ?? null;
    if (type === 'adjustment') params.amountMinor = amounts.adjustment?.(String(params.reference)) ?? null;
    if (type === 'promise') return { type: 'stage', params: { stage: entry.stage } };
    return { type, params };
  }
  // A stage change whose sentence is not one of the above still says which stage it entered.
  if (entry.kind === 'STAGE') return { type: 'stage', params: { stage: entry.stage } };
  return { type: 'text', params: { text: entry.summary } };
}
