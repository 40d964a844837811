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
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { ReportActivities } from '../../activities/reports';
import type { SegugioActivities } from '../../activities/types';
import { addDuration, isoInstant, parseIsoDate } from '../../domain/duration';
import {
  DECISION_REJECTED,
  type InvoiceState,
  type InvoiceWorkflowInput,
  type PolicyStageKind,
  SA,
  type TaskView,
  approveLegalUpdate,
  callStatusSignal,
  completeTaskUpdate,
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
} from '../contract';
import { Rejection } from './rejections';
import * as S from './state';
import * as V from './validate';

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
} as const;

/** Follows one invoice through its dunning policy until it is paid, settled, written off, closed or cancelled. */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const inv = S.createInvoice(input, Date.now(), {
    upsert: (attrs) => upsertSearchAttributes(attrs),
    log: (level, message, attrs) => log[level](message, attrs),
  });
  const now = (): number => Date.now();
  /** Bumped by every message: the main loop's wait ends and the next action is recomputed. */
  let wake = 0;
  const { transitions, decisions } = inv.outbox;

  // ---------------------------------------------------------------------------------------------------------
  // Effects: tasks, contacts, the mirror
  // ---------------------------------------------------------------------------------------------------------

  const openTask = async (kind: TaskView['kind'], purpose: string, dueAtMs: number, note?: string) => {
    const { taskId } = await db.createTask({
      idempotencyKey: `${input.invoiceId}:${kind}:${purpose}`,
      invoiceId: input.invoiceId,
      customerId: input.customerId,
      kind,
      dueAt: isoInstant(dueAtMs),
      assigneeId: input.collectorId,
      ...(note ? { note } : {}),
    });
    const task = { taskId, kind, dueAt: isoInstant(dueAtMs), assigneeId: input.collectorId, purpose };
    inv.carry.tasks.push(task);
    return task;
  };

  const closeTaskWhere = (pred: (t: (typeof inv.carry.tasks)[number]) => boolean, outcome: unknown) => {
    const done = inv.carry.tasks.filter(pred);
    inv.carry.tasks = inv.carry.tasks.filter((t) => !pred(t));
    return Promise.all(done.map((t) => db.closeTask({ taskId: t.taskId, status: 'DONE', outcome })));
  };

  const askCustomer = (message: Parameters<SegugioActivities['signalCustomerWorkflow']>[0]['message']) =>
    temporal.signalCustomerWorkflow({ customerId: input.customerId, message });

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

  /**
   * Recomputes the customer's rating once for everything flushed since the last time. Run by the main loop, not in
   * flush(): an update handler (a collector recording a promise) must not wait for it.
   */
  async function refreshRating(): Promise<void> {
    if (!ratingDue) return;
    ratingDue = false;
    if (!patched(PATCHES.ratingOnEvents)) return;
    try {
      await ratings.recomputeCustomerRating({ customerId: input.customerId });
    } catch (err) {
      log.warn('rating not recomputed; the nightly run will', { error: String(err) });
    }
  }

  async function startDispute(d: Parameters<typeof S.openDispute>[1]): Promise<void> {
    const { purpose } = S.openDispute(inv, d, now());
    await openTask('REVIEW_DISPUTE', purpose, addDuration(now(), 'P5D'), d.note);
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
    (p) => S.pause(inv, p, now()),
  );
  decide(
    resumeUpdate,
    (a) => V.validateResume(inv, a),
    (a) => S.resume(inv, a.actorId, 'resumed', now()),
  );
  decide(
    writeOffUpdate,
    (w) => V.validateWriteOff(inv, w),
    (w) => S.writeOff(inv, w, now()),
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
      case 'LEGAL':
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
    const halt = inv.carry.dispute ? 'dispute open' : 'paused';
    S.setStage(
      inv,
      now(),
      step.stage,
      `${step.stage} (${step.template}) — ${reason}${withheld ? `; contacts withheld (${halt})` : ''}`,
    );
    // A stage boundary: the policy version current now decides the next deadline.
    S.adoptPolicy(inv, await db.loadPolicy({ segment: inv.carry.policy.segment }), 'stage boundary', now());
  }

  async function sendStepContacts(step: NonNullable<ReturnType<typeof S.currentStep>>, ordinal: number) {
    const { settings } = inv.carry.policy;
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
        return fireStep('on schedule');
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

  if (!input.carry) {
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
    S.upsertProgress(inv, now());
    S.entry(
      inv,
      now(),
      'STAGE',
      `collection started under policy ${inv.carry.policy.segment} v${inv.carry.policy.version}`,
    );
  }

  while (!S.isClosed(inv)) {
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
        return continueAsNew<typeof invoiceWorkflow>({ ...rest, policy: inv.carry.policy, carry: inv.carry });
      }
      break;
    }
    const action = S.nextAction(inv, now());
    const seen = wake;
    let due: boolean;
    if (action.atMs === null) {
      // Nothing scheduled: only a message can move the invoice on (condition without timeout returns void).
      await condition(() => wake !== seen);
      due = false;
    } else {
      due = action.atMs <= now() || !(await condition(() => wake !== seen, action.atMs - now()));
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
      await erp.erpPostInvoiceStatus({
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
  log.info('invoice closed', { invoiceId: input.invoiceId, workflowId: invoiceWorkflowId(input.invoiceId), stage });
  return S.view(inv, now());
}
