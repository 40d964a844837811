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
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: bool,
  TEMPORAL_TASK_QUEUE: z.string().default(TASK_QUEUE),
  SEGUGIO_DATA_DIR: z.string().default(path.join(PROJECT_ROOT, '.segugio', 'data')),
  SEGUGIO_TZ: z.string().default('Europe/Rome'),
  SEGUGIO_DEFAULT_CURRENCY: z.string().length(3).default('EUR'),
  /** Public URL of the API, used in provider callbacks (Twilio status, SendGrid events). */
  PUBLIC_BASE_URL: z.string().url().optional(),
  SENDGRID_API_KEY: z.string().optional(),
  SENDGRID_FROM: z.string().default('crediti@segugio.example'),
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
  /** Failed authentications per client address per minute before 429. */
  API_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(100),
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
  /** Extra non-contact days, comma-separated ISO dates or recurring MM-DD (e.g. a patron saint: 06-29). */
  SEGUGIO_EXTRA_HOLIDAYS: z.string().default(''),
  /** Consumer (B2C) late interest as one flat rate in basis points; default: the yearly Italian legal rate table. */
  SEGUGIO_B2C_INTEREST_BP: z.coerce.number().int().min(0).max(10000).optional(),
  /** Accepted clock skew / replay window of signed inbound webhooks (ERP, SendGrid), seconds. */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).default(300),
  LETTERHEAD_NAME: z.string().default('Segugio S.r.l.'),
  /** Postal address; `|` separates lines. */
  LETTERHEAD_ADDRESS: z.string().default('Via Roma 1|20121 Milano (MI)|Italia'),
  LETTERHEAD_VAT: z.string().default('IT00000000000'),
  LETTERHEAD_IBAN: z.string().default('IT60X0542811101000000123456'),
  LETTERHEAD_BIC: z.string().optional(),
  LETTERHEAD_EMAIL: z.string().default('crediti@segugio.example'),
  LETTERHEAD_PHONE: z.string().optional(),
  LETTERHEAD_PEC: z.string().optional(),
  /** PNG or JPEG file printed at the top left of every letter. */
  LETTERHEAD_LOGO: z.string().optional(),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  return parsed.data;
}
