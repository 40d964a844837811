/** The express application: middleware, routes, errors. Built once per process with its dependencies. */
import crypto from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import { devKeysAllowed, extraHolidays, secureCookies, type Config } from '../infra/config';
import type { Db } from '../infra/db';
import { withLogContext, type Logger } from '../infra/logger';
import { accessLog } from './access-log';
import { systemActor } from '../contexts/access/audit';
import { verifyJsonDepth } from './body-limits';
import { codecRouter } from './codec';
import { createConsoleRouter } from './console';
import { dataConverterOf } from '../infra/payload-codec';
import { authenticate } from '../contexts/access/auth';
import { HttpError } from '../contexts/errors';
import { errorHandler, notFoundHandler } from './errors';
import { createMetrics } from './metrics';
import { buildOpenApi, docsRouter } from './openapi';
import { RouteTable, type RouteSpec } from './registry';
import { agendaRoutes } from './routes/agenda';
import { customerRoutes } from './routes/customers';
import { statementRoutes } from './routes/statements';
import { interestNoteRoutes } from './routes/interest-notes';
import { statementOptionsFromConfig } from '../contexts/statements/statement';
import type { RouteDeps } from './routes/deps';
import { importRoutes } from './routes/imports';
import { invoiceRoutes } from './routes/invoices';
import { bulkRoutes } from './routes/bulk';
import { clickToCallConfigured } from '../contexts/collections/calls';
import { noticeRoutes } from './routes/notices';
import { policyRoutes } from './routes/policies';
import { portalRoutes } from './routes/portal';
import { createPortalRouter } from './portal';
import { preferenceRoutes } from './routes/preferences';
import { rateRoutes } from './routes/rates';
import { userRoutes } from './routes/users';
import { approvalRoutes } from './routes/approvals';
import { createSessionRouter } from './session';
import { OidcClient } from '../contexts/access/oidc';
import { sessionSettingsOf } from '../contexts/access/sessions';
import { savedFilterRoutes } from './routes/saved-filters';
import { reportsRouter } from './routes/reports';
import { passCallStatus, precheckErpEvents, recordAdjustment, recordPayment } from '../contexts/intake/invoices';
import { createWebhookRouter } from './webhooks';
import { failureCounter } from './failure-counter';

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
    defaultCurrency: deps.config.SEGUGIO_DEFAULT_CURRENCY,
    temporalTimeoutMs: deps.config.TEMPORAL_CALL_TIMEOUT_MS,
    extraHolidays: extraHolidays(deps.config),
    statement: statementOptionsFromConfig(deps.config),
    consumerFlatRateBp: deps.config.SEGUGIO_B2C_INTEREST_BP,
    invitationTtlHours: deps.config.INVITATION_TTL_HOURS,
    consolePublicUrl: deps.config.CONSOLE_PUBLIC_URL,
    clickToCall: clickToCallConfigured(deps.config),
  };
  // Before invoiceRoutes: /v1/invoices/bulk is not an invoice id.
  bulkRoutes(table, routeDeps);
  invoiceRoutes(table, routeDeps);
  importRoutes(table, routeDeps);
  customerRoutes(table, routeDeps);
  statementRoutes(table, routeDeps);
  interestNoteRoutes(table, routeDeps);
  agendaRoutes(table, routeDeps);
  policyRoutes(table, routeDeps);
  noticeRoutes(table, routeDeps);
  rateRoutes(table, routeDeps);
  portalRoutes(table, routeDeps);
  userRoutes(table, routeDeps);
  approvalRoutes(table, routeDeps);
  preferenceRoutes(table, { ...routeDeps, digestHour: deps.config.NOTIFY_DIGEST_HOUR });
  savedFilterRoutes(table, routeDeps);
  for (const extra of deps.extraRoutes ?? []) extra(table, routeDeps);
  app.locals.routes = table.routes satisfies RouteSpec[];

  const openapi = buildOpenApi(table.routes);
  /** The OpenAPI 3.1 description of this API, generated from the route table. */
  app.get('/openapi.json', (_req, res) => void res.json(openapi));
  app.use(docsRouter());

  // Signed provider and ERP webhooks: their own signature checks instead of API keys, and their own raw-body parsing,
  // so they are mounted before the key check and the JSON parser. ERP facts take the same path as the ERP routes.
  const intake = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: routeDeps.taskQueue,
    timeZone: routeDeps.timeZone,
    temporalTimeoutMs: routeDeps.temporalTimeoutMs,
    extraHolidays: routeDeps.extraHolidays,
  };
  // The signed ERP webhook has no API key: its changes are audited under this name.
  const erpWebhook = systemActor('erp-webhook', { role: 'erp', source: 'erp-webhook' });
  app.use(
    '/v1/webhooks',
    createWebhookRouter({
      db: deps.db,
      config: deps.config,
      log: deps.log,
      onPayment: async (invoiceId, payment) => void (await recordPayment(intake, invoiceId, payment, erpWebhook)),
      onAdjustment: async (invoiceId, adjustment) =>
        void (await recordAdjustment(intake, invoiceId, adjustment, erpWebhook)),
      onCallStatus: (event) => passCallStatus(intake, event),
      precheck: (events, invoiceIds) => precheckErpEvents(intake, events, invoiceIds),
    }),
  );

  // Per role: people click, an ERP syncs. A nightly sync of 1,000+ invoices is a few requests per invoice (the
  // invoice, its payments, its credit notes) sent as fast as the ERP can; the ERP role's budget is sized for that,
  // the people's stays low enough to stop a runaway script. `rateLimitPerMinute` (tests) overrides both.
  const perMinuteOf = (role: string | undefined): number =>
    deps.rateLimitPerMinute ??
    (role === 'erp' ? deps.config.API_RATE_LIMIT_ERP_PER_MINUTE : deps.config.API_RATE_LIMIT_PER_MINUTE);
  // Guessing keys: failed authentications count per client address; past the limit they get 429 instead of 401,
  // which slows a brute force to a crawl while callers with a valid key are never affected. One counter for /v1 and
  // the console's helpers, which take the same keys.
  // People sign in at /auth (e-mail and password, or single sign-on) and then send their session cookie; the key
  // check below accepts either, and demands the session's CSRF token on every mutating request a cookie authenticates.
  const sessions = sessionSettingsOf({ ...deps.config, secure: secureCookies(deps.config) });
  app.use(
    createSessionRouter({
      db: deps.db,
      sessions,
      allowDevPasswords: devKeysAllowed(deps.config),
      failuresPerAccount: deps.config.SIGN_IN_FAILURES_PER_ACCOUNT,
      failuresPerAddress: deps.config.SIGN_IN_FAILURES_PER_ADDRESS,
      oidc: oidcClientOf(deps.config),
      log: deps.log,
    }),
  );
  const keyCheck = authWithFailureLimit(
    authenticate(deps.db, { allowDevKeys: devKeysAllowed(deps.config), sessions }),
    deps.authFailuresPerMinute ?? deps.config.API_AUTH_FAILURES_PER_MINUTE,
  );
  const perKeyLimit = rateLimit({
    windowMs: 60_000,
    limit: (req) => perMinuteOf(req.principal?.role),
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
          `more than ${perMinuteOf(req.principal?.role)} requests per minute with this key (role ${req.principal?.role ?? 'none'}); retry after the Retry-After seconds`,
          undefined,
          {
            'Retry-After': String(seconds),
          },
        ),
      );
    },
  });
  app.use('/v1', express.json({ limit: '1mb', strict: true, verify: verifyJsonDepth }), keyCheck, perKeyLimit);
  app.use(router);
  app.use(reportsRouter({ db: deps.db, temporal: deps.temporal, timeZone: deps.config.SEGUGIO_TZ }));

  // the debtor's portal, /p/<token> and /portal: its own cookie, CSRF tokens, CSP and per-address limits
  app.use(createPortalRouter({ db: deps.db, temporal: deps.temporal, config: deps.config, log: deps.log }));

  // the web console, /console; its helpers behind the same key check and limits as /v1
  app.use(
    createConsoleRouter({
      db: deps.db,
      timeZone: deps.config.SEGUGIO_TZ,
      auth: [keyCheck, perKeyLimit],
      clickToCall: clickToCallConfigured(deps.config),
    }),
  );
  // The Temporal UI's remote codec: encrypted histories decoded for a manager or admin key.
  app.use(
    codecRouter({
      codec: dataConverterOf(deps.config).payloadCodecs?.[0],
      auth: [keyCheck, perKeyLimit],
      corsOrigin: deps.config.CODEC_CORS_ORIGIN,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}

/** The single sign-on client when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_REDIRECT_URL are set (config checks all three). */
function oidcClientOf(c: Config): OidcClient | null {
  if (!c.OIDC_ISSUER || !c.OIDC_CLIENT_ID || !c.OIDC_REDIRECT_URL) return null;
  return new OidcClient({
    issuer: c.OIDC_ISSUER,
    clientId: c.OIDC_CLIENT_ID,
    clientSecret: c.OIDC_CLIENT_SECRET,
    redirectUrl: c.OIDC_REDIRECT_URL,
    emailClaim: c.OIDC_EMAIL_CLAIM,
    scopes: c.OIDC_SCOPES,
    label: c.OIDC_LABEL,
    provisionRole: c.OIDC_PROVISION_ROLE ?? null,
  });
}

/** Wraps the key check: an address that failed it `limit` times within a minute gets 429 for its next failures. */
function authWithFailureLimit(auth: RequestHandler, limit: number): RequestHandler {
  const fail = failureCounter();
  return (req, res, next) => {
    // The key check is async: its own failures (database down) go to the error handler like any other.
    const done = auth(req, res, (err?: unknown) => {
      if (!(err instanceof HttpError) || err.status !== 401) return next(err as Error | undefined);
      const now = Date.now();
      const f = fail(req.ip ?? 'unknown', now);
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
