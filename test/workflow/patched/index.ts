/** The same change as ../nondeterministic, guarded with patched(): old histories replay, new runs take the new path. */
import { patched, sleep } from '@temporalio/workflow';
import type { InvoiceState, InvoiceWorkflowInput } from '../../../workflows/contract';
import { invoiceWorkflow as current } from '../../../workflows/invoice';

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  if (patched('startup-delay')) await sleep(1000);
  return current(input);
}

export { customerWorkflow } from '../../../workflows/customer';
