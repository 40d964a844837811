/**
 * The collectors' agenda: open tasks due today plus every overdue one, most valuable first. Priority is
 * amount × days overdue × risk, where risk comes from the customer's internal rating (A safest … E riskiest).
 */
import type { Request } from 'express';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { todayIn, zonedMidnight } from '../../domain/time';
import {
  TERMINAL_STAGES,
  completeTaskUpdate,
  isTerminal,
  type CompleteTask,
  type Stage,
} from '../../workflows/contract';
import { actorOf, assertTaskAccess, collectorScope } from '../access/access';
import type { Principal } from '../access/auth';
import { badRequest, conflict, notFound } from '../errors';
import type { AgendaQuery, CompleteTaskBody } from '../schemas';
import { executeDecision, type DecisionDeps } from './decisions';

/** Risk weight per rating: an E customer's euro overdue weighs five times an A customer's. */
export const RATING_RISK: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };

/** amount (major units) × max(1, days overdue) × risk; tasks without an invoice use the customer's overdue balance. */
export function taskPriority(balanceMinor: number, overdueDays: number, rating: string): number {
  const risk = RATING_RISK[rating.toUpperCase()] ?? RATING_RISK.C;
  return Math.round((balanceMinor / 100) * Math.max(1, overdueDays) * risk * 100) / 100;
}

export interface AgendaDeps extends DecisionDeps {
  timeZone: string;
}

interface RankedTask {
  id: string;
  balance: bigint;
  days: number;
  total: bigint;
}

/**
 * One page of the agenda. The priority is ranked in SQL so a large book never leaves PostgreSQL: the integer
 * balance (minor units) × GREATEST(1, days overdue) × risk orders exactly like `taskPriority` (which is that
 * product / 100), ties broken by the earliest due time, then the task id so pages never overlap.
 */
