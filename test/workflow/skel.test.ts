import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { timeSkippingEnv } from './env';
import { TASK_QUEUE, invoiceStateQuery, invoiceWorkflowId, paymentSignal } from '../../workflows/contract';
import { FakeActivities, invoiceInput, DAY } from './fakes';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);
afterAll(async () => {
  await env?.teardown();
});

test('skeleton', async () => {
  const fake = new FakeActivities();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve('../../workflows'),
    activities: fake.build(),
  });
  await worker.runUntil(async () => {
    const now = await env.currentTimeMs();
    const input = invoiceInput(now, {}, -1);
    const h = await env.client.workflow.start('invoiceWorkflow', {
      args: [input],
      taskQueue: TASK_QUEUE,
      workflowId: invoiceWorkflowId(input.invoiceId),
    });
    await env.sleep(3 * DAY);
    const s = await h.query(invoiceStateQuery);
    expect(s.stage).toBe('REMINDER');
    await h.signal(paymentSignal, { reference: 'p1', amountMinor: 100_000, paidOn: '2026-01-01' });
    const r = await h.result();
    expect(r.stage).toBe('PAID');
    expect(fake.contacts).toHaveLength(1);
  });
}, 60_000);
