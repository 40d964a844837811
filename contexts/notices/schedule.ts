/**
 * The Temporal Schedule that reads the PEC mailbox's receipts every PEC_RECEIPTS_EVERY. Idempotent: called at every
 * worker start, it creates the schedule or updates it to this release's definition.
 */
import type { Client, ScheduleOptions } from '@temporalio/client';
import { ensureSchedule } from '../../infra/schedules';

export const PEC_RECEIPTS_SCHEDULE_ID = 'segugio-pec-receipts';

/** `PT1M` → `1m`, `PT30S` → `30s` (config.ts has checked the shape). */
function interval(iso: string): string {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  const seconds = m ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 60;
  return `${Math.max(1, seconds)}s`;
}

export function pecReceiptsScheduleOptions(taskQueue: string, every: string): ScheduleOptions {
  return {
    scheduleId: PEC_RECEIPTS_SCHEDULE_ID,
    spec: { intervals: [{ every: interval(every) }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'pecReceiptsWorkflow',
      workflowId: 'notices-pec-receipts',
      taskQueue,
      args: [],
    },
    // One reader at a time (the IMAP cursor is shared); a missed tick is caught up by the next one.
    policies: { overlap: 'SKIP', catchupWindow: '1 minute' },
    memo: { purpose: 'read the PEC receipts of the company mailbox (activities/channels/pec-receipts.ts)' },
  };
}

/** Creates or updates the PEC receipts schedule. */
export function ensurePecReceiptsSchedule(
  client: Client,
  taskQueue: string,
  every: string,
): Promise<'created' | 'updated'> {
  return ensureSchedule(client, pecReceiptsScheduleOptions(taskQueue, every));
}
