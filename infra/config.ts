/**
 * The one validated configuration of a Segugio process (API or worker). Every environment variable the project
 * reads is declared here, with its default; the README's configuration table mirrors this file.
 */
import path from 'node:path';
import { z } from 'zod';
import { TASK_QUEUE } from '../workflows/contract';
import { PROJECT_ROOT } from './tools';

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === 'true' || v === '1' || v === 'yes'));
const bool = flag(false);

const schema = z.object({
  SEGUGIO_MODE: z.enum(['dev', 'test', 'production']).default('production'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url(),
  /** Opening a PostgreSQL connection (or waiting for a pooled one) longer than this fails: the API answers 503. */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3000),
  /** One SQL statement of an API request longer than this fails (server statement_timeout, client read timeout). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** The same for the worker's activities (bulk imports, nightly ratings, snapshots run longer statements). */
  DATABASE_WORKER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool,
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
  /** AES-256 key (32 bytes, base64) of the payload codec: Temporal histories then hold ciphertext only. */
  SEGUGIO_PAYLOAD_KEY: z
    .string()
    .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  SEGUGIO_PAYLOAD_KEY_ID: z.string().min(1).max(64).default('k1'),
  /** Origin of the Temporal UI allowed to call the API's codec endpoint (e.g. http://127.0.0.1:8233). */
  CODEC_CORS_ORIGIN: z.string().optional(),
  /** Deadline of each Temporal call an API request makes; past it the API answers 503 or falls back to the mirror. */
  TEMPORAL_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Intake outbox: an invoice without its workflow (or a payment not delivered) this long is repaired by the
   * intake-repair Schedule, which runs every INTAKE_REPAIR_EVERY_SECONDS. */
  INTAKE_REPAIR_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  INTAKE_REPAIR_EVERY_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
  SEGUGIO_DATA_DIR: z.string().default(path.join(PROJECT_ROOT, '.segugio', 'data')),
  SEGUGIO_TZ: z.string().default('Europe/Rome'),
  SEGUGIO_DEFAULT_CURRENCY: z.string().length(3).default('EUR'),
  /** Public URL of the API, used in provider callbacks (Twilio status, SendGrid events). */
  PUBLIC_BASE_URL: z.string().url().optional(),
  SENDGRID_API_KEY: z.string().optional(),
  SENDGRID_FROM: z.string().min(1).optional(),
  /** Test and proxy setups only: where the SendGrid SDK sends its requests. */
  SENDGRID_BASE_URL: z.string().url().optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_FROM: z.string().optional(),
  /** Test and proxy setups only: where the Twilio SDK sends its requests. */
  TWILIO_BASE_URL: z.string().url().optional(),
  ERP_WEBHOOK_URL: z.string().url().optional(),
  ERP_WEBHOOK_SECRET: z.string().optional(),
  ERP_INBOUND_SECRET: z.string().optional(),
  ERP_CSV_DIR: z.string().optional(),
  /** Requests per API key per minute before 429. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** The same for keys of the ERP role, sized for a bulk sync (1,000+ invoices with their payments in a minute). */
  API_RATE_LIMIT_ERP_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  /** Failed authentications per client address per minute before 429. */
  API_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  /** host:port where the worker serves the Temporal SDK's metrics for Prometheus (`/metrics`); unset: off. */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[\w.:[\]-]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional(),
  /** Create or update the Temporal Schedules (nightly ratings, monthly KPI snapshot) when the worker starts. */
  SEGUGIO_SCHEDULES: flag(true),
  // --- capacity and memory (docs/performance.md): what bounds a process, independent of the open invoices ---
  /** PostgreSQL connections of one process (API or worker). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /**
   * Workflows the worker keeps in memory between tasks (sticky cache). The worker's memory grows with this number,
   * not with the open invoices: an evicted workflow is replayed from its history on its next task.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(500),
  /** Workflow tasks one worker runs at once. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  /** Activities one worker runs at once (letters, e-mail, ERP, database mirrors). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  /** Local activities one worker runs at once. */
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: z.coerce.number().int().min(1).default(100),
  /** Long polls for workflow tasks per worker (at least 2: the sticky and the normal queue). */
  WORKER_WORKFLOW_TASK_POLLERS: z.coerce.number().int().min(2).default(10),
  /** Long polls for activity tasks per worker. */
  WORKER_ACTIVITY_TASK_POLLERS: z.coerce.number().int().min(1).default(10),
  /**
   * The prebuilt workflow bundle (`npm run build` writes `dist/workflow-bundle.js`). A worker started from the build
   * output uses it and refuses to start without it; a worker started from the sources (tsx) bundles at start.
   */
  SEGUGIO_WORKFLOW_BUNDLE: z.string().optional(),
  // --- channels, letters and ERP (docs/channels.md) ---
  SENDGRID_FROM_NAME: z.string().optional(),
  /** Twilio: the collector / call-centre number that click-to-call rings first, then bridges to the customer. */
  TWILIO_AGENT_NUMBER: z.string().optional(),
  /** SMS and calls only inside these local hours, Monday–Friday (and Saturday, see below). */
  SEGUGIO_CONTACT_HOURS: z.string().default('09:00-20:00'),
  /** Saturday hours, or `none` for no SMS/calls on Saturday. */
  SEGUGIO_CONTACT_SATURDAY_HOURS: z.string().default('09:00-13:00'),
  /**
   * Local holidays (e.g. a patron saint: 06-29), comma-separated ISO dates or recurring MM-DD: no SMS or calls on them,
   * and a due date or a term ending on one moves to the next business day (art. 1187 c.c.). Read with extraHolidays().
   */
  SEGUGIO_EXTRA_HOLIDAYS: z
    .string()
    .default('')
    .refine(
      (v) =>
        v
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean)
          .every((d) => /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(d)),
      'must be comma-separated YYYY-MM-DD or MM-DD dates',
    ),
  /** Consumer (B2C) late interest as one flat rate in basis points; default: the yearly Italian legal rate table. */
  SEGUGIO_B2C_INTEREST_BP: z.coerce.number().int().min(0).max(10000).optional(),
  /** Days a write-off keeps the customer's internal rating at E (lib/reports/rating.ts). */
  SEGUGIO_RATING_WRITE_OFF_DAYS: z.coerce.number().int().min(0).max(3650).default(365),
  /** Accepted clock skew / replay window of signed inbound webhooks (ERP, SendGrid), seconds. */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(300),
  LETTERHEAD_NAME: z.string().min(1).optional(),
  /** Postal address; `|` separates lines. */
  LETTERHEAD_ADDRESS: z.string().min(1).optional(),
  LETTERHEAD_VAT: z.string().min(1).optional(),
  LETTERHEAD_IBAN: z.string().min(1).optional(),
  LETTERHEAD_BIC: z.string().optional(),
  LETTERHEAD_EMAIL: z.string().min(1).optional(),
  LETTERHEAD_PHONE: z.string().optional(),
  LETTERHEAD_PEC: z.string().optional(),
  /** PNG or JPEG file printed at the top left of every letter. */
  LETTERHEAD_LOGO: z.string().optional(),
  // --- PEC: the company's certified mailbox at its PEC provider (docs/channels.md) ---
  /** SMTP submission server of the PEC provider; without it PEC notices go to the outbox and a collector sends them. */
  PEC_SMTP_HOST: z.string().optional(),
  PEC_SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(465),
  /** implicit (TLS from the first byte, port 465) | starttls (upgrade required, 587) | none (loopback tests only). */
  PEC_SMTP_TLS: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
  PEC_USER: z.string().optional(),
  PEC_PASSWORD: z.string().optional(),
  /** The company's PEC address, the sender of every PEC notice (defaults to PEC_USER). */
  PEC_FROM: z.string().email().optional(),
  /** IMAP server of the same mailbox, where the provider writes its receipts. */
  PEC_IMAP_HOST: z.string().optional(),
  PEC_IMAP_PORT: z.coerce.number().int().min(1).max(65535).default(993),
  PEC_IMAP_TLS: z.enum(['implicit', 'starttls', 'none']).default('implicit'),
  PEC_IMAP_MAILBOX: z.string().default('INBOX'),
  /** How often the worker's Schedule reads new receipts (ISO-8601 duration, at least a second). */
  PEC_RECEIPTS_EVERY: z
    .string()
    .regex(/^PT(\d+H)?(\d+M)?(\d+S)?$/, 'an ISO-8601 time duration such as PT1M')
    .default('PT1M'),
  /** Verify the PEC servers' TLS certificates (turn off only for a provider's test environment). */
  PEC_TLS_VERIFY: flag(true),
  /**
   * PEM file of the CAs that issue PEC providers' signing certificates: each receipt's S/MIME signature must chain to
   * one of them, or the receipt is kept as evidence only and a person checks it. Required in production with a PEC
   * mailbox.
   */
  PEC_RECEIPT_CA_FILE: z.string().optional(),
  /** Who signs letters (a named person, e.g. "Maria Bianchi"): a formal notice needs a named signatory. */
  LETTERHEAD_SIGNATORY: z.string().optional(),
  /** The signatory's role, e.g. "Responsabile Ufficio Crediti" (printed under the name, as written). */
  LETTERHEAD_SIGNATORY_ROLE: z.string().optional(),
  // --- the debtor's portal (docs/portal.md) ---
  /** Public origin of the debtor's portal (e.g. https://pay.example.com): links in messages are `<this>/p/<token>`. */
  PORTAL_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .optional(),
  /** A portal link expires this many days after the last message that carried it. */
  PORTAL_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(60),
  /** Secret (≥ 32 bytes, base64) from which link tokens and form tokens are derived; never stored in the database. */
  PORTAL_LINK_SECRET: z
    .string()
    .refine((k) => Buffer.from(k, 'base64').length >= 32, 'must be at least 32 bytes, base64 (openssl rand -base64 32)')
    .optional(),
  /** Requests per client address per minute to the portal before 429; unknown links count against a tenth of it. */
  PORTAL_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  // --- people: accounts, console sessions, single sign-on (docs/console.md "Sign-in") ---
  /** A console session ends after this many minutes without a request. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  /** ... and this many hours after sign-in, however active. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(168).default(12),
  /** The session cookie carries Secure (and the `__Host-` prefix); default on in production, off in dev and test. */
  SESSION_COOKIE_SECURE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v === 'true' || v === '1' || v === 'yes')),
  /** How long an invitation or password-reset link stays valid. */
  INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  /** Failed sign-ins per e-mail address per 15 minutes, and per client address per 15 minutes, before 429. */
  SIGN_IN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  SIGN_IN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(50),
  /** Where the console is reached (invitation links, the OpenID Connect redirect); default: the request's origin. */
  CONSOLE_PUBLIC_URL: z.string().url().optional(),
  /** OpenID Connect single sign-on: the provider's issuer URL (its discovery document is read from it). */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Absent: a public client (PKCE only). */
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** This API's callback as registered at the provider: https://<host>/auth/oidc/callback. */
  OIDC_REDIRECT_URL: z.string().url().optional(),
  /** The claim that holds the user's e-mail address. */
  OIDC_EMAIL_CLAIM: z.string().min(1).default('email'),
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  /** The sign-in button says "Accedi con <label>". */
  OIDC_LABEL: z.string().min(1).max(60).default('SSO'),
  /** Create users the provider vouches for but Segugio does not know, with this role; unset: they are refused. */
  OIDC_PROVISION_ROLE: z.enum(['collector', 'manager', 'salesperson']).optional(),
  // --- notifications to our own users (docs/notifications.md) ---
  /** Period of the `segugio-notifications` Schedule that scans the mirror for what to tell people. */
  NOTIFY_EVERY_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** How long before a formal notice or legal step its salesperson is told (ISO-8601 duration, e.g. P3D, PT30S). */
  NOTIFY_STEP_LEAD: z
    .string()
    .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'an ISO-8601 duration such as P3D or PT30S')
    .default('P3D'),
  /** Local hour (SEGUGIO_TZ) of the collectors' daily digest, for users who did not choose their own. */
  NOTIFY_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  /** An approval still waiting this long after its first notice is reminded to the credit managers, once. */
  NOTIFY_APPROVAL_REMINDER: z
    .string()
    .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'an ISO-8601 duration such as P1D or PT4H')
    .default('P1D'),
  /** Events older than this are never notified (a first deployment does not announce last year's history). */
  NOTIFY_LOOKBACK: z
    .string()
    .regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'an ISO-8601 duration such as P2D')
    .default('P2D'),
});

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** Cross-field rules: a PEC mailbox is configured completely or not at all, and never in clear text off loopback. */
function checkPec(c: z.infer<typeof schema>, ctx: z.RefinementCtx): void {
  if (!c.PEC_SMTP_HOST && !c.PEC_IMAP_HOST) return;
  for (const key of ['PEC_SMTP_HOST', 'PEC_IMAP_HOST', 'PEC_USER', 'PEC_PASSWORD'] as const) {
    if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when a PEC mailbox is configured' });
  }
  if (!c.PEC_FROM && !z.string().email().safeParse(c.PEC_USER).success)
    ctx.addIssue({ code: 'custom', path: ['PEC_FROM'], message: 'the PEC address is required (PEC_USER is not one)' });
  for (const [tls, host] of [
    ['PEC_SMTP_TLS', c.PEC_SMTP_HOST],
    ['PEC_IMAP_TLS', c.PEC_IMAP_HOST],
  ] as const) {
    if (c[tls] === 'none' && host && !LOOPBACK.test(host))
      ctx.addIssue({ code: 'custom', path: [tls], message: 'none is allowed only for a loopback host' });
  }
  // Without a trust anchor no receipt can be verified: in production every notice would wait for a person.
  if (c.SEGUGIO_MODE === 'production' && c.PEC_IMAP_HOST && !c.PEC_RECEIPT_CA_FILE)
    ctx.addIssue({
      code: 'custom',
      path: ['PEC_RECEIPT_CA_FILE'],
      message: 'required in production with a PEC mailbox: the CAs that sign the PEC providers’ receipts (PEM)',
    });
}

