/**
 * The collectors' agenda: every open task (a callback from its day on), most valuable first. Priority is
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
import { badRequest, conflict, HttpError, notFound } from '../errors';
import type { AgendaQuery, CompleteTaskBody } from '../schemas';
import { minorPerMajorSql } from '../reports/filters';
import { termEndSql } from '../intake/term-end';
import { minorPerMajor } from '../../domain/money';
import { executeDecision, type DecisionDeps } from './decisions';
import { requestInvoice } from '../portal/actions';

/** Risk weight per rating: an E customer's euro overdue weighs five times an A customer's. */
export const RATING_RISK: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5 };

/**
 * amount (major units, in the currency's own digits: ¥ and KWD are not cents) × max(1, days overdue) × risk; tasks
 * without an invoice use the customer's overdue balance.
 */
export function taskPriority(balanceMinor: number, overdueDays: number, rating: string, currency = 'EUR'): number {
  return priorityOfMajor(balanceMinor / minorPerMajor(currency), overdueDays, rating);
}

function priorityOfMajor(major: number, overdueDays: number, rating: string): number {
  const risk = RATING_RISK[rating.toUpperCase()] ?? RATING_RISK.C;
  return Math.round(major * Math.max(1, overdueDays) * risk * 100) / 100;
}

export interface AgendaDeps extends DecisionDeps {
  timeZone: string;
}

interface RankedTask {
  id: string;
  balance: bigint;
  /** The balance in major units (the currency's digits), what the ranking multiplies. */
  major: unknown;
  days: number;
  total: bigint;
}

/**
 * One page of the agenda. The priority is ranked in SQL so a large book never leaves PostgreSQL: the integer
 * balance in major units (its currency's digits) × GREATEST(1, days overdue) × risk orders exactly like `taskPriority`, ties broken by the earliest due time, then the task id so pages never overlap.
 */
