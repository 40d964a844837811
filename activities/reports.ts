/**
 * Report activities: rating recomputation (after a payment, promise or dispute, and nightly for everyone) and the
 * monthly KPI snapshot. Wired into the worker by activities/index.ts.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../infra/db';
import type { Logger } from '../infra/logger';
import { rerouteAfterRatingChanges } from '../contexts/policies/routing';
import { todayIn } from '../domain/time';
import { recomputeAllRatings, recomputeRating, type GradeChange } from '../contexts/reports/rating';
import { previousMonth, writeMonthlySnapshot } from '../contexts/reports/snapshots';

export function createReportActivities(deps: {
  db: Db;
  temporal: Client;
  log?: Logger;
  config?: { SEGUGIO_TZ: string };
}) {
  const { db, temporal } = deps;
  // The business's calendar day (SEGUGIO_TZ), not UTC's, for "today" and "last month".
  const today = (): string => todayIn(deps.config?.SEGUGIO_TZ ?? 'Europe/Rome');
  /**
   * A changed grade may move the customer's open invoices to another policy track (settings.ratingRoutes). Run before
   * the new grades are stored: a failed signal fails the activity with nothing stored, so its retry finds the same
   * changes and signals again (already moved invoices ignore the repeat).
   */
  const rerouting = () => {
    const moved = { signalled: 0 };
    const beforeStore = async (changes: GradeChange[]): Promise<void> => {
      const r = await rerouteAfterRatingChanges(db, temporal, changes);
      if (r.invoices) deps.log?.info({ ...r }, 'open invoices moved to the policy track of their new rating');
      if (r.failed) throw new Error(`${r.failed} open invoices could not be told of their new policy track`);
      moved.signalled += r.signalled;
    };
    return { moved, hooks: { beforeStore } };
  };
  return {
    /** Recomputes one customer's internal rating; returns the new grade (null for an unknown customer). */
    async recomputeCustomerRating(input: {
      customerId: string;
    }): Promise<{ rating: string | null; previous: string | null; rerouted: number }> {
      const { moved, hooks } = rerouting();
      const r = await recomputeRating(db, input.customerId, today(), hooks);
      return { rating: r?.rating ?? null, previous: r?.previous ?? null, rerouted: moved.signalled };
    },
    /** Recomputes every customer's rating (nightly). */
    async recomputeAllCustomerRatings(): Promise<{ customers: number; changed: number; rerouted: number }> {
      const { moved, hooks } = rerouting();
      const r = await recomputeAllRatings(db, today(), hooks);
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
