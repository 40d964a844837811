/** Per-file test harness: one environment, workflows bundled once, one worker per test with its own fakes. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import {
  TASK_QUEUE,
  invoiceStateQuery,
  invoiceWorkflowId,
  type InvoiceState,
  type InvoiceWorkflowInput,
} from '../../workflows/contract';
import type { invoiceWorkflow } from '../../workflows/invoice';
import { devServerEnv, timeSkippingEnv } from './env';
import { FakeActivities } from './fakes';

export interface Harness {
  env: TestWorkflowEnvironment;
  /** Runs `fn` while a worker with fresh fakes serves the task queue. */
  withWorker<T>(fn: (fake: FakeActivities) => Promise<T>, fake?: FakeActivities): Promise<T>;
  start(input: InvoiceWorkflowInput): Promise<WorkflowHandle<typeof invoiceWorkflow>>;
  now(): Promise<number>;
}

let bundle: WorkflowBundleWithSourceMap | undefined;

/** Registers beforeAll/afterAll for the file and returns the harness (fields filled once beforeAll ran). */
export function useHarness(kind: 'time-skipping' | 'dev-server' = 'time-skipping'): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    const [env, b] = await Promise.all([
      kind === 'time-skipping' ? timeSkippingEnv() : devServerEnv(),
      bundle ? Promise.resolve(bundle) : bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') }),
    ]);
    bundle = b;
    h.env = env;
    h.now = async () => (kind === 'time-skipping' ? env.currentTimeMs() : Date.now());
    h.start = (input) =>
      env.client.workflow.start('invoiceWorkflow', {
        args: [input],
        taskQueue: TASK_QUEUE,
        workflowId: invoiceWorkflowId(input.invoiceId),
      }) as Promise<WorkflowHandle<typeof invoiceWorkflow>>;
    h.withWorker = async (fn, fake = new FakeActivities()) => {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: TASK_QUEUE,
        workflowBundle: bundle!,
        activities: fake.build(env.client),
      });
      return worker.runUntil(fn(fake));
    };
  }, 120_000);
  afterAll(async () => {
    await h.env?.teardown();
  });
  return h;
}

/** Queries the invoice state. */
export function stateOf(handle: WorkflowHandle): Promise<InvoiceState> {
  return handle.query(invoiceStateQuery);
}
