/**
 * `npm run bench` — the performance table of docs/performance.md (a script, not a test). It starts a throw-away
 * dev-shaped stack (embedded PostgreSQL, the Temporal dev server, one API process and one worker process with the
 * production options of the validated config), measures raw Temporal and Segugio in the same run, alternating, for
 * `--reps` repetitions (default 3), prints the table with medians, ratios and their spread, writes the JSON result under
 * .segugio/bench/, and stops everything.
 *
 *   npm run bench [-- --reps=3 --starts=200 --import=300 --decisions=40 --reads=100 --built]
 *   npm run bench -- --scale=1000,2000,5000,10000 [--scale-minutes=30] [--wake=30]
 *
 * --built runs the API and the worker from `npm run build` output (node dist/…) instead of the sources (tsx).
 * --scale creates open invoices with the bulk path (CSV imports through the API) up to each step and samples the
 * worker's RSS and the wake-up latency payment → PAID there; it stops at the step reached when the time is up.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { PROJECT_ROOT } from '../infra/tools';
import { startStack } from './stack';
import {
  DEFAULT_OPTIONS,
  formatTable,
  prepare,
  resultPath,
  runRep,
  runScale,
  summarize,
  type BenchOptions,
  type BenchTarget,
  type RepResult,
} from './bench-lib';
import { httpOk, logContains, startService, waitReady, type Service } from './processes';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ??
  (process.argv.includes(`--${name}`) ? 'true' : undefined);
const num = (name: string, fallback: number): number => {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const log = (line: string): void => console.log(line);

/** The API and worker commands: from the build output (production shape) or the sources. */
export function processCommand(
  built: boolean,
  entry: 'api/server' | 'worker/main',
  nodeFlags: string[] = [],
): [string, string[]] {
  if (built) {
    const js = path.join(PROJECT_ROOT, 'dist', `${entry}.js`);
    if (!fs.existsSync(js)) throw new Error(`${js} is missing: run npm run build first`);
    return [process.execPath, [...nodeFlags, js]];
  }
  // tsx as a loader of this very process (not its CLI, which forks): the pid is the one whose memory is measured.
  return [process.execPath, [...nodeFlags, '--import', 'tsx', path.join(PROJECT_ROOT, `${entry}.ts`)]];
}

/** `--profile`: V8 CPU profiles of the API and the worker, written when they stop (see dev/profile-summary.ts). */
const profileFlags = (dir: string): string[] =>
  arg('profile') === 'true' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];

