/**
 * Monthly snapshots: at the start of each month a schedule writes the closed month's KPIs — for all customers and for
 * every segment, area, collector and salesperson — into ReportSnapshot; trends read from there, so history stays
 * as it was reported even when balances are later corrected.
 */
import type { Db } from '../../infra/db';
import { DIMENSIONS, type Dimension, type ReportFilter } from './filters';
import { addDays } from './formulas';
import {
  agingReport,
  disputeReport,
  dsoReport,
  promiseReport,
  type AgingFigures,
  type DsoFigures,
  type DisputeFigures,
  type PromiseFigures,
} from './kpis';

export interface SnapshotMetrics {
  dso: number | null;
  countBackDso: number;
  bestPossibleDso: number | null;
  add: number | null;
  cei: number | null;
  creditSalesMinor: number;
  receivablesEndMinor: number;
  pastDueEndMinor: number;
  aging: Record<string, number>;
  promiseKeptRate: number | null;
  disputeRate: number | null;
  meanDaysToResolve: number | null;
}

/** First and last day of a `YYYY-MM` month. */
export function monthBounds(month: string): { from: string; to: string } {
  const from = `${month}-01`;
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}

/** The month before the one containing `isoDate`, as `YYYY-MM`. */
export function previousMonth(isoDate: string): string {
  return addDays(`${isoDate.slice(0, 7)}-01`, -1).slice(0, 7);
}

const metricsOf = (d: DsoFigures, a: AgingFigures, p: PromiseFigures, q: DisputeFigures): SnapshotMetrics => ({
  dso: d.dso,
  countBackDso: d.countBackDso,
  bestPossibleDso: d.bestPossibleDso,
  add: d.add,
  cei: d.cei,
  creditSalesMinor: d.creditSalesMinor,
  receivablesEndMinor: d.receivablesEndMinor,
  pastDueEndMinor: d.pastDueEndMinor,
  aging: {
    not_due: a.not_due.balanceMinor,
    d1_30: a.d1_30.balanceMinor,
    d31_60: a.d31_60.balanceMinor,
    d61_90: a.d61_90.balanceMinor,
    d91_180: a.d91_180.balanceMinor,
    over_180: a.over_180.balanceMinor,
  },
  promiseKeptRate: p.keptRate,
  disputeRate: q.disputeRate,
  meanDaysToResolve: q.meanDaysToResolve,
});

/** Computes and (re)writes the snapshot of `month` (`YYYY-MM`); returns how many rows were written. */
export async function writeMonthlySnapshot(
  db: Db,
  month: string,
  currency = 'EUR',
): Promise<{ month: string; rows: number }> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new RangeError(`month must be YYYY-MM, got '${month}'`);
  const period = monthBounds(month);
  const rows: Array<{ dimension: string; groupKey: string; metrics: SnapshotMetrics }> = [];
  for (const dim of DIMENSIONS) {
    const f: ReportFilter = { currency, groupBy: dim };
    const [d, a, p, q] = await Promise.all([
      dsoReport(db, period, f),
      agingReport(db, period.to, f),
      promiseReport(db, period, f),
      disputeReport(db, period, f),
    ]);
    if (dim === DIMENSIONS[0])
      rows.push({ dimension: 'all', groupKey: '', metrics: metricsOf(d.total, a.total, p.total, q.total) });
    const keys = new Set([...d.groups, ...a.groups, ...p.groups, ...q.groups].map((g) => g.key));
    const find = <T extends { key: string | null }>(list: T[], key: string | null, empty: T): T =>
      list.find((g) => g.key === key) ?? empty;
    for (const key of keys) {
      rows.push({
        dimension: dim,
        groupKey: key ?? '',
        metrics: metricsOf(
          find(d.groups, key, { ...d.total, key, ...zeroDso(d.total.days) }),
          find(a.groups, key, { ...zeroAging(), key }),
          find(p.groups, key, { ...zeroPromises(), key }),
          find(q.groups, key, { ...zeroDisputes(), key }),
        ),
      });
    }
  }
  const monthDate = new Date(`${period.from}T00:00:00Z`);
  await db.$transaction([
    db.reportSnapshot.deleteMany({ where: { month: monthDate, currency } }),
    db.reportSnapshot.createMany({
      data: rows.map((r) => ({
        month: monthDate,
        dimension: r.dimension,
        groupKey: r.groupKey,
        currency,
        metrics: r.metrics as object,
      })),
    }),
  ]);
  return { month, rows: rows.length };
}

const zeroDso = (days: number): DsoFigures => ({
  days,
  receivablesBeginMinor: 0,
  receivablesEndMinor: 0,
  currentEndMinor: 0,
  pastDueEndMinor: 0,
  creditSalesMinor: 0,
  dso: null,
  countBackDso: 0,
  countBackExhausted: true,
  bestPossibleDso: null,
  add: null,
  cei: null,
});
const zeroAging = (): AgingFigures => {
  const z = { count: 0, balanceMinor: 0 };
  return { totalMinor: 0, totalCount: 0, not_due: z, d1_30: z, d31_60: z, d61_90: z, d91_180: z, over_180: z };
};
const zeroPromises = (): PromiseFigures => ({
  promises: 0,
  kept: 0,
  broken: 0,
  open: 0,
  cancelled: 0,
  keptMinor: 0,
  brokenMinor: 0,
  keptRate: null,
  keptRateByAmount: null,
});
const zeroDisputes = (): DisputeFigures => ({
  invoicesIssued: 0,
  amountIssuedMinor: 0,
  invoicesDisputed: 0,
  amountDisputedMinor: 0,
  disputeRate: null,
  disputeRateByAmount: null,
  resolved: 0,
  accepted: 0,
  rejected: 0,
  partial: 0,
  meanDaysToResolve: null,
  openAtEnd: 0,
});

export interface TrendPoint {
  month: string;
  key: string;
  metrics: SnapshotMetrics;
}

/** Snapshots of a dimension (`all` by default) between two months inclusive, oldest first. */
export async function trend(
  db: Db,
  opts: { fromMonth: string; toMonth: string; dimension?: Dimension | 'all'; key?: string; currency?: string },
): Promise<TrendPoint[]> {
  const dimension = opts.dimension ?? 'all';
  const rows = await db.reportSnapshot.findMany({
    where: {
      dimension,
      currency: opts.currency ?? 'EUR',
      month: { gte: new Date(`${opts.fromMonth}-01T00:00:00Z`), lte: new Date(`${opts.toMonth}-01T00:00:00Z`) },
      ...(opts.key !== undefined ? { groupKey: opts.key } : dimension === 'all' ? { groupKey: '' } : {}),
    },
    orderBy: [{ month: 'asc' }, { groupKey: 'asc' }],
  });
  return rows.map((r) => ({
    month: r.month.toISOString().slice(0, 7),
    key: r.groupKey,
    metrics: r.metrics as unknown as SnapshotMetrics,
  }));
}
