/**
 * The notification Schedules, created or updated at every worker start like the report schedules:
 * - `segugio-notifications` every NOTIFY_EVERY_SECONDS: order blocks and releases, formal notices and legal steps
 *   ahead, broken promises and plans (salespeople), approvals waiting and their reminder (credit managers);
 * - `segugio-collector-digest` at the top of every hour in the business time zone: the digests whose hour has come.
 * Overlap SKIP: one run at a time; a run missed while Temporal was down is made good by the next one (the planner
 * looks at state, not at the run's time), so no catch-up burst is needed.
 */
import type { Client, ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../../infra/schedules';

export const NOTIFICATIONS_SCHEDULE_ID = 'segugio-notifications';
export const DIGEST_SCHEDULE_ID = 'segugio-collector-digest';

export function notificationScheduleOptions(
  taskQueue: string,
  opts: { everySeconds: number; timeZone: string; idPrefix?: string },
): ScheduleOptions[] {
  const prefix = opts.idPrefix ?? '';
  return [
    {
      scheduleId: `${prefix}${NOTIFICATIONS_SCHEDULE_ID}`,
      spec: { intervals: [{ every: `${opts.everySeconds}s` }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'notificationsWorkflow',
        workflowId: `${prefix}${NOTIFICATIONS_SCHEDULE_ID}-run`,
        taskQueue,
        args: [],
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
      memo: { purpose: 'tell salespeople and credit managers what needs them (contexts/notifications)' },
    },
    {
      scheduleId: `${prefix}${DIGEST_SCHEDULE_ID}`,
      // Hourly rather than at one hour: each collector chooses the hour of their digest.
      spec: { calendars: [{ hour: '*', minute: 0 }], timezone: opts.timeZone },
      action: {
        type: 'startWorkflow',
        workflowType: 'collectorDigestWorkflow',
        workflowId: `${prefix}${DIGEST_SCHEDULE_ID}-run`,
        taskQueue,
        args: [],
      },
      policies: { overlap: 'SKIP', catchupWindow: '1 hour' },
      memo: { purpose: "send each collector the digest of today's agenda at their hour (contexts/notifications)" },
    },
  ];
}

/** Creates or updates both schedules; returns their ids and what was done. */
export async function ensureNotificationSchedules(
  client: Client,
  taskQueue: string,
  opts: { everySeconds: number; timeZone: string; idPrefix?: string },
): Promise<Array<{ scheduleId: string; action: 'created' | 'updated' }>> {
  const out: Array<{ scheduleId: string; action: 'created' | 'updated' }> = [];
  for (const o of notificationScheduleOptions(taskQueue, opts))
    out.push({ scheduleId: o.scheduleId, action: await ensureSchedule(client, o) });
  return out;
}
