/**
 * The benchmark's measurements, against any running Segugio (the dev-shaped stack `npm run bench` starts, or the
 * production-shaped cluster of `npm run rehearse`). Each repetition measures raw Temporal and Segugio back to back,
 * figure by figure, so both see the same machine load; the summary gives medians and the spread of three or more
 * repetitions, and the load average beside them. Every request loop is bounded in count and time.
 */
import { DEFAULT_POLICY_SETTINGS } from '../domain/policy';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../infra/config';
import { createApiKey } from '../contexts/access/auth';
import { createDb, toNumber, type Db } from '../infra/db';
import { rssOf } from './processes';
import { benchQuery, benchUpdate } from './bench-workflows';

export interface BenchTarget {
  label: string;
  apiUrls: string[];
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  /** Processes whose resident memory is the "worker RSS" figure (summed when several). */
  workerPids: () => number[];
  /**
   * An API process of the same stack whose task queue no worker polls (diagnostic): its invoices are written and their
   * workflows started exactly as usual, but nothing runs them, as nothing runs raw Temporal's starts. Measured beside
   * the real starts, it splits the gap to raw between the intake itself and the onboarding sharing the machine.
   */
  intakeOnlyUrl?: string;
}

export interface BenchOptions {
  reps: number;
  /** Invoices created per repetition (and raw starts beside them). */
  starts: number;
  concurrency: number;
  importRows: number;
  decisions: number;
  reads: number;
  concurrentReads: number;
  log: (line: string) => void;
}

export const DEFAULT_OPTIONS: Omit<BenchOptions, 'log'> = {
  reps: 3,
  starts: 100,
  concurrency: 16,
  importRows: 200,
  decisions: 40,
  reads: 100,
  concurrentReads: 50,
};

/** The dunning policy of the benchmark's invoices: nothing fires for months, so each workflow sits on one timer. */
const QUIET_POLICY = {
  steps: [
    { stage: 'REMINDER', offset: 'P60D', channels: ['EMAIL'], template: 'reminder-1' },
    { stage: 'LEGAL', offset: 'P60D', channels: ['TASK'], template: 'legal', requiresApproval: true },
  ],
  settings: DEFAULT_POLICY_SETTINGS,
};

/** The validated config of an API (and worker) run inside a profiling script against a throw-away stack. */
export function inProcessConfig(
  stack: { DATABASE_URL: string; TEMPORAL_ADDRESS: string },
  taskQueue: string,
  dataDir: string,
): ReturnType<typeof loadConfig> {
  return loadConfig({
    ...process.env,
    DATABASE_URL: stack.DATABASE_URL,
    TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS,
    SEGUGIO_MODE: 'test',
    LOG_LEVEL: 'silent',
    TEMPORAL_TASK_QUEUE: taskQueue,
    SEGUGIO_DATA_DIR: dataDir,
    API_RATE_LIMIT_PER_MINUTE: '10000000',
  });
}

/** A segment of its own on the quiet policy, for a benchmark's or a profile's invoices. */
export async function createQuietSegment(db: Pick<Db, 'dunningPolicy'>, segment: string): Promise<void> {
  await db.dunningPolicy.create({
    data: {
      segment,
      version: 1,
      name: 'benchmark (quiet)',
      steps: QUIET_POLICY.steps,
      settings: QUIET_POLICY.settings,
    },
  });
}

export interface BenchContext {
  target: BenchTarget;
  runId: string;
  db: Db;
  client: Client;
  segment: string;
  keys: { erp: string; manager: string };
  rawQueue: string;
  stop(): Promise<void>;
  api(method: string, url: string, body?: unknown, contentType?: string, key?: string): Promise<ApiAnswer>;
}

