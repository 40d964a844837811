/**
 * Credit intelligence over HTTP: `GET /v1/reports/...` for every KPI (JSON, or `format=csv|xlsx`), ratings with their
 * explanation, legal cost-benefit, monthly trends, the monthly PDF, and the "what if" policy simulation. Managers and
 * admins only. Declared on the route table like every /v1 route: the same zod schemas validate the query (a bad
 * filter is a 400 naming the field) and describe it in /openapi.json.
 */
import type { Client } from '@temporalio/client';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { policySettingsSchema, policyStepSchema } from '../../domain/policy';
import {
  agingTable,
  disputeTable,
  dsoTable,
  legalTable,
  pipelineTable,
  promiseTable,
  reasonTable,
  recoveryTable,
  toCsv,
  toXlsx,
  trendTable,
  type ExportLanguage,
  type Table,
} from '../../contexts/reports/export';
import { DIMENSIONS, type ReportFilter } from '../../contexts/reports/filters';
import { addDays } from '../../contexts/reports/formulas';
import {
  agingReport,
  disputeReport,
  dsoReport,
  pipelineReport,
  promiseReport,
  reasonReport,
  recoveryReport,
} from '../../contexts/reports/kpis';
import {
  DEFAULT_LEGAL_ASSUMPTIONS,
  LEGAL_SOURCES,
  legalAssumptionsInForce,
  legalReport,
  storedLegalOverrides,
  storeLegalOverrides,
  withOverrides,
} from '../../contexts/reports/legal';
import { monthlyReportPdf, REPORT_LANGUAGES } from '../../contexts/reports/pdf';
import { rerouteAfterRatingChanges } from '../../contexts/policies/routing';
import { GRADES, previewRating, ratingExplanation, recomputeRating } from '../../contexts/reports/rating';
import { previousMonth, trend } from '../../contexts/reports/snapshots';
import { simulatePolicy } from '../../contexts/reports/simulate';
import { canonicalJson } from '../../domain/json';
import { todayIn } from '../../domain/time';
import { actorOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { badRequest, notFound, parse, unavailable } from '../../contexts/errors';
import { RouteTable, type RouteSpec } from '../registry';
import { emptyQuery, isoDate } from '../../contexts/schemas';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');
/** `a,b` or repeated `?x=a&x=b`. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
  .refine((v) => v.length <= 50, 'at most 50 values')
  .optional()
  .meta({ description: 'Comma-separated values (or the parameter repeated); at most 50' });

const filterShape = {
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as EUR')
    .optional(),
  segment: list,
  area: list,
  collectorId: list,
  salespersonId: list,
  groupBy: z.enum(DIMENSIONS).optional(),
  format: z.enum(['json', 'csv', 'xlsx']).optional().meta({ description: 'json (default), csv or xlsx' }),
  lang: z.enum(['it', 'en', 'fr']).optional().meta({
    description: 'For csv/xlsx made for a person: headers in this language; it/fr CSV use ; and a decimal comma',
  }),
};
const periodQuery = z
  .object({ ...filterShape, from: isoDate.optional(), to: isoDate.optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['from'], message: 'must not be after to' })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= 3 * 366 * 86_400_000, {
    path: ['to'],
    message: 'a period may span at most three years',
  });
const asOfQuery = z.object({ ...filterShape, asOf: isoDate.optional() }).strict();

/** Default period: the 90 days ending `today` (or ending `to`). */
function periodIn(today: string, q: { from?: string; to?: string }): { from: string; to: string } {
  const to = q.to ?? today;
  return { from: q.from ?? addDays(to, -89), to };
}
const filterOf = (q: z.infer<typeof periodQuery> | z.infer<typeof asOfQuery>): ReportFilter => ({
  currency: q.currency,
  segment: q.segment,
  area: q.area,
  collectorId: q.collectorId,
  salespersonId: q.salespersonId,
  groupBy: q.groupBy,
});

async function send(
  res: Response,
  format: string | undefined,
  name: string,
  body: unknown,
  table: () => Table,
  currency = 'EUR',
) {
  // The query was validated by the route's schema: `lang` is one of it/en/fr or absent.
  const lang = (res.req.query as { lang?: ExportLanguage }).lang;
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8').attachment(`${name}.csv`).send(toCsv(table(), { lang, currency }));
  } else if (format === 'xlsx') {
    res
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .attachment(`${name}.xlsx`)
      .send(await toXlsx(table(), currency, lang));
  } else {
    res.json(body);
  }
}

