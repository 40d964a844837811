/**
 * The reports routes and the console's helpers are declared on the route table: described without a server, they
 * appear in /openapi.json with their query parameters, roles and media types, and mounted on their own routers they
 * refuse the wrong callers and bad filters before touching the database (which here throws on any use but key lookup).
 */
import express, { type Express } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { authenticate, hashKey, type Role } from '../../../contexts/access/auth';
import { consoleApiRoutes, createConsoleRouter } from '../../../api/console';
import { errorHandler, notFoundHandler } from '../../../api/errors';
import { allRoutes, buildOpenApi } from '../../../api/openapi';
import { describeRoutes, type RouteSpec } from '../../../api/registry';
import { reportRoutes, reportsRouter } from '../../../api/routes/reports';
import type { Db } from '../../../infra/db';
import { createLogger } from '../../../infra/logger';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const reports = describeRoutes(reportRoutes);
const consoleHelpers = describeRoutes(consoleApiRoutes);
const doc = buildOpenApi([]) as {
  paths: Record<
    string,
    Record<
      string,
      {
        description: string;
        parameters: Array<{ name: string; in: string }>;
        responses: Record<string, { content?: Record<string, unknown> }>;
        requestBody?: unknown;
      }
    >
  >;
};
const opOf = (r: RouteSpec) => doc.paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method];
const names = (rs: RouteSpec[]) => rs.map((r) => `${r.method.toUpperCase()} ${r.path}`);

describe('declared on the route table', () => {
  it('every reports route, managers (and admins) only', () => {
    expect(names(reports).sort()).toEqual(
      [
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
        'GET /v1/reports/legal/assumptions',
        'PUT /v1/reports/legal/assumptions',
        'GET /v1/reports/ratings/:customerId',
        'POST /v1/reports/ratings/:customerId/recompute',
        'GET /v1/reports/ratings',
        'GET /v1/reports/monthly.pdf',
        'POST /v1/reports/simulate',
      ].sort(),
    );
    for (const r of reports) expect([r.path, r.roles]).toEqual([r.path, ['manager']]);
  });

  it('the console helpers with their roles', () => {
    expect(Object.fromEntries(consoleHelpers.map((r) => [r.path, r.roles]))).toEqual({
      '/console/api/me': ['erp', 'collector', 'manager', 'salesperson'],
      '/console/api/options': ['collector', 'manager', 'salesperson'],
      '/console/api/tower': ['manager'],
      '/console/api/approvals': ['manager'],
      '/console/api/audit': ['manager'],
      '/console/api/last-contacts': ['collector', 'manager'],
    });
  });

  it('are added once to the table the app builds', () => {
    const table = [{ ...reports[0] }];
    const all = allRoutes(table);
    expect(all).toHaveLength(reports.length + consoleHelpers.length);
    expect(all[0]).toBe(table[0]);
  });
});

describe('in /openapi.json', () => {
  it('query parameters are exactly the keys of the zod schema that validates them', () => {
    for (const r of [...reports, ...consoleHelpers]) {
      const op = opOf(r);
      expect([r.path, op === undefined]).toEqual([r.path, false]);
      const query = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
      const shape = r.query instanceof z.ZodObject ? Object.keys(r.query.shape) : [];
      expect([r.path, query.sort()]).toEqual([r.path, shape.sort()]);
      expect(op.description).toContain(`Roles: ${[...r.roles, 'admin'].join(', ')}.`);
    }
    const dso = opOf(reports.find((r) => r.path === '/v1/reports/dso')!).parameters.map((p) => p.name);
    expect(dso).toEqual(expect.arrayContaining(['from', 'to', 'currency', 'segment', 'groupBy', 'format']));
    expect(opOf(reports.find((r) => r.path === '/v1/reports/simulate')!).requestBody).toBeDefined();
  });

  it('names the media types of each success body', () => {
    const types = (path: string) =>
      Object.keys(opOf([...reports, ...consoleHelpers].find((r) => r.path === path)!).responses['200'].content ?? {});
    for (const kpi of [
      'dso',
      'cei',
      'aging',
      'promises',
      'disputes',
      'reasons',
      'pipeline',
      'recovery',
      'trends',
      'legal',
    ])
      expect([kpi, types(`/v1/reports/${kpi}`)]).toEqual([kpi, ['application/json', 'text/csv', XLSX]]);
    expect(types('/v1/reports/monthly.pdf')).toEqual(['application/pdf']);
    expect(types('/v1/reports/ratings')).toEqual(['application/json']);
    expect(types('/console/api/tower')).toEqual(['application/json']);
  });
});

