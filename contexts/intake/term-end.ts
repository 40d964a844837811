/**
 * The stored end of an invoice's payment term (`Invoice.effectiveDueDate`, arts. 1187 and 2963 c.c.): the due date
 * moved past Sundays, Italian public holidays, the configured local holidays and — where the policy says so —
 * Saturdays. The workflow counts its clock from that day; every database reader (agenda, list, customer page, search,
 * KPIs, rating, statement, portal) counts days overdue from the same day through `termEndSql` / `termEndOfRow`, so
 * an invoice due on Sunday 1 November 2026 is 0 days overdue on Monday 2 November everywhere (docs/channels.md,
 * "The law's calendar"). Holidays are computed in TypeScript (`domain/calendar.ts`), not in SQL, hence the column
 * and the backfill job rather than a SQL function.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { effectiveDueDate } from '../../domain/calendar';
import type { DunningPolicy } from '../../workflows/contract';
import { policyForCustomer } from '../policies/routing';

/**
 * The day the invoice's payment term really ends: its due date moved past Sundays, public holidays, the configured
 * local holidays and — where the policy says so — Saturdays. Days overdue, the dunning clock, interest and the EUR 40
 * all count from the day after it.
 */
export function termEndOf(
  dueDate: string,
  policy: Pick<DunningPolicy, 'settings'>,
  extraHolidays: readonly string[],
): string {
  return effectiveDueDate(dueDate, {
    saturdayIsHoliday: policy.settings.saturdayIsHoliday === true,
    extraHolidays: [...extraHolidays],
  });
}

/**
 * The SQL expression of an invoice's term end for a table alias (`i` by default): the stored effective due date, or
 * the contractual one on a row the backfill has not reached yet. Aliases are fixed identifiers of our own queries.
 */
export function termEndSql(alias = 'i'): Prisma.Sql {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`invalid table alias "${alias}"`);
  return Prisma.raw(`COALESCE(${alias}."effectiveDueDate", ${alias}."dueDate")`);
}

/** The term end of a row read through Prisma, as an ISO date (the contractual due date until backfilled). */
export function termEndOfRow(row: { dueDate: Date; effectiveDueDate?: Date | null }): string {
  return (row.effectiveDueDate ?? row.dueDate).toISOString().slice(0, 10);
}

/** Stores the term end the workflow is started with (a no-op when the row already has it). */
export async function recordTermEnd(db: Db, invoiceId: string, termEnd: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "Invoice" SET "effectiveDueDate" = ${termEnd}::date
    WHERE "id" = ${invoiceId} AND "effectiveDueDate" IS DISTINCT FROM ${termEnd}::date`;
}

export interface BackfillResult {
  /** Rows examined. */
  scanned: number;
  /** Rows whose effective due date differs from the contractual one (a weekend or holiday). */
  moved: number;
}

/**
 * Fills `effectiveDueDate` on every invoice that has none, with the policy the customer's invoices follow today
 * (segment and rating track). Idempotent: a second run finds nothing to do; rows written meanwhile by the intake are
 * left alone. Run once after deploying the migration (`npm run segugio -- backfill-term-ends`); until then readers
 * fall back to the contractual due date.
 */
export async function backfillTermEnds(
  db: Db,
  extraHolidays: readonly string[],
  opts: {
    batchSize?: number;
    onBatch?: (r: BackfillResult) => void;
    /** Only these invoices (a repair of a few rows, or a test sharing its database); default every row. */
    invoiceIds?: string[];
  } = {},
): Promise<BackfillResult> {
  const batchSize = opts.batchSize ?? 500;
  const policies = new Map<string, Promise<DunningPolicy>>();
  const result: BackfillResult = { scanned: 0, moved: 0 };
  let after = '';
  for (;;) {
    // Keyset pagination on the id: rows filled by this run drop out of the filter, so no row is read twice.
    const rows = await db.$queryRaw<Array<{ id: string; due: Date; segment: string; rating: string | null }>>`
      SELECT i.id, i."dueDate" AS due, c.segment, c.rating
      FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
      WHERE i."effectiveDueDate" IS NULL AND i.id > ${after}
        ${opts.invoiceIds ? Prisma.sql`AND i.id IN (${Prisma.join(opts.invoiceIds)})` : Prisma.empty}
      ORDER BY i.id LIMIT ${batchSize}`;
    if (rows.length === 0) break;
    const values: Prisma.Sql[] = [];
    for (const r of rows) {
      const key = `${r.segment}\u0000${r.rating ?? ''}`;
      if (!policies.has(key)) policies.set(key, policyForCustomer(db, r.segment, r.rating));
      const due = r.due.toISOString().slice(0, 10);
      const end = termEndOf(due, await policies.get(key)!, extraHolidays);
      if (end !== due) result.moved++;
      values.push(Prisma.sql`(${r.id}, ${end}::date)`);
    }
    await db.$executeRaw`
      UPDATE "Invoice" AS i SET "effectiveDueDate" = v.d
      FROM (VALUES ${Prisma.join(values)}) AS v(id, d)
      WHERE i.id = v.id AND i."effectiveDueDate" IS NULL`;
    result.scanned += rows.length;
    after = rows[rows.length - 1].id;
    opts.onBatch?.({ ...result });
  }
  return result;
}
