/**
 * A salesperson's request to pause dunning: it becomes an APPROVE_PAUSE task for the credit managers; approved, it
 * is the very `pauseUpdate` a manager would send (with the manager as actor), audited with both names; declined, it
 * changes nothing but the request and its task.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { todayIn, zonedMidnight } from '../../domain/time';
import { pauseUpdate, isTerminal, type InvoiceState, type Stage } from '../../workflows/contract';
import { badRequest, conflict, HttpError, notFound } from '../errors';
import { isoDate } from '../schemas';
import { executeDecision } from '../collections/decisions';
import { auditRow, type Actor } from '../access/audit';

export const PAUSE_TASK_KIND = 'APPROVE_PAUSE';
/** The longest pause a salesperson may ask for: beyond that it is a plan or a write-off, not a pause. */
export const MAX_PAUSE_DAYS = 90;

export const pauseRequestSchema = z
  .object({
    reason: z.string().trim().min(1).max(500),
    /** The last day of the pause (a date in the business time zone); dunning resumes the day after. */
    until: isoDate,
  })
  .strict();
export const pauseDecisionSchema = z.object({ note: z.string().trim().min(1).max(500).optional() }).strict();

export interface PauseDeps {
  db: Db;
  temporal: Client;
  timeZone: string;
  temporalTimeoutMs?: number;
}

const nextDay = (iso: string): string => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

/** Records the request and its approval task, in one transaction; one pending request per invoice. */
export async function requestPause(
  deps: PauseDeps,
  invoice: { id: string; customerId: string; externalNumber: string; stage: string },
  requester: Actor & { actorId: string },
  body: z.output<typeof pauseRequestSchema>,
) {
  const today = todayIn(deps.timeZone);
  if (body.until <= today)
    throw badRequest('the pause must end after today', [
      { path: 'until', message: 'must be after today', code: 'date_not_after', params: { date: today } },
    ]);
  if (body.until > nextDayN(today, MAX_PAUSE_DAYS))
    throw badRequest(`a pause lasts at most ${MAX_PAUSE_DAYS} days`, [
      {
        path: 'until',
        message: `at most ${MAX_PAUSE_DAYS} days ahead`,
        code: 'date_too_far',
        params: { days: MAX_PAUSE_DAYS },
      },
    ]);
  if (isTerminal(invoice.stage as Stage))
    throw conflict(`invoice ${invoice.externalNumber} is closed (${invoice.stage})`);
  const pending = await deps.db.pauseRequest.findFirst({ where: { invoiceId: invoice.id, status: 'PENDING' } });
  if (pending)
    throw new HttpError(
      409,
      'PAUSE_REQUEST_PENDING',
      `a pause of invoice ${invoice.externalNumber} is already waiting for approval`,
    );
  const id = crypto.randomUUID();
  const taskId = crypto.randomUUID();
  const until = zonedMidnight(nextDay(body.until), deps.timeZone);
  const [request] = await deps.db.$transaction([
    deps.db.pauseRequest.create({
      data: {
        id,
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        requesterId: requester.actorId,
        reason: body.reason,
        until,
        taskId,
      },
    }),
    deps.db.task.create({
      data: {
        id: taskId,
        idempotencyKey: `pause-request:${id}`,
        kind: PAUSE_TASK_KIND,
        invoiceId: invoice.id,
        customerId: invoice.customerId,
        dueAt: new Date(),
        note: body.reason,
      },
    }),
    deps.db.auditEvent.create({
      data: auditRow(requester, 'approval.pause.request', 'Invoice', invoice.id, {
        requestId: id,
        reason: body.reason,
        until: body.until,
      }),
    }),
  ]);
  return view(request, body.until);
}

const nextDayN = (iso: string, n: number): string => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

/** The last day of the pause, in the business time zone, from the instant it ends. */
const lastDayOf = (until: Date, timeZone: string): string => {
  const d = new Date(until.getTime() - 1);
  return todayIn(timeZone, d);
};

function view(r: { id: string; invoiceId: string; status: string; reason: string; taskId: string }, until: string) {
  return { id: r.id, invoiceId: r.invoiceId, status: r.status, reason: r.reason, until, taskId: r.taskId };
}

