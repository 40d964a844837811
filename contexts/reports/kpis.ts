/**
 * The KPIs, computed in SQL over the mirrored tables (a few queries each, grouped by the dimension with a plain GROUP
 * BY so PostgreSQL may aggregate in parallel; the totals are the groups summed, by `withTotals`). Formulas, sources
 * and rounding: docs/reports.md.
 *
 * Receivables at a past date are rolled back from today's balance: balance at the end of day t = current balance +
 * payments dated after t. An invoice closed without being paid (written off, settled, closed in court) stops being a
 * receivable on the day it was closed; a cancelled invoice never was one. Credit notes carry no date and count as
 * if they had always applied.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { ACTIVE_STAGES } from '../../workflows/contract';
import {
  currencyOf,
  customerJoin,
  customerWhere,
  dimExpr,
  groupedQuery,
  isTotalExpr,
  num,
  splitGroups,
  sumRows,
  sqlConstants,
  type Grouped,
  type Period,
  type ReportFilter,
} from './filters';
import {
  addDays,
  AGING_BUCKETS,
  averageDaysDelinquent,
  bestPossibleDso,
  cei,
  ceiCash,
  countBackDso,
  pct,
  periodDays,
  round,
  standardDso,
  type AgingBucket,
  type MonthSales,
} from './formulas';
import { termEndSql } from '../intake/term-end';

/** Terminal stages that end a receivable without a payment (PAID ends it through its payments). */
const CLOSED_UNPAID = Prisma.raw(`('WRITTEN_OFF','SETTLED','LEGAL_CLOSED','CANCELLED')`);
const ACTIVE = sqlConstants(ACTIVE_STAGES);

/** SQL: the invoice (alias i) is a receivable at the end of day `t`. */
const receivableAt = (t: string): Prisma.Sql =>
  Prisma.sql`(i."issueDate" <= ${t}::date AND (i.stage NOT IN ${CLOSED_UNPAID} OR i."closedAt" >= (${t}::date + 1)))`;

type Row = { k: string | null; is_total: number | bigint } & Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// DSO, count-back DSO, CEI, ADD
// ---------------------------------------------------------------------------------------------------------------

export interface DsoFigures {
  /** Inclusive period and its length in days. */
  days: number;
  receivablesBeginMinor: number;
  receivablesEndMinor: number;
  currentEndMinor: number;
  pastDueEndMinor: number;
  creditSalesMinor: number;
  /** Standard DSO, days, 1 decimal. */
  dso: number | null;
  /** Count-back DSO, days, 1 decimal; `countBackExhausted` false when receivables outlast the look-back. */
  countBackDso: number;
  countBackExhausted: boolean;
  bestPossibleDso: number | null;
  /** Average days delinquent = DSO − best possible DSO. */
  add: number | null;
  /** Collection Effectiveness Index, percent, 1 decimal (counts write-offs and credits as collected). */
  cei: number | null;
  /** Payments received in the period on these receivables. */
  cashCollectedMinor: number;
  /** CEI on cash collected only, percent, 1 decimal. */
  ceiCash: number | null;
}

/** How many months the count-back method may look back. */
export const COUNT_BACK_MONTHS = 24;
/** How far back the count-back reads before it looks whether it must read further (months, newest first). */
const COUNT_BACK_SLICES = [3, 6, 12];

