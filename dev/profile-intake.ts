/**
 * What bounds invoice creation at concurrency 16 (a script, not a test). On a throw-away dev stack, with the API
 * served over HTTP from this process and no worker polling its task queue (the intake alone, as raw Temporal's starts
 * have no worker either), it measures:
 *
 * - raw `workflow.start` of a type nobody runs and `POST /v1/invoices`, alternating, 16 callers, twice;
 * - the CPU this process spends per creation (`process.cpuUsage`) over a profiled round, with its V8 CPU profile
 *   written beside the JSON result (read it with `npx tsx dev/profile-summary.ts <file>`);
 * - PostgreSQL's own commit rate on the same server at 16 callers (BEGIN, two INSERTs, COMMIT, synchronous commit on):
 *   the ceiling the database would put on the intake.
 *
 *   npx tsx dev/profile-intake.ts [--n=300]
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { createApp } from '../api/app';
import { createApiKey } from '../contexts/access/auth';
import { PrismaClient } from '../generated/prisma/client';
import { createLogger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/tools';
import { createQuietSegment, inProcessConfig, isoDay, pool, resultPath, round } from './bench-lib';
import { startStack } from './stack';

const n = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 300);
const CALLERS = 16;
/** `count` operations with `CALLERS` callers; operations per second. */
async function rate(count: number, op: (i: number) => Promise<void>): Promise<number> {
  return round(count / (await pool(count, CALLERS, op)).seconds);
}

async function main(): Promise<void> {
  const stack = await startStack({ mode: 'test' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-intake-'));
  const tag = crypto.randomBytes(3).toString('hex');
  // No worker polls its task queue: the creations' workflows are started and left alone.
  const config = inProcessConfig(stack, `intake-unpolled-${tag}`, dataDir);
  const db = new PrismaClient({
    adapter: new PrismaPg({ connectionString: stack.DATABASE_URL, max: config.DATABASE_POOL_SIZE }),
  });
  const connection = await Connection.connect({ address: stack.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: 'default' });
  const server = http.createServer(createApp({ db, temporal: client, config, log: createLogger('silent', 'intake') }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const pool = new Pool({ connectionString: stack.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
  try {
    const erp = await createApiKey(db, { label: 'intake profile', role: 'erp' });
    const segment = `intake-${tag}`;
    await createQuietSegment(db, segment);
    const post = (round_: string) => async (i: number) => {
      const res = await fetch(`${base}/v1/invoices`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${erp.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          number: `INT-${tag}-${round_}-${i}`,
          customer: { externalId: `INT-${tag}-C${i % 200}`, name: 'Cliente S.r.l.', language: 'it', segment },
          currency: 'EUR',
          amountMinor: 50_000 + i,
          issueDate: isoDay(-20),
          dueDate: isoDay(40),
        }),
      });
      await res.text();
      if (res.status !== 201) throw new Error(`POST /v1/invoices answered ${res.status}`);
    };
    const raw = (round_: string) => async (i: number) => {
      await client.workflow.start('nobodyRunsThis', {
        taskQueue: `intake-none-${tag}`,
        workflowId: `intake-raw-${tag}-${round_}-${i}`,
        workflowExecutionTimeout: '3 minutes',
      });
    };
    await rate(20, post('warm'));
    const rounds: Array<{ rawPerS: number; postPerS: number }> = [];
    for (const r of [1, 2]) {
      const rawPerS = await rate(n, raw(`r${r}`));
      const postPerS = await rate(n, post(`p${r}`));
      rounds.push({ rawPerS, postPerS });
      console.log(`round ${r}: raw start ${rawPerS}/s, POST /v1/invoices (no worker) ${postPerS}/s`);
    }

    // The profiled round: CPU of this process (the API) per creation.
    const session = new inspector.Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const profiledPerS = await rate(n, post('prof'));
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - w0;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    const cpuMsPerCreation = round((cpu.user + cpu.system) / 1000 / n);
    console.log(
      `profiled round: ${profiledPerS}/s; the API process used ${round((cpu.user + cpu.system) / 1000)} ms of CPU in ${round(wallMs)} ms (${round(((cpu.user + cpu.system) / 1000 / wallMs) * 100)} % of one core): ${cpuMsPerCreation} ms per creation`,
    );

    // PostgreSQL's ceiling: the same number of small transactions, 16 at a time, durable commits.
    await pool.query(`CREATE TABLE "intake_probe_${tag}" (id serial PRIMARY KEY, a text, b jsonb)`);
    const commitsPerS = await rate(n * 4, async (i) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        for (const a of ['customer', 'invoice'])
          await c.query(`INSERT INTO "intake_probe_${tag}" (a, b) VALUES ($1, $2)`, [a.repeat(40), { i }]);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    });
    await pool.query(`DROP TABLE "intake_probe_${tag}"`);
    console.log(`PostgreSQL alone: ${commitsPerS} transactions/s (two INSERTs each, synchronous commit, 16 callers)`);

    const file = resultPath(PROJECT_ROOT, 'profile-intake');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file.replace(/\.json$/, '.cpuprofile'), JSON.stringify(profile));
    fs.writeFileSync(
      file,
      JSON.stringify(
        { n, callers: CALLERS, loadavg: os.loadavg(), rounds, profiledPerS, cpuMsPerCreation, commitsPerS },
        null,
        2,
      ),
    );
    console.log(`result: ${path.relative(PROJECT_ROOT, file)} (and its .cpuprofile)`);
  } finally {
    server.close();
    await pool.end();
    await connection.close();
    await db.$disconnect();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main()
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(`profile-intake: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
