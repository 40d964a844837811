/**
 * The invoice collection workflow: one per open invoice (`invoice-<invoiceId>`), from creation to a terminal stage.
 * What the invoice *is* and how each message changes it lives in ./state.ts and ./validate.ts (pure, unit-tested);
 * this file only waits, calls activities and wires messages to those functions.
 *
 * Shape: handlers (registered before the first await) change the state and bump `wake`; one main loop flushes the
 * records they queued, asks `nextAction` for the single next automatic action (resume a pause, judge a promise or an
 * instalment, escalate an unanswered call, fire the next policy step) and races its deadline against `wake` with
 * `condition(predicate, timeout)` — any message recomputes the pending deadline, which is how a policy change moves a
 * running timer. Closed: release the order block, cancel open tasks, tell the ERP. docs/workflow.md has the details.
 *
 * Versioning: this code is replayed against every running history. A change that alters the commands an existing
 * history produced must be guarded: `if (patched('change-id')) { new } else { old }`, later `deprecatePatch`, then
 * removal once no history predating it runs. test/histories/<release>/*.json are replayed in CI to catch the rest.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions, LocalActivityOptions, UpdateDefinition } from '@temporalio/common';
import type { ReportActivities } from '../../activities/reports';
import type { SegugioActivities } from '../../activities/types';
import { addDuration, isoInstant, parseIsoDate } from '../../domain/duration';
import { endOfLocalDay } from '../../domain/calendar';
import { toMajor } from '../../domain/money';
import { invoiceCurrentDetails, timerSummary } from '../../domain/operator-text';
import {
  DECISION_REJECTED,
  type InvoiceState,
  type InvoiceWorkflowInput,
  type PolicyStageKind,
  SA,
  type TaskView,
  approveLegalUpdate,
  callStatusSignal,
  chooseEntryUpdate,
  collectorChangedSignal,
  completeTaskUpdate,
  contactOutcomeSignal,
  declineLegalUpdate,
  noticeReceiptSignal,
  invoiceAdjustedSignal,
  invoiceStateQuery,
  initialSearchAttributes,
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
  sendReminderUpdate,
  writeOffUpdate,
} from '../contract';
import { Rejection } from './rejections';
import * as S from './state';
import * as V from './validate';

// Activity option profiles. Database writes are quick and retried for long; contacts talk to providers (slower,
// backed off harder); the customer signal goes through the Temporal frontend.
const DB: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
const ERP: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
};
const TEMPORAL: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
const db = proxyActivities<SegugioActivities>(DB);
/**
 * The mirror writes (recordTransition, recordDecision) as local activities (patch mirror-by-local-activity): they run
 * inside the workflow task that queued them, so a decision's update answers after one workflow task instead of an
 * activity task through the matching service and a second workflow task. They are idempotent (guarded by the mirror
 * sequence, keyed decisions) as a local activity needs: one can run again when its workflow task is retried. Past
 * `localRetryThreshold` a retry waits on a workflow timer, so a long database outage does not hold a workflow task.
 */
const LOCAL_DB: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: DB.retry,
};
const localDb = proxyLocalActivities<SegugioActivities>(LOCAL_DB);
/**
 * A profile's activities with a summary the Temporal UI shows on the scheduled event ("open CALL task",
 * "ask customer workflow: REMINDER reminder-2 by EMAIL"). The summary is user metadata on the command: replay does
 * not compare it, so histories recorded without summaries replay unchanged (test/workflow/replay.test.ts).
 */
const named = (profile: ActivityOptions, summary: string) =>
  proxyActivities<SegugioActivities>({ ...profile, summary });
// The rating follows payments, promises and disputes; a failing recomputation must never hold up collection (the
// nightly run catches up), so it gives up after a few tries.
const RATINGS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
};

