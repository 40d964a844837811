/** Reading invoices: filtered lists from the database mirror, and one invoice with its whole timeline. */
import fs from 'node:fs';
import path from 'node:path';
import type { Prisma } from '../../generated/prisma/client';
import { toNumber } from '../../infra/db';
import { daysOverdue, todayIn } from '../../domain/time';
import { ACTIVE_STAGES, TERMINAL_STAGES } from '../../workflows/contract';
import { assertCustomerAccess, collectorScope } from '../access/access';
import type { Principal } from '../access/auth';
import { notFound } from '../errors';
import type { ListInvoicesQuery } from '../schemas';
import { findInvoice, getInvoice, type InvoiceDeps, type InvoiceView } from '../intake/invoices';

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);
const dayOffset = (today: string, days: number): Date => {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d;
};

export interface InvoiceSummary {
  invoiceId: string;
  number: string;
  customerId: string;
  customerName: string;
  segment: string;
  area: string | null;
  collectorId: string | null;
  salespersonId: string | null;
  stage: string;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  issueDate: string;
  dueDate: string;
  daysOverdue: number;
  nextAction: { kind: string; at: string | null } | null;
}

/** Invoices matching the filters, newest due first; collectors see only their customers' invoices. */
export async function listInvoices(
  deps: InvoiceDeps,
  p: Principal,
  q: ListInvoicesQuery,
): Promise<{ items: InvoiceSummary[]; page: number; pageSize: number; total: number }> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  const today = todayIn(deps.timeZone);
  const customer: Prisma.CustomerWhereInput = {};
  const scope = collectorScope(p);
  if (scope !== null) customer.collectorId = scope;
  else if (q.collector) customer.collectorId = q.collector;
  if (q.area) customer.area = q.area;
  if (q.salesperson) customer.salespersonId = q.salesperson;
  const where: Prisma.InvoiceWhereInput = { customer };
  if (q.customer) where.OR = [{ customerId: q.customer }, { customer: { ...customer, externalId: q.customer } }];
  if (q.segment) where.segment = q.segment;
  if (q.stage) where.stage = { in: q.stage };
  else if (q.open === 'true') where.stage = { in: [...ACTIVE_STAGES] };
  else if (q.open === 'false') where.stage = { in: [...TERMINAL_STAGES] };
  // days overdue = today − due date, so a minimum of days is a latest due date and vice versa.
  if (q.overdueMin !== undefined || q.overdueMax !== undefined) {
    where.dueDate = {
      ...(q.overdueMin !== undefined ? { lte: dayOffset(today, -q.overdueMin) } : {}),
      ...(q.overdueMax !== undefined ? { gte: dayOffset(today, -q.overdueMax) } : {}),
    };
  }
  const [rows, total] = await Promise.all([
    deps.db.invoice.findMany({
      where,
      include: { customer: true },
      orderBy: [{ dueDate: 'asc' }, { externalNumber: 'asc' }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    deps.db.invoice.count({ where }),
  ]);
  const items = rows.map((r) => ({
    invoiceId: r.id,
    number: r.externalNumber,
    customerId: r.customerId,
    customerName: r.customer.name,
    segment: r.segment,
    area: r.customer.area,
    collectorId: r.customer.collectorId,
    salespersonId: r.customer.salespersonId,
    stage: r.stage,
    currency: r.currency,
    amountMinor: toNumber(r.amountMinor),
    balanceMinor: toNumber(r.balanceMinor),
    issueDate: isoDay(r.issueDate),
    dueDate: isoDay(r.dueDate),
    daysOverdue: daysOverdue(isoDay(r.dueDate), today),
    nextAction: r.nextActionKind ? { kind: r.nextActionKind, at: r.nextActionAt?.toISOString() ?? null } : null,
  }));
  return { items, page, pageSize, total };
}

export interface TimelineItem {
  at: string;
  kind:
    'STAGE' | 'DECISION' | 'PAYMENT' | 'ADJUSTMENT' | 'CONTACT' | 'TASK' | 'POLICY' | 'DOCUMENT' | 'LETTER' | string;
  summary: string;
  actorId?: string | null;
  ref?: { type: string; id: string };
  detail?: Record<string, unknown>;
}

/** The invoice's state plus everything that happened to it, oldest first. */
export async function getInvoiceDetail(
  deps: InvoiceDeps,
  p: Principal,
  idOrNumber: string,
): Promise<InvoiceView & { timeline: TimelineItem[]; letters: Array<Record<string, unknown>> }> {
  const row = await findInvoice(deps.db, idOrNumber);
  const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: row.customerId } });
  assertCustomerAccess(p, customer);
  const view = await getInvoice(deps, row.id);
  const id = row.id;
  const [entries, contacts, payments, adjustments, promises, disputes, plans, documents, letters, tasks] =
    await Promise.all([
      deps.db.timelineEntry.findMany({ where: { invoiceId: id }, orderBy: { at: 'asc' }, take: 500 }),
      deps.db.contactEvent.findMany({
        where: { OR: [{ invoiceId: id }, { invoiceIds: { has: id } }] },
        orderBy: { createdAt: 'asc' },
        take: 500,
      }),
      deps.db.payment.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } }),
      deps.db.adjustment.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } }),
      deps.db.paymentPromise.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } }),
      deps.db.dispute.findMany({ where: { invoiceId: id }, orderBy: { openedAt: 'asc' } }),
      deps.db.repaymentPlan.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } }),
      deps.db.document.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } }),
      deps.db.letter.findMany({
        where: { OR: [{ invoiceId: id }, { invoiceIds: { has: id } }] },
        orderBy: { createdAt: 'asc' },
      }),
      deps.db.task.findMany({ where: { invoiceId: id }, orderBy: { createdAt: 'asc' } }),
    ]);
  const timeline: TimelineItem[] = [
    ...entries.map((e) => ({ at: e.at.toISOString(), kind: e.kind, summary: e.summary, actorId: e.actorId })),
    ...contacts.map((c) => ({
      at: (c.sentAt ?? c.createdAt).toISOString(),
      kind: 'CONTACT',
      summary: [c.channel, c.direction, c.template, c.status, c.outcome].filter(Boolean).join(' · '),
      actorId: c.actorId,
      ref: { type: 'ContactEvent', id: c.id },
      detail: {
        channel: c.channel,
        status: c.status,
        outcome: c.outcome,
        reasonCode: c.reasonCode,
        letterId: c.letterId,
      },
    })),
    ...payments.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'PAYMENT',
      summary: `payment ${x.reference}: ${toNumber(x.amountMinor)} minor units received on ${isoDay(x.paidOn)}`,
      ref: { type: 'Payment', id: x.id },
    })),
    ...adjustments.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'ADJUSTMENT',
      summary: `${x.kind} ${x.reference}${x.amountMinor !== null ? `: ${toNumber(x.amountMinor)} minor units` : ''}`,
      ref: { type: 'Adjustment', id: x.id },
    })),
    ...promises.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'DECISION',
      summary: `promise to pay ${toNumber(x.amountMinor)} by ${isoDay(x.promisedDate)} (${x.status})`,
      actorId: x.recordedBy,
      ref: { type: 'PaymentPromise', id: x.id },
    })),
    ...disputes.map((x) => ({
      at: x.openedAt.toISOString(),
      kind: 'DECISION',
      summary: `dispute ${x.reasonCode} (${x.status})`,
      actorId: x.openedBy,
      ref: { type: 'Dispute', id: x.id },
    })),
    ...plans.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'DECISION',
      summary: `repayment plan (${x.status})`,
      actorId: x.proposedBy,
      ref: { type: 'RepaymentPlan', id: x.id },
    })),
    ...documents.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'DOCUMENT',
      summary: `document ${x.filename}`,
      actorId: x.uploadedBy,
      ref: { type: 'Document', id: x.id },
    })),
    ...tasks.map((x) => ({
      at: (x.completedAt ?? x.createdAt).toISOString(),
      kind: 'TASK',
      summary: `${x.kind} task ${x.status}`,
      actorId: x.assigneeId,
      ref: { type: 'Task', id: x.id },
    })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return {
    ...view,
    timeline,
    letters: letters.map((l) => ({
      letterId: l.id,
      template: l.template,
      language: l.language,
      sha256: l.sha256,
      sizeBytes: l.sizeBytes,
      createdAt: l.createdAt.toISOString(),
      href: `/v1/invoices/${row.id}/letters/${l.id}`,
    })),
  };
}

/** The PDF of one letter of an invoice, as a path checked to lie inside the data directory. */
export async function findLetterFile(
  deps: InvoiceDeps & { dataDir: string },
  p: Principal,
  idOrNumber: string,
  letterId: string,
): Promise<{ path: string; sizeBytes: number; sha256: string; filename: string }> {
  const row = await findInvoice(deps.db, idOrNumber);
  const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: row.customerId } });
  assertCustomerAccess(p, customer);
  const letter = /^[0-9a-f-]{36}$/i.test(letterId)
    ? await deps.db.letter.findUnique({ where: { id: letterId } })
    : null;
  if (!letter || (letter.invoiceId !== row.id && !letter.invoiceIds.includes(row.id)))
    throw notFound(`letter ${letterId}`);
  const root = path.resolve(deps.dataDir);
  const file = path.resolve(root, letter.path);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) throw notFound(`letter ${letterId} file`);
  return {
    path: file,
    sizeBytes: fs.statSync(file).size,
    sha256: letter.sha256,
    filename: `${row.externalNumber}-${letter.template}.pdf`.replace(/[^\w.-]/g, '_'),
  };
}
