/**
 * A change of a customer's collector reaches the running invoice workflows (docs/workflow.md, "Reassignment"): their
 * new tasks go to the new collector, their open tasks follow, the `Collector` search attribute changes. The intake
 * outbox's way (contexts/intake/repair.ts): the database write marks each open invoice of the customer
 * (`collectorVersion` + 1, `collectorPendingAt` now) in the same transaction; the request then signals each workflow
 * (`collectorChanged`, with the customer's collector as it is now and the version) and clears the mark; what a
 * Temporal outage left marked, the intake-repair Schedule tells a minute later. The signal is idempotent: the
 * workflow ignores a version it has seen, so a request racing the sweep, or a retry, changes nothing twice.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { TERMINAL_STAGES, collectorChangedSignal } from '../../workflows/contract';

type Tx = Db | Prisma.TransactionClient;

export interface CollectorSyncDeps {
  db: Db;
  temporal: Client;
  /** Deadline of each signal (TEMPORAL_CALL_TIMEOUT_MS, default 5 s). */
  temporalTimeoutMs?: number;
}

/**
 * Marks the open invoices of these customers: their workflows must learn the customer's collector. Call it in the
 * transaction that changes `Customer.collectorId`, so that a crash right after the commit still leaves the mark.
 */
export async function markCollectorChanged(tx: Tx, customerIds: string[]): Promise<number> {
  if (customerIds.length === 0) return 0;
  const { count } = await tx.invoice.updateMany({
    where: { customerId: { in: customerIds }, stage: { notIn: [...TERMINAL_STAGES] } },
    data: { collectorVersion: { increment: 1 }, collectorPendingAt: new Date() },
  });
  return count;
}

export interface CollectorSyncResult {
  /** Workflows told (or closed already: nothing to tell). */
  told: number;
  /** Still marked: Temporal did not answer; the sweep tries again. */
  pending: number;
  /** Invoice ids told, for the caller's per-invoice answer. */
  toldIds: string[];
}

/**
 * Tells the workflows of marked invoices (of `customerIds`, or every one marked before `olderThan`) their customer's
 * collector. Stops at the first Temporal failure that is not "no such workflow": the rest stays marked for the sweep,
 * and a reassignment during an outage answers within one signal deadline instead of one per invoice.
 */
export async function tellCollectors(
  deps: CollectorSyncDeps,
  scope: { customerIds: string[] } | { olderThan: Date },
  options: { actorId?: string; limit?: number } = {},
): Promise<CollectorSyncResult> {
  const rows = await deps.db.invoice.findMany({
    where: {
      collectorPendingAt: 'olderThan' in scope ? { lt: scope.olderThan } : { not: null },
      ...('customerIds' in scope ? { customerId: { in: scope.customerIds } } : {}),
    },
    select: { id: true, workflowId: true, collectorVersion: true, customer: { select: { collectorId: true } } },
    orderBy: { collectorPendingAt: 'asc' },
    take: options.limit ?? 1000,
  });
  const result: CollectorSyncResult = { told: 0, pending: 0, toldIds: [] };
  const timeoutMs = deps.temporalTimeoutMs ?? 5000;
  let down = false;
  for (const row of rows) {
    if (down) {
      result.pending += 1;
      continue;
    }
    try {
      await deps.temporal.withDeadline(Date.now() + timeoutMs, () =>
        deps.temporal.workflow.getHandle(row.workflowId).signal(collectorChangedSignal, {
          collectorId: row.customer.collectorId,
          version: row.collectorVersion,
          ...(options.actorId ? { actorId: options.actorId } : {}),
        }),
      );
    } catch (err) {
      // Closed (or not started yet: the intake starts it with the customer's collector as it is then).
      if (!(err instanceof WorkflowNotFoundError)) {
        down = true;
        result.pending += 1;
        continue;
      }
    }
    // Only this version: a newer change marked meanwhile stays marked for its own signal.
    await deps.db.invoice.updateMany({
      where: { id: row.id, collectorVersion: row.collectorVersion },
      data: { collectorPendingAt: null },
    });
    result.told += 1;
    result.toldIds.push(row.id);
  }
  return result;
}