const probability = z.number().min(0).max(1);
/** A fee table: ascending brackets, the last one open-ended (upToMinor null); euro cents. */
const feeBrackets = (nullableFee: boolean) =>
  z
    .array(
      z
        .object({
          upToMinor: z.number().int().positive().nullable(),
          feeMinor: nullableFee ? z.number().int().min(0).nullable() : z.number().int().min(0),
        })
        .strict(),
    )
    .min(1)
    .max(20)
    .refine(
      (b) =>
        b.every(
          (x, i) => i === b.length - 1 || (x.upToMinor !== null && (i === 0 || x.upToMinor > b[i - 1].upToMinor!)),
        ) && b[b.length - 1].upToMinor === null,
      'brackets must ascend and end with an open bracket (upToMinor null)',
    );
const legalAssumptionsSchema = z
  .object({
    recoveryByPosition: z
      .object({
        NOT_STARTED: probability,
        DIFFIDA: probability,
        DECRETO_INGIUNTIVO: probability,
        PRECETTO: probability,
        PIGNORAMENTO: probability,
      })
      .partial()
      .strict(),
    ratingFactor: z
      .object({
        A: z.number().min(0).max(3),
        B: z.number().min(0).max(3),
        C: z.number().min(0).max(3),
        D: z.number().min(0).max(3),
        E: z.number().min(0).max(3),
      })
      .partial()
      .strict(),
    maxProbability: probability,
    stepCostMinor: z
      .object({
        DIFFIDA: z.number().int().min(0),
        DECRETO_INGIUNTIVO: z.number().int().min(0),
        PRECETTO: z.number().int().min(0),
        PIGNORAMENTO: z.number().int().min(0),
      })
      .partial()
      .strict(),
    reachProbability: z
      .object({ DECRETO_INGIUNTIVO: probability, PRECETTO: probability, PIGNORAMENTO: probability })
      .partial()
      .strict(),
    recoverableShare: z
      .object({
        DIFFIDA: probability,
        DECRETO_INGIUNTIVO: probability,
        PRECETTO: probability,
        PIGNORAMENTO: probability,
      })
      .partial()
      .strict(),
    contributoUnificato: feeBrackets(false),
    decretoIngiuntivoFeeFactor: probability,
    anticipazioniForfettarieMinor: z.number().int().min(0).max(1_000_000),
    lawyerFeesDecretoIngiuntivo: feeBrackets(true),
    minBenefitCostRatio: z.number().min(0).max(100),
  })
  .partial()
  .strict();

const simulateBody = z
  .object({
    policy: z
      // A whole stored policy may be sent back as it came (segment, version, settings); nothing else.
      .object({
        name: z.string().min(1).max(200),
        steps: z.array(policyStepSchema).min(1).max(30),
        segment: z.string().max(64).optional(),
        version: z.number().int().optional(),
        settings: policySettingsSchema.optional(),
      })
      .strict(),
    segment: z.string().min(1).max(100).optional(),
    months: z.number().int().min(1).max(24).default(6),
    asOf: isoDate.optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
  })
  .strict();

const trendsQuery = z
  .object({
    from: month.optional(),
    to: month.optional(),
    dimension: z.enum(['all', ...DIMENSIONS]).optional(),
    key: z.string().max(200).optional(),
    currency: filterShape.currency,
    format: filterShape.format,
  })
  .strict();

const legalQuery = z
  .object({
    ...filterShape,
    invoiceId: z.string().max(100).optional(),
    customerId: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(500),
    /** The day the claim's interest is counted to (default today). */
    asOf: isoDate.optional(),
    assumptions: z
      .string()
      .max(4000)
      .optional()
      .meta({ description: 'A JSON object overriding some of the default assumptions' }),
  })
  .strict();