/** Single sign-on is configured completely (issuer, client id, redirect URL) or not at all. */
function checkOidc(c: z.infer<typeof schema>, ctx: z.RefinementCtx): void {
  const keys = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_REDIRECT_URL'] as const;
  if (!keys.some((k) => c[k])) return;
  for (const key of keys)
    if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when single sign-on is configured' });
}

const checked = schema.superRefine(checkPec).superRefine(checkOidc);

/**
 * What every letter, e-mail and payment instruction names: the creditor, its address, VAT number, IBAN and sender.
 * A debtor must never receive a placeholder, so in production each is required and a missing one stops the process
 * naming the variable; in dev and test an obviously fictitious company stands in.
 */
export const IDENTITY_PLACEHOLDERS = {
  LETTERHEAD_NAME: 'Segugio S.r.l.',
  LETTERHEAD_ADDRESS: 'Via Roma 1|20121 Milano (MI)|Italia',
  LETTERHEAD_VAT: 'IT00000000000',
  LETTERHEAD_IBAN: 'IT60X0542811101000000123456',
  LETTERHEAD_EMAIL: 'crediti@segugio.example',
  SENDGRID_FROM: 'crediti@segugio.example',
} as const;
type Identity = keyof typeof IDENTITY_PLACEHOLDERS;

