/**
 * Temporal Schedules as code: each definition is created when missing and brought up to this release's spec,
 * action and policies when it exists, so every worker start may call it (idempotent, no duplicate schedules).
 */
import { ScheduleAlreadyRunning, type Client, type ScheduleOptions } from '@temporalio/client';

/** Creates the schedule, or updates the existing one of the same id to `options`; says which. */
export async function ensureSchedule(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(options.scheduleId).update((prev) => ({
      ...prev,
      spec: options.spec,
      action: options.action,
      policies: { ...prev.policies, ...options.policies },
    }));
    return 'updated';
  }
}
