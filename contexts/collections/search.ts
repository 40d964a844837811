/**
 * The invoice list's search and sort, as SQL fragments: the search box matches a part of the invoice number or of the
 * customer's name, code, VAT number, fiscal code, e-mail or phone, through the trigram indexes of the migration
 * `invoice_search` (`Invoice.lower(externalNumber)` and the generated `Customer.searchText`).
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import type { InvoiceSort } from '../schemas';

/** `%`, `_` and `\` typed by a user are literal characters, not LIKE wildcards. */
const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Past this many matching customers the search gives PostgreSQL the customers' condition rather than their ids: a
 * list of ids is sent with the statement (about 40 bytes each) and planned with, which stays cheap to ten thousand.
 */
export const MAX_CUSTOMER_IDS = 10_000;

/**
 * The invoices the text matches, as a condition on `i` (the invoice): its number contains the text, or its customer
 * is one of the customers whose fields contain every word ("rossi trasporti" finds "Trasporti Rossi S.r.l."); a text
 * of digits and separators ("02 1234 567", "IT 0123") matches the customers by its digits, which is how phones are
 * stored. The matching customers are looked up first (trigram index on `Customer.searchText`) and their ids sent as
 * one array parameter, so the invoices' condition is an OR of two bitmap index scans (the number's trigram index and
 * `Invoice(customerId)`) that the planner estimates by the real count. The two earlier forms were each slow at
 * 100,000 invoices (measured, docs/performance.md): `i.id IN (… UNION ALL …)`, estimated at 200 rows whatever it
 * matched, made "FT-" (the start of every number) 100,000 index look-ups, 3 s; `= ANY (ARRAY(SELECT …))`, computed
 * in the statement, re-checks each invoice against an unhashed list of ids, 14 s for a phone prefix matching half
 * the customers. An id list is a constant, which PostgreSQL hashes.
 */
export async function searchCondition(db: Db, text: string): Promise<Prisma.Sql> {
  const lowered = text.trim().toLowerCase();
  const digits = lowered.replace(/[\s+\-./()]/g, '');
  const byDigits = /^\d{3,}$/.test(digits) && digits !== lowered;
  const words = byDigits ? [digits] : lowered.split(/\s+/).filter(Boolean);
  const customers = Prisma.sql`SELECT c2.id FROM "Customer" c2 WHERE ${Prisma.join(
    words.map((w) => Prisma.sql`c2."searchText" LIKE ${`%${escapeLike(w)}%`}`),
    ' AND ',
  )}`;
  const ids = await db.$queryRaw<Array<{ id: string }>>`${customers} LIMIT ${MAX_CUSTOMER_IDS + 1}`;
  const byCustomer =
    ids.length === 0
      ? Prisma.empty
      : ids.length <= MAX_CUSTOMER_IDS
        ? Prisma.sql` OR i."customerId" = ANY (${ids.map((r) => r.id)}::text[])`
        : Prisma.sql` OR i."customerId" IN (${customers})`;
  return Prisma.sql`(lower(i."externalNumber") LIKE ${`%${escapeLike(lowered)}%`}${byCustomer})`;
}

/**
 * A search counts its matches up to this many and then says "more than": the exact count of a broad prefix ("FT-",
 * the start of every invoice number; "amm", a quarter of all mailboxes) reads every match, tens of thousands of rows,
 * where the page itself comes from an index in a few milliseconds. Past the cap the list answers `total` = the cap
 * and `totalCapped: true` (docs/api.md); the console's pager then says "more than 1,000 results" and keeps its next
 * button while pages are full. A person refines such a search rather than paging through it.
 */
export const SEARCH_COUNT_CAP = 1_000;

const SORT_COLUMNS: Record<InvoiceSort, { sql: string; reversed?: boolean }> = {
  number: { sql: 'i."externalNumber"' },
  customer: { sql: 'c.name' },
  stage: { sql: 'i.stage' },
  balance: { sql: 'i."balanceMinor"' },
  dueDate: { sql: 'i."dueDate"' },
  // Days overdue grow as the term end recedes (arts. 1187 and 2963 c.c.): the most overdue first is the oldest first.
  daysOverdue: { sql: 'COALESCE(i."effectiveDueDate", i."dueDate")', reversed: true },
  nextAction: { sql: 'i."nextActionAt"' },
};

/** ORDER BY for a whitelisted column; ties (and the default) by due date, then number, so pages never overlap. */
export function orderBy(sort: InvoiceSort | undefined, dir: 'asc' | 'desc' | undefined): Prisma.Sql {
  if (!sort) return Prisma.sql`ORDER BY i."dueDate" ASC, i."externalNumber" ASC`;
  const col = SORT_COLUMNS[sort];
  const desc = (dir === 'desc') !== Boolean(col.reversed);
  // Invoices with no next action (closed ones) come last whichever way the column is sorted.
  const nulls = sort === 'nextAction' ? ' NULLS LAST' : '';
  return Prisma.raw(`ORDER BY ${col.sql} ${desc ? 'DESC' : 'ASC'}${nulls}, i."externalNumber" ASC`);
}
