/**
 * Observability against the real stack: the API's access log (one line per request, with its request id, the
 * caller's key and no query string), the request id on every line written while serving it, and the worker
 * process's Temporal SDK logs in its pino output and SDK metrics served for Prometheus.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../api/app';
import { freePort } from '../../dev/ports';
import { createLogger, withLogContext } from '../../infra/logger';
import { eventually, KEYS, startHarness, uniq, type Harness } from './harness';

const root = path.resolve(__dirname, '../..');

function memoryLog(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('access log and request ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 120_000);
  afterAll(async () => h?.close());

  it('writes one line per request with its id, status, caller and path (no query string)', async () => {
    const { lines, stream } = memoryLog();
    const app = createApp({ db: h.db, temporal: h.client, config: h.config, log: createLogger('info', 'api', stream) });
    await request(app)
      .get('/v1/invoices?customer=cust-rossi-mario')
      .set('Authorization', `Bearer ${KEYS.manager}`)
      .set('X-Request-Id', 'req-obs-1')
      .expect(200);
    const bad = await request(app)
      .post('/v1/invoices')
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .send({ nope: true })
      .expect(400);
    await request(app).get('/health');
    await eventually(async () => lines.filter((l) => l.msg === 'request' || l.msg === 'request failed').length === 2);
    const ok = lines.find((l) => l.requestId === 'req-obs-1' && l.msg === 'request');
    expect(ok).toMatchObject({
      req: { method: 'GET', path: '/v1/invoices' },
      res: { statusCode: 200 },
      role: 'manager',
    });
    expect(typeof ok?.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('rossi');
    const refused = lines.find((l) => l.requestId === bad.headers['x-request-id']);
    expect(refused).toMatchObject({ level: 40, res: { statusCode: 400 }, role: 'erp' });
    expect(JSON.stringify(lines)).not.toMatch(/Bearer|authorization/i);
  });

  it('adds the current request id to every line written inside the request, across awaits', async () => {
    const { lines, stream } = memoryLog();
    const log = createLogger('info', 'svc', stream);
    await withLogContext({ requestId: 'req-obs-2' }, async () => {
      log.info('before');
      await new Promise((r) => setTimeout(r, 5));
      log.child({ part: 'service' }).info('after');
    });
    log.info('outside');
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['before', 'req-obs-2'],
      ['after', 'req-obs-2'],
      ['outside', undefined],
    ]);
  });
});

describe('worker process', () => {
  let worker: ChildProcess | undefined;
  afterAll(() => {
    worker?.kill('SIGTERM');
  });

  it('logs the Temporal SDK through pino and serves SDK metrics for Prometheus', async () => {
    const port = await freePort();
    const out: string[] = [];
    worker = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'worker/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        SEGUGIO_MODE: 'test',
        SEGUGIO_SCHEDULES: 'false',
        LOG_LEVEL: 'info',
        TEMPORAL_TASK_QUEUE: uniq('obs-queue'),
        WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d: Buffer) => out.push(d.toString()));
    worker.stderr?.on('data', (d: Buffer) => out.push(d.toString()));
    await eventually(async () => out.join('').includes('"msg":"worker started"'), 150_000);
    const sdkLine = out
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.component === 'temporal-sdk');
    expect(sdkLine).toMatchObject({ service: 'segugio-worker', sdkComponent: 'worker' });
    await eventually(async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^temporal_\w+/m.test(body);
    }, 30_000);
  }, 200_000);
});
