/**
 * Integration harness: the real API (express app), a real worker with the real activities, the real PostgreSQL and
 * Temporal dev server started by global-setup. Each test file gets its own task queue so files never share workers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Express } from 'express';
import { createActivities } from '../../activities';
import { createApp } from '../../api/app';
import { loadConfig, type Config } from '../../infra/config';
import { createDb, type Db } from '../../infra/db';
import { createLogger } from '../../infra/logger';
import { dataConverterOf } from '../../infra/payload-codec';
import { seedBase } from '../../prisma/seed';
import type { DunningPolicy } from '../../workflows/contract';
import { todayIn } from '../../domain/time';

// Worker and workflow logs only from warnings up, unless LOG_LEVEL asks for more. The runtime is process-wide and
// can be installed once: later test files find it installed already.
try {
  Runtime.install({ logger: new DefaultLogger(process.env.LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN') });
} catch {
  // already installed by an earlier test file in this process
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

/** A logger that says nothing (webpack bundling, test workers). */
export const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface Harness {
  db: Db;
  client: Client;
  app: Express;
  config: Config;
  taskQueue: string;
  dataDir: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export const KEYS = {
  erp: 'sg_dev_erp',
  collector: 'sg_dev_collector_giulia',
  collector2: 'sg_dev_collector_marco',
  manager: 'sg_dev_manager',
  admin: 'sg_dev_admin',
  salesperson: 'sg_dev_sales_paolo',
};

export const uniq = (prefix: string): string => `${prefix}-${crypto.randomBytes(4).toString('hex')}`;

export async function startHarness(opts: { env?: Record<string, string> } = {}): Promise<Harness> {
  const taskQueue = uniq('it-queue');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-it-data-'));
  const config = loadConfig({
    ...process.env,
    SEGUGIO_MODE: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    TEMPORAL_TASK_QUEUE: taskQueue,
    SEGUGIO_DATA_DIR: dataDir,
    ...opts.env,
  });
  const log = createLogger(config.LOG_LEVEL, 'segugio-test');
  const db = createDb(config.DATABASE_URL, 5);
  await seedBase(db);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterOf(config),
  });
  const app = createApp({ db, temporal: client, config, log });

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  const activities = createActivities({ db, config, log, temporal: client });

  const startWorker = async (): Promise<void> => {
    nativeConnection ??= await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    worker = await Worker.create({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      dataConverter: dataConverterOf(config),
      workflowBundle: await workflowBundle(),
      activities,
    });
    running = worker.run();
  };
  const stopWorker = async (): Promise<void> => {
    if (!worker) return;
    worker.shutdown();
    await running;
    worker = undefined;
    running = undefined;
  };
  return {
    db,
    client,
    app,
    config,
    taskQueue,
    dataDir,
    startWorker,
    stopWorker,
    close: async () => {
      await stopWorker();
      await nativeConnection?.close();
      await connection.close();
      await db.$disconnect();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a fresh segment with the given policy steps so a test controls its own timing. */
export async function createTestPolicy(db: Db, policy: Omit<DunningPolicy, 'segment' | 'version'>): Promise<string> {
  const segment = uniq('seg');
  await db.dunningPolicy.create({
    data: {
      segment,
      version: 1,
      name: policy.name,
      steps: policy.steps as object[],
      settings: policy.settings as object,
    },
  });
  return segment;
}

export const secondsSettings: DunningPolicy['settings'] = {
  promiseGrace: 'PT5S',
  promiseMaxHorizon: 'P60D',
  planGrace: 'PT5S',
  planMaxInstalments: 24,
  callOutcomeDeadline: 'PT30S',
  contactBudget: { max: 50, window: 'PT1M' },
  consolidationWindow: 'PT1S',
  timezone: 'Europe/Rome',
};

/** Polls `fn` until it returns a truthy value or the time is up (integration waits on real time). */
export async function eventually<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

/**
 * The ISO date `days` days from today, today being the business day in Europe/Rome (the harness's SEGUGIO_TZ), as
 * the product counts it: between 23:00 and 24:00 UTC (22:00 in summer) Rome's date is already tomorrow's, and a date
 * counted from the UTC day would be one day off every "days overdue" the product computes.
 */
export const isoDaysFromToday = (days: number, timeZone = 'Europe/Rome'): string => {
  const d = new Date(`${todayIn(timeZone)}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