interface ApiAnswer {
  status: number;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const isoDay = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Users, keys and a quiet segment of the benchmark's own (never the dev keys: the target may be in production mode). */
export async function prepare(target: BenchTarget): Promise<BenchContext> {
  const runId = crypto.randomBytes(3).toString('hex');
  const db = createDb(target.databaseUrl, 8);
  for (const u of [
    { id: 'bench-collector', name: 'Bench Collector', email: 'bench.collector@segugio.example', role: 'collector' },
    { id: 'bench-manager', name: 'Bench Manager', email: 'bench.manager@segugio.example', role: 'manager' },
  ])
    await db.user.upsert({ where: { id: u.id }, create: u, update: {} });
  const erp = await createApiKey(db, { label: `bench ${runId} erp`, role: 'erp' });
  const manager = await createApiKey(db, { label: `bench ${runId} manager`, role: 'manager', userId: 'bench-manager' });
  const segment = `bench-${runId}`;
  await createQuietSegment(db, segment);
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already (the rehearsal runs the benchmark in its own process)
  }
  const connection = await Connection.connect({ address: target.temporalAddress });
  const client = new Client({ connection, namespace: target.namespace });
  const rawQueue = `bench-raw-${runId}`;
  // The baseline worker: the minimal workflow only, in this process.
  const nativeConnection = await NativeConnection.connect({ address: target.temporalAddress });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: target.namespace,
    taskQueue: rawQueue,
    workflowsPath: require.resolve('./bench-workflows'),
  });
  const running = worker.run();
  let next = 0;
  const api = async (method: string, url: string, body?: unknown, contentType?: string, key?: string) => {
    // A full URL goes where it says (the intake-only API); a path to the target's APIs in turn.
    const base = url.startsWith('http') ? '' : target.apiUrls[next++ % target.apiUrls.length];
    const res = await fetch(`${base}${url}`, {
      method,
      headers: {
        Authorization: `Bearer ${key ?? erp.key}`,
        ...(body !== undefined ? { 'Content-Type': contentType ?? 'application/json' } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  };
  return {
    target,
    runId,
    db,
    client,
    segment,
    keys: { erp: erp.key, manager: manager.key },
    rawQueue,
    api,
    stop: async () => {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await db.$disconnect();
    },
  };
}

/** Runs `n` operations with `concurrency` callers; per-operation latencies (ms) and the wall time (s). */
export async function pool(
  n: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        await op(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
export const median = (values: number[]): number => percentile(values, 50);

/** Number prefix of the intake-only API's invoices (never onboarded, so not counted as open for the worker). */
const INTAKE_ONLY = 'Q-';

function invoiceBody(ctx: BenchContext, number: string, i: number) {
  return {
    number,
    customer: {
      externalId: `BENCH-${ctx.runId}-C${i % 200}`,
      name: `Cliente ${i % 200} S.r.l.`,
      email: `cliente${i % 200}@bench.example`,
      language: 'it',
      segment: ctx.segment,
      area: 'Nord',
      collectorId: 'bench-collector',
    },
    currency: 'EUR',
    amountMinor: 10_000 + (i % 9000) * 100,
    issueDate: isoDay(-20),
    dueDate: isoDay(40),
  };
}

async function mirroredCount(db: Db, prefix: string): Promise<number> {
  return db.invoice.count({ where: { externalNumber: { startsWith: prefix }, mirrorSeq: { not: null } } });
}

export interface RepResult {
  rep: number;
  loadavg: { before: number[]; after: number[] };
  rawStartsPerS: number;
  segStartsPerS: number;
  /** POST /v1/invoices against the API whose workflows nobody runs (null when the target has none). */
  segIntakeOnlyPerS: number | null;
  segOnboardingPerS: number;
  rawImportBaselinePerS: number;
  segImportRowsPerS: number;
  rawUpdateP50Ms: number;
  segDecisionP50Ms: number;
  rawUpdateP99Ms: number;
  segDecisionP99Ms: number;
  rawQueryP99Ms: number;
  segReadP99Ms: number;
  rawQueryP99MsC50: number;
  segReadP99MsC50: number;
  segLiveReadP99Ms: number;
  segReadFailuresC50: number;
  rawQueryFailuresC50: number;
  workerRssMiB: number | null;
  openInvoices: number;
  /** Every decision's and raw update's round trip in the order they ran, so a tail can be placed (cold cache, backlog). */
  segDecisionSamplesMs: number[];
  rawUpdateSamplesMs: number[];
}

export const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

function rawStarts(ctx: BenchContext, tag: string, n: number, c: number) {
  return pool(n, c, async (i) => {
    await ctx.client.workflow.start('benchNoWorkerWorkflow', {
      taskQueue: `${ctx.rawQueue}-none`,
      workflowId: `bench-none-${ctx.runId}-${tag}-${i}`,
      // Nobody runs this type; the server drops the executions by itself.
      workflowExecutionTimeout: '3 minutes',
    });
  });
}

export async function runRep(ctx: BenchContext, rep: number, o: BenchOptions): Promise<RepResult> {
  const before = os.loadavg().map((x) => round(x, 2));
  const log = o.log;
  // 1. starts: raw workflow.start of a type no worker runs, then POST /v1/invoices, same concurrency.
  const raw1 = await rawStarts(ctx, `s${rep}`, o.starts, o.concurrency);
  const prefix = `BENCH-${ctx.runId}-R${rep}-`;
  const t0 = performance.now();
  const seg1 = await pool(o.starts, o.concurrency, async (i) => {
    const r = await ctx.api('POST', '/v1/invoices', invoiceBody(ctx, `${prefix}${i}`, i));
    if (r.status !== 201) throw new Error(`POST /v1/invoices answered ${r.status}: ${JSON.stringify(r.body)}`);
  });
  // 2. onboarding: accepted → its workflow wrote its first mirror record and waits on its first timer.
  const deadline = Date.now() + 180_000;
  while ((await mirroredCount(ctx.db, prefix)) < o.starts && Date.now() < deadline) await sleep(100);
  const onboarded = await mirroredCount(ctx.db, prefix);
  const onboardingSeconds = (performance.now() - t0) / 1000;
  log(
    `  rep ${rep}: starts raw ${round(o.starts / raw1.seconds)}/s, POST /v1/invoices ${round(o.starts / seg1.seconds)}/s; onboarded ${onboarded}/${o.starts} in ${round(onboardingSeconds)} s`,
  );
  // 1b. the same creations through the API whose task queue no worker polls: the intake alone, as raw starts are.
  let segIntakeOnlyPerS: number | null = null;
  const intakeOnly = ctx.target.intakeOnlyUrl;
  if (intakeOnly) {
    const q = await pool(o.starts, o.concurrency, async (i) => {
      const r = await ctx.api('POST', `${intakeOnly}/v1/invoices`, invoiceBody(ctx, `${INTAKE_ONLY}${prefix}${i}`, i));
      if (r.status !== 201) throw new Error(`POST /v1/invoices (intake only) answered ${r.status}`);
    });
    segIntakeOnlyPerS = round(o.starts / q.seconds);
    log(`  rep ${rep}: intake alone (no worker runs these workflows) ${segIntakeOnlyPerS}/s`);
  }

  // 3. bulk import through the API vs raw starts of the same count.
  const raw2 = await rawStarts(ctx, `i${rep}`, o.importRows, o.concurrency);
  const due = isoDay(45).split('-').reverse().join('/');
  const lines = ['Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento'];
  for (let i = 0; i < o.importRows; i++)
    lines.push(
      `BENCH-${ctx.runId}-I${rep}-${i};BENCH-${ctx.runId}-IC${i % 200};Cliente ${i % 200} S.r.l.;${100 + (i % 900)},${String(i % 100).padStart(2, '0')};01/11/2026;${due};${ctx.segment}`,
    );
  const t1 = performance.now();
  const submitted = await ctx.api(
    'POST',
    `/v1/imports?filename=bench-${ctx.runId}-${rep}.csv`,
    `${lines.join('\n')}\n`,
    'text/csv',
  );
  if (submitted.status !== 202) throw new Error(`POST /v1/imports answered ${submitted.status}`);
  const importId = submitted.body.importId as string;
  let imp = await ctx.db.import.findUniqueOrThrow({ where: { id: importId } });
  const importDeadline = Date.now() + 600_000;
  while (imp.status === 'RUNNING' && Date.now() < importDeadline) {
    await sleep(200);
    imp = await ctx.db.import.findUniqueOrThrow({ where: { id: importId } });
  }
  const importSeconds = (performance.now() - t1) / 1000;
  log(
    `  rep ${rep}: import ${imp.status} ${imp.startedWorkflows}/${o.importRows} in ${round(importSeconds)} s (${round(imp.totalRows / importSeconds)} rows/s; raw ${round(o.importRows / raw2.seconds)}/s)`,
  );

  // 4. decision round trip: an update on the minimal workflow vs pause/resume through the API.
  const wf = await ctx.client.workflow.start('benchMinimalWorkflow', {
    taskQueue: ctx.rawQueue,
    workflowId: `bench-min-${ctx.runId}-${rep}`,
    workflowExecutionTimeout: '30 minutes',
  });
  await wf.executeUpdate(benchUpdate, { args: [1] });
  const rawUpd = await pool(o.decisions, 1, async () => {
    await wf.executeUpdate(benchUpdate, { args: [1] });
  });
  const target = `${prefix}0`;
  const segDec = await pool(o.decisions, 1, async (i) => {
    const r =
      i % 2 === 0
        ? await ctx.api('POST', `/v1/invoices/${target}/pause`, { reason: 'benchmark' }, undefined, ctx.keys.manager)
        : await ctx.api('POST', `/v1/invoices/${target}/resume`, {}, undefined, ctx.keys.manager);
    if (r.status !== 200) throw new Error(`decision answered ${r.status}: ${JSON.stringify(r.body)}`);
  });
  if (o.decisions % 2 === 1) await ctx.api('POST', `/v1/invoices/${target}/resume`, {}, undefined, ctx.keys.manager);

  // 5. state read: a query vs GET /v1/invoices/:id/state, one caller then `concurrentReads` callers.
  const rawQ1 = await pool(o.reads, 1, async () => {
    await wf.query(benchQuery);
  });
  const read = async () => {
    const r = await ctx.api('GET', `/v1/invoices/${target}/state`, undefined, undefined, ctx.keys.manager);
    if (r.status !== 200 || r.body.source !== 'database') throw new Error(`state read answered ${r.status}`);
  };
  const segR1 = await pool(o.reads, 1, read);
  const liveR = await pool(Math.min(o.reads, 50), 1, async () => {
    const r = await ctx.api('GET', `/v1/invoices/${target}/state?live=true`, undefined, undefined, ctx.keys.manager);
    if (r.status !== 200 || r.body.source !== 'workflow') throw new Error(`live read answered ${r.status}`);
  });
  const nC = o.concurrentReads * 5;
  // Failures are counted, not thrown: at 50 callers on a loaded machine a query can expire, and that is a figure.
  let rawFailures = 0;
  const rawQ50 = await pool(nC, o.concurrentReads, async () => {
    await wf.query(benchQuery).catch(() => {
      rawFailures++;
    });
  });
  let failures = 0;
  const segR50 = await pool(nC, o.concurrentReads, async () => {
    await read().catch(() => {
      failures++;
    });
  });
  await wf.terminate('benchmark repetition done').catch(() => undefined);

  const pids = ctx.target.workerPids();
  const rss = pids.map(rssOf).filter((x): x is number => x !== null);
  const openInvoices = await ctx.db.invoice.count({
    where: { segment: ctx.segment, closedAt: null, NOT: { externalNumber: { startsWith: INTAKE_ONLY } } },
  });
  const r: RepResult = {
    rep,
    loadavg: { before, after: os.loadavg().map((x) => round(x, 2)) },
    rawStartsPerS: round(o.starts / raw1.seconds),
    segStartsPerS: round(o.starts / seg1.seconds),
    segIntakeOnlyPerS,
    segOnboardingPerS: round(onboarded / onboardingSeconds),
    rawImportBaselinePerS: round(o.importRows / raw2.seconds),
    segImportRowsPerS: round(imp.totalRows / importSeconds),
    rawUpdateP50Ms: round(median(rawUpd.latencies)),
    segDecisionP50Ms: round(median(segDec.latencies)),
    rawUpdateP99Ms: round(percentile(rawUpd.latencies, 99)),
    segDecisionP99Ms: round(percentile(segDec.latencies, 99)),
    rawQueryP99Ms: round(percentile(rawQ1.latencies, 99)),
    segReadP99Ms: round(percentile(segR1.latencies, 99)),
    rawQueryP99MsC50: round(percentile(rawQ50.latencies, 99)),
    segReadP99MsC50: round(percentile(segR50.latencies, 99)),
    segLiveReadP99Ms: round(percentile(liveR.latencies, 99)),
    segReadFailuresC50: failures,
    rawQueryFailuresC50: rawFailures,
    workerRssMiB: rss.length ? round(rss.reduce((a, b) => a + b, 0) / 1024 / 1024, 0) : null,
    openInvoices,
    segDecisionSamplesMs: segDec.latencies.map((x) => round(x)),
    rawUpdateSamplesMs: rawUpd.latencies.map((x) => round(x)),
  };
  log(
    `  rep ${rep}: decision p99 raw ${r.rawUpdateP99Ms} ms / API ${r.segDecisionP99Ms} ms; read p99 raw ${r.rawQueryP99Ms} / API ${r.segReadP99Ms} ms; at ${o.concurrentReads}: raw ${r.rawQueryP99MsC50} ms (${rawFailures} failed) / API ${r.segReadP99MsC50} ms (${failures} failed); worker RSS ${r.workerRssMiB ?? '?'} MiB at ${openInvoices} open; load ${r.loadavg.after.join(' ')}`,
  );
  const slowest = segDec.latencies.indexOf(Math.max(...segDec.latencies));
  log(
    `  rep ${rep}: slowest decision is #${slowest + 1} of ${segDec.latencies.length} (${round(segDec.latencies[slowest])} ms); first three ${segDec.latencies
      .slice(0, 3)
      .map((x) => round(x))
      .join(', ')} ms`,
  );
  return r;
}

export interface Figure {
  figure: string;
  raw: number | null;
  segugio: number;
  unit: string;
  /** Segugio / raw (rates) or Segugio / raw (latencies): median of the per-repetition ratios, with their spread. */
  ratio: number | null;
  ratioMin: number | null;
  ratioMax: number | null;
  goal: string;
  met: boolean | null;
}

export function summarize(reps: RepResult[]): Figure[] {
  const fig = (
    figure: string,
    unit: string,
    raw: ((r: RepResult) => number) | null,
    seg: (r: RepResult) => number,
    goal: string,
    test: ((ratio: number, r: RepResult[]) => boolean) | null,
  ): Figure => {
    const ratios = raw ? reps.map((r) => seg(r) / raw(r)) : [];
    const ratio = raw ? round(median(ratios), 2) : null;
    return {
      figure,
      unit,
      raw: raw ? round(median(reps.map(raw))) : null,
      segugio: round(median(reps.map(seg))),
      ratio,
      ratioMin: raw ? round(Math.min(...ratios), 2) : null,
      ratioMax: raw ? round(Math.max(...ratios), 2) : null,
      goal,
      met: test && ratio !== null ? test(ratio, reps) : null,
    };
  };
  return [
    fig(
      'starts/s at concurrency 16 (raw: workflow.start, no worker)',
      '/s',
      (r) => r.rawStartsPerS,
      (r) => r.segStartsPerS,
      '≥ 0.9',
      (x) => x >= 0.9,
    ),
    ...(reps.every((r) => r.segIntakeOnlyPerS !== null)
      ? [
          fig(
            'diagnostic: starts/s with no worker running them (the intake alone), vs raw',
            '/s',
            (r) => r.rawStartsPerS,
            (r) => r.segIntakeOnlyPerS ?? NaN,
            '—',
            null,
          ),
        ]
      : []),
    fig(
      'onboarding end to end (accepted → first timer), vs raw starts',
      '/s',
      (r) => r.rawStartsPerS,
      (r) => r.segOnboardingPerS,
      '≥ 0.6',
      (x) => x >= 0.6,
    ),
    fig(
      'bulk import rows/s vs raw starts',
      '/s',
      (r) => r.rawImportBaselinePerS,
      (r) => r.segImportRowsPerS,
      '≥ 0.9',
      (x) => x >= 0.9,
    ),
    fig(
      'decision round trip p99 (raw: update on a minimal workflow)',
      'ms',
      (r) => r.rawUpdateP99Ms,
      (r) => r.segDecisionP99Ms,
      '≤ 1.5',
      (x) => x <= 1.5,
    ),
    fig(
      'decision round trip p50',
      'ms',
      (r) => r.rawUpdateP50Ms,
      (r) => r.segDecisionP50Ms,
      '—',
      null,
    ),
    fig(
      'state read p99, one caller (raw: a query)',
      'ms',
      (r) => r.rawQueryP99Ms,
      (r) => r.segReadP99Ms,
      '≤ 2',
      (x) => x <= 2,
    ),
    fig(
      'state read p99, 50 callers (raw: a query at 50)',
      'ms',
      (r) => r.rawQueryP99MsC50,
      (r) => r.segReadP99MsC50,
      '≤ 2 × raw, 0 failed',
      (x, rs) => x <= 2 && rs.every((r) => r.segReadFailuresC50 === 0),
    ),
    fig(
      'live state read p99 (live=true), one caller, vs a query',
      'ms',
      (r) => r.rawQueryP99Ms,
      (r) => r.segLiveReadP99Ms,
      '—',
      null,
    ),
    fig(
      'worker RSS (MiB) at the open invoices of the run',
      'MiB',
      null,
      (r) => r.workerRssMiB ?? NaN,
      'bounded (see scale)',
      null,
    ),
  ];
}

export function formatTable(figures: Figure[]): string {
  const rows = figures.map((f) => [
    f.figure,
    f.raw === null ? '—' : `${f.raw} ${f.unit}`,
    `${f.segugio} ${f.unit}`,
    f.ratio === null ? '—' : `${f.ratio} (${f.ratioMin}–${f.ratioMax})`,
    f.goal,
    f.met === null ? '' : f.met ? 'met' : 'not met',
  ]);
  const head = ['figure', 'raw Temporal', 'Segugio', 'ratio (spread)', 'goal', ''];
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Scale: open invoices created with the bulk path in steps; worker RSS and wake-up latency (payment → PAID) at each.
// ---------------------------------------------------------------------------------------------------------------

export interface ScalePoint {
  openInvoices: number;
  workerRssMiB: number | null;
  wakeP50Ms: number;
  wakeP99Ms: number;
  importRowsPerS: number;
  loadavg: number[];
  at: string;
}

export async function runScale(
  ctx: BenchContext,
  steps: number[],
  opts: { wakeSamples: number; log: (l: string) => void; deadlineMs: number },
): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  let created = 0;
  const stopAt = Date.now() + opts.deadlineMs;
  for (const step of steps) {
    while (created < step) {
      if (Date.now() > stopAt) {
        opts.log(`scale: time is up at ${created} invoices`);
        return points;
      }
      const chunk = Math.min(5000, step - created);
      const due = isoDay(45).split('-').reverse().join('/');
      const lines = ['Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento'];
      for (let i = created; i < created + chunk; i++)
        lines.push(
          `SCALE-${ctx.runId}-${i};SCALE-${ctx.runId}-C${i % 2000};Cliente ${i % 2000} S.r.l.;${100 + (i % 900)},00;01/11/2026;${due};${ctx.segment}`,
        );
      const t0 = performance.now();
      const sub = await ctx.api(
        'POST',
        `/v1/imports?filename=scale-${ctx.runId}-${created}.csv`,
        `${lines.join('\n')}\n`,
        'text/csv',
      );
      if (sub.status !== 202) throw new Error(`import answered ${sub.status}`);
      let imp = await ctx.db.import.findUniqueOrThrow({ where: { id: sub.body.importId as string } });
      while (imp.status === 'RUNNING' && Date.now() < stopAt + 600_000) {
        await sleep(500);
        imp = await ctx.db.import.findUniqueOrThrow({ where: { id: imp.id } });
      }
      created += chunk;
      const rate = chunk / ((performance.now() - t0) / 1000);
      opts.log(
        `scale: ${created} created (${round(rate)} rows/s), load ${os
          .loadavg()
          .map((x) => round(x, 2))
          .join(' ')}`,
      );
      if (created >= step) {
        // Let the new workflows reach their first timer before sampling.
        const prefix = `SCALE-${ctx.runId}-`;
        const settle = Date.now() + 300_000;
        while ((await mirroredCount(ctx.db, prefix)) < created && Date.now() < settle) await sleep(500);
        await sleep(5000);
        const rss = ctx.target
          .workerPids()
          .map(rssOf)
          .filter((x): x is number => x !== null);
        const wake = await wakeUp(ctx, prefix, created, opts.wakeSamples);
        points.push({
          openInvoices: await ctx.db.invoice.count({ where: { segment: ctx.segment, closedAt: null } }),
          workerRssMiB: rss.length ? round(rss.reduce((a, b) => a + b, 0) / 1024 / 1024, 0) : null,
          wakeP50Ms: round(median(wake)),
          wakeP99Ms: round(percentile(wake, 99)),
          importRowsPerS: round(rate),
          loadavg: os.loadavg().map((x) => round(x, 2)),
          at: new Date().toISOString(),
        });
        const p = points[points.length - 1];
        opts.log(
          `scale: ${p.openInvoices} open → worker RSS ${p.workerRssMiB ?? '?'} MiB, wake-up p50 ${p.wakeP50Ms} ms p99 ${p.wakeP99Ms} ms (load ${p.loadavg.join(' ')})`,
        );
      }
    }
  }
  return points;
}

/** Pays `k` random open invoices of the set in full, one after the other, and times each until its mirror says PAID. */
async function wakeUp(ctx: BenchContext, prefix: string, created: number, k: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let j = 0; j < k; j++) {
    const number = `${prefix}${crypto.randomInt(created)}`;
    const row = await ctx.db.invoice.findUnique({ where: { externalNumber: number } });
    if (!row || row.closedAt) continue;
    const t0 = performance.now();
    const r = await ctx.api('POST', `/v1/invoices/${row.id}/payments`, {
      reference: `BENCH-PAY-${j}`,
      amountMinor: toNumber(row.balanceMinor),
      paidOn: isoDay(0),
    });
    if (r.status !== 201) throw new Error(`payment answered ${r.status}`);
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      const now = await ctx.db.invoice.findUnique({ where: { id: row.id }, select: { stage: true } });
      if (now?.stage === 'PAID') break;
      await sleep(20);
    }
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

export function resultPath(root: string, kind: string): string {
  return path.join(root, '.segugio', 'bench', `${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
}
