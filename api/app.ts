/** The express application: middleware, routes, errors. Built once per process with its dependencies. */
import crypto from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import { withLogContext, type Logger } from '../infra/logger';
import { accessLog } from './access-log';
import { createConsoleRouter } from './console';
import { authenticate } from '../contexts/access/auth';
import { errorHandler, HttpError, notFoundHandler } from '../contexts/errors';
import { createMetrics } from './metrics';
import { buildOpenApi, docsRouter } from './openapi';
import { RouteTable, type RouteSpec } from './registry';
import { agendaRoutes } from './routes/agenda';
import { customerRoutes } from './routes/customers';
import type { RouteDeps } from './routes/deps';
import { importRoutes } from './routes/imports';
import { invoiceRoutes } from './routes/invoices';
import { noticeRoutes } from './routes/notices';
import { policyRoutes } from './routes/policies';
import { reportsRouter } from './routes/reports';
import { passCallStatus, recordAdjustment, recordPayment } from '../contexts/intake/invoices';
import { createWebhookRouter } from './webhooks';

export interface AppDeps {
  db: Db;
  temporal: Client;
  config: Config;
  log: Logger;
  /** Requests per key per minute (default: config API_RATE_LIMIT_PER_MINUTE). */
  rateLimitPerMinute?: number;
  /** Failed authentications per client address per minute before 429 (default 100). */
  authFailuresPerMinute?: number;
  /** Rows per bulk-import activity (tests use small chunks to exercise resumption). */
  importChunkSize?: number;
  /** Extra routers mounted under /v1 after authentication (e.g. reports), each given the route table. */
  extraRoutes?: Array<(t: RouteTable, deps: RouteDeps) => void>;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  const metrics = createMetrics();
  app.use((req, res, next) => {
    const given = req.header('x-request-id');
    req.requestId = given && /^[\w.:-]{1,128}$/.test(given) ? given : crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    withLogContext({ requestId: req.requestId }, next);
  });
  app.use(accessLog(deps.log));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'connect-src': ["'self'"] },
      },
    }),
  );
  app.use(metrics.middleware);

  /** Liveness and reachability of the database and Temporal. */
  app.get('/health', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>): Promise<'ok' | 'unreachable'> => {
      try {
        await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000).unref())]);
        return 'ok';
      } catch {
        return 'unreachable';
      }
    };
    const [database, temporal] = await Promise.all([
      check(() => deps.db.$queryRaw`SELECT 1`),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const ok = database === 'ok' && temporal === 'ok';
    if (!ok) res.setHeader('Retry-After', '5');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', api: 'ok', database, temporal });
  });

  /** Prometheus metrics. */
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  const router = express.Router();
  const table = new RouteTable(router);
  const routeDeps: RouteDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    timeZone: deps.config.SEGUGIO_TZ,
    dataDir: deps.config.SEGUGIO_DATA_DIR,
    metrics,
    importChunkSize: deps.importChunkSize,
  };
  invoiceRoutes(table, routeDeps);
  importRoutes(table, routeDeps);
  customerRoutes(table, routeDeps);
  agendaRoutes(table, routeDeps);
  policyRoutes(table, routeDeps);
  noticeRoutes(table, routeDeps);
  for (const extra of deps.extraRoutes ?? []) extra(table, routeDeps);
  app.locals.routes = table.routes satisfies RouteSpec[];

  const openapi = buildOpenApi(table.routes);
  /** The OpenAPI 3.1 description of this API, generated from the route table. */
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  app.use(docsRouter());

  // Signed provider and ERP webhooks: their own signature checks instead of API keys, and their own raw-body parsing,
  // so they are mounted before the key check and the JSON parser. ERP facts take the same path as the ERP routes.
  const intake = { db: deps.db, temporal: deps.temporal, taskQueue: routeDeps.taskQueue, timeZone: routeDeps.timeZone };
  app.use(
    '/v1/webhooks',
    createWebhookRouter({
      db: deps.db,
      config: deps.config,
      log: deps.log,
      onPayment: async (invoiceId, payment) => void (await recordPayment(intake, invoiceId, payment)),
      onAdjustment: async (invoiceId, adjustment) => void (await recordAdjustment(intake, invoiceId, adjustment)),
      onCallStatus: (event) => passCallStatus(intake, event),
    }),
  );

  const perMinute = deps.rateLimitPerMinute ?? deps.config.API_RATE_LIMIT_PER_MINUTE;
  // Guessing keys: failed authentications count per client address; past the limit they get 429 instead of 401,
  // which slows a brute force to a crawl while callers with a valid key are never affected. One counter for /v1 and
  // the console's helpers, which take the same keys.
  const keyCheck = authWithFailureLimit(
    authenticate(deps.db),
    deps.authFailuresPerMinute ?? deps.config.API_AUTH_FAILURES_PER_MINUTE,
  );
  const perKeyLimit = rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Per API key: one busy ERP integration does not slow the collectors down.
    keyGenerator: (req) => req.principal?.keyId ?? 'anonymous',
    validate: { keyGeneratorIpFallback: false },
    handler: (req, _res, next) => {
      const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000));
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          `more than ${perMinute} requests per minute with this key; retry later`,
          undefined,
          {
            'Retry-After': String(seconds),
          },
        ),
      );
    },
  });
  app.use('/v1', express.json({ limit: '1mb', strict: true }), keyCheck, perKeyLimit);
  app.use(router);
  app.use(reportsRouter({ db: deps.db, temporal: deps.temporal, timeZone: deps.config.SEGUGIO_TZ }));

  // the web console, /console; its helpers behind the same key check and limits as /v1
  app.use(createConsoleRouter({ db: deps.db, timeZone: deps.config.SEGUGIO_TZ, auth: [keyCheck, perKeyLimit] }));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}

/** Wraps the key check: an address that failed it `limit` times within a minute gets 429 for its next failures. */
function authWithFailureLimit(auth: RequestHandler, limit: number): RequestHandler {
  const failures = new Map<string, { count: number; resetAt: number }>();
  return (req, res, next) => {
    // The key check is async: its own failures (database down) go to the error handler like any other.
    const done = auth(req, res, (err?: unknown) => {
      if (!(err instanceof HttpError) || err.status !== 401) return next(err as Error | undefined);
      const ip = req.ip ?? 'unknown';
      const now = Date.now();
      let f = failures.get(ip);
      if (!f || f.resetAt <= now) {
        f = { count: 0, resetAt: now + 60_000 };
        failures.set(ip, f);
        if (failures.size > 10_000) for (const [k, v] of failures) if (v.resetAt <= now) failures.delete(k);
      }
      f.count += 1;
      if (f.count <= limit) return next(err);
      const retry = String(Math.max(1, Math.ceil((f.resetAt - now) / 1000)));
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          'too many requests with unknown API keys from this address; retry later',
          undefined,
          { 'Retry-After': retry },
        ),
      );
    });
    Promise.resolve(done).catch(next);
  };
}
