/**
 * Security and operations across the whole API, reports and console helpers included: the authorization matrix
 * (every route × every role), malformed input thrown at every route (fast-check: no 5xx, nothing started, nothing
 * written), rate limiting, security headers, 503 when a backing service is down, metrics, and the OpenAPI 3.1
 * document validated by a validator.
 */
import { clientInterceptors } from '../../infra/temporal';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import fc from 'fast-check';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createApiKey } from '../../contexts/access/auth';
import { allRoutes } from '../../api/openapi';
import type { RouteSpec } from '../../api/registry';
import { createDb } from '../../infra/db';
import { createLogger } from '../../infra/logger';
import { as, newInvoice, quietSegment, snapshot } from './api-helpers';
import { isoDaysFromToday, KEYS, startHarness, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
let routes: RouteSpec[];
let segment: string;

beforeAll(async () => {
  h = await startHarness();
  segment = await quietSegment(h);
  await h.startWorker();
  // The app's route table plus the routers mounted on their own (reports, console helpers), from their declarations.
  routes = allRoutes(h.app.locals.routes as RouteSpec[]);
});

afterAll(async () => {
  await h?.close();
});

const ROLES = ['erp', 'collector', 'manager', 'admin', 'salesperson'] as const;
const roleKey = {
  erp: KEYS.erp,
  collector: KEYS.collector,
  manager: KEYS.manager,
  admin: KEYS.admin,
  salesperson: KEYS.salesperson,
};

/** A concrete URL for a route pattern, with ids that match nothing. */
const urlOf = (r: RouteSpec): string =>
  r.path.replace(':segment', 'matrix-segment').replace(/:(\w+)/g, (_m, name: string) => `no-such-${name}`);

const send = (r: RouteSpec, url: string, key?: string) => {
  const req = request(h.app)[r.method](url);
  return key ? req.set('Authorization', `Bearer ${key}`) : req;
};

describe('authorization matrix', () => {
  it('lists every route the issue asks for', () => {
    const names = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    for (const expected of [
      'POST /v1/invoices',
      'POST /v1/invoices/:id/payments',
      'POST /v1/invoices/:id/adjustments',
      'POST /v1/imports',
      'GET /v1/imports/:id',
      'POST /v1/invoices/:id/promise',
      'POST /v1/invoices/:id/dispute',
      'POST /v1/invoices/:id/dispute/resolve',
      'POST /v1/invoices/:id/repayment-plan',
      'POST /v1/invoices/:id/pause',
      'POST /v1/invoices/:id/resume',
      'POST /v1/invoices/:id/write-off',
      'POST /v1/invoices/:id/legal/approve',
      'POST /v1/invoices/:id/legal/decline',
      'POST /v1/invoices/:id/legal/events',
      'GET /v1/invoices',
      'GET /v1/invoices/:id',
      'GET /v1/invoices/:id/letters/:letterId',
      'GET /v1/customers/:id',
      'GET /v1/customers/:id/contacts',
      'POST /v1/customers/:id/contacts',
      'GET /v1/agenda',
      'POST /v1/tasks/:id/complete',
      'POST /v1/tasks/:id/reassign',
      'GET /v1/policies',
      'PUT /v1/policies/:segment',
      'GET /v1/reports/dso',
      'GET /v1/reports/cei',
      'GET /v1/reports/aging',
      'GET /v1/reports/promises',
      'GET /v1/reports/disputes',
      'GET /v1/reports/reasons',
      'GET /v1/reports/pipeline',
      'GET /v1/reports/recovery',
      'GET /v1/reports/trends',
      'GET /v1/reports/legal',
      'GET /v1/reports/ratings/:customerId',
      'GET /v1/reports/ratings',
      'GET /v1/reports/monthly.pdf',
      'POST /v1/reports/simulate',
      'GET /console/api/me',
      'GET /console/api/options',
      'GET /console/api/tower',
      'GET /console/api/approvals',
      'GET /console/api/last-contacts',
      'GET /console/api/audit',
      'GET /v1/users',
      'POST /v1/users',
      'POST /v1/users/:id/disable',
      'POST /v1/users/:id/reset-password',
      'POST /v1/users/:id/role',
      'POST /v1/users/:id/customers',
      'POST /v1/invoices/:id/pause-requests',
      'POST /v1/pause-requests/:id/approve',
      'POST /v1/pause-requests/:id/decline',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it('a salesperson changes nothing but asks for pauses, and reads only invoices and customers', () => {
    // Their own settings (`/v1/me/…`) aside: those are the person's, not the business's.
    const theirs = routes.filter((r) => r.roles.includes('salesperson') && !r.path.startsWith('/v1/me/'));
    expect(theirs.filter((r) => r.mutating).map((r) => `${r.method.toUpperCase()} ${r.path}`)).toEqual([
      'POST /v1/invoices/:id/pause-requests',
    ]);
    expect(
      theirs
        .filter((r) => !r.mutating)
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      '/console/api/me',
      '/console/api/options',
      '/v1/customers/:id',
      // The files of their customers' invoices (a debtor's remittance, a dispute's photos), scoped like the invoice.
      '/v1/documents/:id',
      '/v1/invoices',
      '/v1/invoices/:id',
      '/v1/invoices/:id/state',
    ]);
  });

  it('the reports are for managers and admins only', () => {
    const reports = routes.filter((r) => r.path.startsWith('/v1/reports/'));
    expect(reports).toHaveLength(17);
    for (const r of reports) expect([r.path, r.roles]).toEqual([r.path, ['manager']]);
  });

  it('every route × every role: allowed roles pass the role check, the others get 403, no key gets 401', async () => {
    const before = await snapshot(h);
    const table: string[] = [];
    for (const r of routes) {
      const url = urlOf(r);
      const anonymous = await send(r, url).send({});
      expect([r.path, anonymous.status, anonymous.body.error?.code]).toEqual([r.path, 401, 'UNAUTHENTICATED']);
      for (const role of ROLES) {
        const allowed = role === 'admin' || r.roles.includes(role);
        const res = await send(r, url, roleKey[role]).send({});
        table.push(`${r.method.toUpperCase()} ${r.path} ${role} → ${res.status}`);
        if (allowed) {
          // Past the role check the request fails on validation or on the unknown id, or reads: never 401/403/5xx.
          expect([`${r.method} ${r.path} ${role}`, [200, 400, 404].includes(res.status)]).toEqual([
            `${r.method} ${r.path} ${role}`,
            true,
          ]);
        } else {
          expect([`${r.method} ${r.path} ${role}`, res.status, res.body.error?.code]).toEqual([
            `${r.method} ${r.path} ${role}`,
            403,
            'FORBIDDEN',
          ]);
        }
      }
    }
    expect(table.length).toBe(routes.length * ROLES.length);
    expect(await snapshot(h)).toEqual(before);
  });

  it('a revoked key is refused with 401', async () => {
    const created = await createApiKey(h.db, { label: 'to revoke', role: 'manager', userId: 'u-laura' });
    expect((await request(h.app).get('/v1/policies').set('Authorization', `Bearer ${created.key}`)).status).toBe(200);
    await h.db.apiKey.update({ where: { id: created.id }, data: { revokedAt: new Date() } });
    // A fresh app: the key cache of the first one may still hold the key for a few seconds.
    const app = createApp({ db: h.db, temporal: h.client, config: h.config, log: createLogger('silent', 'test') });
    const res = await request(app).get('/v1/policies').set('X-API-Key', created.key);
    expect(res.status).toBe(401);
  });
});

describe('malformed input at every route (property-based)', () => {
  const badId = fc.oneof(
    fc.string({ minLength: 1, maxLength: 300 }),
    fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%ZZ', '%00', "' OR 1=1 --", 'a'.repeat(5000), '💸', '-1', '0', 'null'),
  );
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record(
      {
        amountMinor: fc.oneof(fc.double(), fc.string(), fc.integer()),
        promisedDate: fc.string(),
        reference: fc.string(),
      },
      { requiredKeys: [] },
    ),
  );
  const query = fc.dictionary(
    fc.oneof(
      fc.constantFrom('stage', 'page', 'pageSize', 'overdueMin', 'collector', 'limit', 'rejectionsPage'),
      fc.string({ maxLength: 20 }),
    ),
    fc.string({ maxLength: 40 }),
    { maxKeys: 4 },
  );

  it('never answers 5xx, starts no workflow and writes no row', async () => {
    const before = await snapshot(h);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 0, max: routes.length - 1 })
          .map((i) => ({ i, toString: () => `${routes[i].method} ${routes[i].path}` })),
        fc.constantFrom('manager', 'admin', 'erp', 'collector'),
        badId,
        body,
        query,
        fc.boolean(),
        async ({ i }, role, id, payload, q, rawText) => {
          const r = routes[i];
          // The hand-picked nasty ids go in raw (bad escapes, encoded traversal); generated ones encoded.
          const seg = /^(%|\.\.%2F)/.test(id) ? id : encodeURIComponent(id);
          const pathPart = r.path.replace(/:(\w+)/g, () => seg);
          const qs = new URLSearchParams(q).toString();
          const agent = request(h.app);
          let req = agent[r.method](`${pathPart}${qs ? `?${qs}` : ''}`).set(
            'Authorization',
            `Bearer ${roleKey[role as keyof typeof roleKey]}`,
          );
          const text = JSON.stringify(payload);
          req = req.set('Content-Type', 'application/json').send(rawText ? text.slice(0, -1) || '{' : text);
          const res = await req;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) expect(typeof res.body.error?.code).toBe('string');
        },
      ),
      { numRuns: 400 },
    );
    expect(await snapshot(h)).toEqual(before);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  });

  it('valid JSON of the wrong shape on every mutating route → 400 naming fields; nothing written', async () => {
    const inv = await newInvoice(h, segment);
    const before = await snapshot(h);
    // A DELETE carries no body: its only input is the path (a wrong id is a 404, tested with its route).
    for (const r of routes.filter((x) => x.mutating && x.method !== 'delete' && (x.bodyKind ?? 'json') === 'json')) {
      const url = r.path.replace(':segment', 'standard').replace(/:(\w+)/g, inv.invoiceId);
      const res = await as(h, 'admin')[r.method as 'post' | 'put'](url).send({ unexpected: true, amountMinor: 'ten' });
      expect([r.path, res.status]).toEqual([r.path, 400]);
      expect(res.body.error.fields.length).toBeGreaterThan(0);
    }
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('limits and headers', () => {
  it('rate-limits per key with 429 and Retry-After; other keys are unaffected', async () => {
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: h.config,
      log: createLogger('silent', 'test'),
      rateLimitPerMinute: 5,
    });
    const codes: number[] = [];
    for (let i = 0; i < 7; i++)
      codes.push((await request(app).get('/v1/policies').set('Authorization', `Bearer ${KEYS.manager}`)).status);
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await request(app).get('/v1/policies').set('Authorization', `Bearer ${KEYS.manager}`);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await request(app).get('/v1/policies').set('Authorization', `Bearer ${KEYS.admin}`)).status).toBe(200);
  });

  it('slows down key guessing: failed authentications per address get 429, valid keys are unaffected', async () => {
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: h.config,
      log: createLogger('silent', 'test'),
      authFailuresPerMinute: 3,
    });
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++)
      guesses.push((await request(app).get('/v1/policies').set('Authorization', `Bearer sg_guess_${i}`)).status);
    expect(guesses).toEqual([401, 401, 401, 429, 429]);
    expect((await request(app).get('/v1/policies').set('Authorization', `Bearer ${KEYS.manager}`)).status).toBe(200);
    // The console's helpers take the same keys: guessing there counts on the same counter, and is refused alike.
    const helper = await request(app).get('/console/api/me').set('Authorization', 'Bearer sg_guess_console');
    expect([helper.status, helper.body.error?.code, helper.headers['retry-after']]).toEqual([
      429,
      'RATE_LIMITED',
      expect.any(String),
    ]);
    expect((await request(app).get('/console/api/me').set('Authorization', `Bearer ${KEYS.manager}`)).status).toBe(200);
  });

  it('sets security headers, hides the framework, refuses oversized bodies with 413, never leaks a stack', async () => {
    const res = await as(h, 'manager').get('/v1/policies');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    const big = await as(h, 'erp')
      .post('/v1/invoices')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ number: 'x'.repeat(2 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    expect(JSON.stringify(big.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('backing services down', () => {
  it('answers 503 with Retry-After when PostgreSQL is unreachable', async () => {
    const deadDb = createDb('postgresql://segugio:segugio@127.0.0.1:1/segugio', 1);
    const app = createApp({ db: deadDb, temporal: h.client, config: h.config, log: createLogger('silent', 'test') });
    for (const url of ['/v1/policies', '/v1/agenda', '/health']) {
      const res = await request(app).get(url).set('Authorization', `Bearer ${KEYS.manager}`);
      expect([url, res.status]).toEqual([url, 503]);
      expect(res.headers['retry-after']).toBeDefined();
    }
    await deadDb.$disconnect();
  });

  it('answers 503 when Temporal is unreachable for a decision or a live read; plain reads come from the mirror', async () => {
    const inv = await newInvoice(h, segment);
    // Built as the API builds it (infra/temporal.ts), so closing it under a retrying call is safe.
    const connection = Connection.lazy({
      address: '127.0.0.1:1',
      connectTimeout: '1s',
      interceptors: clientInterceptors(),
    });
    const deadTemporal = new Client({ connection });
    const app = createApp({ db: h.db, temporal: deadTemporal, config: h.config, log: createLogger('silent', 'test') });
    const before = await h.db.auditEvent.count();
    const res = await request(app)
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .set('Authorization', `Bearer ${KEYS.collector}`)
      .send({ promisedDate: isoDaysFromToday(5) });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(await h.db.auditEvent.count()).toBe(before);
    const read = await request(app).get(`/v1/invoices/${inv.invoiceId}`).set('Authorization', `Bearer ${KEYS.manager}`);
    expect(read.status).toBe(200);
    expect(read.body.source).toBe('database');
    // Asked for the workflow, the API says it could not reach it instead of answering from the mirror.
    const live = await request(app)
      .get(`/v1/invoices/${inv.invoiceId}/state?live=true`)
      .set('Authorization', `Bearer ${KEYS.manager}`);
    expect(live.status).toBe(503);
    expect(live.headers['retry-after']).toBeDefined();
    expect(live.body.error.message).toMatch(/live=true/);
    await connection.close();
  });
});

describe('operations', () => {
  it('GET /metrics is Prometheus text with request counters by route pattern', async () => {
    await as(h, 'manager').get('/v1/policies');
    const res = await request(h.app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/segugio_http_requests_total\{method="GET",route="\/v1\/policies",status="200"\} \d+/);
    expect(res.text).toContain('segugio_decisions_total');
  });

  it('GET /openapi.json is a valid OpenAPI 3.1 document covering every route', async () => {
    const res = await request(h.app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const r of routes) {
      expect(res.body.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method]).toBeDefined();
    }
    // The reports: their query parameters (from the zod schemas that validate them), roles and media types.
    const op = (p: string) => res.body.paths[p].get;
    const params = (p: string) => op(p).parameters.map((x: { name: string }) => x.name);
    const types = (p: string) => Object.keys(op(p).responses['200'].content);
    expect(params('/v1/reports/dso')).toEqual(
      expect.arrayContaining(['from', 'to', 'currency', 'segment', 'area', 'groupBy', 'format']),
    );
    expect(params('/v1/reports/monthly.pdf')).toContain('month');
    expect(params('/v1/reports/ratings/{customerId}')).toEqual(['customerId']);
    expect(op('/v1/reports/dso').description).toContain('Roles: manager, admin.');
    expect(types('/v1/reports/aging')).toEqual([
      'application/json',
      'text/csv',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]);
    expect(types('/v1/reports/monthly.pdf')).toEqual(['application/pdf']);
    expect(res.body.paths['/v1/reports/simulate'].post.requestBody).toBeDefined();
    expect(op('/console/api/tower').description).toContain('Roles: manager, admin.');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oas-')), 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(res.body));
    // The validator is an ES module; it runs in its own node process.
    const out = execFileSync(
      process.execPath,
      [path.resolve(__dirname, '../../node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js'), file],
      {
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(out)).toMatchObject({ valid: true });
  });

  it('GET /docs renders Swagger UI from local files (no CDN)', async () => {
    const page = await request(h.app).get('/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/docs/assets/swagger-ui-bundle.js');
    expect(page.text).not.toMatch(/https?:\/\//);
    const asset = await request(h.app).get('/docs/assets/swagger-ui-bundle.js');
    expect(asset.status).toBe(200);
    const init = await request(h.app).get('/docs/init.js');
    expect(init.text).toContain('/openapi.json');
  });
});
