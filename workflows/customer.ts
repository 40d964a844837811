/**
 * The customer workflow (entity pattern, `customer-<customerId>`): owns what belongs to the customer rather than
 * to one invoice.
 *
 * - Order block: blocked once, when the first invoice asks; unblocked when the last blocking invoice releases it.
 * - Contact budget: at most `max` outbound contacts in any rolling `window`, across all the customer's invoices.
 *   A contact over budget waits for the oldest one to leave the window (it is delayed, never dropped). Formal
 *   notices and legal letters are not held back by the budget, but they count towards it.
 * - Consolidation: reminders (PRE_DUE, REMINDER) of several invoices on the same channel asked within the policy's
 *   `consolidationWindow` of the first go out as one message listing every invoice.
 *
 * - Statements of account (patch `customer-statement`): a console ask is sent as asked; policy steps whose template
 *   is `statement` are merged per day and channel — the first waits the consolidation window, the others of the
 *   day join it or, once it is sent, are told of it — so several invoices hitting the step give one statement.
 *   Both count towards the contact budget and wait for it like reminders.
 *
 * Invoice workflows reach it through `signalCustomerWorkflow` (signal-with-start); it reports each contact back to
 * the invoices with `contactOutcomeSignal`. It ends when nothing is blocked, queued or inside the budget window, and
 * continues as new when the server suggests it.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SegugioActivities } from '../activities/types';
import { localDate } from '../domain/calendar';
import { addDuration, durationMillis, isoInstant } from '../domain/duration';
import {
  type ContactOutcome,
  type CustomerContactAsk,
  type CustomerCarry,
  type CustomerState,
  type CustomerWorkflowInput,
  type QueuedStatement,
  type Stage,
  STATEMENT_TEMPLATE,
  contactOutcomeSignal,
  customerMessageSignal,
  customerStateQuery,
  invoiceWorkflowId,
} from './contract';

const contacts = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
const erp = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '1 minute',
  // Temporal's retry is the only retry (contexts/erp/rest.ts makes one request per attempt); an ERP that refuses
  // (any 4xx) is not asked again.
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: ['ErpRejected'],
  },
});

const CONSOLIDATED_STAGES: ReadonlyArray<Stage> = ['PRE_DUE', 'REMINDER'];

/** Consolidation applies to reminders when the policy gives it a window (`PT0S` or absent: one message each). */
const consolidates = (q: { stage: Stage; consolidationWindow: string }): boolean =>
  CONSOLIDATED_STAGES.includes(q.stage) && durationMillis(q.consolidationWindow || 'PT0S') > 0;
const BUDGET_EXEMPT_STAGES: ReadonlyArray<Stage> = ['FORMAL_NOTICE', 'LEGAL'];
const SEEN_KEYS_KEPT = 500;

type Queued = CustomerCarry['queue'][number];

/**
 * Patch id: an ERP that refuses a block or unblock for good (a 4xx, `ErpRejected`) used to fail this workflow, which
 * then restarted empty and forgot its block holders and queued contacts. Now the refusal is recorded, a person gets
 * an ERP_REFUSED task to make the ERP agree, and the workflow keeps its state and goes on.
 */
const ERP_REFUSAL_KEEPS_STATE = 'customer-erp-refusal';
const REFUSALS_KEPT = 10;

/** Patch id: statements of account (console asks and policy steps with the `statement` template). */
const STATEMENT_PATCH = 'customer-statement';
/** The calendar day policy asks are merged on (the product's default business time zone). */
const STATEMENT_DAY_TZ = 'Europe/Rome';
const STATEMENT_DAYS_KEPT = 3;

/** The ERP's refusal message when `err` is a non-retryable refusal of an ERP activity; null for anything else. */
function erpRefusal(err: unknown): string | null {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.nonRetryable ? cause.message : null;
}

