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
  /** Failed authentications per client address per minute before 429. */
  API_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  /** host:port where the worker serves the Temporal SDK's metrics for Prometheus (`/metrics`); unset: off. */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[\w.:[\]-]+:\d{1,5}$/, 'must be host:port, e.g. 0.0.0.0:9464')
    .optional(),
  /** Create or update the Temporal Schedules (nightly ratings, monthly KPI snapshot) when the worker starts. */
  SEGUGIO_SCHEDULES: flag(true),
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
}

const checked = schema.superRefine(checkPec);

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
  const identity = Object.fromEntries(
    (Object.keys(IDENTITY_PLACEHOLDERS) as Identity[]).map((k) => [k, data[k] ?? IDENTITY_PLACEHOLDERS[k]]),
  ) as Record<Identity, string>;
  return { ...data, ...identity };
}