export async function agenda(deps: AgendaDeps, p: Principal, q: AgendaQuery) {
  const today = todayIn(deps.timeZone);
  const tomorrow = new Date(`${today}T00:00:00Z`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  const endOfToday = zonedMidnight(tomorrow.toISOString().slice(0, 10), deps.timeZone);
  const startOfToday = zonedMidnight(today, deps.timeZone);
  // A task's dueAt is its deadline (a call's outcome within callOutcomeDeadline, a dispute reviewed within five days):
  // the work is there from the moment it opens. Only a callback is an appointment, kept off the agenda until its day.
  const conditions: Prisma.Sql[] = [
    Prisma.sql`t.status = 'OPEN'`,
    Prisma.sql`(t.kind <> 'CALLBACK' OR t."dueAt" < ${endOfToday})`,
  ];
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
    SELECT r.id, r.balance, r.major, r.days, count(*) OVER () AS total
    FROM (
      SELECT t.id, t."dueAt",
        COALESCE(i."balanceMinor", co.balance, 0)::bigint AS balance,
        COALESCE(i."balanceMinor" / ${minorPerMajorSql(Prisma.sql`i.currency`)}, co.major, 0)::numeric AS major,
        CASE WHEN i.id IS NOT NULL THEN GREATEST(0, ${todayDate} - ${termEndSql('i')}) ELSE COALESCE(co.days, 0) END AS days,
        CASE upper(c.rating) ${riskCases} ELSE ${RATING_RISK.C}::int END AS risk
      FROM "Task" t
      LEFT JOIN "Customer" c ON c.id = t."customerId"
      LEFT JOIN "Invoice" i ON i.id = t."invoiceId"
      LEFT JOIN LATERAL (
        SELECT SUM(o."balanceMinor") AS balance, MAX(${todayDate} - ${termEndSql('o')}) AS days,
          SUM(o."balanceMinor" / ${minorPerMajorSql(Prisma.sql`o.currency`)}) AS major
        FROM "Invoice" o
        WHERE t."invoiceId" IS NULL AND o."customerId" = t."customerId"
          AND o.stage NOT IN (${Prisma.join([...TERMINAL_STAGES])}) AND ${termEndSql('o')} < ${todayDate}
      ) co ON true
      WHERE ${Prisma.join(conditions, ' AND ')}
    ) r
    ORDER BY r.major * GREATEST(1, r.days) * r.risk DESC, r."dueAt" ASC, r.id ASC
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
                SELECT count(*) AS total FROM "Task" t LEFT JOIN "Customer" c ON c.id = t."customerId"
                WHERE ${Prisma.join(conditions, ' AND ')}`
            )[0].total,
          );
  const tasks = await deps.db.task.findMany({
    where: { id: { in: ranked.map((r) => r.id) } },
    include: { invoice: true, customer: true },
  });
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const invoiceIds = tasks.flatMap((t) => (t.invoiceId ? [t.invoiceId] : []));
  const [work, disputed] = await Promise.all([
    workOf(deps.db, tasks),
    // The stage alone would say "REMINDER" of an invoice whose dunning a dispute has stopped.
    invoiceIds.length
      ? deps.db.dispute
          .findMany({ where: { invoiceId: { in: invoiceIds }, status: 'OPEN' }, select: { invoiceId: true } })
          .then((rows) => new Set(rows.map((d) => d.invoiceId)))
      : Promise.resolve(new Set<string>()),
  ]);
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
        priority: priorityOfMajor(Number(r.major), days, t.customer?.rating ?? 'C'),
        // Null for a task about no customer (ENTER_REFERENCE_RATE, for the credit managers).
        customer: t.customer
          ? {
              customerId: t.customer.id,
              name: t.customer.name,
              rating: t.customer.rating,
              area: t.customer.area,
              phone: t.customer.phone,
            }
          : null,
        invoice: inv
          ? {
              invoiceId: inv.id,
              number: inv.externalNumber,
              stage: inv.stage,
              disputed: disputed.has(inv.id),
              currency: inv.currency,
              balanceMinor: balance,
              daysOverdue: days,
            }
          : null,
        // What the debtor asked for on the portal (PLAN, PAYMENT_CLAIM, CONTACT), decided from the agenda with the
        // same POST /v1/portal/requests/:id/approve|decline as anywhere else.
        request: work.requests.get(t.id) ?? null,
        // A REVIEW_DISPUTE task: the open dispute, and what the debtor attached to it if it came from the portal.
        dispute: (t.kind === 'REVIEW_DISPUTE' && t.invoiceId && work.disputes.get(t.invoiceId)) || null,
      },
    ];
  });
  return { date: today, page, pageSize, total, items };
}

type AgendaTask = { id: string; kind: string; invoiceId: string | null };

/** The debtor's requests behind portal tasks, and the open disputes behind REVIEW_DISPUTE tasks, of one page. */
async function workOf(db: Db, tasks: AgendaTask[]) {
  const requestRows = await db.portalRequest.findMany({
    where: { taskId: { in: tasks.map((t) => t.id) }, status: 'PENDING' },
  });
  const disputeInvoices = tasks.filter((t) => t.kind === 'REVIEW_DISPUTE' && t.invoiceId).map((t) => t.invoiceId!);
  const [invoices, disputes, documents] = await Promise.all([
    db.invoice.findMany({
      where: { id: { in: requestRows.map((r) => r.invoiceId).filter((x): x is string => Boolean(x)) } },
    }),
    db.dispute.findMany({
      where: { invoiceId: { in: disputeInvoices }, status: 'OPEN' },
      orderBy: { openedAt: 'desc' },
    }),
    db.document.findMany({
      where: {
        OR: [
          { id: { in: requestRows.map((r) => r.documentId).filter((x): x is string => Boolean(x)) } },
          { invoiceId: { in: disputeInvoices }, uploadedBy: { startsWith: 'debtor:' } },
        ],
      },
      orderBy: { createdAt: 'asc' },
    }),
  ]);
  const doc = (d: (typeof documents)[number]) => ({
    documentId: d.id,
    filename: d.filename,
    mimeType: d.mimeType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
  });
  const invoiceById = new Map(invoices.map((i) => [i.id, i]));
  const requests = new Map(
    requestRows.map((r) => {
      const inv = r.invoiceId ? invoiceById.get(r.invoiceId) : undefined;
      const file = r.documentId ? documents.find((d) => d.id === r.documentId) : undefined;
      return [
        r.taskId!,
        {
          id: r.id,
          kind: r.kind,
          createdAt: r.createdAt.toISOString(),
          payload: r.payload,
          document: file ? doc(file) : null,
          // The shape of GET /v1/portal/requests, so the console shows and decides both the same way.
          invoice: inv ? requestInvoice(inv) : null,
        },
      ];
    }),
  );
  const byInvoice = new Map<string, object>();
  for (const d of disputes) {
    if (byInvoice.has(d.invoiceId)) continue; // the newest open one
    byInvoice.set(d.invoiceId, {
      reasonCode: d.reasonCode,
      note: d.note,
      openedAt: d.openedAt.toISOString(),
      fromPortal: d.openedBy.startsWith('debtor:'),
      documents: documents
        .filter((x) => x.invoiceId === d.invoiceId && Boolean(x.uploadedBy?.startsWith('debtor:')))
        .map(doc),
    });
  }
  return { requests, disputes: byInvoice };
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
  // A task behind a debtor's request closes with the request's decision, never on its own: marking it done here
  // would leave the request pending (and a plan unapproved) with nothing left on anyone's agenda.
  const request = await deps.db.portalRequest.findFirst({ where: { taskId: task.id } });
  if (request) {
    throw new HttpError(
      409,
      'CONFLICT',
      `task ${id} is decided through portal request ${request.id}`,
      undefined,
      undefined,
      {
        code: 'DECIDED_BY_REQUEST',
        params: { requestId: request.id, kind: request.kind },
      },
    );
  }
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
  if ((task.kind === 'CALL' || task.kind === 'CALLBACK') && task.customerId) {
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
