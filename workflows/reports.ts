/**
 * Scheduled report workflows, started by the Temporal Schedules in contexts/reports/schedules.ts: the nightly rating run
 * and the monthly KPI snapshot. They only sequence activities; all the work happens there.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { ReportActivities } from '../activities/reports';

const reports = proxyActivities<ReportActivities>({
  // Recomputing 20,000 customers takes seconds; the margin covers a busy database.
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '30 seconds', maximumInterval: '10 minutes', maximumAttempts: 10 },
});

/** Nightly: recomputes every customer's internal rating. */
export async function nightlyRatingsWorkflow(): Promise<{ customers: number; changed: number }> {
  const result = await reports.recomputeAllCustomerRatings();
  log.info('ratings recomputed', result);
  return result;
}

/** Monthly: writes the KPI snapshot of the month that just closed (or of `month`, YYYY-MM). */
export async function monthlySnapshotWorkflow(
  input: { month?: string; currency?: string } = {},
): Promise<{ month: string; rows: number }> {
  const result = await reports.writeReportSnapshot(input);
  log.info('monthly snapshot written', result);
  return result;
}

/** After a payment, promise or dispute: recomputes one customer's rating (for callers that prefer a child workflow). */
export async function recomputeRatingWorkflow(input: { customerId: string }): Promise<{ rating: string | null }> {
  return reports.recomputeCustomerRating(input);
}