describe('mounted on their own routers', () => {
  const KEYS: Record<Role, string> = {
    erp: 'sg_unit_erp',
    collector: 'sg_unit_collector',
    manager: 'sg_unit_manager',
    admin: 'sg_unit_admin',
    salesperson: 'sg_unit_salesperson',
  };
  const rows = new Map(
    Object.entries(KEYS).map(([role, key]) => [
      hashKey(key),
      { id: `key-${role}`, role, userId: null, revokedAt: null },
    ]),
  );
  // Only the key lookup works: a route that reached the database before refusing would answer 500.
  const db = new Proxy(
    {
      apiKey: {
        findUnique: async (a: { where: { hash: string } }) => rows.get(a.where.hash) ?? null,
        update: async () => ({}),
      },
    },
    {
      get: (target, prop) => {
        if (prop in target) return target[prop as keyof typeof target];
        throw new Error(`no database here (${String(prop)})`);
      },
    },
  ) as unknown as Db;

  let app: Express;
  beforeAll(() => {
    app = express();
    app.set('query parser', 'simple');
    app.use(express.json());
    app.use('/v1', authenticate(db));
    app.use(reportsRouter({ db }));
    app.use(createConsoleRouter({ db }));
    app.use(notFoundHandler);
    app.use(errorHandler(createLogger('silent', 'unit')));
  });

  const call = (r: RouteSpec, key?: string, query = '') => {
    const url = r.path.replace(/:(\w+)/g, 'no-such-$1') + query;
    const req = request(app)[r.method](url);
    return key ? req.set('Authorization', `Bearer ${key}`) : req;
  };

  it('no key → 401, a role not allowed → 403, both as JSON errors', async () => {
    for (const r of [...reports, ...consoleHelpers]) {
      const anonymous = await call(r).send({});
      expect([r.path, anonymous.status, anonymous.body.error?.code]).toEqual([r.path, 401, 'UNAUTHENTICATED']);
      for (const role of (['erp', 'collector'] as const).filter((x) => !r.roles.includes(x))) {
        const res = await call(r, KEYS[role]).send({});
        expect([r.path, role, res.status, res.body.error?.code]).toEqual([r.path, role, 403, 'FORBIDDEN']);
      }
    }
  });

  it('a manager with a bad filter gets 400 naming the field, before any query runs', async () => {
    // Every reports query is strict: an unknown parameter is refused (the console's tower filter stays lenient).
    const strict = reports.filter((x) => x.query instanceof z.ZodObject && x.query.def.catchall !== undefined);
    expect(strict).toHaveLength(reports.length - 3); // all but the three that take a body
    for (const r of strict) {
      const res = await call(r, KEYS.manager, '?colour=red');
      expect([r.path, res.status]).toEqual([r.path, 400]);
      expect(res.body.error.fields).toEqual([
        { path: 'colour', message: 'is not a known field', code: 'unknown_field' },
      ]);
    }
    const byPath = (p: string) => reports.find((r) => r.path === p)!;
    const checks: Array<[string, string, string]> = [
      ['/v1/reports/dso', '?from=2025-02-30', 'from'],
      ['/v1/reports/dso', '?from=2025-04-01&to=2025-03-01', 'from'],
      ['/v1/reports/aging', '?groupBy=planet', 'groupBy'],
      ['/v1/reports/legal', '?limit=0', 'limit'],
      ['/v1/reports/monthly.pdf', '?month=2025-13', 'month'],
      ['/v1/reports/ratings', '?grade=F', 'grade'],
    ];
    for (const [path, query, field] of checks) {
      const res = await call(byPath(path), KEYS.admin, query);
      expect([path, query, res.status, res.body.error?.fields?.[0]?.path]).toEqual([path, query, 400, field]);
    }
    // PostgreSQL cannot hold NUL: refused by the table with the parameter named, not a 500 from the query.
    const res = await request(app).get('/v1/reports/ratings/a%00b').set('Authorization', `Bearer ${KEYS.manager}`);
    expect([res.status, res.body.error?.fields?.[0]?.path]).toEqual([400, 'customerId']);
    const bad = await request(app)
      .get('/console/api/last-contacts?customers=not-a-uuid')
      .set('Authorization', `Bearer ${KEYS.collector}`);
    expect([bad.status, bad.body.error?.fields?.[0]?.path]).toEqual([400, 'customers.0']);
  });
});
