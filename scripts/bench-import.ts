/**
 * Bulk-import benchmark (not a test). On a running dev stack (`npm run dev`: its PostgreSQL and Temporal server),
 * it measures in one run:
 *   1. the rate of plain `client.workflow.start` calls of an empty workflow (the ceiling Temporal allows here),
 *   2. the rate of a real import of N generated invoices (CSV → import workflow → rows validated, invoices written,
 *      invoice workflows started), with the import's own worker in this process,
 * and prints both, their ratio, and this process's peak memory.
 *
 *   npx tsx scripts/bench-import.ts [N=5000] [--keep]
 *
 * Environment: DATABASE_URL (default: the dev stack's embedded PostgreSQL), TEMPORAL_ADDRESS (default 127.0.0.1:7233).
 * Everything it starts runs on its own task queue and is terminated at the end (pass --keep to keep it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { importsDir, submitImport } from '../contexts/intake/imports';
import { storeFile } from '../contexts/documents/uploads';
import { loadConfig } from '../infra/config';
import { createDb } from '../infra/db';
import { createLogger } from '../infra/logger';
import { seedBase } from '../prisma/seed';

const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5000);
const keep = process.argv.includes('--keep');
const CONCURRENCY = 16;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`;

async function main(): Promise<void> {
  const taskQueue = `segugio-bench-${crypto.randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    DATABASE_URL: 'postgresql://segugio:segugio@127.0.0.1:54329/segugio',
    SEGUGIO_MODE: 'dev',
    LOG_LEVEL: 'warn',
    ...process.env,
    TEMPORAL_TASK_QUEUE: taskQueue,
  });
  const log = createLogger(config.LOG_LEVEL, 'segugio-bench');
  const db = createDb(config.DATABASE_URL, 10);
  await seedBase(db);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  console.log(`bench: ${n} rows, task queue ${taskQueue}, ${os.cpus().length} CPUs`);

  // 1. Baseline: starts of a workflow type no worker runs (nothing executes: pure start throughput), same concurrency.
  const runId = crypto.randomBytes(3).toString('hex');
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) {
        await client.workflow.start('benchEmptyWorkflow', {
          taskQueue: `${taskQueue}-empty`,
          workflowId: `bench-empty-${runId}-${i}`,
          workflowExecutionTimeout: '2 minutes',
        });
      }
    }),
  );
  const baseline = n / ((Date.now() - t0) / 1000);
  console.log(`plain client.workflow.start: ${baseline.toFixed(1)} starts/s`);

  // 2. The import, with a worker for this task queue in this process.
  const nativeConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ db, config, log, temporal: client }),
  });
  const running = worker.run();

  const due = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const csvPath = path.join(os.tmpdir(), `segugio-bench-${runId}.csv`);
  const out = fs.createWriteStream(csvPath);
  out.write('Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento\n');
  for (let i = 0; i < n; i++) {
    const euros = 100 + (i % 9000);
    out.write(
      `BENCH-${runId}-${i};BENCH-${runId}-C${i % 500};Cliente ${i % 500} S.r.l.;${euros},${String(i % 100).padStart(2, '0')};01/09/2026;${due.split('-').reverse().join('/')};standard\n`,
    );
  }
  await new Promise<void>((r) => out.end(() => r()));

  const t1 = Date.now();
  const stored = await storeFile(fs.createReadStream(csvPath), importsDir(config.SEGUGIO_DATA_DIR), {
    limitBytes: 500 * 1024 * 1024,
    filename: path.basename(csvPath),
    mimeType: 'text/csv',
  });
  const { importId } = await submitImport(
    { db, temporal: client, taskQueue, dataDir: config.SEGUGIO_DATA_DIR },
    stored,
    'bench',
  );
  let row = await db.import.findUniqueOrThrow({ where: { id: importId } });
  let lastPrint = 0;
  while (row.status === 'RUNNING') {
    await new Promise((r) => setTimeout(r, 250));
    row = await db.import.findUniqueOrThrow({ where: { id: importId } });
    if (Date.now() - lastPrint > 5000) {
      lastPrint = Date.now();
      console.log(`  … ${row.totalRows}/${n} rows (${(row.totalRows / ((Date.now() - t1) / 1000)).toFixed(1)} rows/s)`);
    }
  }
  const seconds = (Date.now() - t1) / 1000;
  const rate = row.totalRows / seconds;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(
    fs.existsSync('/proc/self/status') ? fs.readFileSync('/proc/self/status', 'utf8') : '',
  );

  console.log('');
  console.log(
    `import ${row.status}: ${row.acceptedRows} accepted, ${row.rejectedRows} rejected, ${row.startedWorkflows} workflows started in ${seconds.toFixed(1)} s`,
  );
  console.log(`import rate:                 ${rate.toFixed(1)} rows/s`);
  console.log(`plain workflow.start rate:   ${baseline.toFixed(1)} starts/s`);
  console.log(`ratio import / plain start:  ${(rate / baseline).toFixed(2)}`);
  console.log(
    `peak memory (this process, API intake + import worker): ${mib(Math.max(peakRss, hwm ? Number(hwm[1]) * 1024 : 0))}`,
  );

  worker.shutdown();
  await running;
  if (!keep) {
    console.log('cleaning up: terminating the benchmark’s invoice workflows…');
    const ids: string[] = [];
    for await (const wf of client.workflow.list({
      query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
    }))
      ids.push(wf.workflowId);
    let k = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = k++; i < ids.length; i = k++)
          await client.workflow
            .getHandle(ids[i])
            .terminate('benchmark')
            .catch(() => undefined);
      }),
    );
  }
  fs.rmSync(csvPath, { force: true });
  await nativeConnection.close();
  await connection.close();
  await db.$disconnect();
  clearInterval(sampler);
}

main().catch((err: unknown) => {
  console.error(`bench-import: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
