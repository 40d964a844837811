/**
 * The intake-repair Temporal Schedule: runs `intakeRepairWorkflow` every INTAKE_REPAIR_EVERY_SECONDS. Durable (it
 * lives in Temporal, not in an API process that may be down), overlap SKIP (one sweep at a time). Created or updated
 * at every worker start, like the report schedules.
 */
import type { Client, ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../../infra/schedules';

export const INTAKE_REPAIR_SCHEDULE_ID = 'segugio-intake-repair';

export function intakeRepairScheduleOptions(
  taskQueue: string,
  opts: { everySeconds: number; graceSeconds: number; scheduleId?: string },
): ScheduleOptions {
  const scheduleId = opts.scheduleId ?? INTAKE_REPAIR_SCHEDULE_ID;
  return {
    scheduleId,
    spec: { intervals: [{ every: `${opts.everySeconds}s` }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'intakeRepairWorkflow',
      workflowId: `${scheduleId}-run`,
      taskQueue,
      args: [{ graceSeconds: opts.graceSeconds }],
    },
    // A sweep missed while Temporal was down is made by the next one: no catch-up burst.
    policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    memo: { purpose: 'start the workflows and deliver the payments a Temporal outage left undone (contexts/intake)' },
  };
}

/** Creates or updates the intake-repair Schedule; returns what was done. */
export function ensureIntakeRepairSchedule(
  client: Client,
  taskQueue: string,
  opts: { everySeconds: number; graceSeconds: number; scheduleId?: string },
): Promise<'created' | 'updated'> {
  return ensureSchedule(client, intakeRepairScheduleOptions(taskQueue, opts));
}
