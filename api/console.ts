/**
 * The web console for collectors and credit managers: a small single-page app in plain ES modules (web/, no build
 * step) served under `/console`, plus the few read-only, screen-shaped helper endpoints it alone needs under
 * `/console/api`. Every decision the console takes goes through the public `/v1` API, so validation, authorization,
 * workflow updates and the audit trail live in one place; these helpers only read the database mirror.
 */
import path from 'node:path';
import express, { Router, type Request, type RequestHandler } from 'express';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/db';
import { toNumber } from '../infra/db';
import { daysOverdue, todayIn } from '../domain/time';
import { ACTIVE_STAGES } from '../workflows/contract';
import { authenticate } from '../contexts/access/auth';
import { RouteTable, type RouteSpec } from './registry';
import { z } from 'zod';

export interface ConsoleDeps {
  db: Db;
  timeZone?: string;
  /** Where the console's static files live (default: web/ beside api/). */
  webRoot?: string;
  /**
   * The key check (and limits) in front of the helpers; the app passes the one it uses for /v1, so guessed keys and
   * busy keys count the same wherever they are tried. Default: the plain key check.
   */
  auth?: RequestHandler | RequestHandler[];
}

/** Security headers for the console's pages: scripts, styles and requests only from this origin. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const filterSchema = z.object({
  area: z.string().trim().max(64).optional(),
  collector: z.string().trim().max(64).optional(),
  salesperson: z.string().trim().max(64).optional(),
  segment: z.string().trim().max(64).optional(),
  /** `stuck`: only disputes, legal cases and blocked customers (the page has the rest from the reports API). */
  only: z.enum(['stuck']).optional(),
});
type Filters = z.infer<typeof filterSchema>;

const lastContactsQuery = z.object({
  customers: z
    .string()
    .max(20_000)
    .optional()
    .transform((s) => (s ?? '').split(',').filter(Boolean))
    .pipe(z.array(z.string().uuid()).max(500))
    .meta({ description: 'Comma-separated customer ids (at most 500)' }),
});

/** Restricts customer rows (alias `c`) to the filters and, for a collector, to their own customers. */
function customerScope(req: Request, f: Filters): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (req.principal?.role === 'collector') parts.push(Prisma.sql`c."collectorId" = ${req.principal.userId ?? ''}`);
  if (f.area) parts.push(Prisma.sql`c.area = ${f.area}`);
  if (f.collector) parts.push(Prisma.sql`c."collectorId" = ${f.collector}`);
  if (f.salesperson) parts.push(Prisma.sql`c."salespersonId" = ${f.salesperson}`);
  if (f.segment) parts.push(Prisma.sql`c.segment = ${f.segment}`);
  return Prisma.join(parts, ' AND ');
}

const ACTIVE = Prisma.join(ACTIVE_STAGES.map((s) => Prisma.sql`${s}`));
const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v ?? 0));

/** The console's pages and its read-only helpers. Mount with `app.use(createConsoleRouter(deps))`. */
export function createConsoleRouter(deps: ConsoleDeps): Router {
  const webRoot = deps.webRoot ?? path.resolve(__dirname, '..', 'web');
  const r = Router();

  // Express matches `/console/` here too (non-strict routing): redirect only the bare path, so relative URLs resolve.
  r.get('/console', (req, res, next) => (req.path === '/console' ? res.redirect(301, '/console/') : next()));
  r.use(
    '/console',
    (req, res, next) => {
      if (req.path.startsWith('/api/')) return next();
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      next();
    },
    express.static(webRoot, { index: 'index.html', maxAge: 0, etag: true, fallthrough: true }),
  );

  // The helpers take the same API keys as /v1 and are never cached.
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  r.use('/console/api', deps.auth ?? authenticate(deps.db), noStore);
  consoleApiRoutes(new RouteTable(r), deps);
  return r;
}

const internal = 'Internal to the web console: shaped for its screens, and may change with them.';

