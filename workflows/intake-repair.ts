/**
 * The intake outbox sweeper, started by the intake-repair Schedule (contexts/intake/schedule.ts): one activity that
 * starts the workflows and delivers the payments a Temporal outage left undone. Retried by Temporal, never by hand.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { IntakeActivities } from '../activities/intake';

const intake = proxyActivities<IntakeActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** One sweep of the intake outbox. */
export async function intakeRepairWorkflow(input: { graceSeconds: number; limit?: number }) {
  const result = await intake.repairIntake(input);
  if (result.started + result.delivered + (result.collectorsTold ?? 0) + result.pending > 0)
    log.info('intake repaired', { ...result });
  return result;
}
