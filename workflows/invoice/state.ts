/**
 * The invoice's state and every change to it, as plain functions over plain data: no Temporal, no I/O, no clock of
 * its own (`now` is an argument). The workflow (./workflow.ts) owns the waiting and the activities; it calls these
 * functions from its handlers and its main loop, and unit tests call them directly (test/unit/invoice-state.test.ts).
 *
 * A change queues what the database mirror must learn (`outbox`) and asks for search-attribute upserts through the
 * `upsert` port, in the order the workflow must emit them (replayed histories compare commands in order).
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { formatMoney, toMajor } from '../../domain/money';
import { addDuration, isoInstant, parseDuration, parseInstant, parseIsoDate } from '../../domain/duration';
import {
  DEFAULT_NOTICE_TERM_BUFFER,
  FORMAL_NOTICE_TERM_DAYS,
  NOTICE_RECEIPT_MAX_WAIT,
  legalStepAfterReceiptMs,
} from '../../domain/notices';
import {
  clockStartMs,
  fireClock,
  haltClock,
  isLatePreDue,
  occurrenceOf,
  resumeClock,
  stepDeadlineMs,
} from '../../domain/policy-clock';
import { localDate } from '../../domain/calendar';
import type { DecisionRecord, TransitionRecord } from '../../activities/types';
import type { TaskDecision } from './validate';
import {
  type ActiveStage,
  type CallStatus,
  type Channel,
  type CollectorChanged,
  type ChooseEntry,
  type ContactOutcome,
  type DunningPolicy,
  type EntryStage,
  type HistoryEntry,
  type InvoiceAdjusted,
  type InvoiceCarry,
  type InvoiceState,
  type InvoiceWorkflowInput,
  type LegacyLegalCarry,
  type LegalCase,
  type LegalEvent,
  type NoticeReceiptEvent,
  type PaymentReceived,
  type PolicyChanged,
  type PolicyStageKind,
  type PolicyStep,
  SA,
  SA_UNASSIGNED,
  STAGE_RANK,
  type Stage,
  type TerminalStage,
  isTerminal,
} from '../contract';

export const DAY_MS = 86_400_000;
/** Timeline entries kept in the workflow (the database mirror keeps all of them). */
export const HISTORY_KEPT = 100;

/** A search-attribute change, handed to the workflow's `upsertSearchAttributes` as is. */
export type Upsert = SearchAttributeUpdatePair;

/**
 * Behaviours a run has or has not, decided once by the workflow at the start of the run from its patches
 * (`patched()` in workflow.ts): a run started before a patch keeps the old behaviour to its end, the next run (or a
 * new workflow) gets the new one. All false is the behaviour before any of these patches.
 */
export interface Features {
  /** `Balance` in the currency's own major units (JPY ÷ 1, KWD ÷ 1000), not ÷ 100 for every currency. */
  balanceInCurrencyDigits: boolean;
  /** The formal notice's term also skips the input calendar's local holidays (SEGUGIO_EXTRA_HOLIDAYS). */
  extraHolidaysInTerms: boolean;
}

export const NO_FEATURES: Features = { balanceInCurrencyDigits: false, extraHolidaysInTerms: false };

/** An invoice under collection: what the workflow holds in memory. */
export interface Invoice {
  readonly input: InvoiceWorkflowInput;
  readonly overdueAtMs: number;
  /** When this run started (a negative PRE_DUE offset's clock starts no earlier). */
  readonly startedAtMs: number;
  /** The durable part, handed to the next run on continue-as-new. */
  carry: InvoiceCarry;
  /** Payment and adjustment references already applied (`pay:…`, `adj:…`). */
  readonly refs: Set<string>;
  /** Records for the database mirror, written by the workflow's next flush. */
  readonly outbox: { transitions: TransitionRecord[]; decisions: DecisionRecord[] };
  /** Search-attribute port: the workflow emits them at once, the tests record them. */
  readonly upsert: (attrs: Upsert[]) => void;
  /** Diagnostic port (the workflow's `log.info`/`log.warn`). */
  readonly log: (level: 'info' | 'warn', message: string, attrs: Record<string, unknown>) => void;
  /** What this run does under its patches. */
  readonly features: Features;
}

/** Carries of runs written before `legal.status` existed hold four booleans: read them as the status they meant. */
export function upgradeCarry(carry: InvoiceCarry): InvoiceCarry {
  const legal = carry.legal as LegalCase | LegacyLegalCarry;
  if ('status' in legal) return carry;
  const { costsMinor, recoveredMinor } = legal;
  // Pending approval first: the old loop waited for the approval before looking at an open case.
  const status: LegalCase['status'] = legal.pendingApproval
    ? 'PENDING_APPROVAL'
    : legal.open
      ? 'OPEN'
      : legal.declined
        ? 'DECLINED'
        : 'NONE';
  return { ...carry, legal: { status, costsMinor, recoveredMinor } };
}

export function freshCarry(input: InvoiceWorkflowInput): InvoiceCarry {
  return {
    stage: 'OPEN',
    dunningStage: 'OPEN',
    priorDunningStage: 'OPEN',
    amountMinor: input.amountMinor,
    balanceMinor: input.balanceMinor,
    paidMinor: input.amountMinor - input.balanceMinor,
    creditMinor: 0,
    references: [],
    policy: input.policy,
    stepIndex: 0,
    firedSteps: 0,
    lastFired: null,
    anchorMs: parseInstant(input.overdueAt),
    clockShiftMs: 0,
    haltedSinceMs: null,
    paused: null,
    promise: null,
    promiseSeq: 0,
    plan: null,
    planSeq: 0,
    dispute: null,
    disputeSeq: 0,
    tasks: [],
    call: null,
    legal: { status: 'NONE', costsMinor: 0, recoveredMinor: 0 },
    blockRequested: false,
    fixContactRequested: false,
    history: [],
    continuedRuns: 0,
  };
}

