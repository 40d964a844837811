/**
 * Report activities: rating recomputation (after a payment, promise or dispute, and nightly for everyone) and the
 * monthly KPI snapshot. Wired into the worker by activities/index.ts.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { rerouteAfterRatingChanges } from '../lib/policy-routing';
import { todayIn } from '../lib/time';
import { recomputeAllRatings, recomputeRating } from '../lib/reports/rating';
import { previousMonth, writeMonthlySnapshot } from '../lib/reports/snapshots';

export function createReportActivities(deps: {
  db: Db;
  temporal: Client;
  log?: Logger;
  config?: { SEGUGIO_TZ: string };
}) {
  const { db, temporal } = deps;
  // The business's calendar day (SEGUGIO_TZ), not UTC's, for "today" and "last month".
  const today = (): string => todayIn(deps.config?.SEGUGIO_TZ ?? 'Europe/Rome');
  /** A changed grade may move the customer's open invoices to another policy track (settings.ratingRoutes). */
  const reroute = async (changes: Array<{ customerId: string; previous: string | null; rating: string }>) => {
    const r = await rerouteAfterRatingChanges(db, temporal, changes);
    if (r.invoices) deps.log?.info({ ...r }, 'open invoices moved to the policy track of their new rating');
    // A failed signal is retried with the activity; already moved invoices ignore the repeat.
    if (r.failed) throw new Error(`${r.failed} open invoices could not be told of their new policy track`);
    return r;
  };
  return {
    /** Recomputes one customer's internal rating; returns the new grade (null for an unknown customer). */
    async recomputeCustomerRating(input: {
      customerId: string;
    }): Promise<{ rating: string | null; previous: string | null; rerouted: number }> {
      const r = await recomputeRating(db, input.customerId, today());
      if (!r) return { rating: null, previous: null, rerouted: 0 };
      const moved = await reroute([{ customerId: input.customerId, previous: r.previous, rating: r.rating }]);
      return { rating: r.rating, previous: r.previous, rerouted: moved.signalled };
    },
    /** Recomputes every customer's rating (nightly). */
    async recomputeAllCustomerRatings(): Promise<{ customers: number; changed: number; rerouted: number }> {
      const r = await recomputeAllRatings(db, today());
      const moved = await reroute(r.changes);
      return { customers: r.customers, changed: r.changed, rerouted: moved.signalled };
    },
    /** Writes the KPI snapshot of `month` (YYYY-MM), by default the month before today. */
    async writeReportSnapshot(input: { month?: string; currency?: string }): Promise<{ month: string; rows: number }> {
      const month = input.month ?? previousMonth(today());
      return writeMonthlySnapshot(db, month, input.currency ?? 'EUR');
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
