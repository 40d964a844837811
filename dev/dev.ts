/**
 * `npm run dev`: the whole of Segugio on one machine without Docker — embedded PostgreSQL, the Temporal dev server
 * with its Web UI, the worker and the API — plus demo data. State lives in .segugio/ and survives restarts.
 * The worker and the API are supervised (dev/supervisor.ts): a crash is announced and the process restarted with
 * backoff. PostgreSQL and Temporal are watched: when either stops answering the runner says so, and again when it is
 * back. Ctrl-C stops every child cleanly; whatever ends the runner, no child outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEV_KEYS, DEV_USERS } from '../contexts/access/dev-keys';
import { createDb } from '../infra/db';
import { extraHolidays } from '../infra/config';
import { assertPortFree } from './ports';
import { watchBackingServices } from './supervisor';
import { connectTemporal } from '../infra/temporal';
import { removeDevStackState, writeDevStackState } from '../infra/dev-stack';
import { PROJECT_ROOT } from '../infra/tools';
import { seedBase, seedDemoInvoices } from '../prisma/seed';
import { backfillTermEnds } from '../contexts/intake/term-end';
import { TASK_QUEUE } from '../workflows/contract';
import { startStack, type RunningStack } from './stack';
import { supervise, type Supervised } from './supervisor';

const logDir = path.join(PROJECT_ROOT, '.segugio', 'logs');
const say = (msg: string): void => void process.stdout.write(`${msg}\n`);

function startChild(name: string, script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const out = fs.createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, script)], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: tsx runs the program in a child of its own, and when tsx itself is killed the
    // supervisor kills the whole group, so no worker or API is left running behind a restart.
    detached: true,
  });
  const verbose = process.env.SEGUGIO_VERBOSE === '1';
  const forward = (d: Buffer): void => {
    out.write(d);
    if (verbose) process.stdout.write(d.toString().replace(/^/gm, `[${name}] `));
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

async function waitHealthy(url: string, supervised: Supervised, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (supervised.restarts() > 3) throw new Error('the API keeps exiting at start; see .segugio/logs/api.log');
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the API did not become healthy in ${timeoutMs / 1000} s; see .segugio/logs/api.log`);
}

async function main(): Promise<void> {
  fs.mkdirSync(logDir, { recursive: true });
  const port = Number(process.env.PORT ?? 3000);
  await assertPortFree(port, 'Segugio API', 'PORT');
  const stackLog = fs.createWriteStream(path.join(logDir, 'stack.log'), { flags: 'a' });
  say('segugio: starting PostgreSQL and the Temporal dev server…');
  const stack: RunningStack = await startStack({ mode: 'dev', log: (l) => stackLog.write(`${l}\n`) });
  const children: Supervised[] = [];
  let stopping: Promise<never> | null = null;
  let watch: NodeJS.Timeout | undefined;
  const stopChildren = (): Promise<void[]> => Promise.all(children.map((c) => c.stop()));
  // Last resort: an exit the runner did not plan (an exception, process.exit elsewhere) still takes its children.
  process.on('exit', () => {
    for (const c of children) c.killNow();
    removeDevStackState();
  });
  /** Stops the API and the worker, then Temporal and PostgreSQL; a second call waits for the first. */
  const stopAll = (code: number): Promise<never> => {
    stopping ??= (async () => {
      say('\nsegugio: stopping…');
      if (watch) clearInterval(watch);
      await stopChildren();
      removeDevStackState();
      await stack.stop();
      say('segugio: stopped. Data kept in .segugio/ — run `npm run dev` again to resume.');
      process.exit(code);
    })();
    return stopping;
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SEGUGIO_MODE: 'dev',
      DATABASE_URL: stack.DATABASE_URL,
      TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS,
      PORT: String(port),
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`,
    };
    const db = createDb(stack.DATABASE_URL, 3);
    await seedBase(db);
    // For `npm run segugio -- import …` in another terminal: it reads this when DATABASE_URL is not set.
    writeDevStackState({
      pid: process.pid,
      startedAt: new Date().toISOString(),
      DATABASE_URL: stack.DATABASE_URL,
      TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: process.env.TEMPORAL_NAMESPACE ?? 'default',
      ...(process.env.TEMPORAL_TASK_QUEUE ? { TEMPORAL_TASK_QUEUE: process.env.TEMPORAL_TASK_QUEUE } : {}),
      ...(process.env.SEGUGIO_DATA_DIR ? { SEGUGIO_DATA_DIR: process.env.SEGUGIO_DATA_DIR } : {}),
      apiUrl: `http://127.0.0.1:${port}`,
    });

    say('segugio: starting the worker and the API…');
    const worker = supervise('worker', () => startChild('worker', 'worker/main.ts', env), {
      say,
      logHint: '.segugio/logs/worker.log',
    });
    const api = supervise('API', () => startChild('api', 'api/server.ts', env), {
      say,
      logHint: '.segugio/logs/api.log',
    });
    children.push(worker, api);
    await waitHealthy(`http://127.0.0.1:${port}/health`, api, 120_000);
    watch = watchBackingServices(`http://127.0.0.1:${port}/health`, say);

    const temporal = await connectTemporal({
      TEMPORAL_ADDRESS: stack.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TLS: false,
    });
    const created = await seedDemoInvoices(
      db,
      temporal,
      process.env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE,
      process.env.SEGUGIO_TZ ?? 'Europe/Rome',
      extraHolidays({ SEGUGIO_EXTRA_HOLIDAYS: process.env.SEGUGIO_EXTRA_HOLIDAYS ?? '' }),
    );
    // A dev database kept from before the effective-due-date column: fill it (idempotent, a no-op once done).
    await backfillTermEnds(db, extraHolidays({ SEGUGIO_EXTRA_HOLIDAYS: process.env.SEGUGIO_EXTRA_HOLIDAYS ?? '' }));
    await temporal.connection.close();
    await db.$disconnect();

    say('');
    say('Segugio is running.');
    say(`  API            http://127.0.0.1:${port}   (health: http://127.0.0.1:${port}/health)`);
    say(`  Console        http://127.0.0.1:${port}/console/`);
    say(`  API docs       http://127.0.0.1:${port}/docs`);
    if (stack.TEMPORAL_UI_URL) say(`  Temporal UI    ${stack.TEMPORAL_UI_URL}`);
    say(`  Temporal       ${stack.TEMPORAL_ADDRESS}`);
    say(`  PostgreSQL     ${stack.DATABASE_URL.replace(/:[^:@/]+@/, ':***@')}`);
    say(`  Outbox         .segugio/data/outbox   Logs  .segugio/logs/`);
    say('  CLI            npm run segugio -- import FILE   (finds this stack through .segugio/stack.json)');
    say(
      `  Demo           ${created > 0 ? `${created} invoices created` : 'demo invoices already present'}; DEMO-* invoices move every few seconds`,
    );
    say('  Dev API keys (Authorization: Bearer <key>):');
    for (const k of DEV_KEYS) say(`    ${k.role.padEnd(11)} ${k.key.padEnd(26)} ${k.label}`);
    say('  Dev console users (e-mail / password):');
    for (const u of DEV_USERS) say(`    ${u.email.padEnd(32)} ${u.password}`);
    say('Press Ctrl-C to stop.');
  } catch (err) {
    if (!stopping) say(`segugio: ${err instanceof Error ? err.message : String(err)}`);
    await stopAll(1);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`segugio: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