/** DSO (standard and count-back), best possible DSO, average days delinquent and CEI over a period. */
export async function dsoReport(db: Db, period: Period, f: ReportFilter = {}): Promise<Grouped<DsoFigures>> {
  const { from, to } = period;
  const begin = addDays(from, -1);
  const days = periodDays(from, to);
  const cur = currencyOf(f);
  // The receivables at both ends are rolled back from today's balance with the payments dated after each end: per
  // invoice GREATEST(0, balance + payments after). Payments are always positive, so for every invoice whose mirrored
  // balance is not negative (all of them but an overpaid one not yet closed) the sum splits into the invoices'
  // balances — one scan of Invoice — plus the later payments of those invoices — one scan of Payment joined to
  // them: two aggregates the pool runs side by side and PostgreSQL can run in parallel, instead of a per-invoice
  // aggregate of every payment hashed against every invoice. The few invoices with a negative balance keep the
  // per-invoice formula in a third query (an index range on balanceMinor, their payments read through the index).
  const population = Prisma.sql`i.currency = ${cur} AND i.stage <> 'CANCELLED' AND i."issueDate" <= ${to}::date
        AND (i."closedAt" IS NULL OR i."closedAt" >= ${begin}::date OR i."issueDate" >= ${from}::date)
        ${customerWhere(f)}`;
  // Each of the three: per group, the sum of each measure over the rows of `source` (which joins Customer as c when
  // the filter or grouping needs it).
  const summed = (measures: Array<[name: string, expr: Prisma.Sql]>, source: Prisma.Sql): Promise<Row[]> =>
    groupedQuery<Row>(
      db,
      f.groupBy,
      Prisma.sql`
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, ${Prisma.join(measures.map(([m]) => Prisma.raw(`SUM(${m}) AS ${m}`)))}
    FROM (
      SELECT ${dimExpr(f.groupBy)} AS k, ${Prisma.join(measures.map(([m, e]) => Prisma.sql`${e} AS ${Prisma.raw(m)}`))}
      ${source}
    ) x`,
    );
  const current = Prisma.sql`${receivableAt(to)} AND ${termEndSql()} >= ${to}::date`;
  const invoicesP = summed(
    [
      ['ar_begin', Prisma.sql`CASE WHEN ${receivableAt(begin)} THEN GREATEST(0, i."balanceMinor") ELSE 0 END`],
      ['ar_end', Prisma.sql`CASE WHEN ${receivableAt(to)} THEN GREATEST(0, i."balanceMinor") ELSE 0 END`],
      ['cur_end', Prisma.sql`CASE WHEN ${current} THEN GREATEST(0, i."balanceMinor") ELSE 0 END`],
      [
        'sales',
        Prisma.sql`CASE WHEN i."issueDate" BETWEEN ${from}::date AND ${to}::date THEN i."amountMinor" ELSE 0 END`,
      ],
    ],
    Prisma.sql`FROM "Invoice" i ${customerJoin(f)} WHERE ${population}`,
  );
  const later = Prisma.sql`i."balanceMinor" >= 0 AND p."paidOn" > ${to}::date`;
  const paymentsP = summed(
    [
      [
        'ar_begin',
        Prisma.sql`CASE WHEN i."balanceMinor" >= 0 AND ${receivableAt(begin)} THEN p."amountMinor" ELSE 0 END`,
      ],
      ['ar_end', Prisma.sql`CASE WHEN ${later} AND ${receivableAt(to)} THEN p."amountMinor" ELSE 0 END`],
      ['cur_end', Prisma.sql`CASE WHEN ${later} AND ${current} THEN p."amountMinor" ELSE 0 END`],
      ['cash', Prisma.sql`CASE WHEN p."paidOn" <= ${to}::date THEN p."amountMinor" ELSE 0 END`],
    ],
    Prisma.sql`FROM "Payment" p JOIN "Invoice" i ON i.id = p."invoiceId" ${customerJoin(f)}
      WHERE p."paidOn" > ${begin}::date AND ${population}`,
  );
  const rolledBack = (after: string): Prisma.Sql =>
    Prisma.sql`GREATEST(0, i."balanceMinor" + COALESCE(p.${Prisma.raw(after)}, 0))`;
  const negativeP = summed(
    [
      ['ar_begin', Prisma.sql`CASE WHEN ${receivableAt(begin)} THEN ${rolledBack('after_begin')} ELSE 0 END`],
      ['ar_end', Prisma.sql`CASE WHEN ${receivableAt(to)} THEN ${rolledBack('after_end')} ELSE 0 END`],
      ['cur_end', Prisma.sql`CASE WHEN ${current} THEN ${rolledBack('after_end')} ELSE 0 END`],
    ],
    Prisma.sql`FROM "Invoice" i ${customerJoin(f)}
      LEFT JOIN LATERAL (
        SELECT SUM(pa."amountMinor") AS after_begin,
          SUM(pa."amountMinor") FILTER (WHERE pa."paidOn" > ${to}::date) AS after_end
        FROM "Payment" pa WHERE pa."invoiceId" = i.id AND pa."paidOn" > ${begin}::date
      ) p ON TRUE
      WHERE i."balanceMinor" < 0 AND ${population}`,
  );
  // The same groups from the three: their measures added (a measure one of them lacks counts as 0).
  const rowsP = Promise.all([invoicesP, paymentsP, negativeP]).then((parts) =>
    sumRows(parts.flat(), ['k', 'is_total']),
  );

  // Count-back: monthly credit sales going back from the period's end; the newest month is cut at `to`. The walk
  // stops at the month whose sales exhaust the receivables, so the months are read in widening slices (3, 6, 12, 24)
  // and an older slice only while some row's receivables still reach past what has been read: the same figures as
  // reading all 24 months, without reading two years of invoices when a few months exhaust them.
  const months = countBackWindows(to, COUNT_BACK_MONTHS);
  const salesBy = new Map<string, Map<string, number>>();
  const keyOf = (r: Row): string => (Number(r.is_total) === 1 ? '\u0000total' : String(r.k));
  const readMonths = async (first: number, end: number): Promise<void> => {
    const newest = first === 0 ? to : addDays(months[first - 1].start, -1);
    const oldest = months[end - 1].start;
    const monthly = await groupedQuery<Row & { m: Date | string; sales: unknown }>(
      db,
      f.groupBy,
      Prisma.sql`
      SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, m, SUM(amt) AS sales FROM (
        SELECT ${dimExpr(f.groupBy)} AS k, date_trunc('month', i."issueDate")::date AS m, i."amountMinor" AS amt
        FROM "Invoice" i ${customerJoin(f)}
        WHERE i.currency = ${cur} AND i.stage <> 'CANCELLED'
          AND i."issueDate" BETWEEN ${oldest}::date AND ${newest}::date ${customerWhere(f)}
      ) x`,
      ['m'],
    );
    for (const r of monthly) {
      const key = keyOf(r);
      if (!salesBy.has(key)) salesBy.set(key, new Map());
      const month = r.m instanceof Date ? r.m.toISOString().slice(0, 7) : String(r.m).slice(0, 7);
      salesBy.get(key)!.set(month, num(r.sales));
    }
  };
  const monthSales = (key: string, upTo: number): MonthSales[] =>
    months.slice(0, upTo).map((m) => ({ month: m.month, days: m.days, sales: salesBy.get(key)?.get(m.month) ?? 0 }));
  const slices = COUNT_BACK_SLICES.filter((n) => n < COUNT_BACK_MONTHS).concat(COUNT_BACK_MONTHS);
  // The receivables and the first slice are independent: let the pool run them side by side.
  const [rows] = await Promise.all([rowsP, readMonths(0, slices[0])]);
  let read = slices[0];
  for (const upTo of slices.slice(1)) {
    if (rows.every((r) => countBackDso(num(r.ar_end), monthSales(keyOf(r), read)).exhausted)) break;
    await readMonths(read, upTo);
    read = upTo;
  }

  const figures = (r: Row): DsoFigures => {
    const arBegin = num(r.ar_begin);
    const arEnd = num(r.ar_end);
    const curEnd = num(r.cur_end);
    const sales = num(r.sales);
    const cb = countBackDso(arEnd, monthSales(keyOf(r), read));
    return {
      days,
      receivablesBeginMinor: arBegin,
      receivablesEndMinor: arEnd,
      currentEndMinor: curEnd,
      pastDueEndMinor: arEnd - curEnd,
      creditSalesMinor: sales,
      dso: standardDso(arEnd, sales, days),
      countBackDso: cb.dso,
      countBackExhausted: cb.exhausted,
      bestPossibleDso: bestPossibleDso(curEnd, sales, days),
      add: averageDaysDelinquent(arEnd, curEnd, sales, days),
      cei: cei(arBegin, sales, arEnd, curEnd),
      cashCollectedMinor: num(r.cash),
      ceiCash: ceiCash(arBegin, sales, num(r.cash), curEnd),
    };
  };
  const zero = { k: null, is_total: 1, ar_begin: 0, ar_end: 0, cur_end: 0, sales: 0, cash: 0 };
  return splitGroups(rows, figures, () => figures(zero));
}

