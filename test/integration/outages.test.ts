/**
 * Outages answer fast and honestly (issue 12): a hung PostgreSQL (accepts connections, never answers), a PostgreSQL
 * that kills the connection under a running statement, a statement past its timeout, and a Temporal that is down —
 * each a 503 with Retry-After within a few seconds, never a 500 and never a hang. Real PostgreSQL, real Temporal.
 */
import { clientInterceptors } from '../../infra/temporal';
import net from 'node:net';
import express from 'express';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../api/app';
import { errorHandler } from '../../api/errors';
import { isUnavailable } from '../../contexts/errors';
import { createDb, type Db } from '../../infra/db';
import { createLogger } from '../../infra/logger';
import { watchBackingServices } from '../../dev/supervisor';
import { invoiceBody, newInvoice, quietSegment } from './api-helpers';
import { isoDaysFromToday, KEYS, startHarness, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let segment: string;
const log = createLogger('silent', 'outage');

beforeAll(async () => {
  h = await startHarness();
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

/** A TCP server that accepts connections and never says a word: a hung PostgreSQL. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('PostgreSQL', () => {
  it('hung: every route answers 503 with Retry-After within a few seconds', async () => {
    const hung = await silentServer();
    const db = createDb(`postgresql://segugio:segugio@127.0.0.1:${hung.port}/segugio`, 2, {
      connectTimeoutMs: 1500,
      statementTimeoutMs: 2000,
    });
    const app = createApp({ db, temporal: h.client, config: h.config, log });
    try {
      for (const [method, url, body] of [
        ['get', '/v1/policies', undefined],
        ['get', '/v1/agenda', undefined],
        ['post', '/v1/invoices', invoiceBody(segment)],
        ['get', '/health', undefined],
      ] as const) {
        const t0 = Date.now();
        const req = request(app)[method](url).set('Authorization', `Bearer ${KEYS.manager}`);
        const res = await (body ? req.set('Authorization', `Bearer ${KEYS.erp}`).send(body) : req);
        const ms = Date.now() - t0;
        console.log(`hung PostgreSQL: ${method.toUpperCase()} ${url} → ${res.status} in ${ms} ms`);
        expect([url, res.status]).toEqual([url, 503]);
        expect(res.headers['retry-after']).toBeDefined();
        expect(ms).toBeLessThan(6000);
      }
    } finally {
      await db.$disconnect().catch(() => undefined);
      await hung.close();
    }
  });

  it('a connection killed under a running statement, and a statement past its timeout, are 503 errors', async () => {
    const url = new URL(h.config.DATABASE_URL);
    url.searchParams.set('application_name', 'segugio-outage-test');
    const db: Db = createDb(url.toString(), 1, { connectTimeoutMs: 2000, statementTimeoutMs: 1500 });
    const app = express();
    app.get('/sleep/:s', async (req, res, next) => {
      try {
        await db.$queryRawUnsafe(`SELECT 1 AS ok FROM pg_sleep(${Number(req.params.s)})`);
        res.json({ ok: true });
      } catch (err) {
        next(err);
      }
    });
    app.use(errorHandler(log));
    try {
      // What a PostgreSQL restart does to a connection in use: the server terminates it (57P01).
      const running = request(app)
        .get('/sleep/1.2')
        .then((r) => r);
      await new Promise((r) => setTimeout(r, 400));
      await h.db.$queryRaw`
        SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'segugio-outage-test'`;
      const killed = await running;
      console.log(`killed connection → ${killed.status} ${JSON.stringify(killed.body)}`);
      expect(killed.status).toBe(503);
      expect(killed.headers['retry-after']).toBeDefined();

      const slow = await request(app).get('/sleep/3');
      console.log(`statement past its timeout → ${slow.status}`);
      expect(slow.status).toBe(503);

      // And the pool recovers: the next statement works.
      expect((await request(app).get('/sleep/0')).status).toBe(200);
    } finally {
      await db.$disconnect();
    }
  });

  it('recognises the raw driver errors of an outage', async () => {
    for (const e of [
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      Object.assign(new Error('x'), { code: 'P2024' }),
      Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('y'), { originalCode: '57P03' }) }),
    ])
      expect([e.message, isUnavailable(e)]).toEqual([e.message, true]);
    expect(isUnavailable(new Error('duplicate key value violates unique constraint'))).toBe(false);
  });
});

describe('Temporal down', () => {
  it('a decision answers 503 within the configured deadline; a read falls back to the mirror and says so', async () => {
    const inv = await newInvoice(h, segment);
    // Built as the API builds it (infra/temporal.ts): closing it while a call still retries ends that call quietly.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: clientInterceptors() });
    const client = new Client({ connection });
    const app = createApp({
      db: h.db,
      temporal: client,
      config: { ...h.config, TEMPORAL_CALL_TIMEOUT_MS: 2000 },
      log,
    });
    let t0 = Date.now();
    const res = await request(app)
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .set('Authorization', `Bearer ${KEYS.collector}`)
      .send({ promisedDate: isoDaysFromToday(5) });
    const decisionMs = Date.now() - t0;
    console.log(`decision with Temporal down → ${res.status} in ${decisionMs} ms`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(decisionMs).toBeLessThan(5000);
    t0 = Date.now();
    const read = await request(app).get(`/v1/invoices/${inv.invoiceId}`).set('Authorization', `Bearer ${KEYS.manager}`);
    console.log(`read with Temporal down → ${read.status} source=${read.body.source} in ${Date.now() - t0} ms`);
    expect(read.status).toBe(200);
    expect(read.body.source).toBe('database');
    await connection.close();
  });
});

describe("the dev runner's watch on the backing services", () => {
  it('says when PostgreSQL or Temporal stops answering and when it is back, once each', async () => {
    // The runner asks the API's /health; here the API in front of it is switched between one on the real stack and
    // ones whose PostgreSQL (a closed port) or Temporal (a closed port) cannot be reached.
    const healthy = createApp({ db: h.db, temporal: h.client, config: h.config, log });
    const deadDb = createDb('postgresql://segugio:segugio@127.0.0.1:1/segugio', 1, { connectTimeoutMs: 1000 });
    const noDatabase = createApp({ db: deadDb, temporal: h.client, config: h.config, log });
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: clientInterceptors() });
    const noTemporal = createApp({
      db: h.db,
      temporal: new Client({ connection }),
      config: { ...h.config, TEMPORAL_CALL_TIMEOUT_MS: 1000 },
      log,
    });
    let current = healthy;
    const front = express().use((req, res, next) => current(req, res, next));
    const server = front.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const said: string[] = [];
    const watch = watchBackingServices(
      `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/health`,
      (m) => said.push(m),
      300,
    );
    const saidAll = async (...expected: string[]) => {
      for (let i = 0; i < 200 && !expected.every((e) => said.some((m) => m.includes(e))); i++)
        await new Promise((r) => setTimeout(r, 100));
      for (const e of expected) expect(said.filter((m) => m.includes(e))).toHaveLength(1);
    };
    try {
      await new Promise((r) => setTimeout(r, 1000));
      expect(said).toEqual([]); // all well: nothing said
      current = noDatabase;
      await saidAll('PostgreSQL is not answering');
      current = healthy;
      await saidAll('PostgreSQL answers again');
      current = noTemporal;
      await saidAll('the Temporal dev server is not answering');
      current = healthy;
      await saidAll('the Temporal dev server answers again');
      expect(said).toHaveLength(4);
    } finally {
      clearInterval(watch);
      server.close();
      await connection.close();
      await deadDb.$disconnect();
    }
  });
});
