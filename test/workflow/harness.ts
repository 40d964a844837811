/** Per-file test harness: one environment, workflows bundled once, one worker per test with its own fakes. */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import {
  TASK_QUEUE,
  customerWorkflowId,
  invoiceStateQuery,
  invoiceWorkflowId,
  type InvoiceState,
  type InvoiceWorkflowInput,
} from '../../workflows/contract';
import type { invoiceWorkflow } from '../../workflows/invoice';
import { devServerEnv, timeSkippingEnv } from './env';
import { FakeActivities } from './fakes';
import { CURRENT_RELEASE, HISTORIES_DIR, appendToManifest, historyFiles } from '../histories';

export interface Harness {
  env: TestWorkflowEnvironment;
  /** Runs `fn` while a worker with fresh fakes serves a task queue of its own (`fake` to reuse fakes). */
  withWorker<T>(
    fn: (fake: FakeActivities) => Promise<T>,
    fake?: FakeActivities,
    options?: { maxCachedWorkflows?: number; reuseQueue?: boolean; keepRunning?: boolean },
  ): Promise<T>;
  start(input: InvoiceWorkflowInput): Promise<WorkflowHandleWithFirstExecutionRunId<typeof invoiceWorkflow>>;
  now(): Promise<number>;
}

let bundle: WorkflowBundleWithSourceMap | undefined;
let queues = 0;

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
    let taskQueue = TASK_QUEUE;
    const started: string[] = [];
    h.start = (input) =>
      (started.push(invoiceWorkflowId(input.invoiceId)), env.client.workflow).start('invoiceWorkflow', {
        args: [input],
        taskQueue,
        workflowId: invoiceWorkflowId(input.invoiceId),
      }) as Promise<WorkflowHandleWithFirstExecutionRunId<typeof invoiceWorkflow>>;
    h.withWorker = async (fn, fake = new FakeActivities(), { reuseQueue, keepRunning, ...options } = {}) => {
      if (!reuseQueue) taskQueue = `${TASK_QUEUE}-${process.pid}-${++queues}`;
      fake.taskQueue = taskQueue;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle!,
        activities: fake.build(env.client),
        ...options,
      });
      try {
        return await worker.runUntil(fn(fake));
      } finally {
        // Leave nothing running: a leftover timer would hold the time-skipping server's clock for later tests.
        if (!keepRunning) await terminateAll(env, fake, started);
      }
    };
  }, 120_000);
  afterAll(async () => {
    await h.env?.teardown();
  });
  return h;
}

async function terminateAll(env: TestWorkflowEnvironment, fake: FakeActivities, started: string[]): Promise<void> {
  const ids = new Set([...started.splice(0), ...fake.customerMessages.map((m) => customerWorkflowId(m.customerId))]);
  await Promise.all(
    [...ids].map(async (id) => {
      try {
        await env.client.workflow.getHandle(id).terminate('test finished');
      } catch {
        // already closed
      }
    }),
  );
}

/** Queries the invoice state. */
export function stateOf(handle: WorkflowHandle): Promise<InvoiceState> {
  return handle.query(invoiceStateQuery);
}

/** An ISO date `days` days after `fromMs` (UTC). */
export function dateIn(fromMs: number, days: number): string {
  return new Date(fromMs + days * 86_400_000).toISOString().slice(0, 10);
}

export const collector = { actorId: 'u-collector', role: 'collector' as const };
export const manager = { actorId: 'u-manager', role: 'manager' as const };

/**
 * Histories are stored as protobufjs `toObject` JSON of @temporalio/proto's History (longs and bytes as strings).
 * Not `historyToJSON`: in this install @temporalio/common carries protobufjs 8 beside @temporalio/proto's 7, and
 * its proto-JSON extension rejects the other copy's types ("type must be a Type").
 */
export function historyToObject(history: temporal.api.history.v1.IHistory): unknown {
  return temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
}

/** The inverse of historyToObject. */
export function historyFromObject(json: unknown): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
}

/**
 * Measures a finished workflow's history (events) and, with RECORD_HISTORIES=1, records it as
 * test/histories/<CURRENT_RELEASE>/<name>.json for the replay test (its size in that folder's sizes.json) and appends
 * it to the manifest. Histories are append-only: a name already recorded in any release is never written again.
 */
export async function measure(handle: WorkflowHandle, name: string): Promise<number> {
  const history = await handle.fetchHistory();
  const events = history.events?.length ?? 0;
  if (process.env.RECORD_HISTORIES === '1' && !historyFiles().some((f) => path.basename(f, '.json') === name)) {
    const dir = path.join(HISTORIES_DIR, CURRENT_RELEASE);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(historyToObject(history))}\n`);
    appendToManifest(`${CURRENT_RELEASE}/${name}.json`);
    const sizesFile = path.join(dir, 'sizes.json');
    const sizes = fs.existsSync(sizesFile) ? JSON.parse(fs.readFileSync(sizesFile, 'utf8')) : {};
    sizes[name] = events;
    const sorted = Object.fromEntries(Object.entries(sizes).sort(([a], [b]) => a.localeCompare(b)));
    fs.writeFileSync(sizesFile, `${JSON.stringify(sorted, null, 2)}\n`);
  }
  return events;
}

/** Retries an assertion for up to `ms` of real time (activities and the customer workflow run asynchronously). */
export async function eventually<T>(check: () => T | Promise<T>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Asserts two instants (ms or ISO) are within `toleranceMs` (timers fire a few milliseconds late). */
export function expectNear(actual: number | string, expected: number | string, toleranceMs = 2_000): void {
  const a = typeof actual === 'string' ? Date.parse(actual) : actual;
  const e = typeof expected === 'string' ? Date.parse(expected) : expected;
  if (Math.abs(a - e) > toleranceMs) {
    throw new Error(`expected ${new Date(a).toISOString()} within ${toleranceMs} ms of ${new Date(e).toISOString()}`);
  }
}

/**
 * Waits until a workflow has closed without `result()`: on the time-skipping server, waiting on a result lets the
 * clock run on to the next timer of *any* workflow — or to the run timeout of one that has none.
 */
export async function closed(handle: WorkflowHandle): Promise<string> {
  return eventually(async () => {
    const { status } = await handle.describe();
    expect(status.name).not.toBe('RUNNING');
    return status.name;
  });
}

/** The result of a workflow that a message has closed: waits for it to close first, so no time is skipped. */
export async function finish<T>(handle: WorkflowHandle & { result(): Promise<T> }): Promise<T> {
  await closed(handle);
  return handle.result();
}
