/** Database activities: the workflow's state mirrored for reading, human tasks, policies. All idempotent. */
import type { Db } from '../lib/db';
import { currentPolicy } from '../lib/policy-store';
import { isTerminal } from '../workflows/contract';
import type { SegugioActivities } from './types';

export function createPersistenceActivities(deps: { db: Db }) {
  const { db } = deps;

  const recordTransition: SegugioActivities['recordTransition'] = async (input) => {
    const terminal = isTerminal(input.stage);
    await db.$transaction([
      db.invoice.update({
        where: { id: input.invoiceId },
        data: {
          stage: input.stage,
          balanceMinor: BigInt(input.balanceMinor),
          nextActionAt: input.nextActionAt ? new Date(input.nextActionAt) : null,
          nextActionKind: input.nextActionKind,
          closedAt: terminal ? new Date(input.entry.at) : null,
        },
      }),
      db.timelineEntry.createMany({
        data: [
          {
            invoiceId: input.invoiceId,
            at: new Date(input.entry.at),
            kind: input.entry.kind,
            stage: input.entry.stage,
            summary: input.entry.summary,
            actorId: input.entry.actorId ?? null,
          },
        ],
        skipDuplicates: true,
      }),
    ]);
  };

  const createTask: SegugioActivities['createTask'] = async (input) => {
    const existing = await db.task.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (existing) return { taskId: existing.id };
    const customer = await db.customer.findUniqueOrThrow({ where: { id: input.customerId } });
    const task = await db.task.upsert({
      where: { idempotencyKey: input.idempotencyKey },
      create: {
        idempotencyKey: input.idempotencyKey,
        kind: input.kind,
        invoiceId: input.invoiceId,
        customerId: input.customerId,
        assigneeId: input.assigneeId === undefined ? customer.collectorId : input.assigneeId,
        dueAt: new Date(input.dueAt),
        note: input.note ?? null,
      },
      update: {},
    });
    return { taskId: task.id };
  };

  const closeTask: SegugioActivities['closeTask'] = async (input) => {
    await db.task.updateMany({
      where: { id: input.taskId, status: 'OPEN' },
      data: {
        status: input.status,
        completedAt: new Date(),
        outcome: input.outcome === undefined ? undefined : (input.outcome as object),
      },
    });
  };

  const loadPolicy: SegugioActivities['loadPolicy'] = async ({ segment }) => currentPolicy(db, segment);

  return { recordTransition, createTask, closeTask, loadPolicy };
}
