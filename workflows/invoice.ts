/**
 * The invoice collection workflow: one per open invoice (`invoice-<invoiceId>`), from creation to a terminal stage.
 *
 * Shape: handlers (registered before the first await) change an in-memory state and bump `wake`; one main loop
 * flushes the records they queued, works out the single next automatic action (resume a pause, judge a promise,
 * judge an instalment, escalate an unanswered call, fire the next policy step) and races its deadline against
 * `wake` with `condition(predicate, timeout)`. Any message therefore recomputes the pending deadline — that is how a
 * policy change moves a running timer. See docs/workflow.md for the stage machine and every message.
 *
 * Versioning: this code is replayed against every running history. A change that alters the commands an existing
 * history produced must be guarded: `if (patched('change-id')) { new } else { old }`, later `deprecatePatch`, then
 * removal once no history predating it runs. test/histories/*.json are replayed in CI to catch the unguarded ones.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReportActivities } from '../activities/reports';
import type { DecisionRecord, SegugioActivities, TransitionRecord } from '../activities/types';
import { formatMoney } from '../domain/money';
import {
  addDuration,
  isIsoDate,
  isoDate,
  isoInstant,
  parseDuration,
  parseInstant,
  parseIsoDate,
} from '../domain/duration';
import {
  type ActiveStage,
  type Actor,
  CALL_OUTCOMES,
  DECISION_REJECTED,
  DISPUTE_REASONS,
  type DunningPolicy,
  type HistoryEntry,
  type InvoiceCarry,
  type InvoiceState,
  type InvoiceWorkflowInput,
  LEGAL_STEPS,
  NON_PAYMENT_REASONS,
  type PolicyStageKind,
  type PolicyStep,
  type ProposePlan,
  SA,
  STAGE_RANK,
  type Stage,
  type TaskView,
  type TerminalStage,
  approveLegalUpdate,
  completeTaskUpdate,
  callStatusSignal,
  contactOutcomeSignal,
  declineLegalUpdate,
  invoiceAdjustedSignal,
  invoiceStateQuery,
  invoiceWorkflowId,
  isTerminal,
  openDisputeUpdate,
  pauseUpdate,
  paymentSignal,
  policyChangedSignal,
  proposePlanUpdate,
  recordLegalEventUpdate,
  recordPromiseUpdate,
  resolveDisputeUpdate,
  resumeUpdate,
  writeOffUpdate,
} from './contract';

// Activity option profiles. Database writes are quick and retried for long; contacts talk to providers (slower,
// backed off harder); the customer signal goes through the Temporal frontend.
const db = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const erp = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
const temporal = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

// The rating follows payments, promises and disputes; a failing recomputation must never hold up collection (the
// nightly run catches up), so it gives up after a few tries.
const ratings = proxyActivities<ReportActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});
/** Patch id: recompute the customer's rating after a batch that recorded a payment, promise, dispute or closing. */
const RATING_ON_EVENTS = 'rating-on-events';

const DAY_MS = 86_400_000;
const HISTORY_KEPT = 100;
const MANAGER_ROLES: ReadonlyArray<Actor['role']> = ['manager', 'admin'];

/** Rejects a human decision: the API maps this failure type to 422 with the message. */
function reject(message: string): never {
  throw ApplicationFailure.nonRetryable(message, DECISION_REJECTED);
}

/** The end of a date (start of the next day, UTC) — a promise or instalment "on 10 March" has all of 10 March. */
function endOfDate(date: string): number {
  return parseIsoDate(date) + DAY_MS;
}

function freshCarry(input: InvoiceWorkflowInput): InvoiceCarry {
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
    legal: { approved: false, pendingApproval: false, costsMinor: 0, recoveredMinor: 0, open: false, declined: false },
    blockRequested: false,
    fixContactRequested: false,
    history: [],
    continuedRuns: 0,
  };
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