/** Patch ids, oldest first (docs/workflow.md, "Versioning"). */
export const PATCHES = {
  /** Recompute the customer's rating after a batch that recorded a payment, promise, dispute or closing. */
  ratingOnEvents: 'rating-on-events',
  /** A pause or dispute accepted while a step awaited an activity withholds that step's contacts. */
  haltStopsStepContacts: 'halt-stops-step-contacts',
  /** Legal events are keyed by a sequence instead of totals and the capped timeline length. */
  legalEventSeq: 'legal-event-seq',
  /** A non-retryable ERP refusal of the closing status is recorded and handed to a person; the workflow completes. */
  erpRefusalOnClose: 'erp-refusal-on-close',
  /** A formal notice by PEC or letter: LEGAL waits for the term counted from the proof of receipt plus a buffer. */
  noticeTermFromReceipt: 'notice-term-from-receipt',
  /** `Balance` in the currency's own major units (JPY ÷ 1, KWD ÷ 1000) instead of ÷ 100. */
  saCurrencyDigits: 'sa-currency-digits',
  /** Started without search attributes: the contract's `initialSearchAttributes`; `InvoiceNumber` when missing. */
  searchAttributesFromContract: 'search-attributes-from-contract',
  /** An open CALL (or its CALLBACK) task is cancelled when a dispute opens and when LEGAL fires. */
  callTaskEndsOnDisputeOrLegal: 'call-task-ends-on-dispute-or-legal',
  /** An accepted dispute or pause withdraws this invoice's contacts still queued in the customer workflow. */
  haltWithdrawsQueuedContacts: 'halt-withdraws-queued-contacts',
  /** The formal notice's term skips the local holidays of the input's calendar (SEGUGIO_EXTRA_HOLIDAYS). */
  noticeCalendarFromInput: 'notice-calendar-from-input',
  /**
   * A message that arrives while the loop writes its records (a payment signalled during recordTransition) wakes the
   * loop's next wait at once. Before, the loop took its wake mark after the write: such a message was applied but its
   * records stayed unwritten (the mirror showing the old balance) until the next timer, days later.
   */
  messagesDuringFlush: 'messages-during-flush',
  /** The mirror writes run as local activities: a decision answers after one workflow task (issue 14's round trip). */
  mirrorByLocalActivity: 'mirror-by-local-activity',
  /**
   * An invoice already overdue when its workflow starts enters the cadence where the policy's entry band for its age
   * says (`settings.entryBands`): the earlier steps are skipped and never sent, or a TRIAGE task asks a person.
   */
  overdueEntryBands: 'overdue-entry-bands',
  /**
   * The TRIAGE task of an overdue entry band is due at the end of the day it is opened (23:59 in the policy's time
   * zone) instead of at the instant it is opened, which the agenda showed as late ("scaduta") from its first second.
   */
  triageDueEndOfDay: 'triage-due-end-of-day',
  /**
   * `sendReminder`: a person sends the current reminder now (the policy clock does not move). Checked in the handler,
   * not at the run's start, so that workflows running since before it get the update too.
   */
  reminderNow: 'reminder-now',
  /**
   * `collectorChanged`: a reassignment reaches the running workflow (its new tasks, its open tasks, the Collector
   * search attribute). Checked in the handler, like reminderNow.
   */
  collectorFollowsReassign: 'collector-follows-reassign',
} as const;