/** The open pause requests, for the approvals page: the invoice's facts and who asked. */
export async function pendingPauseApprovals(db: Db, timeZone: string) {
  const rows = await db.pauseRequest.findMany({
    where: { status: 'PENDING' },
    orderBy: { createdAt: 'asc' },
    take: 200,
  });
  const [invoices, users] = await Promise.all([
    db.invoice.findMany({ where: { id: { in: rows.map((r) => r.invoiceId) } }, include: { customer: true } }),
    db.user.findMany({ where: { id: { in: rows.map((r) => r.requesterId) } }, select: { id: true, name: true } }),
  ]);
  const inv = new Map(invoices.map((i) => [i.id, i]));
  const name = new Map(users.map((u) => [u.id, u.name]));
  return rows.flatMap((r) => {
    const i = inv.get(r.invoiceId);
    if (!i) return [];
    return [
      {
        kind: 'pause' as const,
        taskId: r.taskId,
        requestId: r.id,
        dueAt: r.createdAt.toISOString(),
        invoiceId: i.id,
        number: i.externalNumber,
        customerId: i.customerId,
        customer: i.customer.name,
        rating: i.customer.rating,
        segment: i.customer.segment,
        currency: i.currency,
        stage: i.stage,
        balanceMinor: Number(i.balanceMinor),
        reason: r.reason,
        until: lastDayOf(r.until, timeZone),
        requestedBy: name.get(r.requesterId) ?? r.requesterId,
        requestedAt: r.createdAt.toISOString(),
      },
    ];
  });
}

/**
 * Approves or declines a pending request. Approval sends the workflow the same pause update a manager's
 * `POST /v1/invoices/:id/pause` would (update id derived from the request, so a retry is the same update) and only
 * then marks the request and its task; a workflow refusal leaves both pending and answers the refusal.
 */
export async function decidePause(
  deps: PauseDeps,
  requestId: string,
  decision: 'approve' | 'decline',
  approver: Actor & { actorId: string; role: 'manager' | 'admin' },
  note: string | undefined,
): Promise<{ request: ReturnType<typeof view>; state?: InvoiceState }> {
  const r = await deps.db.pauseRequest.findUnique({ where: { id: requestId } });
  if (!r) throw notFound(`pause request ${requestId}`);
  if (r.status !== 'PENDING') throw conflict(`this pause request was ${r.status.toLowerCase()} already`);
  const invoice = await deps.db.invoice.findUnique({ where: { id: r.invoiceId } });
  if (!invoice) throw notFound(`invoice ${r.invoiceId}`);
  const [requester, approverUser] = await Promise.all([
    deps.db.user.findUnique({ where: { id: r.requesterId } }),
    deps.db.user.findUnique({ where: { id: approver.actorId } }),
  ]);
  let state: InvoiceState | undefined;
  if (decision === 'approve') {
    state = await executeDecision(
      deps,
      invoice,
      pauseUpdate,
      { actorId: approver.actorId, role: approver.role, until: r.until.toISOString(), reason: r.reason },
      `pause-request:${r.id}`,
    );
  }
  const status = decision === 'approve' ? 'APPROVED' : 'DECLINED';
  const now = new Date();
  const [updated] = await deps.db.$transaction([
    deps.db.pauseRequest.update({
      where: { id: r.id },
      data: { status, decidedBy: approver.actorId, decidedAt: now, note: note ?? null },
    }),
    deps.db.task.updateMany({
      where: { id: r.taskId, status: 'OPEN' },
      data: { status: 'DONE', completedAt: now, outcome: { decision: status, by: approver.actorId } },
    }),
    deps.db.auditEvent.create({
      data: auditRow(
        approver,
        `approval.pause.${decision}`,
        'Invoice',
        invoice.id,
        {
          requestId: r.id,
          reason: r.reason,
          until: lastDayOf(r.until, deps.timeZone),
          requestedBy: { id: r.requesterId, name: requester?.name ?? null },
          decidedBy: { id: approver.actorId, name: approverUser?.name ?? null },
          ...(note ? { note } : {}),
        },
        { stage: invoice.stage },
      ),
    }),
  ]);
  return { request: view(updated, lastDayOf(r.until, deps.timeZone)), ...(state ? { state } : {}) };
}
