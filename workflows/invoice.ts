/**
 * The invoice collection workflow: one per open invoice, from creation to a terminal stage.
 * Walking-skeleton version: policy steps on timers, payments, state query.
 */
import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SegugioActivities } from '../activities/types';
import { addDuration, isoInstant, parseInstant, wholeDaysBetween } from '../domain/duration';
import {
  type HistoryEntry,
  type InvoiceState,
  type InvoiceWorkflowInput,
  type Stage,
  SA,
  invoiceStateQuery,
  isTerminal,
  paymentSignal,
} from './contract';

const records = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const contacts = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

/** Follows one invoice through the dunning policy until it is closed. */
export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const overdueAtMs = parseInstant(input.overdueAt);
  let stage: Stage = 'OPEN';
  let balance = input.balanceMinor;
  let paid = 0;
  const credit = 0;
  const refs = new Set<string>();
  const history: HistoryEntry[] = [];
  let stepIndex = 0;
  let anchorMs = overdueAtMs;
  let nextAt: number | null = null;
  let wake = 0;

  const state = (): InvoiceState => ({
    invoiceId: input.invoiceId,
    invoiceNumber: input.invoiceNumber,
    customerId: input.customerId,
    stage,
    currency: input.currency,
    amountMinor: input.amountMinor,
    balanceMinor: balance,
    paidMinor: paid,
    creditMinor: credit,
    dueDate: input.dueDate,
    daysOverdue: wholeDaysBetween(overdueAtMs, Date.now()),
    policy: { segment: input.policy.segment, version: input.policy.version },
    next: nextAt === null ? null : { kind: input.policy.steps[stepIndex]?.stage ?? 'NONE', at: isoInstant(nextAt) },
    paused: null,
    promise: null,
    plan: null,
    dispute: null,
    pendingTasks: [],
    legal: null,
    history: history.slice(-50),
  });

  setHandler(invoiceStateQuery, state);
  setHandler(paymentSignal, (p) => {
    if (refs.has(p.reference) || isTerminal(stage)) return;
    refs.add(p.reference);
    paid += p.amountMinor;
    balance -= p.amountMinor;
    wake++;
  });

  const transition = async (to: Stage, summary: string): Promise<void> => {
    stage = to;
    const entry: HistoryEntry = { at: isoInstant(Date.now()), kind: 'STAGE', stage, summary };
    history.push(entry);
    upsertSearchAttributes([
      { key: SA.stage, value: stage },
      { key: SA.balance, value: balance / 100 },
      { key: SA.daysOverdue, value: wholeDaysBetween(overdueAtMs, Date.now()) },
    ]);
    await records.recordTransition({
      invoiceId: input.invoiceId,
      stage,
      balanceMinor: balance,
      nextActionAt: nextAt === null ? null : isoInstant(nextAt),
      nextActionKind: nextAt === null ? null : (input.policy.steps[stepIndex]?.stage ?? null),
      entry,
    });
  };

  upsertSearchAttributes([{ key: SA.stage, value: stage }]);
  while (balance > 0) {
    const step = input.policy.steps[stepIndex];
    nextAt = step ? addDuration(anchorMs, step.offset) : null;
    const seen = wake;
    const fired = !(await condition(
      () => wake !== seen || balance <= 0,
      nextAt === null ? undefined : Math.max(0, nextAt - Date.now()),
    ));
    if (!fired || !step) continue;
    stepIndex++;
    anchorMs = Date.now();
    for (const channel of step.channels) {
      await contacts.sendContact({
        idempotencyKey: `${input.invoiceId}:${step.stage}#${stepIndex}:${channel}:0`,
        customerId: input.customerId,
        invoiceIds: [input.invoiceId],
        stage: step.stage,
        channel,
        template: step.template,
        attachLetter: step.attachLetter,
      });
    }
    const following = input.policy.steps[stepIndex];
    nextAt = following ? addDuration(anchorMs, following.offset) : null;
    await transition(step.stage, `${step.stage} (${step.template}) sent`);
  }
  nextAt = null;
  await transition('PAID', `paid in full (${paid} ${input.currency} minor units)`);
  log.info('invoice closed', { invoiceId: input.invoiceId, stage });
  await condition(allHandlersFinished);
  return state();
}
