/**
 * Report activities: rating recomputation (after a payment, promise or dispute, and nightly for everyone) and the
 * monthly KPI snapshot. Wired into the worker by activities/index.ts.
 */
import type { Db } from '../lib/db';
import { recomputeAllRatings, recomputeRating } from '../lib/reports/rating';
import { previousMonth, writeMonthlySnapshot } from '../lib/reports/snapshots';

export function createReportActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** Recomputes one customer's internal rating; returns the new grade (null for an unknown customer). */
    async recomputeCustomerRating(input: {
      customerId: string;
    }): Promise<{ rating: string | null; previous: string | null }> {
      const r = await recomputeRating(db, input.customerId);
      return { rating: r?.rating ?? null, previous: r?.previous ?? null };
    },
    /** Recomputes every customer's rating (nightly). */
    async recomputeAllCustomerRatings(): Promise<{ customers: number; changed: number }> {
      const r = await recomputeAllRatings(db);
      return { customers: r.customers, changed: r.changed };
    },
    /** Writes the KPI snapshot of `month` (YYYY-MM), by default the month before today. */
    async writeReportSnapshot(input: { month?: string; currency?: string }): Promise<{ month: string; rows: number }> {
      const month = input.month ?? previousMonth(new Date().toISOString().slice(0, 10));
      return writeMonthlySnapshot(db, month, input.currency ?? 'EUR');
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
