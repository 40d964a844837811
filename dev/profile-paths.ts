/**
 * Where a request's time goes, counted (a script, not a test): SQL statements (with their time in PostgreSQL) and
 * Temporal RPCs per invoice creation, bulk-import row, payment, decision and state read, split between the API and the
 * worker's activities. Runs the real app and a real worker in this process against a throw-away dev stack.
 *
 *   npx tsx dev/profile-paths.ts [--n=20]
 *
 * Prints one table and writes it as JSON under .segugio/bench/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Connection, makeGrpcRetryInterceptor, defaultGrpcRetryOptions } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import request from 'supertest';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { createApiKey } from '../contexts/access/auth';
import { PrismaClient } from '../generated/prisma/client';
import { createLogger } from '../infra/logger';
import { PROJECT_ROOT } from '../infra/tools';
import { startStack } from './stack';
import { createQuietSegment, inProcessConfig, isoDay, pool, resultPath } from './bench-lib';

const n = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 20);

interface Counter {
  sql: number;
  sqlMs: number;
  /** Time from each RPC's start to its status, summed. */
  rpcMs: number;
  statements: Map<string, number>;
  rpc: Map<string, number>;
}
const newCounter = (): Counter => ({ sql: 0, sqlMs: 0, rpcMs: 0, statements: new Map(), rpc: new Map() });
let api = newCounter();
let worker = newCounter();

function countedDb(url: string, which: () => Counter): PrismaClient {
  const db = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 10 }),
    log: [{ emit: 'event', level: 'query' }],
  });
  db.$on('query', (e) => {
    const c = which();
    c.sql++;
    c.sqlMs += e.duration;
    // The statement's shape: its verb and first table, enough to see which queries repeat.
    const shape = /^(\w+)[\s\S]*?(?:FROM|INTO|UPDATE)\s+"public"\."(\w+)"/i.exec(e.query);
    const key = shape ? `${shape[1].toUpperCase()} ${shape[2]}` : e.query.slice(0, 40);
    c.statements.set(key, (c.statements.get(key) ?? 0) + 1);
  });
  return db;
}