/** Owns a customer's order block, contact budget and reminder consolidation across all their invoices. */
export async function customerWorkflow(input: CustomerWorkflowInput): Promise<CustomerState> {
  const s: CustomerCarry = input.carry ?? {
    blockers: [],
    blocked: false,
    blockEpisode: null,
    queue: [],
    sent: [],
    seenRequestKeys: [],
    contactBudget: null,
  };
  const seen = new Set(s.seenRequestKeys);
  let wake = 0;

  const state = (): CustomerState => ({
    customerId: input.customerId,
    blocked: s.blocked,
    blockingInvoices: s.blockers.slice(),
    queued: s.queue.map((q) => ({
      requestKey: q.requestKey,
      invoiceId: q.invoiceId,
      stage: q.stage,
      channel: q.channel,
      notBefore: q.notBeforeMs === null ? null : isoInstant(q.notBeforeMs),
    })),
    recentContacts: s.sent.map((c) => ({
      at: isoInstant(c.atMs),
      idempotencyKey: c.idempotencyKey,
      channel: c.channel,
      invoiceIds: c.invoiceIds.slice(),
    })),
    erpRefusals: (s.erpRefusals ?? []).slice(),
  });

  setHandler(customerStateQuery, state);
  /** A policy step's statement: joins the day's queued one, reuses the day's sent one, or starts the day's. */
  const askStatement = (m: CustomerContactAsk): void => {
    const day = localDate(new Date(Date.now()), STATEMENT_DAY_TZ);
    const list = (s.statements ??= []);
    const ask = { invoiceId: m.invoiceId, requestKey: m.requestKey };
    const queued = list.find((q) => q.day === day && q.channel === m.channel && !q.reuse);
    if (queued) {
      if (!queued.asks.some((a) => a.invoiceId === m.invoiceId)) queued.asks.push(ask);
      return;
    }
    const sent = (s.statementsSent ?? []).find((x) => x.day === day && x.channel === m.channel);
    const now = Date.now();
    list.push({
      key: `statement:${input.customerId}:${day}:${m.channel}`,
      channel: m.channel,
      day,
      asks: [ask],
      stage: m.stage,
      receivedAtMs: now,
      holdUntilMs: addDuration(now, m.consolidationWindow || 'PT0S'),
      attempt: 0,
      contactBudget: m.contactBudget,
      ...(sent
        ? { reuse: { idempotencyKey: sent.idempotencyKey, contactEventId: sent.contactEventId, status: sent.status } }
        : {}),
    });
  };

  setHandler(customerMessageSignal, (m) => {
    if (m.type === 'contact' || m.type === 'statement') {
      // signal-with-start may be retried: the same request twice is queued once.
      if (seen.has(m.requestKey)) return;
      seen.add(m.requestKey);
      s.seenRequestKeys.push(m.requestKey);
      if (s.seenRequestKeys.length > SEEN_KEYS_KEPT) seen.delete(s.seenRequestKeys.shift()!);
      s.contactBudget = m.contactBudget;
      if (m.type === 'statement') {
        if (patched(STATEMENT_PATCH)) {
          (s.statements ??= []).push({
            key: `statement:${input.customerId}:${m.requestKey}:${m.channel}`,
            channel: m.channel,
            day: null,
            asks: [],
            ...(m.lang ? { lang: m.lang } : {}),
            receivedAtMs: Date.now(),
            holdUntilMs: Date.now(),
            attempt: 0,
            contactBudget: m.contactBudget,
          });
        }
      } else if (m.template === STATEMENT_TEMPLATE && patched(STATEMENT_PATCH)) askStatement(m);
      else s.queue.push({ ...m, receivedAtMs: Date.now(), attempt: 0, notBeforeMs: null });
    } else if (m.type === 'block') {
      if (!s.blockers.includes(m.invoiceId)) s.blockers.push(m.invoiceId);
    } else if (m.type === 'withdraw') {
      // The invoice's dunning stopped (dispute, pause): what is still queued for it must not reach the debtor. A
      // message only newer invoice workflows send (patch halt-withdraws-queued-contacts), so no history before it
      // takes this branch.
      const before = s.queue.length;
      s.queue = s.queue.filter((q) => q.invoiceId !== m.invoiceId);
      // A day's statement asked by policy steps no longer speaks for this invoice; with no invoice left, it goes.
      if (s.statements?.length) {
        for (const q of s.statements) q.asks = q.asks.filter((a) => a.invoiceId !== m.invoiceId);
        s.statements = s.statements.filter((q) => q.day === null || q.asks.length > 0);
      }
      if (s.queue.length !== before) {
        log.info('queued contacts withdrawn', {
          invoiceId: m.invoiceId,
          reason: m.reason,
          count: before - s.queue.length,
        });
      }
    } else {
      s.blockers = s.blockers.filter((id) => id !== m.invoiceId);
    }
    wake++;
  });

  const windowStartMs = (): number | null =>
    s.contactBudget ? addDuration(Date.now(), `-${s.contactBudget.window.replace(/^[+-]/, '')}`) : null;

  const pruneSent = (): void => {
    const from = windowStartMs();
    s.sent = from === null ? [] : s.sent.filter((c) => c.atMs > from);
  };

  /** When the head of the queue may go: after its consolidation window, its deferral and the budget allow. */
  const readyAtMs = (head: Queued): number => {
    let at = head.receivedAtMs;
    if (consolidates(head)) at = Math.max(at, addDuration(head.receivedAtMs, head.consolidationWindow));
    if (head.notBeforeMs !== null) at = Math.max(at, head.notBeforeMs);
    const budget = head.contactBudget;
    if (!BUDGET_EXEMPT_STAGES.includes(head.stage) && s.sent.length >= budget.max && budget.max > 0) {
      // The oldest contacts leave the window one by one; the head goes when one slot is free.
      const sorted = s.sent.map((c) => c.atMs).sort((a, b) => a - b);
      at = Math.max(at, addDuration(sorted[s.sent.length - budget.max], budget.window));
    }
    return at;
  };

  const notify = async (invoiceIds: string[], outcome: Omit<ContactOutcome, 'requestKey'>, keys: string[]) => {
    await Promise.all(
      invoiceIds.map(async (invoiceId, i) => {
        try {
          await getExternalWorkflowHandle(invoiceWorkflowId(invoiceId)).signal(contactOutcomeSignal, {
            ...outcome,
            requestKey: keys[i],
          });
        } catch (err) {
          // The invoice closed in the meantime: nothing to tell it.
          log.info('invoice workflow not reachable for a contact outcome', { invoiceId, error: String(err) });
        }
      }),
    );
  };

  const sendHead = async (): Promise<void> => {
    const head = s.queue[0];
    const batch = consolidates(head)
      ? s.queue.filter((q) => q.channel === head.channel && consolidates(q) && q.notBeforeMs === head.notBeforeMs)
      : [head];
    // One message per invoice: a second reminder of the same invoice in the window waits for the next message.
    const unique = batch.filter((q, i) => batch.findIndex((b) => b.invoiceId === q.invoiceId) === i);
    const key =
      unique.length === 1
        ? `${head.requestKey}:${head.attempt}`
        : `${head.requestKey}+${unique.length - 1}:${head.attempt}`;
    let result: Awaited<ReturnType<SegugioActivities['sendContact']>>;
    try {
      result = await contacts.sendContact({
        idempotencyKey: key,
        customerId: input.customerId,
        invoiceIds: unique.map((q) => q.invoiceId),
        // The most advanced stage of the batch names the message.
        stage: unique.some((q) => q.stage === 'REMINDER') ? 'REMINDER' : head.stage,
        channel: head.channel,
        // The template renders one invoice or a table of several (plural-aware texts).
        template: head.template,
        ...(unique.some((q) => q.attachLetter) ? { attachLetter: true } : {}),
      });
    } catch (err) {
      // A contact the channel refuses for good (unknown template, inconsistent invoices) must not end the
      // customer's workflow, which owns the order block and every other invoice's contacts: the invoices are told
      // it was skipped, and they open a task for a human.
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('contact refused by the channel', { key, channel: head.channel, error: String(err.cause ?? err) });
      result = {
        contactEventId: '',
        status: 'SKIPPED',
        detail: `FAILED: ${String(err.cause?.message ?? err.message)}`,
      };
    }
    if (result.status === 'DEFERRED') {
      // Quiet hours: nothing was sent; ask again at the next allowed slot with the next attempt number.
      const notBefore = result.notBefore ? Date.parse(result.notBefore) : addDuration(Date.now(), 'PT1H');
      for (const q of unique) {
        q.attempt++;
        q.notBeforeMs = notBefore;
      }
      return;
    }
    s.queue = s.queue.filter((q) => !unique.includes(q));
    if (result.status !== 'SKIPPED') {
      s.sent.push({
        atMs: Date.now(),
        idempotencyKey: key,
        channel: head.channel,
        invoiceIds: unique.map((q) => q.invoiceId),
      });
    }
    await notify(
      unique.map((q) => q.invoiceId),
      {
        idempotencyKey: key,
        status: result.status,
        contactEventId: result.contactEventId || null,
        at: isoInstant(Date.now()),
        invoiceIds: unique.map((q) => q.invoiceId),
        ...(result.detail ? { detail: result.detail } : {}),
      },
      unique.map((q) => q.requestKey),
    );
  };

  /** When the first queued statement may go: after its hold and the contact budget (statements are not exempt). */
  const statementReadyAtMs = (head: QueuedStatement): number => {
    if (head.reuse) return Date.now();
    let at = Math.max(head.receivedAtMs, head.holdUntilMs);
    const budget = head.contactBudget;
    if (s.sent.length >= budget.max && budget.max > 0) {
      const sorted = s.sent.map((c) => c.atMs).sort((a, b) => a - b);
      at = Math.max(at, addDuration(sorted[s.sent.length - budget.max], budget.window));
    }
    return at;
  };

  /** Sends (or, for a day's later asks, reuses) the first queued statement and tells the invoices that asked. */
  const sendStatementHead = async (): Promise<void> => {
    const head = s.statements![0];
    const invoiceIds = head.asks.map((a) => a.invoiceId);
    let outcome: Omit<ContactOutcome, 'requestKey'>;
    if (head.reuse) {
      outcome = { ...head.reuse, at: isoInstant(Date.now()), invoiceIds, detail: 'STATEMENT_ALREADY_SENT_TODAY' };
    } else {
      const key = `${head.key}:${head.attempt}`;
      let result: Awaited<ReturnType<SegugioActivities['sendStatement']>>;
      try {
        result = await contacts.sendStatement({
          idempotencyKey: key,
          customerId: input.customerId,
          invoiceIds,
          channel: head.channel,
          ...(head.stage ? { stage: head.stage } : {}),
          ...(head.lang ? { lang: head.lang } : {}),
        });
      } catch (err) {
        // Refused for good (e.g. a channel a statement cannot take): the invoices hear it was skipped.
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('statement refused by the channel', { key, error: String(err.cause ?? err) });
        result = {
          contactEventId: '',
          status: 'SKIPPED',
          detail: `FAILED: ${String(err.cause?.message ?? err.message)}`,
        };
      }
      if (result.status !== 'SKIPPED') {
        s.sent.push({ atMs: Date.now(), idempotencyKey: key, channel: head.channel, invoiceIds });
      }
      if (head.day !== null && result.status !== 'SKIPPED') {
        s.statementsSent = [
          ...(s.statementsSent ?? []),
          {
            day: head.day,
            channel: head.channel,
            idempotencyKey: key,
            contactEventId: result.contactEventId || null,
            status: result.status,
          },
        ].slice(-STATEMENT_DAYS_KEPT * 2);
      }
      outcome = {
        idempotencyKey: key,
        status: result.status,
        contactEventId: result.contactEventId || null,
        at: isoInstant(Date.now()),
        invoiceIds,
        ...(result.detail ? { detail: result.detail } : {}),
      };
    }
    s.statements!.shift();
    if (head.asks.length)
      await notify(
        invoiceIds,
        outcome,
        head.asks.map((a) => a.requestKey),
      );
  };

  /** Calls the ERP; a refusal for good is recorded and handed to a person (the block state stays as decided). */
  const callErp = async (action: 'block' | 'unblock', call: () => Promise<void>): Promise<void> => {
    try {
      await call();
    } catch (err) {
      const refusal = erpRefusal(err);
      if (refusal === null || !patched(ERP_REFUSAL_KEEPS_STATE)) throw err;
      const at = Date.now();
      s.erpRefusals = [...(s.erpRefusals ?? []), { action, at: isoInstant(at), message: refusal }].slice(
        -REFUSALS_KEPT,
      );
      log.warn('the ERP refused an order block change', { customerId: input.customerId, action });
      await contacts.createTask({
        idempotencyKey: `${s.blockEpisode}:${action}:erp-refused`,
        invoiceId: s.blockers[0] ?? null,
        customerId: input.customerId,
        kind: 'ERP_REFUSED',
        dueAt: isoInstant(at + 2 * 86_400_000),
        note: `the ERP refused to ${action} new orders for this customer: ${refusal}`,
      });
    }
  };

  const syncBlock = async (): Promise<void> => {
    if (s.blockers.length > 0 && !s.blocked) {
      // One ERP block per episode; the episode key keeps a retried activity from blocking twice.
      s.blockEpisode = `${input.customerId}:ORDER_BLOCK@${Date.now()}`;
      await callErp('block', () =>
        erp.erpBlockCustomer({
          idempotencyKey: `${s.blockEpisode}:block`,
          customerId: input.customerId,
          invoiceId: s.blockers[0],
          reason: `overdue invoice ${s.blockers[0]}`,
        }),
      );
      s.blocked = true;
    } else if (s.blockers.length === 0 && s.blocked) {
      await callErp('unblock', () =>
        erp.erpUnblockCustomer({
          idempotencyKey: `${s.blockEpisode}:unblock`,
          customerId: input.customerId,
          reason: 'no invoice needs the block any more',
        }),
      );
      s.blocked = false;
      s.blockEpisode = null;
    }
  };

  for (;;) {
    await syncBlock();
    pruneSent();
    const info = workflowInfo();
    if (info.continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof customerWorkflow>({ customerId: input.customerId, carry: s });
    }
    const before = wake;
    // Statements (absent from runs before the patch: these lines then change nothing).
    const statementAt = s.statements?.length ? statementReadyAtMs(s.statements[0]) : null;
    if (statementAt !== null && statementAt <= Date.now()) {
      await sendStatementHead();
      continue;
    }
    if (s.queue.length > 0) {
      const at = readyAtMs(s.queue[0]);
      if (at <= Date.now()) {
        await sendHead();
        continue;
      }
      await condition(() => wake !== before, Math.min(at, statementAt ?? Infinity) - Date.now());
      continue;
    }
    if (statementAt !== null) {
      await condition(() => wake !== before, statementAt - Date.now());
      continue;
    }
    const blockMismatch = (): boolean => s.blockers.length > 0 !== s.blocked;
    if (s.blockers.length === 0 && !s.blocked && s.sent.length === 0) {
      // Idle: nothing blocked, queued or remembered for the budget. Finish (a new message starts a new run).
      await condition(allHandlersFinished);
      if (s.queue.length === 0 && s.blockers.length === 0 && !s.statements?.length) return state();
      continue;
    }
    const oldest = s.sent.length ? Math.min(...s.sent.map((c) => c.atMs)) : null;
    const expires = oldest !== null && s.contactBudget ? addDuration(oldest, s.contactBudget.window) : null;
    await condition(
      () => wake !== before || blockMismatch(),
      expires === null ? undefined : Math.max(1, expires - Date.now()),
    );
  }
}