export type Config = Omit<z.infer<typeof schema>, Identity> & Record<Identity, string>;

/**
 * Whether the well-known dev API keys (sg_dev_…) may authenticate: in dev mode, and in test mode only inside the
 * test runner (jest sets JEST_WORKER_ID). Decided from the process, never from the database, so a production API
 * pointed at a database where `npm run dev` re-activated them still refuses them.
 */
export function devKeysAllowed(config: Pick<Config, 'SEGUGIO_MODE'>, env: NodeJS.ProcessEnv = process.env): boolean {
  return config.SEGUGIO_MODE === 'dev' || (config.SEGUGIO_MODE === 'test' && env.JEST_WORKER_ID !== undefined);
}

/** Whether the session cookie is sent with Secure: SESSION_COOKIE_SECURE, else on in production only. */
export function secureCookies(config: Pick<Config, 'SEGUGIO_MODE' | 'SESSION_COOKIE_SECURE'>): boolean {
  return config.SESSION_COOKIE_SECURE ?? config.SEGUGIO_MODE === 'production';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = checked.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  const data = parsed.data;
  const missing = (Object.keys(IDENTITY_PLACEHOLDERS) as Identity[]).filter((k) => !data[k]);
  if (data.SEGUGIO_MODE === 'production' && missing.length > 0) {
    throw new Error(
      `Invalid configuration:\n${missing.map((k) => `  ${k}: required in production (it is printed on what debtors receive)`).join('\n')}`,
    );
  }
  // Notes and contact data travel in workflow inputs, signals and updates: without the codec they would sit in clear
  // in Temporal's history (and its PostgreSQL), so production refuses to run without a key.
  if (data.SEGUGIO_MODE === 'production' && !data.SEGUGIO_PAYLOAD_KEY) {
    throw new Error(
      'Invalid configuration:\n  SEGUGIO_PAYLOAD_KEY: required in production (Temporal payloads are encrypted with it; ' +
        'generate one with `openssl rand -base64 32` and give the API and the worker the same key)',
    );
  }
  if (data.SEGUGIO_MODE === 'production' && data.SENDGRID_API_KEY && !data.SENDGRID_WEBHOOK_PUBLIC_KEY) {
    throw new Error(
      'Invalid configuration:\n  SENDGRID_WEBHOOK_PUBLIC_KEY: required in production when SENDGRID_API_KEY is set ' +
        '(unsigned event webhooks could forge bounces)',
    );
  }
  if (data.SEGUGIO_MODE === 'production' && data.PORTAL_BASE_URL && !data.PORTAL_LINK_SECRET) {
    throw new Error(
      'Invalid configuration:\n  PORTAL_LINK_SECRET: required in production when PORTAL_BASE_URL is set ' +
        '(portal links are derived from it)',
    );
  }
  const identity = Object.fromEntries(
    (Object.keys(IDENTITY_PLACEHOLDERS) as Identity[]).map((k) => [k, data[k] ?? IDENTITY_PLACEHOLDERS[k]]),
  ) as Record<Identity, string>;
  return { ...data, ...identity };
}

/** SEGUGIO_EXTRA_HOLIDAYS as a list (`2026-12-07`, `06-29`): the one reading of the variable. */
export function extraHolidays(config: Pick<Config, 'SEGUGIO_EXTRA_HOLIDAYS'>): string[] {
  return config.SEGUGIO_EXTRA_HOLIDAYS.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
}
