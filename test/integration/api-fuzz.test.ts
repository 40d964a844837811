/**
 * The front-door fuzz (issue 12): at least 600 generated bad requests per run, thrown over real HTTP at every JSON
 * route of the API and at the signed ERP webhook, each carrying at least one defect the API must refuse — an unknown
 * key, a prototype key (`__proto__`, `constructor`, `prototype`), nesting past the depth limit (up to 6,000 levels),
 * an impossible date, a wrong type, NUL characters, truncated JSON, a missing or wrong Content-Type, duplicated
 * headers. Zero 5xx, every refusal a JSON error, and the row and workflow counts unchanged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { RouteSpec } from '../../api/registry';
import { signErpPayload } from '../../contexts/erp/signature';
import { invoiceBody, newInvoice, quietSegment, snapshot } from './api-helpers';
import { KEYS, startHarness, type Harness } from './harness';

jest.setTimeout(600_000);

const ERP_SECRET = 'fuzz-secret';
const RUNS = 600;
let h: Harness;
let server: http.Server;
let port: number;
let invoiceId: string;
let segment: string;

beforeAll(async () => {
  h = await startHarness({
    env: {
      ERP_INBOUND_SECRET: ERP_SECRET,
      API_RATE_LIMIT_PER_MINUTE: '100000',
      API_RATE_LIMIT_ERP_PER_MINUTE: '100000',
    },
  });
  segment = await quietSegment(h);
  await h.startWorker();
  invoiceId = (await newInvoice(h, segment)).invoiceId;
  server = h.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await h?.close();
});

/** One raw HTTP request; header values given as arrays are sent as repeated headers. */
function send(
  method: string,
  path: string,
  headers: Record<string, string | string[]>,
  body: Buffer,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: method.toUpperCase(),
        path,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const deep = (levels: number, open: string, close: string, inner = '1') =>
  `${open.repeat(levels)}${inner}${close.repeat(levels)}`;

/** A body that is valid enough to reach validation, for the routes the fuzz aims at. */
function baseBody(path: string): Record<string, unknown> {
  if (path === '/v1/invoices') return invoiceBody(segment);
  if (path.endsWith('/payments')) return { reference: 'FUZZ-1', amountMinor: 100, paidOn: '2026-11-20' };
  if (path.endsWith('/adjustments')) return { reference: 'FUZZ-NC', kind: 'CREDIT_NOTE', amountMinor: 100 };
  if (path.endsWith('/promise')) return { promisedDate: '2026-12-20', note: 'fuzz' };
  if (path.includes('/policies/'))
    return {
      name: 'fuzz',
      steps: [{ stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL'], template: 'reminder-1' }],
      settings: {},
    };
  return { note: 'fuzz' };
}

/** Sets `value` at a random depth of `obj` under `key` (own property, even for `__proto__`). */
function plant(obj: Record<string, unknown>, pathPick: number, key: string, value: unknown): Record<string, unknown> {
  const clone = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
  const objects: Array<Record<string, unknown>> = [clone];
  for (const v of Object.values(clone))
    if (v && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Record<string, unknown>);
  const target = objects[pathPick % objects.length];
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return clone;
}

type Defect =
  | { kind: 'unknownKey'; key: string; pick: number }
  | { kind: 'protoKey'; key: string; pick: number }
  | { kind: 'deepArray'; levels: number }
  | { kind: 'deepObject'; levels: number; field: string }
  | { kind: 'badDate'; date: string }
  | { kind: 'wrongType'; field: string; value: unknown }
  | { kind: 'nul'; field: string }
  | { kind: 'truncated'; cut: number }
  | { kind: 'contentType'; value: string | null };

const defect: fc.Arbitrary<Defect> = fc.oneof(
  fc.record({
    kind: fc.constant('unknownKey' as const),
    key: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x_${s}`),
    pick: fc.nat(),
  }),
  fc.record({
    kind: fc.constant('protoKey' as const),
    key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constant('deepArray' as const), levels: fc.integer({ min: 33, max: 6000 }) }),
  fc.record({
    kind: fc.constant('deepObject' as const),
    levels: fc.integer({ min: 33, max: 6000 }),
    field: fc.constantFrom('number', 'note', 'metadata', 'customer'),
  }),
  fc.record({
    kind: fc.constant('badDate' as const),
    date: fc.constantFrom('2026-02-30', '2026-13-01', '2026-00-10', '2026-2-3', '31/12/2026', '2026-02-29', ''),
  }),
  fc.record({
    kind: fc.constant('wrongType' as const),
    field: fc.constantFrom('amountMinor', 'reference', 'number', 'customer', 'promisedDate', 'steps', 'note', 'kind'),
    value: fc.oneof(
      fc.double(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.constant({ $gt: '' }),
      fc.integer({ min: -1e15, max: -1 }),
    ),
  }),
  fc.record({ kind: fc.constant('nul' as const), field: fc.constantFrom('reference', 'number', 'note', 'name') }),
  fc.record({ kind: fc.constant('truncated' as const), cut: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('contentType' as const),
    value: fc.constantFrom(null, 'text/plain', 'application/x-www-form-urlencoded', 'application/xml'),
  }),
);

/** Headers that repeat: the API must take one of them or refuse, never fail. */
const duplicates = fc.subarray(['content-type', 'authorization', 'x-request-id', 'idempotency-key'] as const);

describe('front-door fuzz', () => {
  it(`${RUNS} bad requests: no 5xx, JSON errors, nothing written, no workflow started`, async () => {
    const routes = (h.app.locals.routes as RouteSpec[]).filter((r) => r.body && (r.bodyKind ?? 'json') === 'json');
    const targets = [
      ...routes.map((r) => ({ method: r.method, path: r.path, roles: r.roles as string[], webhook: false })),
      { method: 'post' as const, path: '/v1/webhooks/erp', roles: ['erp'], webhook: true },
    ];
    const before = await snapshot(h);
    const statuses = new Map<number, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: targets.length - 1 }),
        defect,
        duplicates,
        fc.constantFrom('admin', 'erp', 'manager', 'collector'),
        async (ti, d, dup, role) => {
          const t = targets[ti];
          const path = t.path.replace(':segment', segment).replace(/:(\w+)/g, invoiceId);
          let base: Record<string, unknown> = t.webhook
            ? { events: [{ type: 'payment', invoiceId, reference: 'FUZZ-WH', amountMinor: 100, paidOn: '2026-11-20' }] }
            : baseBody(t.path);
          const eventOrBody = (): Record<string, unknown> =>
            t.webhook ? ((base.events as object[])[0] as Record<string, unknown>) : base;
          let raw: string;
          let contentType: string | null = 'application/json';
          switch (d.kind) {
            case 'unknownKey':
            case 'protoKey':
              base = plant(base, d.pick, d.key, d.kind === 'protoKey' ? { polluted: true } : 'x');
              raw = JSON.stringify(base);
              break;
            case 'deepArray':
              raw = deep(d.levels, '[', ']');
              break;
            case 'deepObject':
              raw = `{"${d.field}":${deep(d.levels, '{"a":', '}')}}`;
              break;
            case 'badDate':
              for (const k of ['paidOn', 'promisedDate', 'dueDate', 'issueDate'])
                if (k in eventOrBody()) eventOrBody()[k] = d.date;
              if (!['paidOn', 'promisedDate', 'dueDate'].some((k) => k in eventOrBody())) eventOrBody().x_date = d.date;
              raw = JSON.stringify(base);
              break;
            case 'wrongType':
              eventOrBody()[d.field in eventOrBody() ? d.field : `x_${d.field}`] = d.value;
              raw = JSON.stringify(base);
              break;
            case 'nul': {
              const k = Object.keys(eventOrBody()).find((x) => typeof eventOrBody()[x] === 'string') ?? 'x_nul';
              eventOrBody()[k] = 'a\u0000b';
              raw = JSON.stringify(base);
              break;
            }
            case 'truncated': {
              // Never down to an empty body: that is "no body", which body-less decisions accept.
              const whole = JSON.stringify(base);
              raw = whole.slice(0, Math.max(1, whole.length - d.cut));
              break;
            }
            case 'contentType':
              contentType = d.value;
              raw = JSON.stringify(base);
              break;
          }
          const body = Buffer.from(raw);
          const headers: Record<string, string | string[]> = {};
          if (contentType)
            headers['content-type'] = dup.includes('content-type') ? [contentType, 'text/plain'] : contentType;
          // A role the route admits (or admin), so the request reaches validation instead of the role gate.
          const allowed = [...t.roles, 'admin'];
          const who = allowed.includes(role) ? role : allowed[0];
          const key = `Bearer ${KEYS[who as keyof typeof KEYS]}`;
          headers.authorization = dup.includes('authorization') ? [key, 'Bearer sg_bogus'] : key;
          if (dup.includes('x-request-id')) headers['x-request-id'] = ['fuzz-1', 'fuzz-2'];
          if (dup.includes('idempotency-key')) headers['idempotency-key'] = ['k1', 'k2'];
          if (t.webhook) {
            const ts = Math.floor(Date.now() / 1000);
            headers['x-segugio-timestamp'] = String(ts);
            headers['x-segugio-signature'] = signErpPayload(ERP_SECRET, ts, body);
          }
          const res = await send(t.method, path, headers, body);
          sent += 1;
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect([t.path, d.kind, res.status < 500]).toEqual([t.path, d.kind, true]);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(typeof (res.json as { error?: { code?: unknown } })?.error?.code).toBe('string');
        },
      ),
      { numRuns: RUNS },
    );
    console.log(
      `fuzz: ${sent} requests over ${targets.length} routes, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(sent).toBeGreaterThanOrEqual(500);
    expect(await snapshot(h)).toEqual(before);
  });
});
