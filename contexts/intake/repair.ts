/**
 * The sweeper of the intake outbox (docs/workflow.md, "Intake outbox"). An invoice is committed with
 * `workflowStartedAt` NULL and a payment with `signalledAt` NULL; the request that wrote them starts the workflow or
 * signals it at once, and marks the row. When Temporal was unreachable at that moment the row stays NULL, and this
 * run — a Temporal Schedule every minute — finishes the job once Temporal answers again. Every step is idempotent
 * (a second start is refused as already started, the workflow counts a payment reference once), so overlapping runs
 * and a request racing the sweeper are harmless. A reassignment's mark (`collectorPendingAt`) is swept here too: the
 * running workflows learn their customer's collector (contexts/collections/collector-sync.ts).
 */
import { isTerminal, TERMINAL_STAGES, type Stage } from '../../workflows/contract';
import { tellCollectors } from '../collections/collector-sync';
import { deliverPayment, ensureWorkflow, newIntakeCache, type InvoiceDeps } from './invoices';

export interface RepairInput {
  /** Rows younger than this are left to the request that is writing them. */
  graceSeconds: number;
  /** At most this many invoices and this many payments per run (the next run takes the rest). */
  limit?: number;
}

export interface RepairResult {
  /** Workflows this run started. */
  started: number;
  /** Invoices whose workflow already existed (marked). */
  existing: number;
  /** Payments delivered to their workflow. */
  delivered: number;
  /** Running workflows told their customer's new collector (contexts/collections/collector-sync.ts). */
  collectorsTold: number;
  /** Rows still waiting (Temporal unreachable again). */
  pending: number;
}

export async function repairIntake(deps: InvoiceDeps, input: RepairInput): Promise<RepairResult> {
  const { db } = deps;
  const limit = input.limit ?? 500;
  const before = new Date(Date.now() - input.graceSeconds * 1000);
  const result: RepairResult = { started: 0, existing: 0, delivered: 0, collectorsTold: 0, pending: 0 };
  const cache = newIntakeCache();

  const invoices = await db.invoice.findMany({
    where: { workflowStartedAt: null, stage: { notIn: [...TERMINAL_STAGES] }, createdAt: { lt: before } },
    include: { customer: true },
    orderBy: { createdAt: 'asc' },
    take: limit,
  });
  for (const { customer, ...invoice } of invoices) {
    const outcome = await ensureWorkflow(deps, invoice, customer, cache);
    if (outcome === 'started') result.started += 1;
    else if (outcome === 'existing') result.existing += 1;
    else if (outcome === 'pending') result.pending += 1;
  }

  const payments = await db.payment.findMany({
    where: { signalledAt: null, createdAt: { lt: before } },
    include: { invoice: true },
    orderBy: { createdAt: 'asc' },
    take: limit,
  });
  for (const p of payments) {
    if (isTerminal(p.invoice.stage as Stage)) continue;
    const delivered = await deliverPayment(deps, p.invoice, p.id, {
      reference: p.reference,
      amountMinor: Number(p.amountMinor),
      paidOn: p.paidOn.toISOString().slice(0, 10),
    });
    if (delivered === 'applied') result.delivered += 1;
    else if (delivered === 'pending') result.pending += 1;
  }

  // The same outbox for reassignments: a collector change the request could not tell its workflows.
  const collectors = await tellCollectors(deps, { olderThan: before }, { limit });
  result.collectorsTold += collectors.told;
  result.pending += collectors.pending;
  return result;
}
