/**
 * Click-to-call (one per collector's request, `click-to-call-<task>-<key>`): the existing call path of the contact
 * activity, asked by a person instead of a policy step. It does not go through the customer workflow's contact
 * budget: the collector chose to ring now, while the customer's quiet hours still hold (the activity answers
 * DEFERRED with the next allowed time, and the console says so instead of ringing).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ContactResult, SegugioActivities } from '../activities/types';
import type { ClickToCallInput } from './contract';

const calls = proxyActivities<SegugioActivities>({
  startToCloseTimeout: '1 minute',
  // A call that could not be placed in a couple of minutes is no longer the call the collector asked for.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/** Places the call and answers what the activity recorded (SENT, DEFERRED, SKIPPED or QUEUED). */
export async function clickToCallWorkflow(input: ClickToCallInput): Promise<ContactResult> {
  return calls.sendContact({
    idempotencyKey: input.idempotencyKey,
    customerId: input.customerId,
    invoiceIds: input.invoiceIds,
    stage: 'CALL',
    channel: 'VOICE',
    template: 'call',
  });
}