/** The console's read-only helpers, declared on the route table (roles, query schemas, /openapi.json). */
export function consoleApiRoutes(t: RouteTable, deps: ConsoleDeps): void {
  const { db } = deps;
  const tz = deps.timeZone ?? 'Europe/Rome';
  const helper = { method: 'get', tag: 'console', description: internal, mutating: false } satisfies Partial<RouteSpec>;

  /** Who is signed in: role, user and display name (the console picks its menu from the role). */
  t.add(
    {
      ...helper,
      path: '/console/api/me',
      roles: ['erp', 'collector', 'manager'],
      summary: 'Who is signed in: role, user, display name and language',
      responses: { 200: 'The caller' },
    },
    async (req, res) => {
      const p = req.principal!;
      const user = p.userId ? await db.user.findUnique({ where: { id: p.userId } }) : null;
      res.json({ role: p.role, userId: p.userId, name: user?.name ?? p.role, language: user?.language ?? 'it' });
    },
  );

  /** Values for the filter drop-downs: collectors, salespeople, areas, segments. */
  t.add(
    {
      ...helper,
      path: '/console/api/options',
      roles: ['collector', 'manager'],
      summary: 'Values for the filter drop-downs: collectors, salespeople, areas, segments',
      responses: { 200: 'The values' },
    },
    async (_req, res) => {
      const [users, areas, segments, policies] = await Promise.all([
        db.user.findMany({ where: { role: { in: ['collector', 'salesperson'] } }, orderBy: { name: 'asc' } }),
        db.customer.findMany({ where: { area: { not: null } }, distinct: ['area'], select: { area: true } }),
        db.customer.findMany({ distinct: ['segment'], select: { segment: true } }),
        db.dunningPolicy.findMany({ distinct: ['segment'], select: { segment: true } }),
      ]);
      const seg = new Set([...segments.map((s) => s.segment), ...policies.map((p) => p.segment)]);
      res.json({
        collectors: users.filter((u) => u.role === 'collector').map((u) => ({ id: u.id, name: u.name })),
        salespeople: users.filter((u) => u.role === 'salesperson').map((u) => ({ id: u.id, name: u.name })),
        areas: areas
          .map((a) => a.area)
          .filter(Boolean)
          .sort(),
        segments: [...seg].sort(),
      });
    },
  );

  /**
   * Control-tower figures straight from the mirror tables, for when the reports API is not there: pipeline by
   * stage, aging buckets, disputes and legal cases with how long they have been stuck, blocked customers, and the
   * monthly promise-kept rate and an approximate DSO over the last six months.
   */
  t.add(
    {
      ...helper,
      path: '/console/api/tower',
      roles: ['manager'],
      summary: 'Control-tower figures straight from the mirror tables',
      query: filterSchema,
      responses: { 200: 'Pipeline, aging, stuck disputes and legal cases, blocked customers, promise-kept rate, DSO' },
    },
    async (req, res, { query: f }) => {
      const where = customerScope(req, f);
      const today = todayIn(tz);
      // Prisma's raw queries run only when awaited: a skipped one costs nothing.
      const figures = f.only !== 'stuck';
      const [pipeline, aging, disputes, legal, blocked, promises, dso] = await Promise.all([
        figures &&
          db.$queryRaw<Array<{ stage: string; count: bigint; balance: bigint }>>`
        SELECT i.stage, COUNT(*) AS count, COALESCE(SUM(i."balanceMinor"), 0)::bigint AS balance
        FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
        WHERE i.stage IN (${ACTIVE}) AND ${where} GROUP BY i.stage`,
        figures &&
          db.$queryRaw<Array<{ bucket: string; count: bigint; balance: bigint }>>`
        SELECT CASE
            WHEN d <= 0 THEN 'NOT_DUE' WHEN d <= 30 THEN '1_30' WHEN d <= 60 THEN '31_60'
            WHEN d <= 90 THEN '61_90' WHEN d <= 180 THEN '91_180' ELSE 'OVER_180' END AS bucket,
          COUNT(*) AS count, COALESCE(SUM(balance), 0)::bigint AS balance
        FROM (SELECT (${today}::date - i."dueDate") AS d, i."balanceMinor" AS balance
              FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
              WHERE i.stage IN (${ACTIVE}) AND ${where}) x
        GROUP BY bucket`,
        db.$queryRaw<
          Array<{
            invoiceId: string;
            number: string;
            customer: string;
            reasonCode: string;
            openedAt: Date;
            balance: bigint;
          }>
        >`
        SELECT d."invoiceId", i."externalNumber" AS number, c.name AS customer, d."reasonCode", d."openedAt",
               i."balanceMinor" AS balance
        FROM "Dispute" d JOIN "Invoice" i ON i.id = d."invoiceId" JOIN "Customer" c ON c.id = i."customerId"
        WHERE d.status = 'OPEN' AND ${where} ORDER BY d."openedAt" ASC LIMIT 20`,
        db.$queryRaw<
          Array<{ invoiceId: string; number: string; customer: string; status: string; since: Date; balance: bigint }>
        >`
        SELECT l."invoiceId", i."externalNumber" AS number, c.name AS customer, l.status,
               COALESCE((SELECT MAX(e."createdAt") FROM "LegalCaseEvent" e WHERE e."caseId" = l.id), l."openedAt") AS since,
               i."balanceMinor" AS balance
        FROM "LegalCase" l JOIN "Invoice" i ON i.id = l."invoiceId" JOIN "Customer" c ON c.id = i."customerId"
        WHERE l.status IN ('PENDING_APPROVAL', 'OPEN') AND ${where} ORDER BY since ASC LIMIT 20`,
        db.$queryRaw<Array<{ id: string; name: string; balance: bigint; since: Date }>>`
        SELECT c.id, c.name, c."updatedAt" AS since,
               COALESCE((SELECT SUM(i."balanceMinor") FROM "Invoice" i
                         WHERE i."customerId" = c.id AND i.stage IN (${ACTIVE})), 0)::bigint AS balance
        FROM "Customer" c WHERE c."orderBlocked" AND ${where} ORDER BY c.name LIMIT 50`,
        figures &&
          db.$queryRaw<Array<{ month: string; kept: bigint; broken: bigint }>>`
        SELECT to_char(date_trunc('month', p."resolvedAt"), 'YYYY-MM') AS month,
               COUNT(*) FILTER (WHERE p.status = 'KEPT') AS kept, COUNT(*) FILTER (WHERE p.status = 'BROKEN') AS broken
        FROM "PaymentPromise" p JOIN "Invoice" i ON i.id = p."invoiceId" JOIN "Customer" c ON c.id = i."customerId"
        WHERE p."resolvedAt" >= date_trunc('month', ${today}::date) - interval '5 months' AND ${where}
        GROUP BY 1 ORDER BY 1`,
        // DSO (approximate, count-free): receivables at each month end ÷ the previous 90 days' sales × 90.
        figures &&
          db.$queryRaw<Array<{ month: string; receivable: bigint; sales: bigint }>>`
        WITH months AS (
          SELECT (date_trunc('month', ${today}::date) - (n || ' months')::interval + interval '1 month - 1 day')::date AS m
          FROM generate_series(0, 5) n),
        inv AS MATERIALIZED (
          SELECT i.id, i."amountMinor" AS amount, i."issueDate" AS issued, i."closedAt"::date AS closed,
                 COALESCE(pay.list, '{}') AS pays, COALESCE(pay.dates, '{}') AS paid_on
          FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
          LEFT JOIN (SELECT p."invoiceId", array_agg(p."amountMinor") AS list, array_agg(p."paidOn") AS dates
                     FROM "Payment" p GROUP BY p."invoiceId") pay ON pay."invoiceId" = i.id
          WHERE i."issueDate" > ${today}::date - interval '3 years' AND ${where})
        SELECT to_char(m, 'YYYY-MM') AS month,
          COALESCE(SUM(inv.amount - COALESCE((SELECT SUM(a) FROM unnest(inv.pays, inv.paid_on) AS u(a, d) WHERE d <= m), 0))
                   FILTER (WHERE inv.issued <= m AND (inv.closed IS NULL OR inv.closed > m)), 0)::bigint AS receivable,
          COALESCE(SUM(inv.amount) FILTER (WHERE inv.issued > m - 90 AND inv.issued <= m), 0)::bigint AS sales
        FROM months CROSS JOIN inv GROUP BY m ORDER BY m`,
      ]);
      const list = <T>(rows: T[] | false): T[] => rows || [];
      const now = Date.now();
      const days = (d: Date): number => Math.max(0, Math.floor((now - d.getTime()) / 86_400_000));
      res.json({
        source: 'console',
        pipeline: ACTIVE_STAGES.map((stage) => {
          const row = list(pipeline).find((p) => p.stage === stage);
          return { stage, count: num(row?.count), balanceMinor: num(row?.balance) };
        }),
        aging: ['NOT_DUE', '1_30', '31_60', '61_90', '91_180', 'OVER_180'].map((bucket) => {
          const row = list(aging).find((a) => a.bucket === bucket);
          return { bucket, count: num(row?.count), balanceMinor: num(row?.balance) };
        }),
        disputes: disputes.map((d) => ({
          invoiceId: d.invoiceId,
          number: d.number,
          customer: d.customer,
          reasonCode: d.reasonCode,
          balanceMinor: num(d.balance),
          daysStuck: days(d.openedAt),
        })),
        legal: legal.map((l) => ({
          invoiceId: l.invoiceId,
          number: l.number,
          customer: l.customer,
          status: l.status,
          balanceMinor: num(l.balance),
          daysStuck: days(l.since),
        })),
        blocked: blocked.map((b) => ({
          customerId: b.id,
          name: b.name,
          balanceMinor: num(b.balance),
          days: days(b.since),
        })),
        promiseKept: list(promises).map((p) => {
          const kept = num(p.kept);
          const total = kept + num(p.broken);
          return { month: p.month, kept, total, rate: total ? kept / total : null };
        }),
        dso: list(dso).map((d) => {
          const sales = num(d.sales);
          return { month: d.month, dso: sales > 0 ? Math.round((num(d.receivable) / sales) * 90) : null };
        }),
      });
    },
  );

  /**
   * Legal actions awaiting a decision: the open approval tasks with the facts of their invoice and case. The
   * cost-benefit figures come from the reports API (`/v1/reports/legal`), which the page asks for separately.
   */
  t.add(
    {
      ...helper,
      path: '/console/api/approvals',
      roles: ['manager'],
      summary: 'Legal actions awaiting a decision, with the facts of their invoice and case',
      responses: { 200: 'The open approval tasks' },
    },
    async (_req, res) => {
      const tasks = await db.task.findMany({
        where: { kind: 'APPROVE_LEGAL', status: 'OPEN', invoiceId: { not: null } },
        orderBy: { dueAt: 'asc' },
        take: 200,
        include: { invoice: { include: { legalCases: true } }, customer: true },
      });
      const today = todayIn(tz);
      res.json({
        items: tasks.map((t) => {
          const inv = t.invoice!;
          const legalCase = inv.legalCases[0];
          return {
            taskId: t.id,
            dueAt: t.dueAt.toISOString(),
            invoiceId: inv.id,
            number: inv.externalNumber,
            customerId: t.customerId,
            customer: t.customer.name,
            rating: t.customer.rating,
            segment: t.customer.segment,
            currency: inv.currency,
            stage: inv.stage,
            balanceMinor: toNumber(inv.balanceMinor),
            daysOverdue: Math.max(0, daysOverdue(inv.dueDate.toISOString().slice(0, 10), today)),
            costsSoFarMinor: toNumber(legalCase?.costsMinor),
            caseStatus: legalCase?.status ?? null,
          };
        }),
      });
    },
  );

  /** When each of the given customers was last contacted (any channel, either direction): the agenda's column. */
  t.add(
    {
      ...helper,
      path: '/console/api/last-contacts',
      roles: ['collector', 'manager'],
      summary: 'When each of the given customers was last contacted',
      query: lastContactsQuery,
      responses: { 200: 'Customer id → ISO timestamp (or null)' },
    },
    async (req, res, { query }) => {
      const ids = query.customers;
      const rows = ids.length
        ? await db.contactEvent.groupBy({
            by: ['customerId'],
            where: {
              customerId: { in: ids },
              status: { notIn: ['PENDING', 'SKIPPED', 'DEFERRED'] },
              // a collector learns nothing about other collectors' customers
              ...(req.principal?.role === 'collector' ? { customer: { collectorId: req.principal.userId } } : {}),
            },
            _max: { createdAt: true },
          })
        : [];
      res.json(Object.fromEntries(rows.map((r) => [r.customerId, r._max.createdAt?.toISOString() ?? null])));
    },
  );
}
