/** Database activities: the workflow's state mirrored for reading, human tasks, policies. All idempotent. */
import type { Db } from '../infra/db';
import { currentPolicy } from '../contexts/policies/store';
import { isTerminal } from '../workflows/contract';
import type { SegugioActivities } from './types';

export function createPersistenceActivities(deps: { db: Db }) {
  const { db } = deps;

  const recordTransition: SegugioActivities['recordTransition'] = async (input) => {
    const terminal = isTerminal(input.stage);
    const at = new Date(input.entry.at);
    const state = {
      stage: input.stage,
      balanceMinor: BigInt(input.balanceMinor),
      nextActionAt: input.nextActionAt ? new Date(input.nextActionAt) : null,
      nextActionKind: input.nextActionKind,
      closedAt: terminal ? at : null,
    };
    // The records of one batch are written by concurrent activities (and a retry can land late): the invoice row
    // takes a record's state only if it is newer, by (workflow time, the workflow's counter), than the one it shows.
    // The timeline gets every entry either way.
    const seq = input.seq;
    await db.$transaction([
      seq === undefined
        ? db.invoice.updateMany({ where: { id: input.invoiceId }, data: state })
        : db.invoice.updateMany({
            where: {
              id: input.invoiceId,
              OR: [{ mirrorAt: null }, { mirrorAt: { lt: at } }, { mirrorAt: at, mirrorSeq: { lt: seq } }],
            },
            data: { ...state, mirrorAt: at, mirrorSeq: seq },
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

  const recordDecision: SegugioActivities['recordDecision'] = async ({ invoiceId, customerId, at, record }) => {
    const when = new Date(at);
    const ended = (status: string, open: string[]): Date | null => (open.includes(status) ? null : when);
    switch (record.kind) {
      case 'PROMISE':
        await db.paymentPromise.upsert({
          where: { key: record.key },
          create: {
            key: record.key,
            invoiceId,
            promisedDate: new Date(`${record.promisedDate}T00:00:00Z`),
            amountMinor: BigInt(record.amountMinor),
            status: record.status,
            recordedBy: record.recordedBy,
            note: record.note ?? null,
            createdAt: when,
            resolvedAt: ended(record.status, ['OPEN']),
          },
          update: { status: record.status, resolvedAt: ended(record.status, ['OPEN']) },
        });
        return;
      case 'DISPUTE':
        await db.dispute.upsert({
          where: { key: record.key },
          create: {
            key: record.key,
            invoiceId,
            reasonCode: record.reasonCode,
            note: record.note,
            status: record.status,
            openedBy: record.openedBy,
            openedAt: when,
            resolvedBy: record.resolvedBy ?? null,
            resolvedAt: ended(record.status, ['OPEN']),
            resolution: record.resolution ?? undefined,
          },
          update: {
            status: record.status,
            resolvedBy: record.resolvedBy ?? null,
            resolvedAt: ended(record.status, ['OPEN']),
            resolution: record.resolution ?? undefined,
          },
        });
        return;
      case 'PLAN':
        await db.repaymentPlan.upsert({
          where: { key: record.key },
          create: {
            key: record.key,
            invoiceId,
            status: record.status,
            instalments: record.instalments as object[],
            proposedBy: record.proposedBy,
            createdAt: when,
            endedAt: ended(record.status, ['ACTIVE']),
          },
          update: {
            status: record.status,
            instalments: record.instalments as object[],
            endedAt: ended(record.status, ['ACTIVE']),
          },
        });
        return;
      case 'LEGAL': {
        // One legal case per invoice; `key` names the workflow's case, the row is found by invoice.
        const legal = await db.legalCase.upsert({
          where: { invoiceId },
          create: {
            invoiceId,
            customerId,
            status: record.status,
            costsMinor: BigInt(record.costsMinor),
            recoveredMinor: BigInt(record.recoveredMinor),
            openedAt: when,
            closedAt: ended(record.status, ['PENDING_APPROVAL', 'OPEN']),
          },
          update: {
            status: record.status,
            costsMinor: BigInt(record.costsMinor),
            recoveredMinor: BigInt(record.recoveredMinor),
            closedAt: ended(record.status, ['PENDING_APPROVAL', 'OPEN']),
          },
        });
        const ev = record.event;
        if (ev) {
          await db.legalCaseEvent.upsert({
            where: { eventKey: `${record.key}:${ev.eventKey}` },
            create: {
              eventKey: `${record.key}:${ev.eventKey}`,
              caseId: legal.id,
              step: ev.step,
              date: new Date(`${ev.date}T00:00:00Z`),
              costMinor: BigInt(ev.costMinor),
              recoveredMinor: BigInt(ev.recoveredMinor),
              note: ev.note ?? null,
              actorId: ev.actorId,
            },
            update: {},
          });
          if (ev.lawyer) await db.legalCase.update({ where: { id: legal.id }, data: { lawyer: ev.lawyer } });
        }
        return;
      }
    }
  };

  return { recordTransition, createTask, closeTask, loadPolicy, recordDecision };
}
