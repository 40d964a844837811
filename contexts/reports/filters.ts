/**
 * Report filters and grouping, and the SQL fragments they become. Every dimension is a customer attribute
 * (segment, area, assigned collector, salesperson); every report is in one currency (money is never summed across
 * currencies). Values go in as parameters; only whitelisted column expressions are spliced in.
 */
import { Prisma } from '../../generated/prisma/client';

export const DIMENSIONS = ['segment', 'area', 'collector', 'salesperson'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface ReportFilter {
  /** ISO-4217; default EUR. */
  currency?: string;
  segment?: string[];
  area?: string[];
  collectorId?: string[];
  salespersonId?: string[];
  /** Adds one row per value of this dimension beside the total. */
  groupBy?: Dimension;
}

export interface Period {
  /** ISO date, inclusive. */
  from: string;
  /** ISO date, inclusive. */
  to: string;
}

/** A report's answer: the total over the filtered population and, with groupBy, one entry per dimension value. */
export interface Grouped<T> {
  total: T;
  groups: Array<T & { key: string | null }>;
}

const DIM_SQL: Record<Dimension, Prisma.Sql> = {
  segment: Prisma.raw('c."segment"'),
  area: Prisma.raw('c."area"'),
  collector: Prisma.raw('c."collectorId"'),
  salesperson: Prisma.raw('c."salespersonId"'),
};

/** The dimension's column expression (over the alias `c` for Customer), or a constant for "no grouping". */
export function dimExpr(groupBy: Dimension | undefined): Prisma.Sql {
  return groupBy ? DIM_SQL[groupBy] : Prisma.raw('NULL::text');
}

/**
 * `GROUP BY` over a subquery that selected the dimension as `k`: the total row (grouped by `extra` only) and, with a
 * dimension, one row per value of `k`. `extra` are further column names (e.g. `stage`) kept in both sets.
 */
export function groupingSets(groupBy: Dimension | undefined, extra: string[] = []): Prisma.Sql {
  const cols = extra.map((c) => Prisma.raw(c));
  // Without a dimension `k` is a constant NULL: grouping by it yields the one total row.
  if (!groupBy) return Prisma.sql`GROUP BY ${Prisma.join([Prisma.raw('k'), ...cols])}`;
  const withDim = Prisma.join([Prisma.raw('k'), ...cols]);
  const without = cols.length ? Prisma.join(cols) : Prisma.empty;
  return Prisma.sql`GROUP BY GROUPING SETS ((${withDim}), (${without}))`;
}

/** `GROUPING(k)`: 1 on the total row, 0 on a group row (always 1 without a dimension). */
export function isTotalExpr(groupBy: Dimension | undefined): Prisma.Sql {
  return groupBy ? Prisma.raw('GROUPING(k)') : Prisma.raw('1');
}

/** Conditions on the customer (alias `c`), as `AND …` clauses. */
export function customerWhere(f: ReportFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  const add = (col: string, values: string[] | undefined): void => {
    if (values && values.length) parts.push(Prisma.sql`AND ${Prisma.raw(col)} IN (${Prisma.join(values)})`);
  };
  add('c."segment"', f.segment);
  add('c."area"', f.area);
  add('c."collectorId"', f.collectorId);
  add('c."salespersonId"', f.salespersonId);
  return parts.length ? Prisma.join(parts, ' ') : Prisma.empty;
}

/** Joins Customer as `c` only when a customer filter or grouping needs it (saves a 20,000-row hash join otherwise). */
export function customerJoin(f: ReportFilter, on = 'i."customerId"'): Prisma.Sql {
  const needed = Boolean(
    f.groupBy || f.segment?.length || f.area?.length || f.collectorId?.length || f.salespersonId?.length,
  );
  return needed ? Prisma.sql`JOIN "Customer" c ON c.id = ${Prisma.raw(on)}` : Prisma.empty;
}

export const currencyOf = (f: ReportFilter): string => f.currency ?? 'EUR';

/** A parenthesised SQL list of constant strings (stage names), e.g. `i.stage IN ${sqlConstants(ACTIVE_STAGES)}`. */
export const sqlConstants = (values: readonly string[]): Prisma.Sql =>
  Prisma.raw(`(${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')})`);

/** Splits raw SQL rows (with `is_total` and `k` columns) into the total and the groups. */
export function splitGroups<R extends { is_total: number | bigint; k: string | null }, T>(
  rows: R[],
  map: (r: R) => T,
  empty: () => T,
): Grouped<T> {
  const totalRow = rows.find((r) => Number(r.is_total) === 1);
  const groups = rows
    .filter((r) => Number(r.is_total) === 0)
    .map((r) => ({ key: r.k, ...map(r) }))
    .sort((a, b) => String(a.key ?? '').localeCompare(String(b.key ?? '')));
  return { total: totalRow ? map(totalRow) : empty(), groups };
}

/** Turns a SQL numeric / bigint / null into a number (money sums stay exact below 2^53 minor units). */
export const num = (v: unknown): number => (v == null ? 0 : typeof v === 'object' ? Number(String(v)) : Number(v));
