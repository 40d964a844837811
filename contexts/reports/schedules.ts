/**
 * The Temporal Schedules behind the reports: nightly rating recomputation and the monthly KPI snapshot. Idempotent:
 * called at every worker or API start, it creates the schedules that are missing and updates the ones that exist.
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';

export const NIGHTLY_RATINGS_SCHEDULE_ID = 'segugio-nightly-ratings';
export const MONTHLY_SNAPSHOT_SCHEDULE_ID = 'segugio-monthly-snapshot';

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
  ];
}

/** Creates or updates the nightly and monthly report schedules; returns their ids and what was done. */
export async function ensureNightlySchedules(
  client: Client,
  taskQueue: string,
  timeZone = 'Europe/Rome',
): Promise<Array<{ scheduleId: string; action: 'created' | 'updated' }>> {
  const out: Array<{ scheduleId: string; action: 'created' | 'updated' }> = [];
  for (const options of reportScheduleOptions(taskQueue, timeZone)) {
    try {
      await client.schedule.create(options);
      out.push({ scheduleId: options.scheduleId, action: 'created' });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(options.scheduleId).update((prev) => ({
        ...prev,
        spec: options.spec,
        action: options.action,
        policies: { ...prev.policies, ...options.policies },
      }));
      out.push({ scheduleId: options.scheduleId, action: 'updated' });
    }
  }
  return out;
}
