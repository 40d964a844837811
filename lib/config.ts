/**
 * The one validated configuration of a Segugio process (API or worker). Every environment variable the project
 * reads is declared here, with its default; the README's configuration table mirrors this file.
 */
import path from 'node:path';
import { z } from 'zod';
import { TASK_QUEUE } from '../workflows/contract';
import { PROJECT_ROOT } from './tools';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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