/** Follows one invoice through its dunning policy until it is paid, settled, written off, closed or cancelled. */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  // The patches of this run, decided once before its first command: a run started before a patch keeps the old
  // behaviour to its end (its history has no marker there), a new run or workflow gets the new one.
  const has = {
    balanceInCurrencyDigits: patched(PATCHES.saCurrencyDigits),
    searchAttributesFromContract: patched(PATCHES.searchAttributesFromContract),
    callTaskEnds: patched(PATCHES.callTaskEndsOnDisputeOrLegal),
    withdrawOnHalt: patched(PATCHES.haltWithdrawsQueuedContacts),
    extraHolidaysInTerms: patched(PATCHES.noticeCalendarFromInput),
    messagesDuringFlush: patched(PATCHES.messagesDuringFlush),
    mirrorByLocalActivity: patched(PATCHES.mirrorByLocalActivity),
    overdueEntryBands: patched(PATCHES.overdueEntryBands),
    triageDueEndOfDay: patched(PATCHES.triageDueEndOfDay),
  };
  const mirror = has.mirrorByLocalActivity ? localDb : db;
  const inv = S.createInvoice(input, Date.now(), {
    upsert: (attrs) => upsertSearchAttributes(attrs),
    log: (level, message, attrs) => log[level](message, attrs),
    features: { balanceInCurrencyDigits: has.balanceInCurrencyDigits, extraHolidaysInTerms: has.extraHolidaysInTerms },
  });
  const now = (): number => Date.now();
  /** Bumped by every message: the main loop's wait ends and the next action is recomputed. */
  let wake = 0;
  const { transitions, decisions } = inv.outbox;

  // ---------------------------------------------------------------------------------------------------------
  // Effects: tasks, contacts, the mirror
  // ---------------------------------------------------------------------------------------------------------

  const openTask = async (kind: TaskView['kind'], purpose: string, dueAtMs: number, note?: string) => {
    const { taskId } = await named(DB, `open ${kind} task (${purpose})`).createTask({
      idempotencyKey: `${input.invoiceId}:${kind}:${purpose}`,
      invoiceId: input.invoiceId,
      customerId: input.customerId,
      kind,
      dueAt: isoInstant(dueAtMs),
      assigneeId: S.collectorOf(inv),
      ...(note ? { note } : {}),
    });
    // The collector now, not when the task was asked for: a reassignment heard meanwhile moved the row already.
    const task = { taskId, kind, dueAt: isoInstant(dueAtMs), assigneeId: S.collectorOf(inv), purpose };
    inv.carry.tasks.push(task);
    return task;
  };

  const closeTaskWhere = (pred: (t: (typeof inv.carry.tasks)[number]) => boolean, outcome: unknown) => {
    const done = inv.carry.tasks.filter(pred);
    inv.carry.tasks = inv.carry.tasks.filter((t) => !pred(t));
    return Promise.all(done.map((t) => db.closeTask({ taskId: t.taskId, status: 'DONE', outcome })));
  };

  const askCustomer = (message: Parameters<SegugioActivities['signalCustomerWorkflow']>[0]['message']) =>
    named(
      TEMPORAL,
      message.type === 'contact'
        ? `ask customer workflow: ${message.stage} ${message.template} by ${message.channel}`
        : `ask customer workflow: ${message.type} (invoice ${input.invoiceNumber})`,
    ).signalCustomerWorkflow({ customerId: input.customerId, message });

  /** Cancels the open tasks `pred` picks (a person no longer needs to do them), with why. */
  const cancelTasksWhere = (pred: (t: (typeof inv.carry.tasks)[number]) => boolean, why: string) => {
    const done = inv.carry.tasks.filter(pred);
    inv.carry.tasks = inv.carry.tasks.filter((t) => !pred(t));
    return Promise.all(
      done.map((t) =>
        named(DB, `cancel ${t.kind} task: ${why}`).closeTask({
          taskId: t.taskId,
          status: 'CANCELLED',
          outcome: { cancelledBecause: why },
        }),
      ),
    );
  };

  /**
   * The pending call ends (patch callTaskEndsOnDisputeOrLegal): a collector must not phone a debtor for a disputed
   * amount, nor once the case is with the lawyer. Its CALL and CALLBACK tasks leave the agenda and its outcome
   * deadline no longer escalates anything.
   */
  const endCall = async (why: string): Promise<void> => {
    if (!has.callTaskEnds) return;
    const calls = (t: (typeof inv.carry.tasks)[number]) => t.kind === 'CALL' || t.kind === 'CALLBACK';
    if (!inv.carry.tasks.some(calls)) return;
    inv.carry.call = null;
    S.entry(inv, now(), 'TASK', `open call tasks cancelled: ${why}`);
    await cancelTasksWhere(calls, why);
  };

  /** A dispute or pause was accepted: the customer workflow drops this invoice's contacts still in its queue. */
  const withdrawQueued = async (reason: 'dispute' | 'pause'): Promise<void> => {
    if (!has.withdrawOnHalt || !inv.carry.contactsAsked) return;
    await askCustomer({ type: 'withdraw', invoiceId: input.invoiceId, reason });
  };

  let flushing: Promise<void> = Promise.resolve();
  /** A flushed batch recorded something the customer's rating depends on (payment, promise, dispute, closing). */
  let ratingDue = false;

  /**
   * Writes the records queued so far as one batch (batches in order) — from the loop and from update handlers.
   * One batch per call: a steady stream of messages must not keep the loop from checking for continue-as-new.
   */
  function flush(): Promise<void> {
    const run = flushing.then(async () => {
      const records = transitions.splice(0, transitions.length);
      const recs = decisions.splice(0, decisions.length);
      if (records.length === 0 && recs.length === 0) return;
      const at = isoInstant(now());
      await Promise.all([
        ...records.map((r) => mirror.recordTransition(r)),
        ...recs.map((record) =>
          mirror.recordDecision({ invoiceId: input.invoiceId, customerId: input.customerId, at, record }),
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

  /**
   * Recomputes the customer's rating once for everything flushed since the last time. Run by the main loop, not in
   * flush(): an update handler (a collector recording a promise) must not wait for it.
   */
  async function refreshRating(): Promise<void> {
    if (!ratingDue) return;
    ratingDue = false;
    if (!patched(PATCHES.ratingOnEvents)) return;
    try {
      await proxyActivities<ReportActivities>({
        ...RATINGS,
        summary: 'recompute the customer rating',
      }).recomputeCustomerRating({ customerId: input.customerId });
    } catch (err) {
      log.warn('rating not recomputed; the nightly run will', { error: String(err) });
    }
  }

  async function startDispute(d: Parameters<typeof S.openDispute>[1]): Promise<void> {
    const { purpose } = S.openDispute(inv, d, now());
    await Promise.all([
      openTask('REVIEW_DISPUTE', purpose, addDuration(now(), 'P5D'), d.note),
      withdrawQueued('dispute'),
      endCall('dispute opened'),
    ]);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Handlers — registered before the first await
  // ---------------------------------------------------------------------------------------------------------

  setHandler(invoiceStateQuery, () => S.view(inv, now()));
  // A payment or adjustment seen before (or refused) changes nothing: the loop's wait goes on undisturbed.
  setHandler(paymentSignal, (p) => {
    if (S.applyPayment(inv, p, now())) wake++;
  });
  setHandler(invoiceAdjustedSignal, (a) => {
    if (S.applyAdjustment(inv, a, now())) wake++;
  });
  setHandler(policyChangedSignal, (change) => {
    S.applyPolicyChange(inv, change, now());
    wake++;
  });
  setHandler(contactOutcomeSignal, (o) => {
    S.applyContactOutcome(inv, o);
    wake++;
  });
  setHandler(callStatusSignal, (c) => {
    S.applyCallStatus(inv, c);
    wake++;
  });
  // A receipt passed on twice (a retried signal) changes nothing.
  setHandler(noticeReceiptSignal, (e) => {
    if (S.applyNoticeReceipt(inv, e)) wake++;
  });
  // A reassignment: told once by the API and again by the outbox sweep if need be; an old or repeated one is ignored.
  setHandler(collectorChangedSignal, (change) => {
    if (!patched(PATCHES.collectorFollowsReassign)) return;
    if (S.applyCollectorChange(inv, change, now())) wake++;
  });

  /**
   * Registers a human decision: the validator runs the pure check (a Rejection becomes a DECISION_REJECTED failure
   * with `{ reason, params }` in details[0], nothing recorded in history); the handler runs the same check to get the
   * decision in its checked shape, applies it, writes the records and answers with the state.
   */
  function decide<A, D>(
    update: UpdateDefinition<InvoiceState, [A]>,
    validate: (arg: A) => D,
    apply: (decision: D, arg: A) => void | Promise<void>,
  ): void {
    const check = (arg: A): D => {
      try {
        return validate(arg);
      } catch (err) {
        if (err instanceof Rejection) {
          throw ApplicationFailure.nonRetryable(err.message, DECISION_REJECTED, err.details);
        }
        throw err;
      }
    };
    setHandler(
      update,
      async (arg) => {
        await apply(check(arg), arg);
        wake++;
        await flush();
        return S.view(inv, now());
      },
      { validator: (arg) => void check(arg) },
    );
  }

  decide(
    recordPromiseUpdate,
    (p) => V.validatePromise(inv, p, now()),
    (p) => S.recordPromise(inv, p, now()),
  );
  decide(openDisputeUpdate, (d) => V.validateDispute(inv, d), startDispute);
  decide(
    resolveDisputeUpdate,
    (r) => V.validateResolveDispute(inv, r),
    async ({ dispute, resolution }) => {
      const closing = closeTaskWhere((t) => t.purpose === `dispute#${dispute.seq}`, { outcome: resolution.outcome });
      S.resolveDispute(inv, dispute, resolution, now());
      await closing;
    },
  );
  decide(
    proposePlanUpdate,
    (p) => V.validatePlan(inv, p, now()),
    (p) => S.agreePlan(inv, p, now()),
  );
  decide(
    completeTaskUpdate,
    (c) => V.validateCompleteTask(inv, c, now()),
    async (d) => {
      const { task, isCall } = S.completeTask(inv, d, now());
      const outcome = { outcome: d.outcome, reasonCode: d.reasonCode, note: d.note };
      const closing = db.closeTask({ taskId: task.taskId, status: 'DONE', outcome });
      if (d.outcome === 'PROMISE') {
        S.recordPromise(inv, { ...d.promise, actorId: d.actorId, note: d.note }, now());
      } else if (d.outcome === 'DISPUTE') {
        await startDispute({ ...d.dispute, actorId: d.actorId });
      } else if (d.outcome === 'CALLBACK') {
        const callback = await openTask('CALLBACK', `callback@${d.callbackAt}`, d.callbackAtMs, d.note);
        // The call stays open on the callback task; its outcome deadline counts from the callback time.
        if (isCall) S.moveCallToCallback(inv, callback.taskId, d.callbackAtMs);
      } else if (d.outcome === 'WRONG_NUMBER') {
        await openTask('FIX_CONTACT', `wrong-number@${now()}`, addDuration(now(), 'P2D'), d.note);
      }
      await closing;
    },
  );
  decide(
    approveLegalUpdate,
    (a) => V.validateApproveLegal(inv, a),
    async (a) => {
      const closing = closeTaskWhere((t) => t.kind === 'APPROVE_LEGAL', { approved: true, note: a.note });
      S.approveLegal(inv, a, now());
      await closing;
    },
  );
  decide(
    declineLegalUpdate,
    (d) => V.validateDeclineLegal(inv, d),
    async (d) => {
      const closing = closeTaskWhere((t) => t.kind === 'APPROVE_LEGAL', { approved: false, note: d.note });
      S.declineLegal(inv, d, now());
      await closing;
    },
  );
  decide(
    recordLegalEventUpdate,
    (e) => V.validateLegalEvent(inv, e),
    (e) => S.recordLegalEvent(inv, e, patched(PATCHES.legalEventSeq), now()),
  );
  decide(
    pauseUpdate,
    (p) => V.validatePause(inv, p, now()),
    async (p) => {
      S.pause(inv, p, now());
      await withdrawQueued('pause');
    },
  );
  decide(
    resumeUpdate,
    (a) => V.validateResume(inv, a),
    (a) => S.resume(inv, a.actorId, 'resumed', now()),
  );
  decide(
    chooseEntryUpdate,
    (e) => V.validateChooseEntry(inv, e),
    async (e) => {
      const closing = closeTaskWhere((t) => t.kind === 'TRIAGE', { enterAt: e.enterAt, note: e.note });
      S.chooseEntry(inv, e, now());
      await closing;
    },
  );
  decide(
    writeOffUpdate,
    (w) => V.validateWriteOff(inv, w),
    (w) => S.writeOff(inv, w, now()),
  );
  decide(
    sendReminderUpdate,
    (r) => V.validateSendReminder(inv, r, now()),
    async (r) => {
      // No history recorded before the patch holds this update; the marker keeps it so for later changes.
      if (!patched(PATCHES.reminderNow)) return;
      const { settings } = inv.carry.policy;
      const { requests } = S.sendReminder(inv, r, now());
      inv.carry.contactsAsked = (inv.carry.contactsAsked ?? 0) + requests.length;
      // Through the customer workflow like every contact: its contact budget and quiet hours apply, never merged
      // with the day's other reminders (it goes now, on its own), deduplicated by request key on a retried signal.
      await Promise.all(
        requests.map(({ channel, requestKey }) =>
          askCustomer({
            type: 'contact',
            requestKey,
            invoiceId: input.invoiceId,
            stage: 'REMINDER',
            channel,
            template: r.step.step.template,
            ...(r.step.step.attachLetter ? { attachLetter: true } : {}),
            contactBudget: settings.contactBudget,
            consolidationWindow: 'PT0S',
          }),
        ),
      );
    },
  );

  // ---------------------------------------------------------------------------------------------------------
  // Automatic actions
  // ---------------------------------------------------------------------------------------------------------

  async function fireStep(reason: string): Promise<void> {
    const step = S.currentStep(inv);
    if (!step) return;
    const start = S.startStep(inv, step, now());
    if (!start.fire || start.skippedForBalance) return;
    const { ordinal } = start;
    switch (step.stage) {
      case 'CALL': {
        const task = await openTask(
          'CALL',
          `call#${ordinal}`,
          addDuration(now(), inv.carry.policy.settings.callOutcomeDeadline),
        );
        inv.carry.call = { taskId: task.taskId, firedAtMs: now(), outcome: null, escalated: false };
        break;
      }
      case 'ORDER_BLOCK':
        if (!inv.carry.blockRequested) {
          inv.carry.blockRequested = true;
          await askCustomer({ type: 'block', invoiceId: input.invoiceId, reason: `invoice ${input.invoiceNumber}` });
        }
        break;
      case 'FORMAL_NOTICE':
        // Terms run from receipt only where there will be a proof of receipt (PEC or registered letter).
        if (step.channels.some((ch) => ch === 'PEC' || ch === 'LETTER') && patched(PATCHES.noticeTermFromReceipt))
          S.startNoticeTerm(inv, now());
        break;
      case 'LEGAL':
        await endCall('the invoice moved on to LEGAL');
        S.startLegal(inv, step.requiresApproval === true);
        if (step.requiresApproval) {
          await openTask('APPROVE_LEGAL', `legal#${ordinal}`, addDuration(now(), 'P5D'));
          decisions.push(S.legalRecord(inv, 'PENDING_APPROVAL'));
        }
        break;
      default:
        break;
    }
    if (S.isClosed(inv)) return;
    // A pause or dispute accepted while the step awaited its task or order block: no contact goes out any more.
    const withheld = S.isHalted(inv) && patched(PATCHES.haltStopsStepContacts);
    if (!withheld) await sendStepContacts(step, ordinal);
    // Counts for the one-reminder-a-day rule of reminders sent by hand (state only: no command).
    if (!withheld && step.stage === 'REMINDER' && S.contactChannels(step).length > 0)
      S.noteReminder(inv, step, false, now());
    const halt = inv.carry.dispute ? 'dispute open' : 'paused';
    S.setStage(
      inv,
      now(),
      step.stage,
      `${step.stage} (${step.template}) — ${reason}${withheld ? `; contacts withheld (${halt})` : ''}`,
    );
    // A stage boundary: the policy version current now decides the next deadline.
    const segment = inv.carry.policy.segment;
    S.adoptPolicy(inv, await named(DB, `load policy ${segment}`).loadPolicy({ segment }), 'stage boundary', now());
  }

  async function sendStepContacts(step: NonNullable<ReturnType<typeof S.currentStep>>, ordinal: number) {
    const { settings } = inv.carry.policy;
    const channels = step.channels.filter((c) => c !== 'TASK');
    inv.carry.contactsAsked = (inv.carry.contactsAsked ?? 0) + channels.length;
    await Promise.all(
      step.channels
        .filter((c) => c !== 'TASK')
        .map((channel) =>
          askCustomer({
            type: 'contact',
            requestKey: `${input.invoiceId}:${step.stage}#${ordinal}:${channel}`,
            invoiceId: input.invoiceId,
            stage: step.stage,
            channel,
            template: step.template,
            ...(step.attachLetter ? { attachLetter: true } : {}),
            contactBudget: settings.contactBudget,
            consolidationWindow: settings.consolidationWindow,
          }),
        ),
    );
  }

  /** Fires the next policy step at once (broken promise, unanswered call); `atLeast` skips earlier stages. */
  async function escalate(reason: string, atLeast?: PolicyStageKind): Promise<void> {
    if (atLeast) S.skipBelow(inv, atLeast);
    if (S.currentStep(inv)) await fireStep(`escalated: ${reason}`);
    else S.setStage(inv, now(), inv.carry.dunningStage, `${reason}; no further policy step`);
  }

  async function run(action: S.NextAction): Promise<void> {
    switch (action.do) {
      case 'RESUME':
        return S.resume(inv, undefined, 'pause ended', now());
      case 'KEEP_PROMISE':
        return S.keepPromise(inv, action, now());
      case 'BREAK_PROMISE':
        S.breakPromise(inv, action, now());
        return escalate('promise broken');
      case 'MISS_INSTALMENT':
        S.missInstalment(inv, action, now());
        return escalate('repayment plan defaulted', 'ORDER_BLOCK');
      case 'FIX_CONTACT':
        await openTask('FIX_CONTACT', 'fix-contact', addDuration(now(), 'P2D'), 'no address for a channel');
        return;
      case 'CALL_UNANSWERED':
        if (S.callUnanswered(inv, action, now())) await escalate('no call outcome');
        return;
      case 'FIRE_STEP':
        return fireStep(action.reason ?? 'on schedule');
      case 'WAIT':
        return;
    }
  }

  const mustContinueAsNew = (): boolean => {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (input.continueAsNewAtHistoryLength !== undefined && info.historyLength >= input.continueAsNewAtHistoryLength)
    );
  };

  // ---------------------------------------------------------------------------------------------------------
  // Setup, main loop, continue-as-new
  // ---------------------------------------------------------------------------------------------------------

  if (!input.carry && has.searchAttributesFromContract) {
    const attrs = workflowInfo().typedSearchAttributes;
    if (attrs.get(SA.customerId) === undefined) {
      // Started without search attributes (tests, the CLI): the same ones the intake gives at start.
      upsertSearchAttributes(
        initialSearchAttributes(input, {
          daysOverdue: S.daysOverdue(inv, now()),
          balanceMajor: toMajor(input.balanceMinor, input.currency),
        }),
      );
    } else if (attrs.get(SA.invoiceNumber) === undefined) {
      // Started by an intake older than the InvoiceNumber attribute.
      upsertSearchAttributes([{ key: SA.invoiceNumber, value: input.invoiceNumber }]);
    }
  } else if (!input.carry) {
    if (workflowInfo().typedSearchAttributes.get(SA.customerId) === undefined) {
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
  }

  if (!input.carry) {
    S.upsertProgress(inv, now());
    S.entry(
      inv,
      now(),
      'STAGE',
      `collection started under policy ${inv.carry.policy.segment} v${inv.carry.policy.version}`,
    );
    // An invoice already overdue (an imported backlog) enters the cadence where its age band says.
    if (has.overdueEntryBands && S.enterByBand(inv, now()) === 'TRIAGE') {
      // The decision is today's work, ranked on the agenda like the rest: due by the end of today (patch
      // triageDueEndOfDay), late from tomorrow; before the patch it was due the instant it opened.
      const dueAt = has.triageDueEndOfDay
        ? endOfLocalDay(new Date(now()), inv.carry.policy.settings.timezone).getTime()
        : now();
      await openTask('TRIAGE', 'triage', dueAt);
      // Chosen (or closed) while the task was being opened: the choice found no task to close.
      if (!inv.carry.triage) await cancelTasksWhere((t) => t.kind === 'TRIAGE', 'triage already decided');
    }
  }

  /** What the operator sees on the workflow's page (SDK current details; no command, nothing in history). */
  const showDetails = (action: S.NextAction | null): void => {
    const c = inv.carry;
    const tz = c.policy.settings.timezone;
    const step = S.currentStep(inv);
    const waiting =
      action && action.atMs !== null
        ? timerSummary(action.kind, action.atMs, tz, action.do === 'FIRE_STEP' ? step?.template : undefined)
        : action
          ? `waiting: ${action.kind}`
          : null;
    const held = [
      ...(c.paused ? [`paused since ${c.paused.since}${c.paused.until ? ` until ${c.paused.until}` : ''}`] : []),
      ...(c.dispute ? [`dispute ${c.dispute.reasonCode} open since ${c.dispute.openedAt}`] : []),
      ...(c.promise?.status === 'OPEN' ? [`promise to pay by ${c.promise.promisedDate}`] : []),
      ...(c.plan?.status === 'ACTIVE' ? [`repayment plan of ${c.plan.instalments.length} instalments`] : []),
    ];
    setCurrentDetails(
      invoiceCurrentDetails(
        { invoiceNumber: input.invoiceNumber, stage: c.stage, balanceMinor: c.balanceMinor, currency: input.currency },
        waiting,
        held,
      ),
    );
  };

  while (!S.isClosed(inv)) {
    const beforeFlush = wake;
    await flush();
    await refreshRating();
    if (S.isClosed(inv)) break;
    if (mustContinueAsNew()) {
      await condition(allHandlersFinished);
      while (transitions.length || decisions.length) await flush();
      if (!S.isClosed(inv)) {
        inv.carry.continuedRuns++;
        log.info('continuing as new', { historyLength: workflowInfo().historyLength });
        const { carry: _old, ...rest } = input;
        return continueAsNew<typeof invoiceWorkflow>({
          ...rest,
          collectorId: S.collectorOf(inv),
          policy: inv.carry.policy,
          carry: inv.carry,
        });
      }
      break;
    }
    const action = S.nextAction(inv, now());
    showDetails(action);
    // The wake mark from before this turn's writes: a message heard while they ran ends the wait below at once.
    const seen = has.messagesDuringFlush ? beforeFlush : wake;
    let due: boolean;
    if (action.atMs === null) {
      // Nothing scheduled: only a message can move the invoice on (condition without timeout returns void).
      await condition(() => wake !== seen);
      due = false;
    } else {
      // The timer is named for what it waits for ("next step: reminder-2 (REMINDER) on 12 Dec 2026 09:00").
      const summary = timerSummary(
        action.kind,
        action.atMs,
        inv.carry.policy.settings.timezone,
        action.do === 'FIRE_STEP' ? S.currentStep(inv)?.template : undefined,
      );
      due = action.atMs <= now() || !(await condition(() => wake !== seen, action.atMs - now(), { summary }));
    }
    if (due) await run(action);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Close-out: release the customer's order block, cancel what humans no longer need to do, tell the ERP
  // ---------------------------------------------------------------------------------------------------------

  await flush();
  const stage = inv.carry.stage;
  /** Why the ERP refused the closing status for good (patch erpRefusalOnClose), once it did. */
  let refusal: string | undefined;
  const postClosingStatus = async (): Promise<void> => {
    try {
      await named(ERP, `tell the ERP: ${stage}`).erpPostInvoiceStatus({
        idempotencyKey: `${input.invoiceId}:${stage}:status`,
        customerId: input.customerId,
        invoiceId: input.invoiceId,
        stage,
        balanceMinor: inv.carry.balanceMinor,
      });
    } catch (err) {
      // A refusal (4xx) used to fail an invoice that is closed all the same; now a person reconciles the ERP.
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      const refused = cause instanceof ApplicationFailure && cause.nonRetryable;
      if (!refused || !patched(PATCHES.erpRefusalOnClose)) throw err;
      refusal = cause.message;
    }
  };
  await Promise.all([
    ...(inv.carry.blockRequested
      ? [askCustomer({ type: 'release', invoiceId: input.invoiceId, reason: `invoice ${stage}` })]
      : []),
    ...inv.carry.tasks.map((t) =>
      db.closeTask({ taskId: t.taskId, status: 'CANCELLED', outcome: { closedAs: stage } }),
    ),
    postClosingStatus(),
  ]);
  inv.carry.tasks = [];
  if (refusal !== undefined) {
    S.entry(
      inv,
      now(),
      'DECISION',
      `the ERP refused the closing status ${stage}: ${refusal}; a task asks to reconcile it`,
    );
    await openTask('ERP_REFUSED', `erp-status:${stage}`, addDuration(now(), 'P2D'), refusal);
  }
  await condition(allHandlersFinished);
  while (transitions.length || decisions.length) await flush();
  await refreshRating();
  showDetails(null);
  log.info('invoice closed', { invoiceId: input.invoiceId, workflowId: invoiceWorkflowId(input.invoiceId), stage });
  return S.view(inv, now());
}