/** The dev-shaped stack a benchmark runs against: the stack, one worker, one API, ready; `stop()` ends all three. */
export interface DevTarget {
  target: BenchTarget;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away stack (embedded PostgreSQL, Temporal dev server), one worker and one API process with the
 * production options of the validated config (from `dist` when `built`), logs under `runDir`, and waits until both
 * serve. Shared by `npm run bench` and `npm run bench:search`.
 */
export async function startDevTarget(
  runDir: string,
  built: boolean,
  nodeFlags: { worker?: string[]; api?: string[] } = {},
): Promise<DevTarget> {
  const stack = await startStack({ mode: 'test' });
  const services: Service[] = [];
  const stop = async (): Promise<void> => {
    for (const s of services.reverse()) await s.stop();
    await stack.stop();
  };
  try {
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: stack.DATABASE_URL,
      TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS,
      SEGUGIO_MODE: 'test',
      TEMPORAL_TASK_QUEUE: `segugio-bench-${crypto.randomBytes(3).toString('hex')}`,
      SEGUGIO_SCHEDULES: 'false',
      SEGUGIO_DATA_DIR: path.join(runDir, 'data'),
      API_RATE_LIMIT_PER_MINUTE: '10000000',
    };
    const [workerCmd, workerArgs] = processCommand(built, 'worker/main', nodeFlags.worker);
    const worker = startService('worker', workerCmd, workerArgs, {
      // 'info': readiness is the worker's "worker started" line.
      env: { ...env, LOG_LEVEL: 'info' },
      cwd: PROJECT_ROOT,
      logFile: path.join(runDir, 'worker.log'),
    });
    services.push(worker);
    const [apiCmd, apiArgs] = processCommand(built, 'api/server', nodeFlags.api);
    const startApi = (name: string, apiPort: number, extra: NodeJS.ProcessEnv = {}): Service => {
      const s = startService(name, apiCmd, apiArgs, {
        env: { ...env, LOG_LEVEL: 'warn', PORT: String(apiPort), ...extra },
        cwd: PROJECT_ROOT,
        logFile: path.join(runDir, `${name}.log`),
      });
      services.push(s);
      return s;
    };
    const api = startApi('api', port);
    // The diagnostic API: same database and Temporal, a task queue no worker polls (see BenchTarget.intakeOnlyUrl).
    const intakePort = await freePort();
    const intakeOnly = startApi('api-intake-only', intakePort, {
      TEMPORAL_TASK_QUEUE: `${env.TEMPORAL_TASK_QUEUE}-unpolled`,
    });
    await waitReady(api, httpOk(`http://127.0.0.1:${port}/health`), 120_000);
    await waitReady(intakeOnly, httpOk(`http://127.0.0.1:${intakePort}/health`), 120_000);
    await waitReady(worker, logContains(worker, 'worker started'), 180_000);
    return {
      target: {
        label: `dev stack (Temporal dev server, embedded PostgreSQL; one API, one worker from ${built ? 'dist' : 'sources'})`,
        apiUrls: [`http://127.0.0.1:${port}`],
        temporalAddress: stack.TEMPORAL_ADDRESS,
        namespace: 'default',
        databaseUrl: stack.DATABASE_URL,
        workerPids: () => [worker.child.pid ?? 0],
        intakeOnlyUrl: `http://127.0.0.1:${intakePort}`,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function main(): Promise<void> {
  const built = arg('built') === 'true';
  const scale = arg('scale');
  const opts: BenchOptions = {
    ...DEFAULT_OPTIONS,
    reps: num('reps', DEFAULT_OPTIONS.reps),
    starts: num('starts', DEFAULT_OPTIONS.starts),
    importRows: num('import', DEFAULT_OPTIONS.importRows),
    decisions: num('decisions', DEFAULT_OPTIONS.decisions),
    reads: num('reads', DEFAULT_OPTIONS.reads),
    log,
  };
  const runDir = path.join(PROJECT_ROOT, '.segugio', 'bench', `run-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(runDir, { recursive: true });
  log(
    `bench: ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; logs in ${path.relative(PROJECT_ROOT, runDir)}`,
  );
  let dev: DevTarget | undefined;
  let ctx: Awaited<ReturnType<typeof prepare>> | undefined;
  try {
    dev = await startDevTarget(runDir, built, {
      worker: profileFlags(path.join(runDir, 'profile-worker')),
      api: profileFlags(path.join(runDir, 'profile-api')),
    });
    const { target } = dev;
    ctx = await prepare(target);
    const result = scale ? await scaleRun(ctx, scale) : await tableRun(ctx, opts);
    const file = resultPath(PROJECT_ROOT, scale ? 'scale' : 'bench');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ target: target.label, ...result }, null, 2));
    log(`result: ${path.relative(PROJECT_ROOT, file)}`);
  } catch (err) {
    // Said before the clean-up, whose own errors must not hide it.
    console.error(`bench: failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  } finally {
    await ctx?.stop().catch(() => undefined);
    await dev?.stop();
    // A client retry timer may still fire into a closed channel; the run is over either way.
    process.exit(process.exitCode ?? 0);
  }

  async function scaleRun(c: NonNullable<typeof ctx>, spec: string) {
    const steps = spec.split(',').map(Number);
    if (steps.some((s) => !Number.isInteger(s) || s < 1))
      throw new Error('--scale takes open-invoice counts: 1000,5000');
    const points = await runScale(c, steps, {
      wakeSamples: num('wake', 30),
      log,
      deadlineMs: num('scale-minutes', 30) * 60_000,
    });
    log('');
    log('| open invoices | worker RSS | wake-up p50 | wake-up p99 | import rows/s | load average |');
    log('|---|---|---|---|---|---|');
    for (const p of points)
      log(
        `| ${p.openInvoices} | ${p.workerRssMiB} MiB | ${p.wakeP50Ms} ms | ${p.wakeP99Ms} ms | ${p.importRowsPerS} | ${p.loadavg.join(' ')} |`,
      );
    return { kind: 'scale', machine: machine(), points };
  }
}

export async function tableRun(ctx: Awaited<ReturnType<typeof prepare>>, opts: BenchOptions) {
  const reps: RepResult[] = [];
  for (let rep = 1; rep <= opts.reps; rep++) reps.push(await runRep(ctx, rep, opts));
  const figures = summarize(reps);
  const loads = reps.flatMap((r) => [r.loadavg.before[0], r.loadavg.after[0]]);
  opts.log('');
  opts.log(
    `${ctx.target.label}; ${opts.reps} repetitions, medians; load average (1 min) ${Math.min(...loads)}–${Math.max(...loads)}`,
  );
  opts.log(formatTable(figures));
  return { kind: 'table', machine: machine(), options: { ...opts, log: undefined }, figures, reps };
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg(),
    at: new Date().toISOString(),
  };
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
}
