/**
 * Activities that talk to Temporal itself: workflows cannot signal-with-start another workflow, so the invoice
 * workflow reaches its customer's workflow through this activity. Wired by the worker with its one client:
 * `createTemporalSignalActivities(deps.temporal)`.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { SA, customerMessageSignal, customerWorkflowId, type CustomerWorkflowInput } from '../workflows/contract';
import type { TemporalSignalActivities } from './types';

export function createTemporalSignalActivities(client: Client): TemporalSignalActivities {
  return {
    /** Signal-with-start of `customer-<id>`; the customer workflow deduplicates a message delivered twice. */
    async signalCustomerWorkflow({ customerId, message }) {
      const input: CustomerWorkflowInput = { customerId };
      await client.workflow.signalWithStart('customerWorkflow', {
        workflowId: customerWorkflowId(customerId),
        // The customer workflow runs on the invoice workflow's own task queue (the one this activity came from).
        taskQueue: Context.current().info.taskQueue,
        args: [input],
        signal: customerMessageSignal,
        signalArgs: [message],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [{ key: SA.customerId, value: customerId }],
      });
    },
  };
}
