/** One Prisma client per process, talking to PostgreSQL through the pg driver adapter (no native engine). */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

/** How long a process waits on PostgreSQL before giving up (DATABASE_*_TIMEOUT_MS in the validated config). */
export interface DbTimeouts {
  /** Opening a connection, or waiting for a free one in the pool. */
  connectTimeoutMs?: number;
  /** One statement: enforced by the server (statement_timeout) and by the client (a hung server never answers). */
  statementTimeoutMs?: number;
}

export function createDb(databaseUrl: string, poolSize = 10, timeouts: DbTimeouts = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    ...(timeouts.connectTimeoutMs ? { connectionTimeoutMillis: timeouts.connectTimeoutMs } : {}),
    ...(timeouts.statementTimeoutMs
      ? {
          statement_timeout: timeouts.statementTimeoutMs,
          // The client-side bound fires a little later, so a live server's own timeout (a clear SQL error) wins.
          query_timeout: timeouts.statementTimeoutMs + 1000,
        }
      : {}),
  });
  // Prisma's defaults (wait 2 s for a transaction's connection, 5 s for the whole transaction) turn a busy pool into
  // P2028 errors, which the API answers as 503: under an import or a burst of intake a short wait for a connection
  // is the better answer. Statements stay bounded by statement_timeout above.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 15_000 } });
}

/** The API's and the worker's database timeouts from the validated config. */
export const dbTimeoutsOf = (
  config: { DATABASE_CONNECT_TIMEOUT_MS: number; DATABASE_STATEMENT_TIMEOUT_MS: number },
  statementTimeoutMs = config.DATABASE_STATEMENT_TIMEOUT_MS,
): DbTimeouts => ({ connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS, statementTimeoutMs });

/** BigInt money columns leave the database as numbers; amounts stay below 2^53 minor units (validated on input). */
export const toNumber = (v: bigint | number | null | undefined): number => (v == null ? 0 : Number(v));
