/**
 * Continue-as-new on the real dev server (as in production): messages arriving around the hand-over, and state
 * that only decisions create (dispute, pause, tasks, references), survive it.
 */
import {
  SA,
  openDisputeUpdate,
  pauseUpdate,
  paymentSignal,
  recordPromiseUpdate,
  resolveDisputeUpdate,
  resumeUpdate,
} from '../../workflows/contract';
import { invoiceInput } from './fakes';
import { collector, dateIn, eventually, manager, measure, stateOf, useHarness } from './harness';

const h = useHarness('dev-server');

test('a burst of payments across a continue-as-new hand-over counts every payment once', async () => {
  await h.withWorker(async () => {
    const input = invoiceInput(await h.now(), { continueAsNewAtHistoryLength: 30 }, -1);
    const wf = await h.start(input);
    for (let i = 0; i < 40; i++) {
      await wf.signal(paymentSignal, { reference: `b-${i % 30}`, amountMinor: 1_000, paidOn: input.dueDate });
    }
    // The hand-over happens while payments are still arriving; the new run starts from the carried state.
    await eventually(async () => expect((await wf.describe()).runId).not.toBe(wf.firstExecutionRunId), 20_000);
    const st = await eventually(async () => {
      const s = await stateOf(wf);
      expect(s.paidMinor).toBe(30_000);
      return s;
    });
    expect(st.balanceMinor).toBe(70_000);
    // The new run keeps the search attributes operators filter on.
    const sa = (await wf.describe()).typedSearchAttributes;
    expect(sa.get(SA.customerId)).toBe(input.customerId);
    expect(sa.get(SA.balance)).toBe(700);
    await wf.signal(paymentSignal, { reference: 'rest', amountMinor: 70_000, paidOn: input.dueDate });
    expect(await wf.result()).toMatchObject({ stage: 'PAID', paidMinor: 100_000 });
    await measure(h.env.client.workflow.getHandle(wf.workflowId, wf.firstExecutionRunId), 'continue-as-new-first-run');
  });
}, 60_000);

test('continue-as-new carries a dispute, a pause, references and the history; decisions reach the new run', async () => {
  await h.withWorker(async (fake) => {
    const now = await h.now();
    const input = invoiceInput(now, { continueAsNewAtHistoryLength: 40 }, -1);
    const wf = await h.start(input);
    await wf.executeUpdate(openDisputeUpdate, { args: [{ ...collector, reasonCode: 'OTHER', note: 'checking' }] });
    await wf.executeUpdate(pauseUpdate, { args: [{ ...collector, reason: 'holiday' }] });
    for (let i = 0; i < 12; i++) {
      await wf.signal(paymentSignal, { reference: `p-${i}`, amountMinor: 1_000, paidOn: input.dueDate });
    }
    await eventually(async () => expect((await wf.describe()).runId).not.toBe(wf.firstExecutionRunId), 20_000);
    const carried = await stateOf(wf);
    expect(carried).toMatchObject({ paidMinor: 12_000, balanceMinor: 88_000, paused: { reason: 'holiday' } });
    expect(carried.dispute).toMatchObject({ reasonCode: 'OTHER' });
    expect(carried.pendingTasks.map((t) => t.kind)).toEqual(['REVIEW_DISPUTE']);
    expect(carried.history.some((e) => e.summary.startsWith('collection started'))).toBe(true);
    // A repeated reference is still recognised after the hand-over.
    await wf.signal(paymentSignal, { reference: 'p-3', amountMinor: 1_000, paidOn: input.dueDate });
    await wf.executeUpdate(resumeUpdate, { args: [collector] });
    const resolved = await wf.executeUpdate(resolveDisputeUpdate, { args: [{ ...manager, outcome: 'REJECTED' }] });
    expect(resolved).toMatchObject({ paidMinor: 12_000, dispute: null, paused: null, pendingTasks: [] });
    await wf.executeUpdate(recordPromiseUpdate, { args: [{ ...collector, promisedDate: dateIn(now, 3) }] });
    await wf.signal(paymentSignal, { reference: 'rest', amountMinor: 88_000, paidOn: input.dueDate });
    expect(await wf.result()).toMatchObject({ stage: 'PAID', promise: { status: 'KEPT' } });
    expect(fake.closedTasks).toHaveLength(1);
  });
}, 60_000);
