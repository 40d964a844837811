/**
 * The Temporal Schedules behind the reports: nightly rating recomputation, the monthly KPI snapshot and the daily
 * check for a missing ECB reference rate. Idempotent:
 * called at every worker or API start, it creates the schedules that are missing and updates the ones that exist.
 */
import type { Client, ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../../infra/schedules';

export const NIGHTLY_RATINGS_SCHEDULE_ID = 'segugio-nightly-ratings';
export const MONTHLY_SNAPSHOT_SCHEDULE_ID = 'segugio-monthly-snapshot';
export const REFERENCE_RATE_SCHEDULE_ID = 'segugio-reference-rate-reminder';

/** The two schedules' definitions (exported for tests and for `temporal schedule describe`). */
export function reportScheduleOptions(taskQueue: string, timeZone = 'Europe/Rome'): ScheduleOptions[] {
  return [
    {
      scheduleId: NIGHTLY_RATINGS_SCHEDULE_ID,
      spec: { calendars: [{ hour: 2, minute: 30 }], timezone: timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: 'nightlyRatingsWorkflow',
        workflowId: 'reports-nightly-ratings',
        taskQueue,
        args: [],
      },
      // A night missed while the cluster was down is not worth two runs back to back.
      policies: { overlap: 'SKIP', catchupWindow: '6 hours' },
      memo: { purpose: 'recompute every customer internal rating (contexts/reports/rating.ts)' },
    },
    {
      scheduleId: MONTHLY_SNAPSHOT_SCHEDULE_ID,
      spec: { calendars: [{ dayOfMonth: 1, hour: 3, minute: 0 }], timezone: timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: 'monthlySnapshotWorkflow',
        workflowId: 'reports-monthly-snapshot',
        taskQueue,
        args: [{}],
      },
      // A missed month must still be written: catch up for up to a week.
      policies: { overlap: 'BUFFER_ONE', catchupWindow: '7 days' },
      memo: { purpose: 'write the closed month KPI snapshot (contexts/reports/snapshots.ts)' },
    },
    {
      // Daily rather than "on the 5th working day": a calendar spec cannot skip holidays, so the activity decides
      // (domain/calendar.ts nthBusinessDay) and opens the task once per half-year while the rate is missing.
      scheduleId: REFERENCE_RATE_SCHEDULE_ID,
      spec: { calendars: [{ hour: 8, minute: 0 }], timezone: timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: 'referenceRateReminderWorkflow',
        workflowId: 'reports-reference-rate-reminder',
        taskQueue,
        args: [],
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 day' },
      memo: { purpose: 'open the task to enter a missing ECB reference rate (contexts/rates/service.ts)' },
    },
  ];
}

/** Creates or updates the nightly and monthly report schedules; returns their ids and what was done. */
export async function ensureNightlySchedules(
  client: Client,
  taskQueue: string,
  timeZone = 'Europe/Rome',
): Promise<Array<{ scheduleId: string; action: 'created' | 'updated' }>> {
  const out: Array<{ scheduleId: string; action: 'created' | 'updated' }> = [];
  for (const options of reportScheduleOptions(taskQueue, timeZone))
    out.push({ scheduleId: options.scheduleId, action: await ensureSchedule(client, options) });
  return out;
}