/** Follows one invoice through its dunning policy until it is paid, settled, written off, closed or cancelled. */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const s: InvoiceCarry = input.carry ?? freshCarry(input);
  const overdueAtMs = parseInstant(input.overdueAt);
  const startedAtMs = Date.now();
  /** Bumped by every message: the main loop's wait ends and the next action is recomputed. */
  let wake = 0;
  const pending: TransitionRecord[] = [];
  const decisions: DecisionRecord[] = [];
  const refs = new Set(s.references);

  // ---------------------------------------------------------------------------------------------------------
  // State helpers (synchronous: usable from handlers)
  // ---------------------------------------------------------------------------------------------------------

  const now = (): number => Date.now();
  /** An amount for the timeline's sentences (`€12,500.00`), in the invoice's currency. */
  const money = (minor: number): string => formatMoney(minor, input.currency);
  const daysOverdue = (): number => (now() < overdueAtMs ? 0 : Math.floor((now() - overdueAtMs) / DAY_MS) + 1);
  const halted = (): boolean => s.paused !== null || s.dispute !== null;
  const closed = (): boolean => isTerminal(s.stage);

  const entry = (kind: HistoryEntry['kind'], summary: string, actorId?: string): void => {
    const e: HistoryEntry = { at: isoInstant(now()), kind, stage: s.stage, summary, ...(actorId ? { actorId } : {}) };
    s.history.push(e);
    if (s.history.length > HISTORY_KEPT) s.history.splice(0, s.history.length - HISTORY_KEPT);
    const upcoming = next();
    s.mirrorSeq = (s.mirrorSeq ?? 0) + 1;
    pending.push({
      invoiceId: input.invoiceId,
      stage: s.stage,
      balanceMinor: s.balanceMinor,
      nextActionAt: upcoming?.atMs != null ? isoInstant(upcoming.atMs) : null,
      nextActionKind: upcoming?.kind ?? null,
      entry: e,
      seq: s.mirrorSeq,
    });
  };

  const upsertProgress = (): void => {
    upsertSearchAttributes([
      { key: SA.stage, value: s.stage },
      { key: SA.balance, value: s.balanceMinor / 100 },
      { key: SA.daysOverdue, value: daysOverdue() },
    ]);
  };

  const setStage = (to: Stage, summary: string, actorId?: string): void => {
    // A message can close the invoice while the loop is half-way through an action (awaiting an activity):
    // nothing moves it out of a terminal stage again.
    if (closed()) {
      log.info('stage change after closing ignored', { to, summary });
      return;
    }
    if (s.stage === to) {
      entry('DECISION', summary, actorId);
      return;
    }
    s.stage = to;
    if (!isTerminal(to) && to !== 'PROMISE_WAIT' && to !== 'REPAYMENT_PLAN' && to !== s.dunningStage) {
      s.priorDunningStage = s.dunningStage;
      s.dunningStage = to as ActiveStage;
    }
    upsertProgress();
    entry('STAGE', summary, actorId);
  };

  /** Stops or restarts the policy clock when a pause or a dispute starts or ends. */
  const syncClock = (): void => {
    if (halted() && s.haltedSinceMs === null) {
      s.haltedSinceMs = now();
    } else if (!halted() && s.haltedSinceMs !== null) {
      // "Continue" semantics: the step's clock resumes where it stopped. Only halted time after the clock
      // started counts (a pause before the invoice is overdue does not delay the first reminder).
      s.clockShiftMs += Math.max(0, now() - Math.max(s.haltedSinceMs, clockStartMs()));
      s.haltedSinceMs = null;
    }
  };

  const currentStep = (): PolicyStep | undefined => s.policy.steps[s.stepIndex];

  /**
   * Where the pending step's offset counts from: the previous step's firing (overdueAt for the first step) — but a
   * dunning step never counts from before the invoice is overdue, so a REMINDER after a PRE_DUE courtesy notice
   * still counts from overdueAt.
   */
  const anchorFor = (step: PolicyStep): number =>
    step.stage === 'PRE_DUE' ? s.anchorMs : Math.max(s.anchorMs, overdueAtMs);

  /** When the policy clock started for the pending step: its anchor, or the start for a negative (pre-due) offset. */
  const clockStartMs = (): number => {
    const step = currentStep();
    if (!step) return s.anchorMs;
    const anchor = anchorFor(step);
    const due = addDuration(anchor, step.offset);
    return due < anchor ? Math.min(due, startedAtMs) : anchor;
  };

  const stepDeadlineMs = (): number | null => {
    const step = currentStep();
    return step ? addDuration(anchorFor(step), step.offset) + s.clockShiftMs : null;
  };

  const applyMoney = (amountMinor: number): void => {
    // Instalments are matched to money in date order.
    if (s.plan?.status === 'ACTIVE') {
      let left = amountMinor;
      for (const inst of s.plan.instalments) {
        if (left <= 0) break;
        const room = inst.amountMinor - inst.paidMinor;
        if (room <= 0) continue;
        const take = Math.min(room, left);
        inst.paidMinor += take;
        left -= take;
        if (inst.paidMinor >= inst.amountMinor) inst.status = 'PAID';
      }
    }
    s.balanceMinor -= amountMinor;
  };

  const closeAs = (stage: TerminalStage, summary: string, actorId?: string): void => {
    if (s.balanceMinor < 0) {
      // Overpayment: the surplus is a credit in the customer's favour.
      s.creditMinor += -s.balanceMinor;
      summary += ` (overpaid by ${money(-s.balanceMinor)}: credit recorded)`;
      s.balanceMinor = 0;
    }
    setStage(stage, summary, actorId);
  };

  /** After money or a credit arrives: closes when nothing is due, otherwise updates search attributes. */
  const settleIfCovered = (closeWith: TerminalStage, summary: string, actorId?: string): void => {
    if (s.balanceMinor <= 0) {
      if (s.promise?.status === 'OPEN') {
        s.promise.status = 'KEPT';
        decisions.push(promiseRecord());
      }
      if (s.plan?.status === 'ACTIVE') {
        s.plan.status = 'COMPLETED';
        decisions.push(planRecord());
        closeWith = closeWith === 'PAID' ? 'SETTLED' : closeWith;
        summary += '; repayment plan completed';
      }
      closeAs(closeWith, summary, actorId);
    } else {
      upsertSearchAttributes([{ key: SA.balance, value: s.balanceMinor / 100 }]);
    }
  };

  const promiseRecord = (): Extract<DecisionRecord, { kind: 'PROMISE' }> => {
    const p = s.promise!;
    return {
      kind: 'PROMISE',
      key: `${input.invoiceId}:promise#${p.seq}`,
      status: p.status,
      promisedDate: p.promisedDate,
      amountMinor: p.amountMinor,
      recordedBy: p.recordedBy,
      ...(p.note ? { note: p.note } : {}),
    };
  };
  const planRecord = (): DecisionRecord => ({
    kind: 'PLAN',
    key: `${input.invoiceId}:plan#${s.plan!.seq}`,
    status: s.plan!.status,
    instalments: s.plan!.instalments.map((i) => ({ ...i })),
    proposedBy: s.plan!.proposedBy,
  });
  const legalRecord = (
    status: 'PENDING_APPROVAL' | 'OPEN' | 'CLOSED' | 'DECLINED',
    event?: Extract<DecisionRecord, { kind: 'LEGAL' }>['event'],
  ): DecisionRecord => ({
    kind: 'LEGAL',
    key: `${input.invoiceId}:legal`,
    status,
    costsMinor: s.legal.costsMinor,
    recoveredMinor: s.legal.recoveredMinor,
    ...(event ? { event } : {}),
  });

  const state = (): InvoiceState => ({
    invoiceId: input.invoiceId,
    invoiceNumber: input.invoiceNumber,
    customerId: input.customerId,
    stage: s.stage,
    currency: input.currency,
    amountMinor: s.amountMinor,
    balanceMinor: s.balanceMinor,
    paidMinor: s.paidMinor,
    creditMinor: s.creditMinor,
    dueDate: input.dueDate,
    daysOverdue: daysOverdue(),
    policy: { segment: s.policy.segment, version: s.policy.version },
    next: ((n) => (n ? { kind: n.kind, at: n.atMs === null ? null : isoInstant(n.atMs) } : null))(next()),
    paused: s.paused,
    promise: s.promise
      ? { promisedDate: s.promise.promisedDate, amountMinor: s.promise.amountMinor, status: s.promise.status }
      : null,
    plan: s.plan ? { instalments: s.plan.instalments.map((i) => ({ ...i })), status: s.plan.status } : null,
    dispute: s.dispute
      ? { reasonCode: s.dispute.reasonCode, note: s.dispute.note, openedAt: s.dispute.openedAt }
      : null,
    pendingTasks: s.tasks.map(({ taskId, kind, dueAt, assigneeId }) => ({ taskId, kind, dueAt, assigneeId })),
    legal:
      s.legal.open || s.legal.pendingApproval || s.legal.declined
        ? {
            approved: s.legal.approved,
            pendingApproval: s.legal.pendingApproval,
            costsMinor: s.legal.costsMinor,
            recoveredMinor: s.legal.recoveredMinor,
          }
        : null,
    history: s.history.slice(),
  });

  // ---------------------------------------------------------------------------------------------------------
  // Validation shared by updates
  // ---------------------------------------------------------------------------------------------------------

  const requireOpen = (): void => {
    if (closed()) reject(`invoice ${input.invoiceNumber} is closed (${s.stage})`);
  };
  const requireActor = (a: Actor): void => {
    if (!a || typeof a.actorId !== 'string' || a.actorId.length === 0) reject('actorId is required');
  };
  const requireManager = (a: Actor, what: string): void => {
    if (!MANAGER_ROLES.includes(a.role)) reject(`${what} needs a manager (role '${a.role}')`);
  };
  const requireAmount = (v: unknown, field: string, allowZero = false): void => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || (!allowZero && v === 0)) {
      reject(`${field} must be a ${allowZero ? 'non-negative' : 'positive'} integer amount in minor units`);
    }
  };
  const todayMs = (): number => parseIsoDate(isoDate(now()));

  const validatePromise = (p: { promisedDate: string; amountMinor?: number }): void => {
    if (s.dispute) reject('a dispute is open: resolve it before recording a promise');
    if (s.plan?.status === 'ACTIVE') reject('a repayment plan is active: a promise cannot replace it');
    if (typeof p.promisedDate !== 'string' || !isIsoDate(p.promisedDate)) {
      reject('promisedDate must be an ISO date (YYYY-MM-DD)');
    }
    const date = parseIsoDate(p.promisedDate);
    if (date < todayMs()) reject(`promisedDate ${p.promisedDate} is in the past`);
    const horizon = addDuration(todayMs(), s.policy.settings.promiseMaxHorizon);
    if (date > horizon) {
      reject(
        `promisedDate ${p.promisedDate} is beyond the policy's maximum horizon (${s.policy.settings.promiseMaxHorizon}, until ${isoDate(horizon)})`,
      );
    }
    if (p.amountMinor !== undefined) {
      requireAmount(p.amountMinor, 'amountMinor');
      if (p.amountMinor > s.balanceMinor) reject(`amountMinor ${p.amountMinor} exceeds the balance ${s.balanceMinor}`);
    }
  };

  const validatePlan = (p: ProposePlan): void => {
    if (s.dispute) reject('a dispute is open: resolve it before proposing a plan');
    if (s.plan?.status === 'ACTIVE') reject('a repayment plan is already active');
    if (!Array.isArray(p.instalments) || p.instalments.length === 0) reject('instalments must not be empty');
    const max = s.policy.settings.planMaxInstalments;
    if (p.instalments.length > max) {
      reject(`${p.instalments.length} instalments exceed the policy's maximum of ${max}`);
    }
    let previous = -Infinity;
    let sum = 0;
    p.instalments.forEach((inst, i) => {
      if (typeof inst.dueDate !== 'string' || !isIsoDate(inst.dueDate)) {
        reject(`instalments[${i}].dueDate must be an ISO date (YYYY-MM-DD)`);
      }
      const d = parseIsoDate(inst.dueDate);
      if (i === 0 && d < todayMs()) reject(`instalments[0].dueDate ${inst.dueDate} is in the past`);
      if (d <= previous) reject(`instalment dates must be strictly increasing (instalments[${i}].dueDate)`);
      previous = d;
      requireAmount(inst.amountMinor, `instalments[${i}].amountMinor`);
      sum += inst.amountMinor;
    });
    if (sum !== s.balanceMinor) reject(`instalments sum to ${sum}, but the balance is ${s.balanceMinor}`);
  };

  const validateDispute = (d: { reasonCode: string; note: string }): void => {
    if (s.dispute) reject('a dispute is already open');
    if (!(DISPUTE_REASONS as readonly string[]).includes(d.reasonCode)) {
      reject(`reasonCode must be one of ${DISPUTE_REASONS.join(', ')}`);
    }
    if (typeof d.note !== 'string' || d.note.trim().length === 0) reject('note is required for a dispute');
  };

  // ---------------------------------------------------------------------------------------------------------
  // Effects shared by updates and the main loop
  // ---------------------------------------------------------------------------------------------------------

  const openTask = async (
    kind: TaskView['kind'],
    purpose: string,
    dueAtMs: number,
    note?: string,
  ): Promise<TaskView & { purpose: string }> => {
    const key = `${input.invoiceId}:${kind}:${purpose}`;
    const { taskId } = await db.createTask({
      idempotencyKey: key,
      invoiceId: input.invoiceId,
      customerId: input.customerId,
      kind,
      dueAt: isoInstant(dueAtMs),
      assigneeId: input.collectorId,
      ...(note ? { note } : {}),
    });
    const task = { taskId, kind, dueAt: isoInstant(dueAtMs), assigneeId: input.collectorId, purpose };
    s.tasks.push(task);
    return task;
  };

  const closeTaskWhere = async (pred: (t: TaskView & { purpose: string }) => boolean, outcome: unknown) => {
    const done = s.tasks.filter(pred);
    s.tasks = s.tasks.filter((t) => !pred(t));
    await Promise.all(done.map((t) => db.closeTask({ taskId: t.taskId, status: 'DONE', outcome })));
  };

  const recordPromise = (p: { promisedDate: string; amountMinor?: number; actorId: string; note?: string }): void => {
    if (s.promise?.status === 'OPEN') decisions.push({ ...promiseRecord(), status: 'CANCELLED' }); // superseded
    const amount = p.amountMinor ?? s.balanceMinor;
    s.promise = {
      promisedDate: p.promisedDate,
      amountMinor: amount,
      status: 'OPEN',
      recordedAtMs: now(),
      paidAtStart: s.paidMinor + s.creditMinor,
      seq: ++s.promiseSeq,
      recordedBy: p.actorId,
      ...(p.note ? { note: p.note } : {}),
    };
    decisions.push(promiseRecord());
    setStage('PROMISE_WAIT', `promise to pay ${money(amount)} by ${p.promisedDate}`, p.actorId);
  };

  const startDispute = async (reasonCode: (typeof DISPUTE_REASONS)[number], note: string, actorId: string) => {
    s.dispute = { reasonCode, note, openedAt: isoInstant(now()), seq: ++s.disputeSeq, openedBy: actorId };
    syncClock();
    decisions.push({
      kind: 'DISPUTE',
      key: `${input.invoiceId}:dispute#${s.dispute.seq}`,
      status: 'OPEN',
      reasonCode,
      note,
      openedBy: actorId,
    });
    entry('DECISION', `dispute opened (${reasonCode}): dunning stopped`, actorId);
    await openTask('REVIEW_DISPUTE', `dispute#${s.dispute.seq}`, addDuration(now(), 'P5D'), note);
  };

  // ---------------------------------------------------------------------------------------------------------
  // Handlers — registered before the first await
  // ---------------------------------------------------------------------------------------------------------

  setHandler(invoiceStateQuery, state);

  setHandler(paymentSignal, (p) => {
    if (refs.has(`pay:${p.reference}`)) return;
    if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0) {
      log.warn('ignoring a payment with an invalid amount', { reference: p.reference });
      return;
    }
    refs.add(`pay:${p.reference}`);
    s.references.push(`pay:${p.reference}`);
    if (closed()) {
      // Money after closing (e.g. after a write-off) is recorded but changes nothing here.
      entry('PAYMENT', `payment ${p.reference} of ${money(p.amountMinor)} received after closing`);
      wake++;
      return;
    }
    s.paidMinor += p.amountMinor;
    applyMoney(p.amountMinor);
    entry('PAYMENT', `payment ${p.reference} of ${money(p.amountMinor)} received (${p.paidOn})`);
    settleIfCovered('PAID', `paid in full (last payment ${p.reference})`);
    wake++;
  });

  setHandler(invoiceAdjustedSignal, (a) => {
    if (refs.has(`adj:${a.reference}`) || closed()) return;
    refs.add(`adj:${a.reference}`);
    s.references.push(`adj:${a.reference}`);
    if (a.kind === 'CANCEL') {
      closeAs('CANCELLED', `invoice cancelled by the ERP (${a.reference})`);
    } else if (a.kind === 'CREDIT_NOTE' && Number.isSafeInteger(a.amountMinor) && a.amountMinor! > 0) {
      s.creditMinor += a.amountMinor!;
      applyMoney(a.amountMinor!);
      entry('ADJUSTMENT', `credit note ${a.reference} of ${money(a.amountMinor!)}`);
      settleIfCovered('SETTLED', `settled by credit note ${a.reference}`);
    } else if (a.kind === 'AMOUNT_CHANGE' && Number.isSafeInteger(a.amountMinor) && a.amountMinor! >= 0) {
      const delta = a.amountMinor! - s.amountMinor;
      s.amountMinor = a.amountMinor!;
      s.balanceMinor += delta;
      entry('ADJUSTMENT', `amount changed to ${money(a.amountMinor!)} (${a.reference})`);
      settleIfCovered(s.paidMinor > 0 ? 'PAID' : 'SETTLED', `nothing left due after amount change ${a.reference}`);
    } else {
      log.warn('ignoring an invalid adjustment', { reference: a.reference, kind: a.kind });
    }
    wake++;
  });

  setHandler(policyChangedSignal, ({ policy, reroute }) => {
    if (reroute && policy.segment !== s.policy.segment) switchTrack(policy, reroute);
    else adoptPolicy(policy, 'signal');
    wake++;
  });

  setHandler(contactOutcomeSignal, (o) => {
    if (o.status === 'SKIPPED') s.fixContactRequested = s.fixContactRequested || !closed();
    s.history.push({
      at: o.at,
      kind: 'CONTACT',
      stage: s.stage,
      summary: `${o.status} ${o.idempotencyKey}${o.invoiceIds.length > 1 ? ` (with ${o.invoiceIds.length - 1} more)` : ''}`,
    });
    if (s.history.length > HISTORY_KEPT) s.history.splice(0, s.history.length - HISTORY_KEPT);
    wake++;
  });

  setHandler(callStatusSignal, (c) => {
    // A call or SMS that could not be placed at all points at a wrong number: a collector fixes the contact.
    if (c.status === 'FAILED') s.fixContactRequested = s.fixContactRequested || !closed();
    const took = c.durationSeconds ? ` (${c.durationSeconds} s)` : '';
    s.history.push({ at: c.at, kind: 'CONTACT', stage: s.stage, summary: `${c.channel} ${c.status}${took}` });
    if (s.history.length > HISTORY_KEPT) s.history.splice(0, s.history.length - HISTORY_KEPT);
    wake++;
  });

  setHandler(
    recordPromiseUpdate,
    async (p) => {
      recordPromise(p);
      wake++;
      await flush();
      return state();
    },
    {
      validator: (p) => {
        requireOpen();
        requireActor(p);
        validatePromise(p);
      },
    },
  );

  setHandler(
    openDisputeUpdate,
    async (d) => {
      await startDispute(d.reasonCode, d.note, d.actorId);
      wake++;
      await flush();
      return state();
    },
    {
      validator: (d) => {
        requireOpen();
        requireActor(d);
        validateDispute(d);
      },
    },
  );

  setHandler(
    resolveDisputeUpdate,
    async (r) => {
      const d = s.dispute!;
      s.dispute = null;
      decisions.push({
        kind: 'DISPUTE',
        key: `${input.invoiceId}:dispute#${d.seq}`,
        status: r.outcome,
        reasonCode: d.reasonCode,
        note: d.note,
        openedBy: d.openedBy,
        resolvedBy: r.actorId,
        resolution: {
          outcome: r.outcome,
          ...(r.newBalanceMinor !== undefined ? { newBalanceMinor: r.newBalanceMinor } : {}),
          ...(r.note ? { note: r.note } : {}),
        },
      });
      const closing = closeTaskWhere((t) => t.purpose === `dispute#${d.seq}`, { outcome: r.outcome });
      if (r.outcome === 'ACCEPTED') {
        // Accepted in full: a credit note for what is left; nothing was ever paid → the invoice is void.
        const left = s.balanceMinor;
        s.creditMinor += left;
        s.balanceMinor = 0;
        closeAs(
          s.paidMinor > 0 ? 'SETTLED' : 'CANCELLED',
          `dispute accepted: credit note of ${money(left)}${r.note ? ` (${r.note})` : ''}`,
          r.actorId,
        );
      } else if (r.outcome === 'PARTIAL') {
        const credit = s.balanceMinor - r.newBalanceMinor!;
        s.creditMinor += credit;
        s.balanceMinor = r.newBalanceMinor!;
        syncClock();
        entry('DECISION', `dispute partially accepted: credit note of ${money(credit)}, dunning resumes`, r.actorId);
        settleIfCovered('SETTLED', 'settled by the dispute resolution', r.actorId);
      } else {
        syncClock();
        entry('DECISION', 'dispute rejected: dunning resumes', r.actorId);
      }
      await closing;
      wake++;
      await flush();
      return state();
    },
    {
      validator: (r) => {
        requireOpen();
        requireActor(r);
        if (!s.dispute) reject('no dispute is open on this invoice');
        if (!['REJECTED', 'ACCEPTED', 'PARTIAL'].includes(r.outcome)) {
          reject('outcome must be REJECTED, ACCEPTED or PARTIAL');
        }
        if (r.outcome === 'PARTIAL') {
          requireAmount(r.newBalanceMinor, 'newBalanceMinor', true);
          if (r.newBalanceMinor! >= s.balanceMinor) {
            reject(`newBalanceMinor must be below the current balance ${s.balanceMinor}`);
          }
        }
      },
    },
  );

  setHandler(
    proposePlanUpdate,
    async (p) => {
      if (s.promise?.status === 'OPEN') {
        decisions.push({ ...promiseRecord(), status: 'CANCELLED' });
        s.promise = null;
      }
      s.plan = {
        instalments: p.instalments.map((i) => ({
          dueDate: i.dueDate,
          amountMinor: i.amountMinor,
          paidMinor: 0,
          status: 'PENDING' as const,
        })),
        status: 'ACTIVE',
        seq: ++s.planSeq,
        proposedBy: p.actorId,
      };
      decisions.push(planRecord());
      setStage('REPAYMENT_PLAN', `repayment plan of ${p.instalments.length} instalments agreed`, p.actorId);
      wake++;
      await flush();
      return state();
    },
    {
      validator: (p) => {
        requireOpen();
        requireActor(p);
        validatePlan(p);
      },
    },
  );

  setHandler(
    completeTaskUpdate,
    async (c) => {
      const task = s.tasks.find((t) => t.taskId === c.taskId)!;
      s.tasks = s.tasks.filter((t) => t !== task);
      const closing = db.closeTask({
        taskId: task.taskId,
        status: 'DONE',
        outcome: { outcome: c.outcome, reasonCode: c.reasonCode, note: c.note },
      });
      const isCall = s.call?.taskId === c.taskId;
      if (isCall) s.call!.outcome = c.outcome;
      entry(
        'TASK',
        `${task.kind} done: ${c.outcome}${c.reasonCode ? ` (${c.reasonCode})` : ''}${c.note ? ` — ${c.note}` : ''}`,
        c.actorId,
      );
      if (c.outcome === 'PROMISE') {
        recordPromise({ ...c.promise!, actorId: c.actorId, note: c.note });
      } else if (c.outcome === 'DISPUTE') {
        await startDispute(c.dispute!.reasonCode, c.dispute!.note, c.actorId);
      } else if (c.outcome === 'CALLBACK') {
        const callbackAt = parseInstant(c.callbackAt!);
        const callback = await openTask('CALLBACK', `callback@${c.callbackAt}`, callbackAt, c.note);
        if (isCall) {
          // The call stays open on the callback task; its outcome deadline counts from the callback time.
          s.call = { taskId: callback.taskId, firedAtMs: callbackAt, outcome: null, escalated: false };
        }
      } else if (c.outcome === 'WRONG_NUMBER') {
        await openTask('FIX_CONTACT', `wrong-number@${now()}`, addDuration(now(), 'P2D'), c.note);
      }
      await closing;
      wake++;
      await flush();
      return state();
    },
    {
      validator: (c) => {
        requireOpen();
        requireActor(c);
        if (!s.tasks.some((t) => t.taskId === c.taskId)) reject(`task ${c.taskId} is not open on this invoice`);
        if (!(CALL_OUTCOMES as readonly string[]).includes(c.outcome)) {
          reject(`outcome must be one of ${CALL_OUTCOMES.join(', ')}`);
        }
        if (c.reasonCode !== undefined && !(NON_PAYMENT_REASONS as readonly string[]).includes(c.reasonCode)) {
          reject(`reasonCode must be one of ${NON_PAYMENT_REASONS.join(', ')}`);
        }
        if (c.outcome === 'PROMISE') {
          if (!c.promise) reject('outcome PROMISE needs promise { promisedDate, amountMinor? }');
          validatePromise(c.promise!);
        }
        if (c.outcome === 'DISPUTE') {
          if (!c.dispute) reject('outcome DISPUTE needs dispute { reasonCode, note }');
          validateDispute(c.dispute!);
        }
        if (c.outcome === 'CALLBACK') {
          let at = NaN;
          try {
            at = parseInstant(c.callbackAt ?? '');
          } catch {
            reject('outcome CALLBACK needs callbackAt, an ISO instant');
          }
          if (at <= now()) reject(`callbackAt ${c.callbackAt} is in the past`);
        }
      },
    },
  );

  setHandler(
    approveLegalUpdate,
    async (a) => {
      s.legal.pendingApproval = false;
      s.legal.approved = true;
      s.legal.open = true;
      const closing = closeTaskWhere((t) => t.kind === 'APPROVE_LEGAL', { approved: true, note: a.note });
      decisions.push(legalRecord('OPEN'));
      entry('DECISION', `legal action approved${a.note ? `: ${a.note}` : ''}`, a.actorId);
      await closing;
      wake++;
      await flush();
      return state();
    },
    {
      validator: (a) => {
        requireOpen();
        requireActor(a);
        requireManager(a, 'approving legal action');
        if (!s.legal.pendingApproval) reject('no legal approval is pending on this invoice');
      },
    },
  );

  setHandler(
    declineLegalUpdate,
    async (d) => {
      s.legal.pendingApproval = false;
      s.legal.declined = true;
      const closing = closeTaskWhere((t) => t.kind === 'APPROVE_LEGAL', { approved: false, note: d.note });
      decisions.push(legalRecord('DECLINED'));
      if (d.writeOff === false) {
        // Dunning goes back to the last stage before LEGAL; no further automatic step remains.
        setStage(s.dunningStage === 'LEGAL' ? s.priorDunningStage : s.dunningStage, 'legal action declined', d.actorId);
      } else {
        closeAs('WRITTEN_OFF', `legal action declined: written off${d.note ? ` (${d.note})` : ''}`, d.actorId);
      }
      await closing;
      wake++;
      await flush();
      return state();
    },
    {
      validator: (d) => {
        requireOpen();
        requireActor(d);
        requireManager(d, 'declining legal action');
        if (!s.legal.pendingApproval) reject('no legal approval is pending on this invoice');
      },
    },
  );

  setHandler(
    recordLegalEventUpdate,
    async (e) => {
      s.legal.costsMinor += e.costMinor;
      const recovered = e.recoveredMinor ?? 0;
      s.legal.recoveredMinor += recovered;
      const eventKey = `${s.legal.costsMinor}:${s.legal.recoveredMinor}:${s.history.length}:${e.step}:${e.date}`;
      decisions.push(
        legalRecord(e.step === 'CLOSED' ? 'CLOSED' : 'OPEN', {
          eventKey,
          step: e.step,
          date: e.date,
          costMinor: e.costMinor,
          recoveredMinor: recovered,
          actorId: e.actorId,
          ...(e.lawyer ? { lawyer: e.lawyer } : {}),
          ...(e.note ? { note: e.note } : {}),
        }),
      );
      entry('DECISION', `legal ${e.step} on ${e.date}: cost ${e.costMinor}, recovered ${recovered}`, e.actorId);
      if (recovered > 0) {
        s.paidMinor += recovered;
        applyMoney(recovered);
      }
      if (s.balanceMinor <= 0) {
        closeAs(e.step === 'CLOSED' ? 'LEGAL_CLOSED' : 'PAID', 'recovered in full through legal action', e.actorId);
      } else if (e.step === 'CLOSED') {
        closeAs('LEGAL_CLOSED', `legal case closed with ${money(s.balanceMinor)} unrecovered`, e.actorId);
      } else {
        upsertProgress();
      }
      wake++;
      await flush();
      return state();
    },
    {
      validator: (e) => {
        requireOpen();
        requireActor(e);
        if (!s.legal.open) reject('no legal case is open on this invoice');
        if (!(LEGAL_STEPS as readonly string[]).includes(e.step))
          reject(`step must be one of ${LEGAL_STEPS.join(', ')}`);
        if (typeof e.date !== 'string' || !isIsoDate(e.date)) reject('date must be an ISO date (YYYY-MM-DD)');
        requireAmount(e.costMinor, 'costMinor', true);
        if (e.recoveredMinor !== undefined) requireAmount(e.recoveredMinor, 'recoveredMinor', true);
      },
    },
  );

  setHandler(
    pauseUpdate,
    async (p) => {
      s.paused = { since: isoInstant(now()), until: p.until ?? null, reason: p.reason };
      syncClock();
      entry('DECISION', `paused${p.until ? ` until ${p.until}` : ''}: ${p.reason}`, p.actorId);
      wake++;
      await flush();
      return state();
    },
    {
      validator: (p) => {
        requireOpen();
        requireActor(p);
        if (s.paused) reject('dunning is already paused');
        if (typeof p.reason !== 'string' || p.reason.trim().length === 0) reject('reason is required to pause');
        if (p.until !== undefined) {
          let until = NaN;
          try {
            until = parseInstant(p.until);
          } catch {
            reject('until must be an ISO instant or date');
          }
          if (until <= now()) reject(`until ${p.until} is in the past`);
        }
      },
    },
  );

  setHandler(
    resumeUpdate,
    async (a) => {
      resume(a.actorId, 'resumed');
      wake++;
      await flush();
      return state();
    },
    {
      validator: (a) => {
        requireOpen();
        requireActor(a);
        if (!s.paused) reject('dunning is not paused');
      },
    },
  );

  setHandler(
    writeOffUpdate,
    async (w) => {
      closeAs('WRITTEN_OFF', `written off: ${w.reason}`, w.actorId);
      wake++;
      await flush();
      return state();
    },
    {
      validator: (w) => {
        requireOpen();
        requireActor(w);
        requireManager(w, 'writing off');
        if (typeof w.reason !== 'string' || w.reason.trim().length === 0) reject('reason is required to write off');
      },
    },
  );

  // ---------------------------------------------------------------------------------------------------------
  // Main-loop pieces
  // ---------------------------------------------------------------------------------------------------------

  function resume(actorId: string | undefined, summary: string): void {
    s.paused = null;
    syncClock();
    entry('DECISION', summary, actorId);
  }

  function validOffsets(policy: DunningPolicy): boolean {
    try {
      policy.steps.forEach((st) => parseDuration(st.offset));
      return true;
    } catch (err) {
      log.warn('ignoring a policy with an invalid offset', { version: policy.version, error: String(err) });
      return false;
    }
  }

  function adoptPolicy(policy: DunningPolicy, via: string): void {
    if (policy.segment !== s.policy.segment || policy.version <= s.policy.version) return;
    if (!validOffsets(policy)) return;
    const from = s.policy.version;
    s.policy = policy;
    s.stepIndex = realignStepIndex(policy, s.lastFired);
    entry('POLICY', `policy ${policy.segment} v${from} → v${policy.version} (${via}): pending deadline recomputed`);
  }

  /** The customer's rating moved this invoice to another policy key: later updates come from that key. */
  function switchTrack(policy: DunningPolicy, reroute: { rating: string; reason: string }): void {
    if (closed() || !validOffsets(policy)) return;
    const from = `${s.policy.segment} v${s.policy.version}`;
    s.policy = policy;
    s.stepIndex = realignStepIndex(policy, s.lastFired);
    entry(
      'POLICY',
      `rating ${reroute.rating} (${reroute.reason}): policy ${from} → ${policy.segment} v${policy.version}, pending deadline recomputed`,
    );
  }

  let flushing: Promise<void> = Promise.resolve();
  /** A flushed batch recorded something the customer's rating depends on (payment, promise, dispute, closing). */
  let ratingDue = false;

  /**
   * Recomputes the customer's rating once for everything flushed since the last time. Run by the main loop, not in
   * flush(): an update handler (a collector recording a promise) must not wait for it.
   */
  async function refreshRating(): Promise<void> {
    if (!ratingDue) return;
    ratingDue = false;
    if (!patched(RATING_ON_EVENTS)) return;
    try {
      await ratings.recomputeCustomerRating({ customerId: input.customerId });
    } catch (err) {
      log.warn('rating not recomputed; the nightly run will', { error: String(err) });
    }
  }
  /**
   * Writes the records queued so far as one batch (batches in order) — from the loop and from update handlers.
   * One batch per call: a steady stream of messages must not keep the loop from checking for continue-as-new.
   */
  async function flush(): Promise<void> {
    const run = flushing.then(async () => {
      const records = pending.splice(0, pending.length);
      const recs = decisions.splice(0, decisions.length);
      if (records.length === 0 && recs.length === 0) return;
      const at = isoInstant(now());
      await Promise.all([
        ...records.map((r) => db.recordTransition(r)),
        ...recs.map((record) =>
          db.recordDecision({ invoiceId: input.invoiceId, customerId: input.customerId, at, record }),
        ),
      ]);
      if (
        records.some((r) => r.entry.kind === 'PAYMENT' || (r.entry.kind === 'STAGE' && isTerminal(r.stage))) ||
        recs.some((r) => r.kind === 'PROMISE' || r.kind === 'DISPUTE')
      )
        ratingDue = true;
    });
    flushing = run.catch(() => undefined);
    return run;
  }

  const askCustomer = (message: Parameters<SegugioActivities['signalCustomerWorkflow']>[0]['message']) =>
    temporal.signalCustomerWorkflow({ customerId: input.customerId, message });

  async function sendStepContacts(step: PolicyStep, ordinal: number): Promise<void> {
    const channels = step.channels.filter((c) => c !== 'TASK');
    await Promise.all(
      channels.map((channel) =>
        askCustomer({
          type: 'contact',
          requestKey: `${input.invoiceId}:${step.stage}#${ordinal}:${channel}`,
          invoiceId: input.invoiceId,
          stage: step.stage,
          channel,
          template: step.template,
          ...(step.attachLetter ? { attachLetter: true } : {}),
          contactBudget: s.policy.settings.contactBudget,
          consolidationWindow: s.policy.settings.consolidationWindow,
        }),
      ),
    );
  }

  async function fireStep(reason: string): Promise<void> {
    const step = currentStep()!;
    if (step.stage === 'PRE_DUE' && now() >= overdueAtMs) {
      // A courtesy notice "your invoice falls due soon" makes no sense once it is overdue (an invoice imported
      // late): skipped, and the first dunning step keeps counting from the overdue moment.
      s.stepIndex++;
      entry('DECISION', `PRE_DUE (${step.template}) skipped: the invoice is already overdue`);
      return;
    }
    s.stepIndex++;
    const ordinal = ++s.firedSteps;
    // Which occurrence of its stage this step is in the policy (the 2nd REMINDER): realignStepIndex uses it.
    const occurrence = s.policy.steps.slice(0, s.stepIndex).filter((x) => x.stage === step.stage).length;
    s.lastFired = { stage: step.stage, occurrence };
    s.anchorMs = now();
    s.clockShiftMs = 0;
    s.call = null;
    if (step.minBalanceMinor !== undefined && s.balanceMinor < step.minBalanceMinor) {
      entry('DECISION', `${step.stage} (${step.template}) skipped: balance below ${step.minBalanceMinor}`);
      return;
    }
    switch (step.stage) {
      case 'CALL': {
        const deadline = addDuration(now(), s.policy.settings.callOutcomeDeadline);
        const task = await openTask('CALL', `call#${ordinal}`, deadline);
        s.call = { taskId: task.taskId, firedAtMs: now(), outcome: null, escalated: false };
        break;
      }
      case 'ORDER_BLOCK':
        if (!s.blockRequested) {
          s.blockRequested = true;
          await askCustomer({ type: 'block', invoiceId: input.invoiceId, reason: `invoice ${input.invoiceNumber}` });
        }
        break;
      case 'LEGAL':
        if (step.requiresApproval) {
          s.legal.pendingApproval = true;
          await openTask('APPROVE_LEGAL', `legal#${ordinal}`, addDuration(now(), 'P5D'));
          decisions.push(legalRecord('PENDING_APPROVAL'));
        } else {
          s.legal.approved = true;
          s.legal.open = true;
          decisions.push(legalRecord('OPEN'));
        }
        break;
      default:
        break;
    }
    if (closed()) return;
    await sendStepContacts(step, ordinal);
    setStage(step.stage, `${step.stage} (${step.template}) — ${reason}`);
    // A stage boundary: the policy version current now decides the next deadline.
    await refreshPolicy();
  }

  /** Fires the next policy step at once (broken promise, unanswered call); `atLeast` skips earlier stages. */
  async function escalate(reason: string, atLeast?: PolicyStageKind): Promise<void> {
    if (atLeast) {
      while (currentStep() && STAGE_RANK[currentStep()!.stage] < STAGE_RANK[atLeast]) s.stepIndex++;
    }
    if (currentStep()) {
      await fireStep(`escalated: ${reason}`);
    } else {
      setStage(s.dunningStage, `${reason}; no further policy step`);
    }
  }

  /** Checks the policy at a stage boundary; a newer version than the one held is adopted. */
  async function refreshPolicy(): Promise<void> {
    const latest = await db.loadPolicy({ segment: s.policy.segment });
    adoptPolicy(latest, 'stage boundary');
  }

  interface Action {
    kind: string;
    atMs: number | null;
    run?: () => Promise<void>;
  }

  function nextAction(): Action {
    if (s.paused) {
      const until = s.paused.until ? parseInstant(s.paused.until) : null;
      return { kind: 'RESUME', atMs: until, run: async () => resume(undefined, 'pause ended') };
    }
    if (s.dispute) return { kind: 'DISPUTE_REVIEW', atMs: null };
    if (s.promise?.status === 'OPEN') {
      const promise = s.promise;
      const paidSince = s.paidMinor + s.creditMinor - promise.paidAtStart;
      if (paidSince >= promise.amountMinor) {
        return {
          kind: 'PROMISE_KEPT',
          atMs: now(),
          run: async () => {
            promise.status = 'KEPT';
            decisions.push(promiseRecord());
            s.anchorMs = now();
            s.clockShiftMs = 0;
            setStage(
              s.dunningStage,
              `promise kept (${money(paidSince)} paid); dunning continues for ${money(s.balanceMinor)}`,
            );
          },
        };
      }
      return {
        kind: 'PROMISE_CHECK',
        atMs: addDuration(endOfDate(promise.promisedDate), s.policy.settings.promiseGrace),
        run: async () => {
          promise.status = 'BROKEN';
          decisions.push(promiseRecord());
          entry(
            'DECISION',
            `promise of ${money(promise.amountMinor)} by ${promise.promisedDate} broken (${money(paidSince)} paid)`,
          );
          await escalate('promise broken');
        },
      };
    }
    if (s.plan?.status === 'ACTIVE') {
      const plan = s.plan;
      const inst = plan.instalments.find((i) => i.status === 'PENDING');
      if (inst) {
        return {
          kind: 'INSTALMENT_CHECK',
          atMs: addDuration(endOfDate(inst.dueDate), s.policy.settings.planGrace),
          run: async () => {
            inst.status = 'MISSED';
            plan.status = 'DEFAULTED';
            decisions.push(planRecord());
            entry(
              'DECISION',
              `instalment of ${inst.dueDate} missed: plan defaulted, ${money(s.balanceMinor)} due at once`,
            );
            await escalate('repayment plan defaulted', 'ORDER_BLOCK');
          },
        };
      }
    }
    if (s.legal.pendingApproval) return { kind: 'LEGAL_APPROVAL', atMs: null };
    if (s.legal.open) return { kind: 'LEGAL_CASE', atMs: null };
    if (s.fixContactRequested && !s.tasks.some((t) => t.purpose === 'fix-contact')) {
      return {
        kind: 'FIX_CONTACT',
        atMs: now(),
        run: async () => {
          await openTask('FIX_CONTACT', 'fix-contact', addDuration(now(), 'P2D'), 'no address for a channel');
        },
      };
    }
    const stepAt = stepDeadlineMs();
    const step = currentStep();
    if (s.call && s.call.outcome === null && !s.call.escalated) {
      const call = s.call;
      const callAt = addDuration(call.firedAtMs, s.policy.settings.callOutcomeDeadline);
      if (stepAt === null || callAt < stepAt) {
        return {
          kind: 'CALL_OUTCOME',
          atMs: callAt,
          run: async () => {
            call.escalated = true;
            entry('DECISION', 'no call outcome by the deadline');
            if (currentStep()) await escalate('no call outcome');
          },
        };
      }
    }
    if (step && stepAt !== null) {
      return { kind: step.stage, atMs: stepAt, run: () => fireStep('on schedule') };
    }
    return { kind: 'AWAIT_PAYMENT', atMs: null };
  }

  /** The next automatic action as the query and the records show it (none once closed). */
  function next(): { kind: string; atMs: number | null } | null {
    if (closed()) return null;
    const { kind, atMs } = nextAction();
    return { kind, atMs };
  }

  const mustContinueAsNew = (): boolean => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (input.continueAsNewAtHistoryLength !== undefined && info.historyLength >= input.continueAsNewAtHistoryLength)
    );
  };

  // ---------------------------------------------------------------------------------------------------------
  // Main loop
  // ---------------------------------------------------------------------------------------------------------

  if (!input.carry) {
    const existing = workflowInfo().typedSearchAttributes;
    if (existing.get(SA.customerId) === undefined) {
      // Started without search attributes (tests, the CLI): set the static ones once.
      upsertSearchAttributes([
        { key: SA.customerId, value: input.customerId },
        { key: SA.segment, value: input.segment },
        { key: SA.currency, value: input.currency },
        { key: SA.dueDate, value: new Date(parseIsoDate(input.dueDate)) },
        ...(input.area ? [{ key: SA.area, value: input.area }] : []),
        ...(input.collectorId ? [{ key: SA.collector, value: input.collectorId }] : []),
      ]);
    }
    upsertProgress();
    entry('STAGE', `collection started under policy ${s.policy.segment} v${s.policy.version}`);
  }

  while (!closed()) {
    await flush();
    await refreshRating();
    if (closed()) break;
    if (mustContinueAsNew()) {
      await condition(allHandlersFinished);
      while (pending.length || decisions.length) await flush();
      if (!closed()) {
        s.continuedRuns++;
        log.info('continuing as new', { historyLength: workflowInfo().historyLength });
        const { carry: _old, ...rest } = input;
        return continueAsNew<typeof invoiceWorkflow>({ ...rest, policy: s.policy, carry: s });
      }
      break;
    }
    const action = nextAction();
    const seen = wake;
    let due: boolean;
    if (action.atMs === null) {
      // Nothing scheduled: only a message can move the invoice on (condition without timeout returns void).
      await condition(() => wake !== seen);
      due = false;
    } else {
      due = action.atMs <= now() || !(await condition(() => wake !== seen, action.atMs - now()));
    }
    if (due && action.run) await action.run();
  }

  // Closed: release the customer's order block, cancel what humans no longer need to do, tell the ERP.
  await flush();
  await Promise.all([
    ...(s.blockRequested
      ? [askCustomer({ type: 'release', invoiceId: input.invoiceId, reason: `invoice ${s.stage}` })]
      : []),
    ...s.tasks.map((t) => db.closeTask({ taskId: t.taskId, status: 'CANCELLED', outcome: { closedAs: s.stage } })),
    erp.erpPostInvoiceStatus({
      idempotencyKey: `${input.invoiceId}:${s.stage}:status`,
      customerId: input.customerId,
      invoiceId: input.invoiceId,
      stage: s.stage,
      balanceMinor: s.balanceMinor,
    }),
  ]);
  s.tasks = [];
  await condition(allHandlersFinished);
  while (pending.length || decisions.length) await flush();
  await refreshRating();
  log.info('invoice closed', {
    invoiceId: input.invoiceId,
    workflowId: invoiceWorkflowId(input.invoiceId),
    stage: s.stage,
  });
  return state();
}
