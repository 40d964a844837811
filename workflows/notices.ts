/**
 * The PEC receipt reader, started by the `segugio-pec-receipts` Temporal Schedule (contexts/notices/schedule.ts):
 * one activity that reads the mailbox's new receipts. Overlapping runs are skipped by the schedule; a run cut short
 * by a worker restart is retried, and resumes at the IMAP cursor it left in PostgreSQL.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { PecReceiptActivities, PecReceiptsResult } from '../activities/channels/pec-receipts';

const pec = proxyActivities<PecReceiptActivities>({
  // Long enough for a mailbox with a backlog of thousands of receipts; heartbeats show it is alive meanwhile.
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 20 },
});

/** Reads the PEC mailbox once: new receipts recorded, evidence stored, invoice workflows told. */
export async function pecReceiptsWorkflow(): Promise<PecReceiptsResult> {
  const result = await pec.pollPecReceipts();
  if (result.read > 0) log.info('PEC receipts read', { ...result });
  return result;
}