/** The invoice of a new run: a fresh carry, or the one the previous run handed over. */
export function createInvoice(
  input: InvoiceWorkflowInput,
  startedAtMs: number,
  ports: Pick<Invoice, 'upsert' | 'log'> & { features?: Partial<Features> },
): Invoice {
  const carry = input.carry ? upgradeCarry(input.carry) : freshCarry(input);
  const { features, ...rest } = ports;
  return {
    input,
    overdueAtMs: parseInstant(input.overdueAt),
    startedAtMs,
    carry,
    refs: new Set(carry.references),
    outbox: { transitions: [], decisions: [] },
    ...rest,
    features: { ...NO_FEATURES, ...features },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------------------

export const isClosed = (inv: Invoice): boolean => isTerminal(inv.carry.stage);
/** A pause or a dispute stops dunning: no step fires, no contact goes out. */
export const isHalted = (inv: Invoice): boolean => inv.carry.paused !== null || inv.carry.dispute !== null;
export const currentStep = (inv: Invoice): PolicyStep | undefined => inv.carry.policy.steps[inv.carry.stepIndex];
export const daysOverdue = (inv: Invoice, now: number): number =>
  now < inv.overdueAtMs ? 0 : Math.floor((now - inv.overdueAtMs) / DAY_MS) + 1;
/** An amount for the timeline's sentences (`€12,500.00`), in the invoice's currency. */
export const money = (inv: Invoice, minor: number): string => formatMoney(minor, inv.input.currency);
/** The end of a date (start of the next day, UTC) — a promise or instalment "on 10 March" has all of 10 March. */
export const endOfDate = (date: string): number => parseIsoDate(date) + DAY_MS;

type Carry = InvoiceCarry;
type OpenPromise = NonNullable<Carry['promise']>;
type ActivePlan = NonNullable<Carry['plan']>;
type Instalment = ActivePlan['instalments'][number];
type OpenCall = NonNullable<Carry['call']>;

/**
 * The single next automatic action and when it is due (null: only a message can move the invoice on). Actions that
 * act on a promise, an instalment or a call name it: the workflow acts on the one it waited for.
 */
export type NextAction =
  | { do: 'RESUME'; kind: 'RESUME'; atMs: number | null }
  | { do: 'WAIT'; kind: 'DISPUTE_REVIEW' | 'LEGAL_APPROVAL' | 'LEGAL_CASE' | 'AWAIT_PAYMENT' | 'TRIAGE'; atMs: null }
  | { do: 'KEEP_PROMISE'; kind: 'PROMISE_KEPT'; atMs: number; promise: OpenPromise; paidSinceMinor: number }
  | { do: 'BREAK_PROMISE'; kind: 'PROMISE_CHECK'; atMs: number; promise: OpenPromise; paidSinceMinor: number }
  | { do: 'MISS_INSTALMENT'; kind: 'INSTALMENT_CHECK'; atMs: number; plan: ActivePlan; instalment: Instalment }
  | { do: 'FIX_CONTACT'; kind: 'FIX_CONTACT'; atMs: number }
  | { do: 'CALL_UNANSWERED'; kind: 'CALL_OUTCOME'; atMs: number; call: OpenCall }
  | { do: 'FIRE_STEP'; kind: PolicyStageKind; atMs: number; reason?: string };

export function nextAction(inv: Invoice, now: number): NextAction {
  const c = inv.carry;
  if (c.paused) return { do: 'RESUME', kind: 'RESUME', atMs: c.paused.until ? parseInstant(c.paused.until) : null };
  if (c.dispute) return { do: 'WAIT', kind: 'DISPUTE_REVIEW', atMs: null };
  if (c.promise?.status === 'OPEN') {
    const promise = c.promise;
    const paidSinceMinor = c.paidMinor + c.creditMinor - promise.paidAtStart;
    if (paidSinceMinor >= promise.amountMinor) {
      return { do: 'KEEP_PROMISE', kind: 'PROMISE_KEPT', atMs: now, promise, paidSinceMinor };
    }
    const atMs = addDuration(endOfDate(promise.promisedDate), c.policy.settings.promiseGrace);
    return { do: 'BREAK_PROMISE', kind: 'PROMISE_CHECK', atMs, promise, paidSinceMinor };
  }
  if (c.plan?.status === 'ACTIVE') {
    const plan = c.plan;
    const instalment = plan.instalments.find((i) => i.status === 'PENDING');
    if (instalment) {
      const atMs = addDuration(endOfDate(instalment.dueDate), c.policy.settings.planGrace);
      return { do: 'MISS_INSTALMENT', kind: 'INSTALMENT_CHECK', atMs, plan, instalment };
    }
  }
  if (c.legal.status === 'PENDING_APPROVAL') return { do: 'WAIT', kind: 'LEGAL_APPROVAL', atMs: null };
  if (c.legal.status === 'OPEN') return { do: 'WAIT', kind: 'LEGAL_CASE', atMs: null };
  if (c.fixContactRequested && !c.tasks.some((t) => t.purpose === 'fix-contact')) {
    return { do: 'FIX_CONTACT', kind: 'FIX_CONTACT', atMs: now };
  }
  // An overdue invoice in a TRIAGE entry band: nothing goes out until a person chose where it enters.
  if (c.triage) return { do: 'WAIT', kind: 'TRIAGE', atMs: null };
  const stepAt = stepDeadlineMs(c, c.policy.steps, inv.overdueAtMs);
  const step = currentStep(inv);
  // Entering the cadence late (an entry band or a triage choice): the entry step fires at once.
  if (c.entryDue && step) return { do: 'FIRE_STEP', kind: step.stage, atMs: now, reason: c.entryDue.reason };
  if (c.call && c.call.outcome === null && !c.call.escalated) {
    const callAt = addDuration(c.call.firedAtMs, c.policy.settings.callOutcomeDeadline);
    if (stepAt === null || callAt < stepAt) {
      return { do: 'CALL_UNANSWERED', kind: 'CALL_OUTCOME', atMs: callAt, call: c.call };
    }
  }
  if (step && stepAt !== null) {
    const term = noticeTermGate(inv, step.stage, stepAt);
    if (term) return term;
    return { do: 'FIRE_STEP', kind: step.stage, atMs: stepAt };
  }
  return { do: 'WAIT', kind: 'AWAIT_PAYMENT', atMs: null };
}

/** How long LEGAL waits for a proof of receipt of the formal notice: the policy's setting or the default. */
export const noticeReceiptMaxWait = (policy: DunningPolicy): string =>
  policy.settings.noticeReceiptMaxWait ?? NOTICE_RECEIPT_MAX_WAIT;

/**
 * The LEGAL step right after a formal notice sent by PEC or letter (`carry.notice`, set under the
 * `notice-term-from-receipt` patch) runs from receipt: not before the end of the term counted from the first proof
 * of delivery (art. 2963 c.c.) plus the policy's buffer, and never before its own offset. Without any proof it waits;
 * after the policy's `noticeReceiptMaxWait` (default NOTICE_RECEIPT_MAX_WAIT, 30 days) it fires anyway, saying so,
 * for the person who approves legal action.
 */
function noticeTermGate(inv: Invoice, stage: PolicyStageKind, stepAtMs: number): NextAction | null {
  const c = inv.carry;
  const n = c.notice;
  if (!n || stage !== 'LEGAL' || c.lastFired?.stage !== 'FORMAL_NOTICE') return null;
  const settings = c.policy.settings;
  if (n.receivedAtMs === null) {
    const maxWait = noticeReceiptMaxWait(c.policy);
    const giveUpAt = addDuration(n.firedAtMs, maxWait);
    if (giveUpAt <= stepAtMs) return null;
    return {
      do: 'FIRE_STEP',
      kind: stage,
      atMs: giveUpAt,
      reason: `no proof of receipt of the formal notice within ${maxWait}`,
    };
  }
  const buffer = parseDuration(settings.noticeTermBuffer ?? DEFAULT_NOTICE_TERM_BUFFER);
  const termAt = legalStepAfterReceiptMs(
    n.receivedAtMs,
    FORMAL_NOTICE_TERM_DAYS,
    settings.timezone,
    addDuration(0, buffer),
    n.extraHolidays ?? [],
  );
  if (termAt <= stepAtMs) return null;
  return {
    do: 'FIRE_STEP',
    kind: stage,
    atMs: termAt,
    reason: `term of ${FORMAL_NOTICE_TERM_DAYS} days from receipt on ${isoInstant(n.receivedAtMs)} ended`,
  };
}

/** A formal notice went out by PEC or letter: its LEGAL step will count from receipt (see noticeTermGate). */
export function startNoticeTerm(inv: Invoice, now: number): void {
  const extra = inv.features.extraHolidaysInTerms ? (inv.input.calendar?.extraHolidays ?? []) : null;
  inv.carry.notice = {
    stepIndex: inv.carry.stepIndex - 1,
    firedAtMs: now,
    receivedAtMs: null,
    ...(extra ? { extraHolidays: extra.slice() } : {}),
    seen: [],
  };
}

/**
 * A proof about a notice (PEC receipt, raccomandata event). Returns false for a receipt already applied. The first
 * DELIVERED proof of the pending formal notice starts its term; the earliest certified instant wins when both the
 * PEC and the letter arrive.
 */
export function applyNoticeReceipt(inv: Invoice, e: NoticeReceiptEvent): boolean {
  const c = inv.carry;
  const n = c.notice;
  if (n?.seen.includes(e.receiptId)) return false;
  pushHistory(c, { at: e.at, kind: 'CONTACT', stage: c.stage, summary: `${e.channel} ${e.status} (${e.kind})` });
  if (!n) return true;
  n.seen.push(e.receiptId);
  if (n.seen.length > 50) n.seen.splice(0, n.seen.length - 50);
  if (e.status === 'DELIVERED' && e.stage === 'FORMAL_NOTICE') {
    const at = parseInstant(e.at);
    n.receivedAtMs = n.receivedAtMs === null ? at : Math.min(n.receivedAtMs, at);
  }
  return true;
}

/** The next automatic action as the query and the records show it (none once closed). */
export function upcoming(inv: Invoice, now: number): { kind: string; atMs: number | null } | null {
  if (isClosed(inv)) return null;
  const { kind, atMs } = nextAction(inv, now);
  return { kind, atMs };
}

/** What the state query answers. */
export function view(inv: Invoice, now: number): InvoiceState {
  const { input } = inv;
  const c = inv.carry;
  const next = upcoming(inv, now);
  return {
    invoiceId: input.invoiceId,
    invoiceNumber: input.invoiceNumber,
    customerId: input.customerId,
    stage: c.stage,
    currency: input.currency,
    amountMinor: c.amountMinor,
    balanceMinor: c.balanceMinor,
    paidMinor: c.paidMinor,
    creditMinor: c.creditMinor,
    dueDate: input.dueDate,
    daysOverdue: daysOverdue(inv, now),
    policy: { segment: c.policy.segment, version: c.policy.version },
    next: next ? { kind: next.kind, at: next.atMs === null ? null : isoInstant(next.atMs) } : null,
    paused: c.paused,
    promise: c.promise
      ? { promisedDate: c.promise.promisedDate, amountMinor: c.promise.amountMinor, status: c.promise.status }
      : null,
    plan: c.plan ? { instalments: c.plan.instalments.map((i) => ({ ...i })), status: c.plan.status } : null,
    dispute: c.dispute
      ? { reasonCode: c.dispute.reasonCode, note: c.dispute.note, openedAt: c.dispute.openedAt }
      : null,
    pendingTasks: c.tasks.map(({ taskId, kind, dueAt, assigneeId }) => ({ taskId, kind, dueAt, assigneeId })),
    legal:
      c.legal.status === 'NONE'
        ? null
        : {
            approved: c.legal.status === 'OPEN',
            pendingApproval: c.legal.status === 'PENDING_APPROVAL',
            costsMinor: c.legal.costsMinor,
            recoveredMinor: c.legal.recoveredMinor,
          },
    history: c.history.slice(),
    ...(c.triage !== undefined
      ? {
          triage: c.triage ? { daysOverdue: c.triage.daysOverdue, minDaysOverdue: c.triage.minDaysOverdue } : null,
        }
      : {}),
    ...(c.lastReminder !== undefined
      ? {
          lastReminder: c.lastReminder
            ? {
                at: isoInstant(c.lastReminder.atMs),
                template: c.lastReminder.template,
                channels: c.lastReminder.channels.slice(),
                manual: c.lastReminder.manual,
              }
            : null,
        }
      : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Records for the mirror
// ---------------------------------------------------------------------------------------------------------------

export function promiseRecord(inv: Invoice, promise: OpenPromise): Extract<DecisionRecord, { kind: 'PROMISE' }> {
  return {
    kind: 'PROMISE',
    key: `${inv.input.invoiceId}:promise#${promise.seq}`,
    status: promise.status,
    promisedDate: promise.promisedDate,
    amountMinor: promise.amountMinor,
    recordedBy: promise.recordedBy,
    ...(promise.note ? { note: promise.note } : {}),
  };
}

export function planRecord(inv: Invoice, plan: ActivePlan): DecisionRecord {
  return {
    kind: 'PLAN',
    key: `${inv.input.invoiceId}:plan#${plan.seq}`,
    status: plan.status,
    instalments: plan.instalments.map((i) => ({ ...i })),
    proposedBy: plan.proposedBy,
  };
}

export function legalRecord(
  inv: Invoice,
  status: 'PENDING_APPROVAL' | 'OPEN' | 'CLOSED' | 'DECLINED',
  event?: Extract<DecisionRecord, { kind: 'LEGAL' }>['event'],
): DecisionRecord {
  return {
    kind: 'LEGAL',
    key: `${inv.input.invoiceId}:legal`,
    status,
    costsMinor: inv.carry.legal.costsMinor,
    recoveredMinor: inv.carry.legal.recoveredMinor,
    ...(event ? { event } : {}),
  };
}

/** Keeps the workflow's timeline to its last HISTORY_KEPT entries. */
function pushHistory(c: Carry, e: HistoryEntry): void {
  c.history.push(e);
  if (c.history.length > HISTORY_KEPT) c.history.splice(0, c.history.length - HISTORY_KEPT);
}

/** A timeline entry, queued for the mirror with the stage, balance and next action it leaves. */
export function entry(inv: Invoice, now: number, kind: HistoryEntry['kind'], summary: string, actorId?: string): void {
  const c = inv.carry;
  const e: HistoryEntry = { at: isoInstant(now), kind, stage: c.stage, summary, ...(actorId ? { actorId } : {}) };
  pushHistory(c, e);
  const next = upcoming(inv, now);
  c.mirrorSeq = (c.mirrorSeq ?? 0) + 1;
  inv.outbox.transitions.push({
    invoiceId: inv.input.invoiceId,
    stage: c.stage,
    balanceMinor: c.balanceMinor,
    nextActionAt: next?.atMs != null ? isoInstant(next.atMs) : null,
    nextActionKind: next?.kind ?? null,
    entry: e,
    seq: c.mirrorSeq,
  });
}

/**
 * The `Balance` search attribute: major units of the invoice's currency. Runs started before the patch
 * `sa-currency-digits` divide by 100 for every currency (a JPY balance showed 100× too small, KWD 10× too large).
 */
export function balanceAttribute(inv: Invoice, minor: number): number {
  return inv.features.balanceInCurrencyDigits ? toMajor(minor, inv.input.currency) : minor / 100;
}

export function upsertProgress(inv: Invoice, now: number): void {
  inv.upsert([
    { key: SA.stage, value: inv.carry.stage },
    { key: SA.balance, value: balanceAttribute(inv, inv.carry.balanceMinor) },
    { key: SA.daysOverdue, value: daysOverdue(inv, now) },
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Stage, clock, money
// ---------------------------------------------------------------------------------------------------------------

export function setStage(inv: Invoice, now: number, to: Stage, summary: string, actorId?: string): void {
  const c = inv.carry;
  // A message can close the invoice while the loop is half-way through an action (awaiting an activity):
  // nothing moves it out of a terminal stage again.
  if (isClosed(inv)) {
    inv.log('info', 'stage change after closing ignored', { to, summary });
    return;
  }
  if (c.stage === to) {
    entry(inv, now, 'DECISION', summary, actorId);
    return;
  }
  c.stage = to;
  if (!isTerminal(to) && to !== 'PROMISE_WAIT' && to !== 'REPAYMENT_PLAN' && to !== c.dunningStage) {
    c.priorDunningStage = c.dunningStage;
    c.dunningStage = to as ActiveStage;
  }
  upsertProgress(inv, now);
  entry(inv, now, 'STAGE', summary, actorId);
}

/** Stops or restarts the policy clock when a pause or a dispute starts or ends. */
export function syncClock(inv: Invoice, now: number): void {
  const c = inv.carry;
  if (isHalted(inv)) haltClock(c, now);
  else resumeClock(c, c.policy.steps, now, inv.overdueAtMs, inv.startedAtMs);
}

/** When the policy clock started for the pending step (exported for tests of the halt rules). */
export const clockStart = (inv: Invoice): number =>
  clockStartMs(currentStep(inv), inv.carry.anchorMs, inv.overdueAtMs, inv.startedAtMs);

/** Money in (payment, credit note, legal recovery): instalments are matched to it in date order. */
export function applyMoney(inv: Invoice, amountMinor: number): void {
  const c = inv.carry;
  if (c.plan?.status === 'ACTIVE') {
    let left = amountMinor;
    for (const inst of c.plan.instalments) {
      if (left <= 0) break;
      const room = inst.amountMinor - inst.paidMinor;
      if (room <= 0) continue;
      const take = Math.min(room, left);
      inst.paidMinor += take;
      left -= take;
      if (inst.paidMinor >= inst.amountMinor) inst.status = 'PAID';
    }
  }
  c.balanceMinor -= amountMinor;
}

export function closeAs(inv: Invoice, now: number, stage: TerminalStage, summary: string, actorId?: string): void {
  const c = inv.carry;
  if (c.balanceMinor < 0) {
    // Overpayment: the surplus is a credit in the customer's favour.
    c.creditMinor += -c.balanceMinor;
    summary += ` (overpaid by ${money(inv, -c.balanceMinor)}: credit recorded)`;
    c.balanceMinor = 0;
  }
  setStage(inv, now, stage, summary, actorId);
}

/** After money or a credit arrives: closes when nothing is due, otherwise updates the balance attribute. */
export function settleIfCovered(
  inv: Invoice,
  now: number,
  closeWith: TerminalStage,
  summary: string,
  actorId?: string,
): void {
  const c = inv.carry;
  if (c.balanceMinor > 0) {
    inv.upsert([{ key: SA.balance, value: balanceAttribute(inv, c.balanceMinor) }]);
    return;
  }
  if (c.promise?.status === 'OPEN') {
    c.promise.status = 'KEPT';
    inv.outbox.decisions.push(promiseRecord(inv, c.promise));
  }
  if (c.plan?.status === 'ACTIVE') {
    c.plan.status = 'COMPLETED';
    inv.outbox.decisions.push(planRecord(inv, c.plan));
    closeWith = closeWith === 'PAID' ? 'SETTLED' : closeWith;
    summary += '; repayment plan completed';
  }
  closeAs(inv, now, closeWith, summary, actorId);
}

// ---------------------------------------------------------------------------------------------------------------
// ERP facts (signals): applied as they come, never refused
// ---------------------------------------------------------------------------------------------------------------

/** A payment from the ERP; the same reference twice counts once. False when it changed nothing. */
export function applyPayment(inv: Invoice, p: PaymentReceived, now: number): boolean {
  const c = inv.carry;
  const ref = `pay:${p.reference}`;
  if (inv.refs.has(ref)) return false;
  if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0) {
    inv.log('warn', 'ignoring a payment with an invalid amount', { reference: p.reference });
    return false;
  }
  inv.refs.add(ref);
  c.references.push(ref);
  const amount = money(inv, p.amountMinor);
  if (isClosed(inv)) {
    // Money after closing (e.g. after a write-off) is recorded but changes nothing here.
    entry(inv, now, 'PAYMENT', `payment ${p.reference} of ${amount} received after closing`);
    return true;
  }
  c.paidMinor += p.amountMinor;
  applyMoney(inv, p.amountMinor);
  entry(inv, now, 'PAYMENT', `payment ${p.reference} of ${amount} received (${p.paidOn})`);
  settleIfCovered(inv, now, 'PAID', `paid in full (last payment ${p.reference})`);
  return true;
}

/** A credit note, an amount change or a cancellation from the ERP; false (ignored) once closed or seen. */
export function applyAdjustment(inv: Invoice, a: InvoiceAdjusted, now: number): boolean {
  const c = inv.carry;
  const ref = `adj:${a.reference}`;
  if (inv.refs.has(ref) || isClosed(inv)) return false;
  inv.refs.add(ref);
  c.references.push(ref);
  const amountMinor = a.amountMinor;
  const valid = typeof amountMinor === 'number' && Number.isSafeInteger(amountMinor);
  if (a.kind === 'CANCEL') {
    closeAs(inv, now, 'CANCELLED', `invoice cancelled by the ERP (${a.reference})`);
  } else if (a.kind === 'CREDIT_NOTE' && valid && amountMinor > 0) {
    c.creditMinor += amountMinor;
    applyMoney(inv, amountMinor);
    entry(inv, now, 'ADJUSTMENT', `credit note ${a.reference} of ${money(inv, amountMinor)}`);
    settleIfCovered(inv, now, 'SETTLED', `settled by credit note ${a.reference}`);
  } else if (a.kind === 'AMOUNT_CHANGE' && valid && amountMinor >= 0) {
    const delta = amountMinor - c.amountMinor;
    c.amountMinor = amountMinor;
    c.balanceMinor += delta;
    entry(inv, now, 'ADJUSTMENT', `amount changed to ${money(inv, amountMinor)} (${a.reference})`);
    settleIfCovered(
      inv,
      now,
      c.paidMinor > 0 ? 'PAID' : 'SETTLED',
      `nothing left due after amount change ${a.reference}`,
    );
  } else {
    inv.log('warn', 'ignoring an invalid adjustment', { reference: a.reference, kind: a.kind });
  }
  return true;
}

/**
 * The next step to fire after a policy change: the step of the new policy that follows the same occurrence of
 * the stage last fired (the 2nd REMINDER → what follows the 2nd REMINDER in the new policy); when the new policy
 * has fewer such steps, the first step of a later stage.
 */
export function realignStepIndex(policy: DunningPolicy, lastFired: InvoiceCarry['lastFired']): number {
  if (!lastFired) return 0;
  let seen = 0;
  for (let i = 0; i < policy.steps.length; i++) {
    if (policy.steps[i].stage === lastFired.stage && ++seen === lastFired.occurrence) return i + 1;
  }
  const later = policy.steps.findIndex((s) => STAGE_RANK[s.stage] > STAGE_RANK[lastFired.stage]);
  return later === -1 ? policy.steps.length : later;
}

/** The pending step under a new policy: realigned by the stage last fired, or the entry still to be made. */
function pendingIndexUnder(inv: Invoice, policy: DunningPolicy): number {
  const due = inv.carry.entryDue;
  if (due && !inv.carry.lastFired) return due.stage === null ? 0 : Math.max(0, entryIndex(policy, due.stage));
  return realignStepIndex(policy, inv.carry.lastFired);
}

function validOffsets(inv: Invoice, policy: DunningPolicy): boolean {
  try {
    policy.steps.forEach((st) => parseDuration(st.offset));
    return true;
  } catch (err) {
    inv.log('warn', 'ignoring a policy with an invalid offset', { version: policy.version, error: String(err) });
    return false;
  }
}

/** A newer version of the invoice's own policy key is adopted; the pending deadline follows it. */
export function adoptPolicy(inv: Invoice, policy: DunningPolicy, via: string, now: number): void {
  const c = inv.carry;
  if (policy.segment !== c.policy.segment || policy.version <= c.policy.version) return;
  if (!validOffsets(inv, policy)) return;
  const from = c.policy.version;
  c.policy = policy;
  c.stepIndex = pendingIndexUnder(inv, policy);
  entry(
    inv,
    now,
    'POLICY',
    `policy ${policy.segment} v${from} → v${policy.version} (${via}): pending deadline recomputed`,
  );
}

/** A policy change: a newer version of the same key, or (a rating reroute) the policy of another key. */
export function applyPolicyChange(inv: Invoice, { policy, reroute }: PolicyChanged, now: number): void {
  const c = inv.carry;
  if (!reroute || policy.segment === c.policy.segment) {
    adoptPolicy(inv, policy, 'signal', now);
    return;
  }
  if (isClosed(inv) || !validOffsets(inv, policy)) return;
  const from = `${c.policy.segment} v${c.policy.version}`;
  c.policy = policy;
  c.stepIndex = pendingIndexUnder(inv, policy);
  entry(
    inv,
    now,
    'POLICY',
    `rating ${reroute.rating} (${reroute.reason}): policy ${from} → ${policy.segment} v${policy.version}, pending deadline recomputed`,
  );
}

/** A contact the customer workflow sent (or could not): on the timeline only; a skipped one asks for a fix. */
export function applyContactOutcome(inv: Invoice, o: ContactOutcome): void {
  const c = inv.carry;
  if (o.status === 'SKIPPED') c.fixContactRequested = c.fixContactRequested || !isClosed(inv);
  const more = o.invoiceIds.length > 1 ? ` (with ${o.invoiceIds.length - 1} more)` : '';
  pushHistory(c, { at: o.at, kind: 'CONTACT', stage: c.stage, summary: `${o.status} ${o.idempotencyKey}${more}` });
}

/** A call or SMS status; one that could not be placed at all points at a wrong number: a collector fixes it. */
export function applyCallStatus(inv: Invoice, s: CallStatus): void {
  const c = inv.carry;
  if (s.status === 'FAILED') c.fixContactRequested = c.fixContactRequested || !isClosed(inv);
  const took = s.durationSeconds ? ` (${s.durationSeconds} s)` : '';
  pushHistory(c, { at: s.at, kind: 'CONTACT', stage: c.stage, summary: `${s.channel} ${s.status}${took}` });
}

// ---------------------------------------------------------------------------------------------------------------
// Human decisions (updates), applied after ./validate.ts accepted them
// ---------------------------------------------------------------------------------------------------------------

export function recordPromise(
  inv: Invoice,
  p: { promisedDate: string; amountMinor?: number; actorId: string; note?: string },
  now: number,
): void {
  const c = inv.carry;
  if (c.promise?.status === 'OPEN')
    inv.outbox.decisions.push({ ...promiseRecord(inv, c.promise), status: 'CANCELLED' });
  const amount = p.amountMinor ?? c.balanceMinor;
  const promise: OpenPromise = {
    promisedDate: p.promisedDate,
    amountMinor: amount,
    status: 'OPEN',
    recordedAtMs: now,
    paidAtStart: c.paidMinor + c.creditMinor,
    seq: ++c.promiseSeq,
    recordedBy: p.actorId,
    ...(p.note ? { note: p.note } : {}),
  };
  c.promise = promise;
  inv.outbox.decisions.push(promiseRecord(inv, promise));
  setStage(inv, now, 'PROMISE_WAIT', `promise to pay ${money(inv, amount)} by ${p.promisedDate}`, p.actorId);
}

/** Opens a dispute (the clock stops); returns the purpose of the review task the workflow then opens. */
export function openDispute(
  inv: Invoice,
  d: { reasonCode: NonNullable<Carry['dispute']>['reasonCode']; note: string; actorId: string },
  now: number,
): { purpose: string } {
  const c = inv.carry;
  const seq = ++c.disputeSeq;
  c.dispute = { reasonCode: d.reasonCode, note: d.note, openedAt: isoInstant(now), seq, openedBy: d.actorId };
  syncClock(inv, now);
  inv.outbox.decisions.push({
    kind: 'DISPUTE',
    key: `${inv.input.invoiceId}:dispute#${seq}`,
    status: 'OPEN',
    reasonCode: d.reasonCode,
    note: d.note,
    openedBy: d.actorId,
  });
  entry(inv, now, 'DECISION', `dispute opened (${d.reasonCode}): dunning stopped`, d.actorId);
  return { purpose: `dispute#${seq}` };
}

export type DisputeResolution =
  | { outcome: 'REJECTED'; actorId: string; note?: string }
  | { outcome: 'ACCEPTED'; actorId: string; note?: string }
  | { outcome: 'PARTIAL'; actorId: string; note?: string; newBalanceMinor: number };

/** Resolves the open dispute; returns the purpose of its review task (the workflow closes it). */
export function resolveDispute(
  inv: Invoice,
  dispute: NonNullable<Carry['dispute']>,
  r: DisputeResolution,
  now: number,
): { purpose: string } {
  const c = inv.carry;
  c.dispute = null;
  inv.outbox.decisions.push({
    kind: 'DISPUTE',
    key: `${inv.input.invoiceId}:dispute#${dispute.seq}`,
    status: r.outcome,
    reasonCode: dispute.reasonCode,
    note: dispute.note,
    openedBy: dispute.openedBy,
    resolvedBy: r.actorId,
    resolution: {
      outcome: r.outcome,
      ...(r.outcome === 'PARTIAL' ? { newBalanceMinor: r.newBalanceMinor } : {}),
      ...(r.note ? { note: r.note } : {}),
    },
  });
  if (r.outcome === 'ACCEPTED') {
    // Accepted in full: a credit note for what is left; nothing was ever paid → the invoice is void.
    const left = c.balanceMinor;
    c.creditMinor += left;
    c.balanceMinor = 0;
    const summary = `dispute accepted: credit note of ${money(inv, left)}${r.note ? ` (${r.note})` : ''}`;
    closeAs(inv, now, c.paidMinor > 0 ? 'SETTLED' : 'CANCELLED', summary, r.actorId);
  } else if (r.outcome === 'PARTIAL') {
    const credit = c.balanceMinor - r.newBalanceMinor;
    c.creditMinor += credit;
    c.balanceMinor = r.newBalanceMinor;
    syncClock(inv, now);
    const summary = `dispute partially accepted: credit note of ${money(inv, credit)}, dunning resumes`;
    entry(inv, now, 'DECISION', summary, r.actorId);
    settleIfCovered(inv, now, 'SETTLED', 'settled by the dispute resolution', r.actorId);
  } else {
    syncClock(inv, now);
    entry(inv, now, 'DECISION', 'dispute rejected: dunning resumes', r.actorId);
  }
  return { purpose: `dispute#${dispute.seq}` };
}

export function agreePlan(
  inv: Invoice,
  p: { instalments: Array<{ dueDate: string; amountMinor: number }>; actorId: string },
  now: number,
): void {
  const c = inv.carry;
  if (c.promise?.status === 'OPEN') {
    inv.outbox.decisions.push({ ...promiseRecord(inv, c.promise), status: 'CANCELLED' });
    c.promise = null;
  }
  const plan: ActivePlan = {
    instalments: p.instalments.map((i) => ({
      dueDate: i.dueDate,
      amountMinor: i.amountMinor,
      paidMinor: 0,
      status: 'PENDING' as const,
    })),
    status: 'ACTIVE',
    seq: ++c.planSeq,
    proposedBy: p.actorId,
  };
  c.plan = plan;
  inv.outbox.decisions.push(planRecord(inv, plan));
  setStage(inv, now, 'REPAYMENT_PLAN', `repayment plan of ${p.instalments.length} instalments agreed`, p.actorId);
}

export function approveLegal(inv: Invoice, a: { actorId: string; note?: string }, now: number): void {
  inv.carry.legal = { ...inv.carry.legal, status: 'OPEN' };
  inv.outbox.decisions.push(legalRecord(inv, 'OPEN'));
  entry(inv, now, 'DECISION', `legal action approved${a.note ? `: ${a.note}` : ''}`, a.actorId);
}

export function declineLegal(
  inv: Invoice,
  d: { actorId: string; note?: string; writeOff?: boolean },
  now: number,
): void {
  const c = inv.carry;
  c.legal = { ...c.legal, status: 'DECLINED' };
  inv.outbox.decisions.push(legalRecord(inv, 'DECLINED'));
  if (d.writeOff === false) {
    // Dunning goes back to the last stage before LEGAL; no further automatic step remains.
    setStage(
      inv,
      now,
      c.dunningStage === 'LEGAL' ? c.priorDunningStage : c.dunningStage,
      'legal action declined',
      d.actorId,
    );
  } else {
    closeAs(inv, now, 'WRITTEN_OFF', `legal action declined: written off${d.note ? ` (${d.note})` : ''}`, d.actorId);
  }
}

/**
 * The idempotency key of a legal event. `sequenced` (patch LEGAL_EVENT_SEQ): a number per event, like promises and
 * plans. Before it the key was built from totals and the (capped) timeline length, so two zero-cost events of the
 * same step and date on a long case collided and the mirror dropped the second.
 */
export function legalEventKey(inv: Invoice, e: LegalEvent, sequenced: boolean): string {
  const c = inv.carry;
  if (sequenced) return `event#${(c.legalEventSeq = (c.legalEventSeq ?? 0) + 1)}`;
  return `${c.legal.costsMinor}:${c.legal.recoveredMinor}:${c.history.length}:${e.step}:${e.date}`;
}

export function recordLegalEvent(inv: Invoice, e: LegalEvent, sequenced: boolean, now: number): void {
  const c = inv.carry;
  const recovered = e.recoveredMinor ?? 0;
  c.legal = {
    ...c.legal,
    costsMinor: c.legal.costsMinor + e.costMinor,
    recoveredMinor: c.legal.recoveredMinor + recovered,
  };
  inv.outbox.decisions.push(
    legalRecord(inv, e.step === 'CLOSED' ? 'CLOSED' : 'OPEN', {
      eventKey: legalEventKey(inv, e, sequenced),
      step: e.step,
      date: e.date,
      costMinor: e.costMinor,
      recoveredMinor: recovered,
      actorId: e.actorId,
      ...(e.lawyer ? { lawyer: e.lawyer } : {}),
      ...(e.note ? { note: e.note } : {}),
    }),
  );
  entry(inv, now, 'DECISION', `legal ${e.step} on ${e.date}: cost ${e.costMinor}, recovered ${recovered}`, e.actorId);
  if (recovered > 0) {
    c.paidMinor += recovered;
    applyMoney(inv, recovered);
  }
  if (c.balanceMinor <= 0) {
    closeAs(
      inv,
      now,
      e.step === 'CLOSED' ? 'LEGAL_CLOSED' : 'PAID',
      'recovered in full through legal action',
      e.actorId,
    );
  } else if (e.step === 'CLOSED') {
    closeAs(inv, now, 'LEGAL_CLOSED', `legal case closed with ${money(inv, c.balanceMinor)} unrecovered`, e.actorId);
  } else {
    upsertProgress(inv, now);
  }
}

export function pause(inv: Invoice, p: { until?: string; reason: string; actorId: string }, now: number): void {
  inv.carry.paused = { since: isoInstant(now), until: p.until ?? null, reason: p.reason };
  syncClock(inv, now);
  entry(inv, now, 'DECISION', `paused${p.until ? ` until ${p.until}` : ''}: ${p.reason}`, p.actorId);
}

export function resume(inv: Invoice, actorId: string | undefined, summary: string, now: number): void {
  inv.carry.paused = null;
  syncClock(inv, now);
  entry(inv, now, 'DECISION', summary, actorId);
}

export function writeOff(inv: Invoice, w: { reason: string; actorId: string }, now: number): void {
  closeAs(inv, now, 'WRITTEN_OFF', `written off: ${w.reason}`, w.actorId);
}

// ---------------------------------------------------------------------------------------------------------------
// Automatic actions (the main loop), pure parts
// ---------------------------------------------------------------------------------------------------------------

export function keepPromise(inv: Invoice, a: Extract<NextAction, { do: 'KEEP_PROMISE' }>, now: number): void {
  const c = inv.carry;
  a.promise.status = 'KEPT';
  if (c.promise) inv.outbox.decisions.push(promiseRecord(inv, c.promise));
  c.anchorMs = now;
  c.clockShiftMs = 0;
  const summary = `promise kept (${money(inv, a.paidSinceMinor)} paid); dunning continues for ${money(inv, c.balanceMinor)}`;
  setStage(inv, now, c.dunningStage, summary);
}

/** Marks the promise broken; the workflow then escalates. */
export function breakPromise(inv: Invoice, a: Extract<NextAction, { do: 'BREAK_PROMISE' }>, now: number): void {
  const c = inv.carry;
  a.promise.status = 'BROKEN';
  if (c.promise) inv.outbox.decisions.push(promiseRecord(inv, c.promise));
  const p = a.promise;
  const summary = `promise of ${money(inv, p.amountMinor)} by ${p.promisedDate} broken (${money(inv, a.paidSinceMinor)} paid)`;
  entry(inv, now, 'DECISION', summary);
}

/** Marks the instalment missed and the plan defaulted; the workflow then escalates to ORDER_BLOCK at least. */
export function missInstalment(inv: Invoice, a: Extract<NextAction, { do: 'MISS_INSTALMENT' }>, now: number): void {
  a.instalment.status = 'MISSED';
  a.plan.status = 'DEFAULTED';
  if (inv.carry.plan) inv.outbox.decisions.push(planRecord(inv, inv.carry.plan));
  const summary = `instalment of ${a.instalment.dueDate} missed: plan defaulted, ${money(inv, inv.carry.balanceMinor)} due at once`;
  entry(inv, now, 'DECISION', summary);
}

/** No outcome for the call by the deadline: returns true when a further step exists to escalate to. */
export function callUnanswered(inv: Invoice, a: Extract<NextAction, { do: 'CALL_UNANSWERED' }>, now: number): boolean {
  a.call.escalated = true;
  entry(inv, now, 'DECISION', 'no call outcome by the deadline');
  return currentStep(inv) !== undefined;
}

/** Skips pending steps of a stage below `atLeast` (a defaulted plan goes straight to the order block). */
export function skipBelow(inv: Invoice, atLeast: PolicyStageKind): void {
  for (let step = currentStep(inv); step && STAGE_RANK[step.stage] < STAGE_RANK[atLeast]; step = currentStep(inv)) {
    inv.carry.stepIndex++;
  }
}

/** What firing the pending step means: its effects are the workflow's (tasks, the order block, contacts). */
export type StepStart = { fire: false } | { fire: true; step: PolicyStep; ordinal: number; skippedForBalance: boolean };

/**
 * Starts the pending step at `now`: the clock moves on and the timeline says why a step sends nothing. A PRE_DUE
 * courtesy notice once the invoice is overdue (imported late) is skipped without moving the anchor.
 */
export function startStep(inv: Invoice, step: PolicyStep, now: number): StepStart {
  const c = inv.carry;
  if (isLatePreDue(step, now, inv.overdueAtMs)) {
    c.stepIndex++;
    entry(inv, now, 'DECISION', `PRE_DUE (${step.template}) skipped: the invoice is already overdue`);
    return { fire: false };
  }
  if (c.entryDue) c.entryDue = null;
  const index = fireClock(c, now);
  const ordinal = ++c.firedSteps;
  // Which occurrence of its stage this step is in the policy (the 2nd REMINDER): realignStepIndex uses it.
  c.lastFired = { stage: step.stage, occurrence: occurrenceOf(c.policy.steps, index) };
  c.call = null;
  if (step.minBalanceMinor !== undefined && c.balanceMinor < step.minBalanceMinor) {
    entry(inv, now, 'DECISION', `${step.stage} (${step.template}) skipped: balance below ${step.minBalanceMinor}`);
    return { fire: true, step, ordinal, skippedForBalance: true };
  }
  return { fire: true, step, ordinal, skippedForBalance: false };
}

/** A LEGAL step: approval asked for (the workflow opens the task), or the case opens at once. */
export function startLegal(inv: Invoice, requiresApproval: boolean): void {
  const c = inv.carry;
  if (requiresApproval) {
    c.legal = { ...c.legal, status: 'PENDING_APPROVAL' };
  } else {
    c.legal = { ...c.legal, status: 'OPEN' };
    inv.outbox.decisions.push(legalRecord(inv, 'OPEN'));
  }
}

/**
 * A collector completed a task: it leaves the open tasks, an open call takes its outcome, the timeline says what
 * was done. Returns the task (the workflow closes it) and whether it was the pending call.
 */
export function completeTask(
  inv: Invoice,
  d: TaskDecision,
  now: number,
): { task: Carry['tasks'][number]; isCall: boolean } {
  const c = inv.carry;
  const task = d.task;
  c.tasks = c.tasks.filter((t) => t !== task);
  const isCall = c.call?.taskId === d.taskId;
  if (c.call && isCall) c.call.outcome = d.outcome;
  const reason = d.reasonCode ? ` (${d.reasonCode})` : '';
  entry(inv, now, 'TASK', `${task.kind} done: ${d.outcome}${reason}${d.note ? ` — ${d.note}` : ''}`, d.actorId);
  return { task, isCall };
}

/** A callback was agreed on the pending call: the call stays open on the callback task, its deadline from then. */
export function moveCallToCallback(inv: Invoice, callbackTaskId: string, callbackAtMs: number): void {
  inv.carry.call = { taskId: callbackTaskId, firedAtMs: callbackAtMs, outcome: null, escalated: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Entering the cadence late (patch overdue-entry-bands): an invoice that arrives already overdue
// ---------------------------------------------------------------------------------------------------------------

/** The index of the first step of `stage` (or of a later stage) in `policy`; -1 when it has none. */
export function entryIndex(policy: DunningPolicy, stage: EntryStage): number {
  const exact = policy.steps.findIndex((s) => s.stage === stage);
  if (exact !== -1) return exact;
  return policy.steps.findIndex((s) => STAGE_RANK[s.stage] > STAGE_RANK[stage]);
}

/**
 * The entry band of an invoice `days` overdue at intake: the band with the highest `minDaysOverdue` not above them,
 * among those that apply to it (a consumer's invoice only where the band says `consumers: true`). `passedOver` is
 * the band a business invoice would have had, when it does not apply to a consumer.
 */
export function entryBandFor(
  policy: DunningPolicy,
  days: number,
  consumer: boolean,
): { band: NonNullable<DunningPolicy['settings']['entryBands']>[number] | null; passedOver: number | null } {
  const matching = [...(policy.settings.entryBands ?? [])]
    .filter((b) => b.minDaysOverdue <= days)
    .sort((a, b) => b.minDaysOverdue - a.minDaysOverdue);
  const band = matching.find((b) => !consumer || b.consumers === true) ?? null;
  const passedOver = matching.length > 0 && matching[0] !== band ? matching[0].minDaysOverdue : null;
  return { band, passedOver };
}

/** Moves the pending step to the entry (the first step of `stage`, or the first step for null): it fires at once. */
function enterAt(inv: Invoice, stage: EntryStage | null, reason: string, now: number, actorId?: string): void {
  const c = inv.carry;
  const target = stage === null ? c.stepIndex : entryIndex(c.policy, stage);
  if (target === -1) {
    entry(inv, now, 'DECISION', `${reason}: the policy has no such step; collection starts at the first step`);
    return;
  }
  const skipped = c.policy.steps.slice(c.stepIndex, Math.max(c.stepIndex, target)).map((s) => s.template);
  c.stepIndex = Math.max(c.stepIndex, target);
  c.entryDue = { stage, reason };
  const never = skipped.length ? `; not sent: ${skipped.join(', ')}` : '';
  entry(inv, now, 'DECISION', `${reason}${never}`, actorId);
}

/**
 * At the start of a new workflow: where an invoice already overdue enters its policy's cadence, from the days it is
 * overdue now (counted from `overdueAt`). `ENTER`: the entry step fires at once and the earlier ones are never sent;
 * `TRIAGE`: nothing is sent until a person chose (the workflow opens the task); null: the first step, as before.
 */
export function enterByBand(inv: Invoice, now: number): 'ENTER' | 'TRIAGE' | null {
  const c = inv.carry;
  const days = daysOverdue(inv, now);
  if (days <= 0) return null;
  const consumer = inv.input.consumer === true;
  const { band, passedOver } = entryBandFor(c.policy, days, consumer);
  if (passedOver !== null && !band) {
    const why = `consumer invoice ${days} days overdue at intake: the policy band ≥ ${passedOver} does not apply to consumers`;
    entry(inv, now, 'DECISION', `${why}; collection starts at the first step`);
  }
  if (!band) return null;
  const why = `${days} days overdue at intake (policy band ≥ ${band.minDaysOverdue}${consumer ? ', consumers included' : ''})`;
  if (band.enterAt === 'TRIAGE') {
    c.triage = { daysOverdue: days, minDaysOverdue: band.minDaysOverdue, openedAtMs: now };
    entry(inv, now, 'DECISION', `triage: ${why}; nothing is sent until a person chooses where collection starts`);
    return 'TRIAGE';
  }
  enterAt(inv, band.enterAt, `entered at ${band.enterAt}: ${why}`, now);
  return 'ENTER';
}

/** A person chose where an invoice in triage enters (validated by validateChooseEntry). */
export function chooseEntry(inv: Invoice, d: ChooseEntry, now: number): void {
  const c = inv.carry;
  const days = c.triage?.daysOverdue ?? daysOverdue(inv, now);
  c.triage = null;
  const note = d.note ? ` — ${d.note}` : '';
  if (d.enterAt === 'START') {
    enterAt(
      inv,
      null,
      `triage: collection starts at the first step (${days} days overdue at intake)${note}`,
      now,
      d.actorId,
    );
  } else {
    enterAt(
      inv,
      d.enterAt,
      `entered at ${d.enterAt}: chosen in triage (${days} days overdue at intake)${note}`,
      now,
      d.actorId,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reminders sent by a person (patch reminder-now) and the collector as told (patch collector-follows-reassign)
// ---------------------------------------------------------------------------------------------------------------

/** The calendar day of an instant in a time zone (the policy's): "today" for the one-reminder-a-day rule. */
export const localDay = (atMs: number, timeZone: string): string => localDate(new Date(atMs), timeZone);

/** The contact channels of a step (a TASK is work for a person, not a message to the debtor). */
export const contactChannels = (step: PolicyStep): Channel[] => step.channels.filter((ch) => ch !== 'TASK');

/**
 * The REMINDER step a reminder sent now repeats: the last one already fired (the reminder the debtor last had, at
 * the stage the invoice is in or has passed), else the next one the policy will fire. Only steps with a channel to
 * the debtor count. Null when the policy has none.
 */
export function reminderStep(inv: Invoice): { index: number; step: PolicyStep; channels: Channel[] } | null {
  const steps = inv.carry.policy.steps;
  const ok = (i: number) => steps[i].stage === 'REMINDER' && contactChannels(steps[i]).length > 0;
  const pending = Math.min(inv.carry.stepIndex, steps.length);
  for (let i = pending - 1; i >= 0; i--)
    if (ok(i)) return { index: i, step: steps[i], channels: contactChannels(steps[i]) };
  for (let i = pending; i < steps.length; i++)
    if (ok(i)) return { index: i, step: steps[i], channels: contactChannels(steps[i]) };
  return null;
}

/**
 * When the last reminder went out. Runs that fired a REMINDER step before `lastReminder` was kept (older code) still
 * know when: the step's firing moved the clock's anchor to that instant.
 */
export function lastReminderAt(inv: Invoice): number | null {
  const c = inv.carry;
  if (c.lastReminder !== undefined) return c.lastReminder?.atMs ?? null;
  return c.lastFired?.stage === 'REMINDER' ? c.anchorMs : null;
}

/** A REMINDER step sent its contacts (or a person sent one): the one-a-day rule counts from now. */
export function noteReminder(inv: Invoice, step: PolicyStep, manual: boolean, now: number): void {
  inv.carry.lastReminder = { atMs: now, template: step.template, channels: contactChannels(step), manual };
}

/**
 * A person sends the current reminder now (validated by validateSendReminder). Returns the request key of each
 * channel's contact: numbered by `reminderSeq`, so a retried signal to the customer workflow is the same contact
 * (it drops a request key it has seen) and the channel's idempotency key never sends twice. The policy clock is not
 * touched: the next scheduled step fires when it would have.
 */
export function sendReminder(
  inv: Invoice,
  d: { actorId: string; note?: string; step: { step: PolicyStep; channels: Channel[] } },
  now: number,
): { seq: number; requests: Array<{ channel: Channel; requestKey: string }> } {
  const c = inv.carry;
  const seq = (c.reminderSeq = (c.reminderSeq ?? 0) + 1);
  const requests = d.step.channels.map((channel) => ({
    channel,
    requestKey: `${inv.input.invoiceId}:REMINDER-NOW#${seq}:${channel}`,
  }));
  noteReminder(inv, d.step.step, true, now);
  const note = d.note ? ` — ${d.note}` : '';
  entry(
    inv,
    now,
    'CONTACT',
    `reminder ${d.step.step.template} sent now by a person on ${d.step.channels.join(', ')}; the schedule is unchanged${note}`,
    d.actorId,
  );
  return { seq, requests };
}

/** Who the invoice's tasks go to: the collector last told, else the one the workflow started with. */
export const collectorOf = (inv: Invoice): string | null =>
  inv.carry.collector !== undefined ? inv.carry.collector.id : inv.input.collectorId;

/**
 * The customer's collector changed. A change older than (or the same as) the last one applied is ignored: false.
 * Otherwise every open task the workflow holds follows (a collector who leaves keeps no work; the API moves their
 * rows), new tasks go to the new collector, the Collector search attribute is upserted and the timeline says so.
 */
export function applyCollectorChange(inv: Invoice, change: CollectorChanged, now: number): boolean {
  const c = inv.carry;
  if (!Number.isSafeInteger(change.version)) return false;
  if (c.collector && change.version <= c.collector.version) return false;
  const from = collectorOf(inv);
  c.collector = { id: change.collectorId, version: change.version };
  if (from === change.collectorId) return false;
  for (const t of c.tasks) t.assigneeId = change.collectorId;
  if (isClosed(inv)) return true;
  inv.upsert([{ key: SA.collector, value: change.collectorId ?? SA_UNASSIGNED }]);
  entry(inv, now, 'DECISION', `collector changed: ${from ?? 'none'} → ${change.collectorId ?? 'none'}`, change.actorId);
  return true;
}