export async function agenda(deps: AgendaDeps, p: Principal, q: AgendaQuery) {
  const today = todayIn(deps.timeZone);
  const tomorrow = new Date(`${today}T00:00:00Z`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  const endOfToday = zonedMidnight(tomorrow.toISOString().slice(0, 10), deps.timeZone);
  const startOfToday = zonedMidnight(today, deps.timeZone);
  const conditions: Prisma.Sql[] = [Prisma.sql`t.status = 'OPEN'`, Prisma.sql`t."dueAt" < ${endOfToday}`];
  const scope = collectorScope(p);
  const collector = scope ?? q.collector;
  if (collector === 'unassigned' && scope === null) conditions.push(Prisma.sql`t."assigneeId" IS NULL`);
  else if (collector) conditions.push(Prisma.sql`t."assigneeId" = ${collector}`);
  if (q.area) conditions.push(Prisma.sql`c.area = ${q.area}`);
  if (q.salesperson) conditions.push(Prisma.sql`c."salespersonId" = ${q.salesperson}`);
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? q.limit ?? 50;
  const riskCases = Prisma.join(
    Object.entries(RATING_RISK).map(([rating, risk]) => Prisma.sql`WHEN ${rating} THEN ${risk}::int`),
    ' ',
  );
  const todayDate = Prisma.sql`${today}::date`;
  // A task without an invoice weighs the customer's overdue open balance and its oldest overdue days.
  const ranked = await deps.db.$queryRaw<RankedTask[]>`
    SELECT r.id, r.balance, r.days, count(*) OVER () AS total
    FROM (
      SELECT t.id, t."dueAt",
        COALESCE(i."balanceMinor", co.balance, 0)::bigint AS balance,
        CASE WHEN i.id IS NOT NULL THEN GREATEST(0, ${todayDate} - i."dueDate") ELSE COALESCE(co.days, 0) END AS days,
        CASE upper(c.rating) ${riskCases} ELSE ${RATING_RISK.C}::int END AS risk
      FROM "Task" t
      JOIN "Customer" c ON c.id = t."customerId"
      LEFT JOIN "Invoice" i ON i.id = t."invoiceId"
      LEFT JOIN LATERAL (
        SELECT SUM(o."balanceMinor") AS balance, MAX(${todayDate} - o."dueDate") AS days
        FROM "Invoice" o
        WHERE t."invoiceId" IS NULL AND o."customerId" = t."customerId"
          AND o.stage NOT IN (${Prisma.join([...TERMINAL_STAGES])}) AND o."dueDate" < ${todayDate}
      ) co ON true
      WHERE ${Prisma.join(conditions, ' AND ')}
    ) r
    ORDER BY r.balance * GREATEST(1, r.days) * r.risk DESC, r."dueAt" ASC, r.id ASC
    LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`;
  // Past the last page the window count has no row to ride on; count the same set once.
  const total =
    ranked.length > 0
      ? Number(ranked[0].total)
      : page === 1
        ? 0
        : Number(
            (
              await deps.db.$queryRaw<Array<{ total: bigint }>>`
                SELECT count(*) AS total FROM "Task" t JOIN "Customer" c ON c.id = t."customerId"
                WHERE ${Prisma.join(conditions, ' AND ')}`
            )[0].total,
          );
  const tasks = await deps.db.task.findMany({
    where: { id: { in: ranked.map((r) => r.id) } },
    include: { invoice: true, customer: true },
  });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const items = ranked.flatMap((r) => {
    const t = byId.get(r.id);
    if (!t) return []; // deleted between the two reads
    const inv = t.invoice;
    const balance = toNumber(r.balance);
    const days = Number(r.days);
    return [
      {
        taskId: t.id,
        kind: t.kind,
        dueAt: t.dueAt.toISOString(),
        overdueTask: t.dueAt < startOfToday,
        assigneeId: t.assigneeId,
        note: t.note,
        priority: taskPriority(balance, days, t.customer.rating),
        customer: {
          customerId: t.customerId,
          name: t.customer.name,
          rating: t.customer.rating,
          area: t.customer.area,
          phone: t.customer.phone,
        },
        invoice: inv
          ? {
              invoiceId: inv.id,
              number: inv.externalNumber,
              stage: inv.stage,
              currency: inv.currency,
              balanceMinor: balance,
              daysOverdue: days,
            }
          : null,
      },
    ];
  });
  return { date: today, page, pageSize, total, items };
}

async function loadTask(db: Db, id: string) {
  const task = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.task.findUnique({ where: { id }, include: { customer: true, invoice: true } })
    : null;
  if (!task) throw notFound(`task ${id}`);
  return task;
}

/**
 * Completes a task with its outcome: the invoice workflow decides what follows (promise, dispute, callback…) and
 * closes the task itself; the call is also logged in the contact log (once per task).
 */
export async function completeTask(
  deps: AgendaDeps,
  req: Request,
  id: string,
  body: CompleteTaskBody,
  updateId?: string,
) {
  const p = req.principal as Principal;
  const task = await loadTask(deps.db, id);
  assertTaskAccess(p, task);
  if (task.status !== 'OPEN') throw conflict(`task ${id} is already ${task.status}`);
  const actor = actorOf(req);
  let state = null;
  if (task.invoice) {
    if (isTerminal(task.invoice.stage as Stage)) {
      throw conflict(`invoice ${task.invoice.externalNumber} is closed (${task.invoice.stage})`);
    }
    const arg: CompleteTask = {
      ...actor,
      taskId: task.id,
      outcome: body.outcome,
      ...(body.reasonCode ? { reasonCode: body.reasonCode } : {}),
      ...(body.note ? { note: body.note } : {}),
      ...(body.promise ? { promise: body.promise } : {}),
      ...(body.dispute ? { dispute: body.dispute } : {}),
      ...(body.callbackAt ? { callbackAt: body.callbackAt } : {}),
    };
    state = await executeDecision(deps, task.invoice, completeTaskUpdate, arg, updateId);
  } else if (body.outcome === 'PROMISE' || body.outcome === 'DISPUTE') {
    throw badRequest('request is not valid', [
      { path: 'outcome', message: 'a task without an invoice cannot record a promise or a dispute' },
    ]);
  }
  const outcome = { ...body, completedBy: actor.actorId };
  await deps.db.task.updateMany({
    where: { id: task.id, status: 'OPEN' },
    data: { status: 'DONE', completedAt: new Date(), outcome: outcome as object },
  });
  if (task.kind === 'CALL' || task.kind === 'CALLBACK') {
    await deps.db.contactEvent.createMany({
      data: [
        {
          idempotencyKey: `task:${task.id}:outcome`,
          customerId: task.customerId,
          invoiceId: task.invoiceId,
          invoiceIds: task.invoiceId ? [task.invoiceId] : [],
          channel: 'CALL_LOG',
          direction: 'OUT',
          status: 'COMPLETED',
          provider: 'collector',
          outcome: body.outcome,
          reasonCode: body.reasonCode ?? null,
          body: body.note ?? null,
          actorId: actor.actorId,
          sentAt: new Date(),
        },
      ],
      skipDuplicates: true,
    });
  }
  return { taskId: task.id, status: 'DONE', outcome: body.outcome, state };
}

/** Gives a task to another collector (managers). */
export async function reassignTask(deps: AgendaDeps, id: string, assigneeId: string) {
  const task = await loadTask(deps.db, id);
  if (task.status !== 'OPEN') throw conflict(`task ${id} is already ${task.status}`);
  const user = await deps.db.user.findUnique({ where: { id: assigneeId } });
  if (!user)
    throw badRequest('request is not valid', [{ path: 'assigneeId', message: `unknown user '${assigneeId}'` }]);
  if (!['collector', 'manager'].includes(user.role)) {
    throw badRequest('request is not valid', [
      { path: 'assigneeId', message: `user '${assigneeId}' is not a collector` },
    ]);
  }
  const before = { assigneeId: task.assigneeId };
  await deps.db.task.update({ where: { id: task.id }, data: { assigneeId } });
  return { before, after: { taskId: task.id, assigneeId, kind: task.kind, dueAt: task.dueAt.toISOString() } };
}
