/** Tiny workflows for the channel integration tests: one activity call with Temporal's retry policy. */
import { proxyActivities } from '@temporalio/workflow';
import type { ContactRequest, ContactResult, ErpCall, SegugioActivities } from '../../activities/types';

const acts = proxyActivities<Pick<SegugioActivities, 'sendContact' | 'erpBlockCustomer'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 1, maximumAttempts: 5 },
});

export async function sendOnce(req: ContactRequest): Promise<ContactResult> {
  return acts.sendContact(req);
}

export async function blockOnce(call: ErpCall): Promise<void> {
  await acts.erpBlockCustomer(call);
}
