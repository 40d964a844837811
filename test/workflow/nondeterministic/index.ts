/**
 * A deliberately incompatible "next version" of the invoice workflow, for the replay test: it waits one second
 * before starting — an unguarded change that alters the first commands of every recorded history. Guarded with
 * `if (patched('startup-delay')) await sleep(1000)` it would replay cleanly.
 */
import { sleep } from '@temporalio/workflow';
import type { InvoiceState, InvoiceWorkflowInput } from '../../../workflows/contract';
import { invoiceWorkflow as current } from '../../../workflows/invoice';

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  await sleep(1000);
  return current(input);
}

export { customerWorkflow } from '../../../workflows/customer';