/** Calendar months going back from `to`: the newest is cut at `to` (partial), the others are whole. */
export function countBackWindows(to: string, count: number): Array<{ month: string; start: string; days: number }> {
  const out: Array<{ month: string; start: string; days: number }> = [];
  let end = to;
  for (let n = 0; n < count; n++) {
    const start = `${end.slice(0, 7)}-01`;
    out.push({ month: end.slice(0, 7), start, days: Number(end.slice(8, 10)) });
    end = addDays(start, -1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Aging
// ---------------------------------------------------------------------------------------------------------------

export type AgingFigures = { totalMinor: number; totalCount: number } & Record<
  AgingBucket,
  { count: number; balanceMinor: number }
>;

const BUCKET_SQL: Record<AgingBucket, string> = {
  not_due: 'dpd <= 0',
  d1_30: 'dpd BETWEEN 1 AND 30',
  d31_60: 'dpd BETWEEN 31 AND 60',
  d61_90: 'dpd BETWEEN 61 AND 90',
  d91_180: 'dpd BETWEEN 91 AND 180',
  over_180: 'dpd > 180',
};

/** Receivables at the end of `asOf` by days past due, as balance and count of invoices. */
export async function agingReport(db: Db, asOf: string, f: ReportFilter = {}): Promise<Grouped<AgingFigures>> {
  const cols = AGING_BUCKETS.map((b) =>
    Prisma.raw(
      `COUNT(*) FILTER (WHERE ${BUCKET_SQL[b]}) AS n_${b}, SUM(bal) FILTER (WHERE ${BUCKET_SQL[b]}) AS b_${b}`,
    ),
  );
  const rows = await groupedQuery<Row>(
    db,
    f.groupBy,
    Prisma.sql`
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, COUNT(*) AS n, SUM(bal) AS total, ${Prisma.join(cols)}
    FROM (
      SELECT ${dimExpr(f.groupBy)} AS k, (${asOf}::date - ${termEndSql()}) AS dpd,
        GREATEST(0, i."balanceMinor" + COALESCE(p.after, 0)) AS bal
      FROM "Invoice" i ${customerJoin(f)}
      LEFT JOIN (SELECT "invoiceId", SUM("amountMinor") AS after FROM "Payment" WHERE "paidOn" > ${asOf}::date GROUP BY "invoiceId") p
        ON p."invoiceId" = i.id
      WHERE i.currency = ${currencyOf(f)} AND ${receivableAt(asOf)}
        AND (i."closedAt" IS NULL OR i."closedAt" >= ${asOf}::date OR p.after IS NOT NULL) ${customerWhere(f)}
    ) x WHERE bal > 0`,
  );
  const figures = (r: Row): AgingFigures => {
    const out = { totalMinor: num(r.total), totalCount: num(r.n) } as AgingFigures;
    for (const b of AGING_BUCKETS) out[b] = { count: num(r[`n_${b}`]), balanceMinor: num(r[`b_${b}`]) };
    return out;
  };
  return splitGroups(rows, figures, () => figures({ k: null, is_total: 1 }));
}

// ---------------------------------------------------------------------------------------------------------------
// Promises
// ---------------------------------------------------------------------------------------------------------------

export interface PromiseFigures {
  promises: number;
  kept: number;
  broken: number;
  open: number;
  cancelled: number;
  keptMinor: number;
  brokenMinor: number;
  /** kept ÷ (kept + broken) × 100, 1 decimal; open and cancelled promises are not yet judged. */
  keptRate: number | null;
  /** The same weighted by promised amount. */
  keptRateByAmount: number | null;
}

/** Promises falling due in the period (by promised date) and how many were kept. */
export async function promiseReport(db: Db, period: Period, f: ReportFilter = {}): Promise<Grouped<PromiseFigures>> {
  const rows = await groupedQuery<Row>(
    db,
    f.groupBy,
    Prisma.sql`
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, COUNT(*) AS n,
      COUNT(*) FILTER (WHERE status = 'KEPT') AS kept, COUNT(*) FILTER (WHERE status = 'BROKEN') AS broken,
      COUNT(*) FILTER (WHERE status = 'OPEN') AS open, COUNT(*) FILTER (WHERE status = 'CANCELLED') AS cancelled,
      SUM(amt) FILTER (WHERE status = 'KEPT') AS kept_amt, SUM(amt) FILTER (WHERE status = 'BROKEN') AS broken_amt
    FROM (
      SELECT ${dimExpr(f.groupBy)} AS k, pp.status, pp."amountMinor" AS amt
      FROM "PaymentPromise" pp JOIN "Invoice" i ON i.id = pp."invoiceId" ${customerJoin(f)}
      WHERE pp."promisedDate" BETWEEN ${period.from}::date AND ${period.to}::date
        AND i.currency = ${currencyOf(f)} ${customerWhere(f)}
    ) x`,
  );
  const figures = (r: Row): PromiseFigures => {
    const kept = num(r.kept);
    const broken = num(r.broken);
    const keptMinor = num(r.kept_amt);
    const brokenMinor = num(r.broken_amt);
    return {
      promises: num(r.n),
      kept,
      broken,
      open: num(r.open),
      cancelled: num(r.cancelled),
      keptMinor,
      brokenMinor,
      keptRate: pct(kept, kept + broken),
      keptRateByAmount: pct(keptMinor, keptMinor + brokenMinor),
    };
  };
  return splitGroups(rows, figures, () => figures({ k: null, is_total: 1 }));
}

// ---------------------------------------------------------------------------------------------------------------
// Disputes
// ---------------------------------------------------------------------------------------------------------------

export interface DisputeFigures {
  invoicesIssued: number;
  amountIssuedMinor: number;
  invoicesDisputed: number;
  amountDisputedMinor: number;
  /** Invoices issued in the period that were disputed ÷ invoices issued in the period × 100. */
  disputeRate: number | null;
  /** The same by invoice amount. */
  disputeRateByAmount: number | null;
  /** Disputes resolved in the period, by outcome, and their mean time from opening to resolution (days). */
  resolved: number;
  accepted: number;
  rejected: number;
  partial: number;
  meanDaysToResolve: number | null;
  /** Disputes still open at the end of the period. */
  openAtEnd: number;
}

/** Dispute rate of the invoices issued in the period; outcomes and time to resolution of disputes resolved in it. */
export async function disputeReport(db: Db, period: Period, f: ReportFilter = {}): Promise<Grouped<DisputeFigures>> {
  const end = addDays(period.to, 1);
  const rows = await groupedQuery<Row>(
    db,
    f.groupBy,
    Prisma.sql`
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total,
      COUNT(*) FILTER (WHERE issued) AS issued, SUM(amt) FILTER (WHERE issued) AS issued_amt,
      COUNT(*) FILTER (WHERE issued AND disputed) AS disputed, SUM(amt) FILTER (WHERE issued AND disputed) AS disputed_amt,
      SUM(resolved) AS resolved, SUM(accepted) AS accepted, SUM(rejected) AS rejected, SUM(partial) AS partial,
      SUM(resolve_ms) AS resolve_ms, SUM(open_at_end) AS open_at_end
    FROM (
      -- The invoices issued in the period (an index range on issueDate, not a scan of every invoice) …
      SELECT ${dimExpr(f.groupBy)} AS k, i."amountMinor" AS amt, TRUE AS issued,
        EXISTS (SELECT 1 FROM "Dispute" d WHERE d."invoiceId" = i.id) AS disputed,
        0 AS resolved, 0 AS accepted, 0 AS rejected, 0 AS partial, 0 AS resolve_ms, 0 AS open_at_end
      FROM "Invoice" i ${customerJoin(f)}
      WHERE i."issueDate" BETWEEN ${period.from}::date AND ${period.to}::date
        AND i.currency = ${currencyOf(f)} ${customerWhere(f)}
      UNION ALL
      -- … and every dispute, one row each (the sums are additive, so one row per dispute gives the per-invoice
      -- totals summed); an invoice with a dispute keeps its group row even when nothing of it falls in the period.
      SELECT ${dimExpr(f.groupBy)} AS k, NULL, FALSE, FALSE,
        (in_p)::int, (in_p AND dd.status = 'ACCEPTED')::int, (in_p AND dd.status = 'REJECTED')::int,
        (in_p AND dd.status = 'PARTIAL')::int,
        -- Whole milliseconds (the columns' precision), so the totals summed from the groups are exact.
        CASE WHEN in_p THEN ROUND(EXTRACT(EPOCH FROM (dd."resolvedAt" - dd."openedAt")) * 1000) ELSE 0 END,
        (dd."openedAt" < ${end}::date AND (dd."resolvedAt" IS NULL OR dd."resolvedAt" >= ${end}::date))::int
      FROM (
        SELECT d.*, COALESCE(d."resolvedAt" >= ${period.from}::date AND d."resolvedAt" < ${end}::date, FALSE) AS in_p
        FROM "Dispute" d
      ) dd
      JOIN "Invoice" i ON i.id = dd."invoiceId" ${customerJoin(f)}
      WHERE i.currency = ${currencyOf(f)} ${customerWhere(f)}
    ) x`,
  );
  const figures = (r: Row): DisputeFigures => {
    const issued = num(r.issued);
    const issuedAmt = num(r.issued_amt);
    const disputed = num(r.disputed);
    const disputedAmt = num(r.disputed_amt);
    const resolved = num(r.resolved);
    return {
      invoicesIssued: issued,
      amountIssuedMinor: issuedAmt,
      invoicesDisputed: disputed,
      amountDisputedMinor: disputedAmt,
      disputeRate: pct(disputed, issued),
      disputeRateByAmount: pct(disputedAmt, issuedAmt),
      resolved,
      accepted: num(r.accepted),
      rejected: num(r.rejected),
      partial: num(r.partial),
      meanDaysToResolve: resolved ? round(num(r.resolve_ms) / 86_400_000 / resolved, 1) : null,
      openAtEnd: num(r.open_at_end),
    };
  };
  return splitGroups(rows, figures, () => figures({ k: null, is_total: 1 }));
}

// ---------------------------------------------------------------------------------------------------------------
// Non-payment reasons
// ---------------------------------------------------------------------------------------------------------------

export interface ReasonFigures {
  /** Reasons recorded, one per (customer, invoice, reason, day) whichever log recorded it. */
  recorded: number;
  reasons: Array<{ reason: string; count: number; share: number | null; invoices: number }>;
}

/**
 * Distribution of the non-payment reasons collectors recorded in the period: the contact log's reason codes and
 * call-task outcomes, counted once per (customer, invoice, reason, day) so a call logged in both places counts once.
 */
export async function reasonReport(db: Db, period: Period, f: ReportFilter = {}): Promise<Grouped<ReasonFigures>> {
  const end = addDays(period.to, 1);
  const rows = await groupedQuery<Row & { reason: string; n: unknown; invoices: unknown }>(
    db,
    f.groupBy,
    Prisma.sql`
    WITH r AS (
      SELECT ce."customerId", ce."invoiceId", ce."reasonCode" AS reason, ce."createdAt"::date AS d
      FROM "ContactEvent" ce
      WHERE ce."reasonCode" IS NOT NULL AND ce."createdAt" >= ${period.from}::date AND ce."createdAt" < ${end}::date
      UNION
      SELECT t."customerId", t."invoiceId", t.outcome->>'reasonCode', t."completedAt"::date
      FROM "Task" t
      WHERE t."completedAt" >= ${period.from}::date AND t."completedAt" < ${end}::date
        AND t.status = 'DONE' AND t.outcome->>'reasonCode' IS NOT NULL
    )
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, reason, COUNT(*) AS n, COUNT(DISTINCT "invoiceId") AS invoices
    FROM (SELECT ${dimExpr(f.groupBy)} AS k, r.* FROM r ${customerJoin(f, 'r."customerId"')} WHERE TRUE ${customerWhere(f)}) x`,
    ['reason'],
  );
  const byKey = new Map<
    string,
    { k: string | null; total: boolean; list: Array<{ reason: string; n: number; inv: number }> }
  >();
  for (const r of rows) {
    const total = Number(r.is_total) === 1;
    const key = total ? '\u0000total' : String(r.k);
    if (!byKey.has(key)) byKey.set(key, { k: r.k, total, list: [] });
    byKey.get(key)!.list.push({ reason: r.reason, n: num(r.n), inv: num(r.invoices) });
  }
  const figures = (list: Array<{ reason: string; n: number; inv: number }>): ReasonFigures => {
    const recorded = list.reduce((s, x) => s + x.n, 0);
    return {
      recorded,
      reasons: list
        .map((x) => ({ reason: x.reason, count: x.n, share: pct(x.n, recorded), invoices: x.inv }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    };
  };
  const total = byKey.get('\u0000total');
  return {
    total: figures(total?.list ?? []),
    groups: [...byKey.values()]
      .filter((g) => !g.total)
      .map((g) => ({ key: g.k, ...figures(g.list) }))
      .sort((a, b) => String(a.key ?? '').localeCompare(String(b.key ?? ''))),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pipeline and recovery by stage
// ---------------------------------------------------------------------------------------------------------------

export interface StageRow {
  stage: string;
  invoices: number;
  balanceMinor: number;
  /** Share of the open balance, percent. */
  share: number | null;
  /** Balance-weighted mean days past due (0 for invoices not yet due), 1 decimal. */
  avgDaysPastDue: number | null;
}

const STAGE_ORDER: readonly string[] = ACTIVE_STAGES;
const byStage = (a: { stage: string }, b: { stage: string }): number =>
  STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage);

function groupStages<R extends { k: string | null; is_total: number | bigint; stage: string }, T>(
  rows: R[],
  map: (r: R) => T & { stage: string },
  finish: (list: Array<T & { stage: string }>) => Array<T & { stage: string }> = (l) => l,
): Grouped<{ stages: Array<T & { stage: string }> }> {
  const byKey = new Map<string, { k: string | null; total: boolean; list: Array<T & { stage: string }> }>();
  for (const r of rows) {
    const total = Number(r.is_total) === 1;
    const key = total ? '\u0000total' : String(r.k);
    if (!byKey.has(key)) byKey.set(key, { k: r.k, total, list: [] });
    byKey.get(key)!.list.push(map(r));
  }
  const stages = (l: Array<T & { stage: string }>) => finish(l.sort(byStage));
  return {
    total: { stages: stages(byKey.get('\u0000total')?.list ?? []) },
    groups: [...byKey.values()]
      .filter((g) => !g.total)
      .map((g) => ({ key: g.k, stages: stages(g.list) }))
      .sort((a, b) => String(a.key ?? '').localeCompare(String(b.key ?? ''))),
  };
}

/** Open invoices by current collection stage (count, balance, share, balance-weighted days past due) at `asOf`. */
export async function pipelineReport(
  db: Db,
  asOf: string,
  f: ReportFilter = {},
): Promise<Grouped<{ stages: StageRow[] }>> {
  const rows = await groupedQuery<Row & { stage: string }>(
    db,
    f.groupBy,
    Prisma.sql`
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, stage, COUNT(*) AS n, SUM(bal) AS bal, SUM(bal * dpd) AS bal_days
    FROM (
      SELECT ${dimExpr(f.groupBy)} AS k, i.stage, i."balanceMinor" AS bal, GREATEST(0, ${asOf}::date - ${termEndSql()}) AS dpd
      FROM "Invoice" i ${customerJoin(f)}
      WHERE i."closedAt" IS NULL AND i.stage IN ${ACTIVE} AND i.currency = ${currencyOf(f)} ${customerWhere(f)}
    ) x`,
    ['stage'],
  );
  return groupStages(
    rows,
    (r) => {
      const bal = num(r.bal);
      return {
        stage: r.stage,
        invoices: num(r.n),
        balanceMinor: bal,
        share: null as number | null,
        avgDaysPastDue: bal > 0 ? round(num(r.bal_days) / bal, 1) : null,
      };
    },
    (list) => {
      const sum = list.reduce((s, x) => s + x.balanceMinor, 0);
      return list.map((x) => ({ ...x, share: pct(x.balanceMinor, sum) }));
    },
  );
}

export interface RecoveryRow {
  stage: string;
  /** Times an invoice entered the stage in the period (OPEN: invoices issued in the period). */
  entered: number;
  /** Balance outstanding at the end of the entry day. */
  exposureMinor: number;
  /** Paid after the entry day, up to and including the day the invoice moved on (or until now). */
  recoveredMinor: number;
  /** recovered ÷ exposure × 100, 1 decimal. */
  recoveryRate: number | null;
}

/**
 * What each stage recovered: for every entry into a stage in the period (from the workflow timeline; issuing counts
 * as entering OPEN), the balance outstanding then and the payments received while the invoice stayed in that stage.
 * Each stay is a row of StageSpell, kept up to date by database triggers (migration stage_spells), so this is one
 * range scan over an indexed table.
 */
export async function recoveryReport(
  db: Db,
  period: Period,
  f: ReportFilter = {},
): Promise<Grouped<{ stages: RecoveryRow[] }>> {
  const rows = await groupedQuery<Row & { stage: string }>(
    db,
    f.groupBy,
    Prisma.sql`
    SELECT k, ${isTotalExpr(f.groupBy)} AS is_total, stage, COUNT(*) AS n, SUM(exposure) AS exposure, SUM(recovered) AS recovered
    FROM (
      SELECT ${dimExpr(f.groupBy)} AS k, sp.stage, sp."exposureMinor" AS exposure, sp."recoveredMinor" AS recovered
      FROM "StageSpell" sp ${customerJoin(f, 'sp."customerId"')}
      WHERE sp."enteredOn" BETWEEN ${period.from}::date AND ${period.to}::date AND sp.currency = ${currencyOf(f)}
        ${customerWhere(f)}
    ) x`,
    ['stage'],
  );
  return groupStages(rows, (r) => {
    const exposure = num(r.exposure);
    const recovered = num(r.recovered);
    return {
      stage: r.stage,
      entered: num(r.n),
      exposureMinor: exposure,
      recoveredMinor: recovered,
      recoveryRate: pct(recovered, exposure),
    };
  });
}