const rpcCounter =
  (which: () => Counter): Interceptor =>
  (options, nextCall) => {
    const m = options.method_definition.path.split('/').pop() ?? '?';
    const c = which();
    c.rpc.set(m, (c.rpc.get(m) ?? 0) + 1);
    const t0 = performance.now();
    // The call passes through unchanged, timed to its status; the cast bridges grpc-js's interface and class types.
    return new InterceptingCall(nextCall(options) as unknown as InterceptingCall, {
      start: (metadata, listener, next) =>
        // A partial listener: grpc-js passes every other event on to `listener` unchanged.
        next(metadata, {
          onReceiveStatus: (status, nextStatus) => {
            c.rpcMs += performance.now() - t0;
            nextStatus(status);
          },
        }),
    });
  };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed
  }
  const stack = await startStack({ mode: 'test' });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-profile-'));
  const taskQueue = `profile-${crypto.randomBytes(3).toString('hex')}`;
  const config = inProcessConfig(stack, taskQueue, dataDir);
  const log = createLogger('silent', 'profile');
  const apiDb = countedDb(stack.DATABASE_URL, () => api);
  const workerDb = countedDb(stack.DATABASE_URL, () => worker);
  const interceptors = [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), rpcCounter(() => api)];
  const connection = await Connection.connect({ address: stack.TEMPORAL_ADDRESS, interceptors });
  const client = new Client({ connection, namespace: 'default' });
  const workerClientConn = await Connection.connect({
    address: stack.TEMPORAL_ADDRESS,
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), rpcCounter(() => worker)],
  });
  const workerClient = new Client({ connection: workerClientConn, namespace: 'default' });
  const app = createApp({ db: apiDb, temporal: client, config, log });
  const nativeConnection = await NativeConnection.connect({ address: stack.TEMPORAL_ADDRESS });
  const w = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ db: workerDb, config, log, temporal: workerClient }),
  });
  const running = w.run();
  const rows: Array<Record<string, unknown>> = [];
  try {
    await apiDb.user.upsert({
      where: { id: 'bench-collector' },
      create: { id: 'bench-collector', name: 'Bench', email: 'bench@segugio.example', role: 'collector' },
      update: {},
    });
    const erp = await createApiKey(apiDb, { label: 'profile erp', role: 'erp' });
    const manager = await createApiKey(apiDb, { label: 'profile manager', role: 'manager' });
    const segment = `profile-${crypto.randomBytes(3).toString('hex')}`;
    await createQuietSegment(apiDb, segment);
    const as = (key: string) => ({
      get: (u: string) => request(app).get(u).set('Authorization', `Bearer ${key}`),
      post: (u: string) => request(app).post(u).set('Authorization', `Bearer ${key}`),
    });
    // Warm-up: the key cache, the policy, the first workflow.
    const body = (i: number, tag: string) => ({
      number: `PRF-${tag}-${i}`,
      customer: {
        externalId: `PRF-C${i % 5}`,
        name: 'Profilo S.r.l.',
        language: 'it',
        segment,
        collectorId: 'bench-collector',
      },
      currency: 'EUR',
      amountMinor: 50_000,
      issueDate: isoDay(-20),
      dueDate: isoDay(40),
    });
    await as(erp.key).post('/v1/invoices').send(body(0, 'warm'));
    await sleep(2000);

    /** `run` may return each operation's latency (concurrent paths): ms/op is then their mean, not wall ÷ n. */
    const measure = async (what: string, run: () => Promise<number[] | void>, settleMs = 3000) => {
      api = newCounter();
      worker = newCounter();
      const t0 = performance.now();
      const latencies = await run();
      const wall = performance.now() - t0;
      const ms = latencies ? latencies.reduce((a, b) => a + b, 0) : wall;
      await sleep(settleMs); // the workflow's follow-up activities land in the worker's counter
      const per = (x: number) => Math.round((x / n) * 10) / 10;
      const top = (m: Map<string, number>) =>
        [...m.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ×${per(v)}`)
          .join(', ');
      const row = {
        path: what,
        msPerOp: Math.round((ms / n) * 10) / 10,
        apiSql: per(api.sql),
        apiSqlMs: per(api.sqlMs),
        apiRpc: per([...api.rpc.values()].reduce((a, b) => a + b, 0)),
        apiRpcMs: per(api.rpcMs),
        ...(latencies ? { perSecond: Math.round((n / wall) * 1000 * 10) / 10 } : {}),
        workerSql: per(worker.sql),
        workerSqlMs: per(worker.sqlMs),
        workerRpc: per([...worker.rpc.values()].reduce((a, b) => a + b, 0)),
        apiStatements: top(api.statements),
        apiRpcs: top(api.rpc),
        workerStatements: top(worker.statements),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    };

    const ids: string[] = [];
    await measure('POST /v1/invoices (one creation)', async () => {
      for (let i = 0; i < n; i++) {
        const r = await as(erp.key).post('/v1/invoices').send(body(i, 'c'));
        if (r.status !== 201) throw new Error(`create ${r.status}`);
        ids.push(r.body.invoiceId as string);
      }
    });
    // The same creations 16 at a time, as the benchmark sends them: how the latency splits between PostgreSQL, the
    // start RPC and waiting (a pooled connection, the event loop) once requests overlap.
    await measure(
      'POST /v1/invoices at concurrency 16',
      async () =>
        (
          await pool(n, 16, async (i) => {
            const r = await as(erp.key).post('/v1/invoices').send(body(i, 'c16'));
            if (r.status !== 201) throw new Error(`create ${r.status}`);
          })
        ).latencies,
    );
    const lines = ['Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento'];
    for (let i = 0; i < n; i++)
      lines.push(
        `PRF-IMP-${i};PRF-IC${i % 5};Import S.r.l.;100,00;01/11/2026;${isoDay(45).split('-').reverse().join('/')};${segment}`,
      );
    await measure(
      'bulk import (per row, CSV through POST /v1/imports)',
      async () => {
        const r = await as(erp.key)
          .post('/v1/imports?filename=profile.csv')
          .set('Content-Type', 'text/csv')
          .send(`${lines.join('\n')}\n`);
        if (r.status !== 202) throw new Error(`import ${r.status}`);
        for (let k = 0; k < 600; k++) {
          const imp = await apiDb.import.findUniqueOrThrow({ where: { id: r.body.importId as string } });
          if (imp.status !== 'RUNNING') break;
          await sleep(100);
        }
      },
      5000,
    );
    await measure('POST pause / resume (one decision)', async () => {
      for (let i = 0; i < n; i++) {
        const id = ids[Math.floor(i / 2)];
        const r =
          i % 2 === 0
            ? await as(manager.key).post(`/v1/invoices/${id}/pause`).send({ reason: 'profile' })
            : await as(manager.key).post(`/v1/invoices/${id}/resume`).send({});
        if (r.status !== 200) throw new Error(`decision ${r.status}`);
      }
    });
    await measure(
      'GET /v1/invoices/:id/state (mirror)',
      async () => {
        for (let i = 0; i < n; i++) await as(manager.key).get(`/v1/invoices/${ids[i]}/state`).expect(200);
      },
      0,
    );
    await measure(
      'GET /v1/invoices/:id/state?live=true',
      async () => {
        for (let i = 0; i < n; i++) await as(manager.key).get(`/v1/invoices/${ids[i]}/state?live=true`).expect(200);
      },
      0,
    );
    await measure(
      'GET /v1/invoices/:id (detail with timeline)',
      async () => {
        for (let i = 0; i < n; i++) await as(manager.key).get(`/v1/invoices/${ids[i]}`).expect(200);
      },
      0,
    );
    await measure('POST /v1/invoices/:id/payments (full: → PAID)', async () => {
      for (let i = 0; i < n; i++) {
        const r = await as(erp.key)
          .post(`/v1/invoices/${ids[i]}/payments`)
          .send({ reference: `PRF-PAY-${i}`, amountMinor: 50_000, paidOn: isoDay(0) });
        if (r.status !== 201) throw new Error(`payment ${r.status}`);
      }
    });
    const file = resultPath(PROJECT_ROOT, 'profile');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ n, loadavg: os.loadavg(), rows }, null, 2));
    console.log('');
    console.log(
      `per operation (n=${n}; load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')})`,
    );
    console.log(
      '| path | ms/op | API SQL | API SQL ms | API Temporal RPCs | API RPC ms | worker SQL | worker SQL ms | worker RPCs (client) |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of rows)
      console.log(
        `| ${String(r.path)} | ${String(r.msPerOp)} | ${String(r.apiSql)} | ${String(r.apiSqlMs)} | ${String(r.apiRpc)} | ${String(r.apiRpcMs)} | ${String(r.workerSql)} | ${String(r.workerSqlMs)} | ${String(r.workerRpc)} |`,
      );
    console.log('');
    for (const r of rows)
      console.log(
        `${String(r.path)}\n  API: ${String(r.apiStatements)}\n  RPC: ${String(r.apiRpcs)}\n  worker: ${String(r.workerStatements)}`,
      );
    console.log(`result: ${path.relative(PROJECT_ROOT, file)}`);
  } finally {
    w.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await workerClientConn.close();
    await apiDb.$disconnect();
    await workerDb.$disconnect();
    await stack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`profile: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
