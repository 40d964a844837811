/**
 * The collectors' agenda: open tasks due today plus every overdue one, most valuable first. Priority is
 * amount × days overdue × risk, where risk comes from the customer's internal rating (A safest … E riskiest).
 */
import type { Request } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';
import { toNumber } from '../../lib/db';
import { daysOverdue, todayIn, zonedMidnight } from '../../lib/time';
import { completeTaskUpdate, isTerminal, type CompleteTask, type Stage } from '../../workflows/contract';
import { actorOf, assertTaskAccess, collectorScope } from '../access';
import type { Principal } from '../auth';
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

export async function agenda(deps: AgendaDeps, p: Principal, q: AgendaQuery) {
  const today = todayIn(deps.timeZone);
  const tomorrow = new Date(`${today}T00:00:00Z`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  const endOfToday = zonedMidnight(tomorrow.toISOString().slice(0, 10), deps.timeZone);
  const where: Prisma.TaskWhereInput = { status: 'OPEN', dueAt: { lt: endOfToday } };
  const customer: Prisma.CustomerWhereInput = {};
  const scope = collectorScope(p);
  if (scope !== null) where.assigneeId = scope;
  else if (q.collector) where.assigneeId = q.collector === 'unassigned' ? null : q.collector;
  if (q.area) customer.area = q.area;
  if (q.salesperson) customer.salespersonId = q.salesperson;
  where.customer = customer;
  const tasks = await deps.db.task.findMany({
    where,
    include: { invoice: true, customer: true },
    orderBy: { dueAt: 'asc' },
    take: 5000,
  });
  const customerIds = [...new Set(tasks.filter((t) => !t.invoice).map((t) => t.customerId))];
  const overdueByCustomer = new Map<string, { balance: number; days: number }>();
  if (customerIds.length > 0) {
    const invoices = await deps.db.invoice.findMany({
      where: {
        customerId: { in: customerIds },
        stage: { notIn: ['PAID', 'SETTLED', 'WRITTEN_OFF', 'LEGAL_CLOSED', 'CANCELLED'] },
      },
    });
    for (const inv of invoices) {
      const days = daysOverdue(inv.dueDate.toISOString().slice(0, 10), today);
      if (days <= 0) continue;
      const cur = overdueByCustomer.get(inv.customerId) ?? { balance: 0, days: 0 };
      cur.balance += toNumber(inv.balanceMinor);
      cur.days = Math.max(cur.days, days);
      overdueByCustomer.set(inv.customerId, cur);
    }
  }
  const items = tasks.map((t) => {
    const inv = t.invoice;
    const balance = inv ? toNumber(inv.balanceMinor) : (overdueByCustomer.get(t.customerId)?.balance ?? 0);
    const days = inv
      ? Math.max(0, daysOverdue(inv.dueDate.toISOString().slice(0, 10), today))
      : (overdueByCustomer.get(t.customerId)?.days ?? 0);
    return {
      taskId: t.id,
      kind: t.kind,
      dueAt: t.dueAt.toISOString(),
      overdueTask: t.dueAt < zonedMidnight(today, deps.timeZone),
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
    };
  });
  items.sort((a, b) => b.priority - a.priority || a.dueAt.localeCompare(b.dueAt));
  const limit = q.limit ?? 100;
  return { date: today, total: items.length, items: items.slice(0, limit) };
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
