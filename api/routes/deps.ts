/** What every route module receives: the process's one Prisma client and one Temporal client, and settings. */
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { StatementOptions } from '../../contexts/statements/statement';
import type { ApiMetrics } from '../metrics';

export interface RouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  timeZone: string;
  dataDir: string;
  metrics: ApiMetrics;
  importChunkSize?: number;
  /** SEGUGIO_DEFAULT_CURRENCY: the currency credit limits are set in. */
  defaultCurrency?: string;
  /** Deadline of each Temporal call a request makes (TEMPORAL_CALL_TIMEOUT_MS). */
  temporalTimeoutMs?: number;
  /** SEGUGIO_EXTRA_HOLIDAYS, read once (`extraHolidays(config)`). */
  extraHolidays: readonly string[];
  /** Letterhead and calendar of the statements of account (from LETTERHEAD_*, SEGUGIO_EXTRA_HOLIDAYS). */
  statement?: StatementOptions;
  /** SEGUGIO_B2C_INTEREST_BP: a flat consumer interest rate instead of the legal-rate table (interest notes). */
  consumerFlatRateBp?: number;
  /** INVITATION_TTL_HOURS: how long an invitation or reset link is valid. */
  invitationTtlHours?: number;
  /** CONSOLE_PUBLIC_URL: the origin invitation links point to (default: the request's). */
  consolePublicUrl?: string;
  /** Twilio and TWILIO_AGENT_NUMBER are configured: the agenda may place calls (POST /v1/tasks/:id/call). */
  clickToCall?: boolean;
}