const ratingParams = z.object({ customerId: z.string().min(1).max(100) });
const ratingsQuery = z
  .object({
    grade: z.enum(GRADES).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const monthlyQuery = z
  .object({
    month: month.optional(),
    currency: filterShape.currency,
    segment: list,
    area: list,
    collectorId: list,
    salespersonId: list,
    lang: z
      .enum(REPORT_LANGUAGES)
      .optional()
      .meta({ description: "it or en; default: the language of the key's user, else en" }),
  })
  .strict();

/** JSON by default; `format=csv|xlsx` downloads the same figures as a table. */
const TABLE_FORMATS = [
  'application/json',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
] as const;

export interface ReportsDeps {
  db: Db;
  temporal?: Client;
  /** Where "today" is for default dates (SEGUGIO_TZ); Europe/Rome when absent. */
  timeZone?: string;
}

/** The reports routes, declared on the route table: managers and admins only. */
export function reportRoutes(t: RouteTable, deps: ReportsDeps): void {
  // Default dates are the business's calendar days, not UTC's: just after midnight in Rome it is still yesterday in UTC.
  const today = (): string => todayIn(deps.timeZone ?? 'Europe/Rome');
  const periodOf = (q: { from?: string; to?: string }) => periodIn(today(), q);
  const kpi = {
    method: 'get',
    roles: ['manager'],
    tag: 'reports',
    mutating: false,
    produces: TABLE_FORMATS,
  } satisfies Partial<RouteSpec>;

  /** DSO (standard and count-back), best possible DSO, average days delinquent and CEI. */
  t.add(
    {
      ...kpi,
      path: '/v1/reports/dso',
      summary: 'DSO (standard and count-back), best possible DSO, average days delinquent and CEI',
      query: periodQuery,
      responses: { 200: 'The figures for the period (default: the 90 days ending today)' },
    },
    async (_req, res, { query: q }) => {
      const data = await dsoReport(deps.db, periodOf(q), filterOf(q));
      await send(res, q.format, 'dso', { period: periodOf(q), ...data }, () => dsoTable(data, q.groupBy), q.currency);
    },
  );

  /** CEI alone (the same figures as /dso, for dashboards that show one number). */
  t.add(
    {
      ...kpi,
      path: '/v1/reports/cei',
      summary: 'Collection effectiveness index alone (the same figures as /dso)',
      query: periodQuery,
      responses: { 200: 'CEI and its inputs for the period' },
    },
    async (_req, res, { query: q }) => {
      const data = await dsoReport(deps.db, periodOf(q), filterOf(q));
      const pick = (x: {
        cei: number | null;
        ceiCash: number | null;
        cashCollectedMinor: number;
        receivablesBeginMinor: number;
        creditSalesMinor: number;
        receivablesEndMinor: number;
        currentEndMinor: number;
      }) => ({
        cei: x.cei,
        ceiCash: x.ceiCash,
        cashCollectedMinor: x.cashCollectedMinor,
        receivablesBeginMinor: x.receivablesBeginMinor,
        creditSalesMinor: x.creditSalesMinor,
        receivablesEndMinor: x.receivablesEndMinor,
        currentEndMinor: x.currentEndMinor,
      });
      const body = {
        period: periodOf(q),
        total: pick(data.total),
        groups: data.groups.map((g) => ({ key: g.key, ...pick(g) })),
      };
      await send(res, q.format, 'cei', body, () => dsoTable(data, q.groupBy), q.currency);
    },
  );

  /**
   * The KPIs that are one report function and one table each: over a period (default: the 90 days ending today) or
   * at a date (`asOf`, default: today). The JSON carries the period or the date beside the figures.
   */
  const periodKpis: Array<{
    name: string;
    summary: string;
    response: string;
    report: (db: Db, period: { from: string; to: string }, f: ReportFilter) => Promise<unknown>;
    table: (data: never, groupBy?: string) => Table;
  }> = [
    {
      name: 'promises',
      summary: 'Promise-kept rate of the promises falling due in the period',
      response: 'Kept, broken and open promises',
      report: promiseReport,
      table: promiseTable,
    },
    {
      name: 'disputes',
      summary: 'Dispute rate, outcomes and mean time to resolution',
      response: 'Disputes of the period',
      report: disputeReport,
      table: disputeTable,
    },
    {
      name: 'reasons',
      summary: 'Distribution of the non-payment reasons collectors recorded',
      response: 'Reasons of the period',
      report: reasonReport,
      table: reasonTable,
    },
    {
      name: 'recovery',
      summary: 'What each stage recovered of the balance that entered it',
      response: 'Recovery by stage for the period',
      report: recoveryReport,
      table: recoveryTable,
    },
  ];
  const asOfKpis: Array<{
    name: string;
    summary: string;
    response: string;
    report: (db: Db, asOf: string, f: ReportFilter) => Promise<unknown>;
    table: (data: never, groupBy?: string) => Table;
  }> = [
    {
      name: 'aging',
      summary: 'Aging buckets (not due, 1–30, 31–60, 61–90, 91–180, >180) by balance and count',
      response: 'The buckets at asOf (default: today)',
      report: agingReport,
      table: agingTable,
    },
    {
      name: 'pipeline',
      summary: 'Open invoices by current stage',
      response: 'The pipeline at asOf (default: today)',
      report: pipelineReport,
      table: pipelineTable,
    },
  ];
  for (const k of asOfKpis) {
    t.add(
      { ...kpi, path: `/v1/reports/${k.name}`, summary: k.summary, query: asOfQuery, responses: { 200: k.response } },
      async (_req, res, { query: q }) => {
        const asOf = q.asOf ?? today();
        const data = await k.report(deps.db, asOf, filterOf(q));
        const table = () => k.table(data as never, q.groupBy);
        await send(res, q.format, k.name, { asOf, ...(data as object) }, table, q.currency);
      },
    );
  }
  for (const k of periodKpis) {
    t.add(
      { ...kpi, path: `/v1/reports/${k.name}`, summary: k.summary, query: periodQuery, responses: { 200: k.response } },
      async (_req, res, { query: q }) => {
        const period = periodOf(q);
        const data = await k.report(deps.db, period, filterOf(q));
        const table = () => k.table(data as never, q.groupBy);
        await send(res, q.format, k.name, { period, ...(data as object) }, table, q.currency);
      },
    );
  }

  /** Monthly trend from the snapshots (default: the 12 months up to last month). */
  t.add(
    {
      ...kpi,
      path: '/v1/reports/trends',
      summary: 'Monthly trend from the snapshots (default: the 12 months up to last month)',
      query: trendsQuery,
      responses: { 200: 'One point per month' },
    },
    async (_req, res, { query: q }) => {
      const toMonth = q.to ?? previousMonth(today());
      let fromMonth = q.from;
      if (!fromMonth) {
        fromMonth = toMonth;
        for (let i = 0; i < 11; i++) fromMonth = previousMonth(`${fromMonth}-01`);
      }
      if (fromMonth > toMonth)
        throw badRequest('request is not valid', [{ path: 'from', message: 'must not be after to' }]);
      const points = await trend(deps.db, {
        fromMonth,
        toMonth,
        dimension: q.dimension,
        key: q.key,
        currency: q.currency,
      });
      await send(
        res,
        q.format,
        'trends',
        { from: fromMonth, to: toMonth, points },
        () => trendTable(points),
        q.currency,
      );
    },
  );

  /** Legal cost-benefit of every case in or considered for legal; assumptions may be overridden (JSON in `assumptions`). */
  t.add(
    {
      ...kpi,
      path: '/v1/reports/legal',
      summary: 'Legal cost-benefit of every case in or considered for legal, largest balances first',
      description:
        'The assumptions (recovery probabilities, costs) may be overridden with a JSON object in `assumptions`.',
      query: legalQuery,
      responses: { 200: 'The assumptions used and the cases with their recommendation' },
    },
    async (_req, res, { query: q }) => {
      let overrides: z.infer<typeof legalAssumptionsSchema> = {};
      if (q.assumptions) {
        let raw: unknown;
        try {
          raw = JSON.parse(q.assumptions);
        } catch {
          throw badRequest('request is not valid', [{ path: 'assumptions', message: 'must be a JSON object' }]);
        }
        overrides = parse(legalAssumptionsSchema, raw, 'assumptions');
      }
      // The defaults, then what the managers stored, then this request's overrides.
      const assumptions = withOverrides(await legalAssumptionsInForce(deps.db), overrides);
      const cases = await legalReport(
        deps.db,
        {
          ...filterOf({ ...q, groupBy: undefined }),
          invoiceId: q.invoiceId,
          customerId: q.customerId,
          limit: q.limit,
          asOf: q.asOf ?? today(),
        },
        assumptions,
      );
      await send(res, q.format, 'legal', { assumptions, cases }, () => legalTable(cases), q.currency);
    },
  );

  /** The legal cost-benefit assumptions in force: defaults, and what managers stored over them. */
  t.add(
    {
      method: 'get',
      path: '/v1/reports/legal/assumptions',
      roles: ['manager'],
      tag: 'reports',
      summary: 'The legal cost-benefit assumptions in force (defaults with the stored overrides)',
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'The assumptions in force, the defaults and the stored overrides' },
    },
    async (_req, res) => {
      const stored = await storedLegalOverrides(deps.db);
      res.json({
        assumptions: withOverrides(DEFAULT_LEGAL_ASSUMPTIONS, stored.overrides),
        defaults: DEFAULT_LEGAL_ASSUMPTIONS,
        sources: LEGAL_SOURCES,
        ...stored,
      });
    },
  );

  /** Stores the managers' overrides of the legal assumptions (`{}` goes back to the defaults). */
  t.add(
    {
      method: 'put',
      path: '/v1/reports/legal/assumptions',
      roles: ['manager'],
      tag: 'reports',
      summary: 'Set the legal cost-benefit assumptions for everyone (the approval task, the 360, the report)',
      description:
        'The body overrides any part of the defaults (recovery probability by position, factor by rating, the cap, ' +
        'step costs, the minimum benefit/cost ratio); it replaces what was stored. `{}` restores the defaults; ' +
        'sending what is stored writes nothing (`changed: false`).',
      body: legalAssumptionsSchema,
      mutating: true,
      responses: { 200: 'The assumptions now in force' },
    },
    async (req, res, { body }) => {
      const before = await storedLegalOverrides(deps.db);
      // Sending what is stored again writes nothing (like a policy): a retried request leaves one audit entry.
      if (canonicalJson(before.overrides) === canonicalJson(body)) {
        res.json({ assumptions: withOverrides(DEFAULT_LEGAL_ASSUMPTIONS, body), overrides: body, changed: false });
        return;
      }
      const actor = actorOf(req);
      const assumptions = await storeLegalOverrides(deps.db, body, actor.actorId);
      await audit(
        deps.db,
        req,
        'legal-assumptions.change',
        'ReportSetting',
        'legal-assumptions',
        body,
        before.overrides,
      );
      res.json({ assumptions, overrides: body, changed: true });
    },
  );

  /** A customer's internal rating with its factors (the stored one; computed on the fly if never stored). */
  t.add(
    {
      method: 'get',
      path: '/v1/reports/ratings/:customerId',
      roles: ['manager'],
      tag: 'reports',
      summary: "A customer's internal rating (A–E) with its factors",
      description:
        'The stored rating (recomputed after payments, promises, disputes and nightly); a customer never rated is ' +
        'computed on the fly and not stored (`computedAt: null`). Reading never changes anything.',
      params: ratingParams,
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'The rating and the contribution of each factor' },
    },
    async (_req, res, { params }) => {
      const id = params.customerId;
      const explained = (await ratingExplanation(deps.db, id)) ?? (await previewRating(deps.db, id, today()));
      if (!explained) throw notFound(`customer ${id}`);
      res.json(explained);
    },
  );

  /** Recomputes and stores a customer's rating now; a new grade moves the open invoices to their policy track. */
  t.add(
    {
      method: 'post',
      path: '/v1/reports/ratings/:customerId/recompute',
      roles: ['manager'],
      tag: 'reports',
      summary: "Recompute a customer's internal rating now (and move the open invoices if the grade's track changed)",
      params: ratingParams,
      body: z.object({}).strict(),
      mutating: true,
      responses: { 200: 'The stored rating with its factors, the grade before and how many invoices were moved' },
    },
    async (req, res, { params }) => {
      const id = params.customerId;
      // A new grade moves the open invoices first; if that fails nothing is stored, and a retry does it all again.
      let rerouted = 0;
      const temporal = deps.temporal;
      const r = await recomputeRating(
        deps.db,
        id,
        today(),
        temporal
          ? {
              beforeStore: async (changes) => {
                const moved = await rerouteAfterRatingChanges(deps.db, temporal, changes);
                if (moved.failed)
                  throw unavailable(`${moved.failed} open invoices could not be moved to their new policy; retry`);
                rerouted = moved.signalled;
              },
            }
          : {},
      );
      if (!r) throw notFound(`customer ${id}`);
      await audit(deps.db, req, 'rating.recompute', 'Customer', id, { rating: r.rating }, { rating: r.previous });
      res.json({ ...(await ratingExplanation(deps.db, id)), previous: r.previous, rerouted });
    },
  );

  /** How many customers sit in each grade (and which, with `grade`). */
  t.add(
    {
      method: 'get',
      path: '/v1/reports/ratings',
      roles: ['manager'],
      tag: 'reports',
      summary: 'How many customers sit in each grade (and which, with grade)',
      query: ratingsQuery,
      mutating: false,
      responses: { 200: 'Customers per grade' },
    },
    async (_req, res, { query: q }) => {
      const counts = await deps.db.customer.groupBy({ by: ['rating'], _count: { _all: true } });
      const customers = q.grade
        ? await deps.db.customer.findMany({
            where: { rating: q.grade },
            select: { id: true, name: true, segment: true, rating: true },
            orderBy: { name: 'asc' },
            take: q.limit,
          })
        : undefined;
      res.json({
        grades: Object.fromEntries(counts.map((c) => [c.rating, c._count._all])),
        ...(customers ? { customers } : {}),
      });
    },
  );

  /** The monthly credit report as PDF (default: last month). */
  t.add(
    {
      method: 'get',
      path: '/v1/reports/monthly.pdf',
      roles: ['manager'],
      tag: 'reports',
      summary: 'The monthly credit report as PDF (default: last month)',
      query: monthlyQuery,
      mutating: false,
      produces: 'application/pdf',
      responses: { 200: 'The PDF (inline)' },
    },
    async (req, res, { query: q }) => {
      const m = q.month ?? previousMonth(today());
      // Without `lang`, the language of the user behind the key (Italian for most of our users), else English.
      const userId = req.principal?.userId;
      const user = userId ? await deps.db.user.findUnique({ where: { id: userId }, select: { language: true } }) : null;
      const lang = q.lang ?? REPORT_LANGUAGES.find((l) => l === user?.language) ?? 'en';
      const pdf = await monthlyReportPdf(deps.db, {
        month: m,
        filter: {
          currency: q.currency,
          segment: q.segment,
          area: q.area,
          collectorId: q.collectorId,
          salespersonId: q.salespersonId,
        },
        lang,
      });
      res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="credit-report-${m}.pdf"`);
      res.send(pdf);
    },
  );

  /** "What if": replays a proposed policy over the last N months of real invoices; nothing is sent. */
  t.add(
    {
      method: 'post',
      path: '/v1/reports/simulate',
      roles: ['manager'],
      tag: 'reports',
      summary: '"What if": replays a proposed policy over the last N months of real invoices',
      description: 'Nothing is sent and nothing is written.',
      body: simulateBody,
      mutating: false,
      responses: { 200: 'What the policy would have done' },
    },
    async (_req, res, { body }) => {
      res.json(
        await simulatePolicy(deps.db, {
          policy: body.policy,
          segment: body.segment,
          months: body.months,
          asOf: body.asOf ?? today(),
          currency: body.currency,
        }),
      );
    },
  );
}

/** The reports routes on a router of their own; mount it after authentication. */
export function reportsRouter(deps: ReportsDeps): Router {
  const r = Router();
  reportRoutes(new RouteTable(r), deps);
  return r;
}
