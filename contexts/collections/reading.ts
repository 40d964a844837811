/** Reading invoices: filtered lists from the database mirror, and one invoice with its whole timeline. */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { daysOverdue, todayIn } from '../../domain/time';
import {
  ACTIVE_STAGES,
  invoiceStateQuery,
  isTerminal,
  TERMINAL_STAGES,
  type InvoiceState,
  type Stage,
} from '../../workflows/contract';
import { assertCustomerAccess, collectorScope, salespersonScope } from '../access/access';
import type { Principal } from '../access/auth';
import { conflict, isUnavailable, notFound, unavailable } from '../errors';
import type { ListInvoicesQuery } from '../schemas';
import type { InvoiceDeps } from '../intake/invoices';
import { termEndOfRow, termEndSql } from '../intake/term-end';
import { workflowEvent, type TimelineEvent } from './timeline';
import { orderBy, SEARCH_COUNT_CAP, searchCondition } from './search';

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
  /** The day the term really ends (arts. 1187 and 2963 c.c.); days overdue count from it. */
  effectiveDueDate: string;
  daysOverdue: number;
  nextAction: { kind: string; at: string | null } | null;
  /** An open dispute stops dunning whatever the stage says: clients show it instead of the stage. */
  disputed: boolean;
}

/**
 * Invoices matching the filters and the search text, sorted on the server by a whitelisted column (due date first by
 * default); collectors see only their customers' invoices, the search included. One SQL statement for the page and
 * one for the count, run together: the search's sub-select must reach the trigram indexes (see search.ts).
 */
export async function listInvoices(
  deps: InvoiceDeps,
  p: Principal,
  q: ListInvoicesQuery,
): Promise<{ items: InvoiceSummary[]; page: number; pageSize: number; total: number; totalCapped: boolean }> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 50;
  const today = todayIn(deps.timeZone);
  const where: Prisma.Sql[] = [];
  // Conditions on the customer's columns: the count joins the customers only for them (the join never drops an
  // invoice, whose customer is a foreign key, and on a broad search it is a third of the count's time).
  const onCustomer: Prisma.Sql[] = [];
  const scope = collectorScope(p);
  const sales = salespersonScope(p);
  if (scope !== null) onCustomer.push(Prisma.sql`c."collectorId" = ${scope}`);
  else if (q.collector) onCustomer.push(Prisma.sql`c."collectorId" = ${q.collector}`);
  if (q.area) onCustomer.push(Prisma.sql`c.area = ${q.area}`);
  if (sales !== null) onCustomer.push(Prisma.sql`c."salespersonId" = ${sales}`);
  else if (q.salesperson) onCustomer.push(Prisma.sql`c."salespersonId" = ${q.salesperson}`);
  // By id or code, resolved to ids first: an OR across the join (id of the invoice's customer or code of the
  // customer) is answered by reading every invoice (374 ms p50 on 100,000 at load 15, where this is a few ms).
  if (q.customer)
    where.push(
      Prisma.sql`i."customerId" = ANY (ARRAY(SELECT c3.id FROM "Customer" c3 WHERE c3.id = ${q.customer} OR c3."externalId" = ${q.customer}))`,
    );
  if (q.segment) where.push(Prisma.sql`i.segment = ${q.segment}`);
  const stages = q.stage ?? (q.open === 'true' ? ACTIVE_STAGES : q.open === 'false' ? TERMINAL_STAGES : null);
  if (stages) where.push(Prisma.sql`i.stage IN (${Prisma.join([...stages])})`);
  // days overdue = today − due date, so a minimum of days is a latest due date and vice versa.
  // Counted from the term end (arts. 1187 and 2963 c.c.), as the workflow counts.
  if (q.overdueMin !== undefined) where.push(Prisma.sql`${termEndSql()} <= ${dayOffset(today, -q.overdueMin)}::date`);
  if (q.overdueMax !== undefined) where.push(Prisma.sql`${termEndSql()} >= ${dayOffset(today, -q.overdueMax)}::date`);
  if (q.q) where.push(await searchCondition(deps.db, q.q));
  const all = [...onCustomer, ...where];
  const filter = all.length ? Prisma.sql`WHERE ${Prisma.join(all, ' AND ')}` : Prisma.empty;
  const countFrom = onCustomer.length
    ? Prisma.sql`"Invoice" i JOIN "Customer" c ON c.id = i."customerId"`
    : Prisma.sql`"Invoice" i`;
  type Row = InvoiceRow & {
    customerName: string;
    customerArea: string | null;
    customerCollectorId: string | null;
    customerSalespersonId: string | null;
    disputed: boolean;
  };
  const [rows, countRows] = await Promise.all([
    deps.db.$queryRaw<Row[]>`
      SELECT i.*, c.name AS "customerName", c.area AS "customerArea", c."collectorId" AS "customerCollectorId",
        c."salespersonId" AS "customerSalespersonId",
        EXISTS (SELECT 1 FROM "Dispute" d WHERE d."invoiceId" = i.id AND d.status = 'OPEN') AS disputed
      FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
      ${filter}
      ${orderBy(q.sort, q.dir)}
      LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
    // A search counts up to SEARCH_COUNT_CAP + 1 matches (search.ts): the planner may then stop at the cap.
    q.q
      ? deps.db.$queryRaw<Array<{ n: bigint }>>`
          SELECT count(*) AS n FROM (SELECT 1 FROM ${countFrom} ${filter} LIMIT ${SEARCH_COUNT_CAP + 1}) capped`
      : deps.db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM ${countFrom} ${filter}`,
  ]);
  const counted = Number(countRows[0]?.n ?? 0);
  const totalCapped = Boolean(q.q) && counted > SEARCH_COUNT_CAP;
  const items = rows.map((r) => ({
    invoiceId: r.id,
    number: r.externalNumber,
    customerId: r.customerId,
    customerName: r.customerName,
    segment: r.segment,
    area: r.customerArea,
    collectorId: r.customerCollectorId,
    salespersonId: r.customerSalespersonId,
    stage: r.stage,
    currency: r.currency,
    amountMinor: toNumber(r.amountMinor),
    balanceMinor: toNumber(r.balanceMinor),
    issueDate: isoDay(r.issueDate),
    dueDate: isoDay(r.dueDate),
    effectiveDueDate: termEndOfRow(r),
    daysOverdue: daysOverdue(termEndOfRow(r), today),
    nextAction: r.nextActionKind ? { kind: r.nextActionKind, at: r.nextActionAt?.toISOString() ?? null } : null,
    disputed: r.disputed,
  }));
  return { items, page, pageSize, total: totalCapped ? SEARCH_COUNT_CAP : counted, totalCapped };
}

/** How long a live read (`?live=true`) waits for the workflow's query before answering 503. */
export const LIVE_QUERY_TIMEOUT_MS = 5_000;

/**
 * One invoice's state as a read answers it. `source` says who answered: `database` is the mirror the workflow
 * writes on every transition (row state ordered by `mirror.at` and the workflow's counter `mirror.seq`, so a late
 * write never shows an older state); `workflow` is the live query, asked for with `live=true`. A live read that
 * cannot reach the workflow fails (503) instead of quietly answering from the mirror; a closed invoice's live read is
 * answered by the mirror, which holds its final state, and says so in `sourceNote`.
 */
export interface InvoiceStateView {
  invoiceId: string;
  number: string;
  customerId: string;
  workflowId: string;
  source: 'database' | 'workflow';
  sourceNote?: string;
  stage: string;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  dueDate: string;
  /** The day the term really ends (arts. 1187 and 2963 c.c.); days overdue count from it. */
  effectiveDueDate: string;
  daysOverdue: number;
  next: { kind: string; at: string | null } | null;
  closedAt: string | null;
  policyVersion: number | null;
  mirror: { at: string | null; seq: number | null; updatedAt: string };
  /** The workflow's full state (promise, plan, dispute, pause, tasks, history): only when the workflow answered. */
  state: InvoiceState | null;
}

type InvoiceRow = Prisma.InvoiceGetPayload<object>;
type InvoiceWithCustomer = InvoiceRow & { customer: { collectorId: string | null; salespersonId: string | null } };

/**
 * The invoice by id or number with what the access check needs of its customer, in one statement (Prisma's include
 * costs a second round trip, and reads are the hot path); 404 when neither matches. An id wins over a number.
 */
export async function findInvoiceWithCustomer(db: Db, idOrNumber: string): Promise<InvoiceWithCustomer> {
  const rows = await db.$queryRaw<
    Array<InvoiceRow & { customerCollectorId: string | null; customerSalespersonId: string | null }>
  >`
    SELECT i.*, c."collectorId" AS "customerCollectorId", c."salespersonId" AS "customerSalespersonId"
    FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId"
    WHERE i.id = ${idOrNumber} OR i."externalNumber" = ${idOrNumber}
    ORDER BY (i.id = ${idOrNumber}) DESC
    LIMIT 1`;
  const found = rows[0];
  if (!found) throw notFound(`invoice ${idOrNumber}`);
  const { customerCollectorId, customerSalespersonId, ...row } = found;
  return { ...row, customer: { collectorId: customerCollectorId, salespersonId: customerSalespersonId } };
}

/** The state of an invoice row: the mirror, or (live) the workflow's query. */
export async function invoiceStateOf(
  deps: Pick<InvoiceDeps, 'temporal' | 'timeZone'>,
  row: Omit<InvoiceWithCustomer, 'customer'>,
  live: boolean,
): Promise<InvoiceStateView> {
  const dueDate = isoDay(row.dueDate);
  const effectiveDueDate = termEndOfRow(row);
  const mirror: InvoiceStateView = {
    invoiceId: row.id,
    number: row.externalNumber,
    customerId: row.customerId,
    workflowId: row.workflowId,
    source: 'database',
    stage: row.stage,
    currency: row.currency,
    amountMinor: toNumber(row.amountMinor),
    balanceMinor: toNumber(row.balanceMinor),
    dueDate,
    effectiveDueDate,
    daysOverdue: Math.max(0, daysOverdue(effectiveDueDate, todayIn(deps.timeZone))),
    next: row.nextActionKind ? { kind: row.nextActionKind, at: row.nextActionAt?.toISOString() ?? null } : null,
    closedAt: row.closedAt?.toISOString() ?? null,
    policyVersion: row.policyVersion,
    mirror: { at: row.mirrorAt?.toISOString() ?? null, seq: row.mirrorSeq, updatedAt: row.updatedAt.toISOString() },
    state: null,
  };
  if (!live) return mirror;
  if (isTerminal(row.stage as Stage)) {
    return { ...mirror, sourceNote: `the invoice is closed (${row.stage}): the mirror holds its final state` };
  }
  let state: InvoiceState;
  try {
    state = await deps.temporal.withDeadline(Date.now() + LIVE_QUERY_TIMEOUT_MS, () =>
      deps.temporal.workflow.getHandle(row.workflowId).query(invoiceStateQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw conflict(`invoice ${row.externalNumber} has no running workflow`);
    if (isUnavailable(err) || isDeadline(err)) {
      throw unavailable(
        `the invoice workflow did not answer within ${LIVE_QUERY_TIMEOUT_MS} ms; read without live=true for the mirror`,
      );
    }
    throw err;
  }
  return {
    ...mirror,
    source: 'workflow',
    stage: state.stage,
    balanceMinor: state.balanceMinor,
    daysOverdue: state.daysOverdue,
    next: state.next,
    state,
  };
}

const isDeadline = (err: unknown): boolean => {
  const e = err as { code?: unknown; message?: string } | null;
  return e?.code === 4 || /DEADLINE_EXCEEDED|deadline/i.test(String(e?.message ?? ''));
};

/** One invoice's state (mirror by default, the workflow with `live`), for a caller allowed to see its customer. */
export async function readInvoiceState(
  deps: InvoiceDeps,
  p: Principal,
  idOrNumber: string,
  live: boolean,
): Promise<InvoiceStateView> {
  const { customer, ...row } = await findInvoiceWithCustomer(deps.db, idOrNumber);
  assertCustomerAccess(p, customer);
  return invoiceStateOf(deps, row, live);
}

export interface TimelineItem {
  at: string;
  kind:
    'STAGE' | 'DECISION' | 'PAYMENT' | 'ADJUSTMENT' | 'CONTACT' | 'TASK' | 'POLICY' | 'DOCUMENT' | 'LETTER' | string;
  summary: string;
  actorId?: string | null;
  ref?: { type: string; id: string };
  detail?: Record<string, unknown>;
  /** What happened, as a stable type and parameters (amounts in minor units, dates ISO), for clients to translate. */
  event: TimelineEvent;
}

/** The invoice's state (mirror, or live on request) plus everything that happened to it, oldest first. */
export async function getInvoiceDetail(
  deps: InvoiceDeps,
  p: Principal,
  idOrNumber: string,
  live = false,
): Promise<
  InvoiceStateView & {
    timeline: TimelineItem[];
    letters: Array<Record<string, unknown>>;
    notices: Array<Record<string, unknown>>;
  }
> {
  const { customer, ...row } = await findInvoiceWithCustomer(deps.db, idOrNumber);
  assertCustomerAccess(p, customer);
  const id = row.id;
  const [view, entries, contacts, payments, adjustments, promises, disputes, plans, documents, letters, tasks, told] =
    await Promise.all([
      invoiceStateOf(deps, row, live),
      deps.db.timelineEntry.findMany({ where: { invoiceId: id }, orderBy: { at: 'asc' }, take: 500 }),
      deps.db.contactEvent.findMany({
        where: { OR: [{ invoiceId: id }, { invoiceIds: { has: id } }] },
        orderBy: { createdAt: 'asc' },
        take: 500,
        include: { receipts: { orderBy: { occurredAt: 'asc' } } },
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
      // The people told about this invoice (docs/notifications.md): its own notices, and its customer's order block
      // and release. Name and role only: a colleague's address is not the reader's business.
      deps.db.notification.findMany({
        where: {
          OR: [{ invoiceId: id }, { customerId: row.customerId, kind: { in: ['order-block', 'order-release'] } }],
        },
        orderBy: { createdAt: 'asc' },
        take: 200,
        include: { user: { select: { name: true, role: true } } },
      }),
    ]);
  const paid = new Map(payments.map((x) => [x.reference, toNumber(x.amountMinor)]));
  const adjusted = new Map(
    adjustments.filter((x) => x.amountMinor !== null).map((x) => [x.reference, toNumber(x.amountMinor)]),
  );
  const timeline: TimelineItem[] = [
    ...entries.map((e) => ({
      at: e.at.toISOString(),
      kind: e.kind,
      summary: e.summary,
      actorId: e.actorId,
      event: workflowEvent(e, { payment: (ref) => paid.get(ref), adjustment: (ref) => adjusted.get(ref) }),
    })),
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
        ...(c.registeredNumber ? { registeredNumber: c.registeredNumber } : {}),
        ...(c.deliveredAt ? { deliveredAt: c.deliveredAt.toISOString() } : {}),
      },
      event: {
        type: 'contact',
        params: {
          channel: c.channel,
          direction: c.direction,
          template: c.template,
          status: c.status,
          outcome: c.outcome,
          reasonCode: c.reasonCode,
        },
      },
    })),
    ...payments.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'PAYMENT',
      summary: `payment ${x.reference}: ${toNumber(x.amountMinor)} minor units received on ${isoDay(x.paidOn)}`,
      ref: { type: 'Payment', id: x.id },
      event: {
        type: 'payment',
        params: { reference: x.reference, amountMinor: toNumber(x.amountMinor), paidOn: isoDay(x.paidOn) },
      },
    })),
    ...adjustments.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'ADJUSTMENT',
      summary: `${x.kind} ${x.reference}${x.amountMinor !== null ? `: ${toNumber(x.amountMinor)} minor units` : ''}`,
      ref: { type: 'Adjustment', id: x.id },
      event: {
        type: 'adjustment',
        params: {
          kind: x.kind,
          reference: x.reference,
          amountMinor: x.amountMinor === null ? null : toNumber(x.amountMinor),
        },
      },
    })),
    ...promises.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'DECISION',
      summary: `promise to pay ${toNumber(x.amountMinor)} by ${isoDay(x.promisedDate)} (${x.status})`,
      actorId: x.recordedBy,
      ref: { type: 'PaymentPromise', id: x.id },
      event: {
        type: 'promise',
        params: { amountMinor: toNumber(x.amountMinor), promisedDate: isoDay(x.promisedDate), status: x.status },
      },
    })),
    ...disputes.map((x) => ({
      at: x.openedAt.toISOString(),
      kind: 'DECISION',
      summary: `dispute ${x.reasonCode} (${x.status})`,
      actorId: x.openedBy,
      ref: { type: 'Dispute', id: x.id },
      event: { type: 'dispute', params: { reasonCode: x.reasonCode, status: x.status } },
    })),
    ...plans.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'DECISION',
      summary: `repayment plan (${x.status})`,
      actorId: x.proposedBy,
      ref: { type: 'RepaymentPlan', id: x.id },
      event: { type: 'plan', params: { status: x.status } },
    })),
    ...documents.map((x) => ({
      at: x.createdAt.toISOString(),
      kind: 'DOCUMENT',
      summary: `document ${x.filename}`,
      actorId: x.uploadedBy,
      ref: { type: 'Document', id: x.id },
      event: { type: 'document', params: { filename: x.filename } },
    })),
    ...tasks.map((x) => ({
      at: (x.completedAt ?? x.createdAt).toISOString(),
      kind: 'TASK',
      summary: `${x.kind} task ${x.status}`,
      actorId: x.assigneeId,
      ref: { type: 'Task', id: x.id },
      event: { type: 'task', params: { kind: x.kind, status: x.status } },
    })),
    ...told.map((x) => ({
      at: (x.sentAt ?? x.createdAt).toISOString(),
      kind: 'NOTIFICATION',
      summary: `${x.kind} notification to ${x.user.name} (${x.user.role}): ${x.status}${x.outcome ? ` (${x.outcome})` : ''}`,
      ref: { type: 'Notification', id: x.id },
      event: {
        type: 'notification',
        params: { notice: x.kind, name: x.user.name, role: x.user.role, status: x.status, outcome: x.outcome },
      },
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
    // PEC and registered letters with their proofs: what a court would be shown (docs/channels.md).
    notices: contacts
      .filter((c) => c.direction === 'OUT' && (c.channel === 'PEC' || c.channel === 'LETTER'))
      .map((c) => ({
        contactEventId: c.id,
        channel: c.channel,
        stage: c.stage,
        template: c.template,
        status: c.status,
        recipient: c.recipient,
        registeredNumber: c.registeredNumber,
        sentAt: c.sentAt?.toISOString() ?? null,
        deliveredAt: c.deliveredAt?.toISOString() ?? null,
        receipts: c.receipts.map((r) => ({
          receiptId: r.id,
          kind: r.kind,
          occurredAt: r.occurredAt.toISOString(),
          issuer: r.issuer,
          reference: r.reference,
          detail: r.detail,
          sha256: r.sha256,
          href: r.path ? `/v1/invoices/${row.id}/receipts/${r.id}` : null,
        })),
      })),
  };
}

export interface SentContent {
  contactId: string;
  channel: string;
  direction: string;
  template: string | null;
  language: string | null;
  status: string;
  recipient: string | null;
  subject: string | null;
  /** What the debtor read: the e-mail's text part, the SMS, the call script, a collector's note; null if no copy. */
  text: string | null;
  letterId: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** The text/plain part of one of the outbox's .eml files (written by activities/channels/outbox.ts). */
function emlText(eml: string): string | null {
  const m =
    /Content-Type: text\/plain; charset=UTF-8\r?\nContent-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n--/.exec(
      eml,
    );
  return m ? Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('utf8') : null;
}

/**
 * What was actually sent on one contact of an invoice: the e-mail as the outbox kept it (recipient, subject, its
 * text), the SMS or call text, the attached letter's id. A provider-sent e-mail keeps no copy here: `text` is null.
 */
export async function findSentContent(
  deps: InvoiceDeps & { dataDir: string },
  p: Principal,
  idOrNumber: string,
  contactId: string,
): Promise<SentContent> {
  const { customer, ...row } = await findInvoiceWithCustomer(deps.db, idOrNumber);
  assertCustomerAccess(p, customer);
  const c = /^[0-9a-f-]{36}$/i.test(contactId)
    ? await deps.db.contactEvent.findUnique({ where: { id: contactId } })
    : null;
  if (!c || (c.invoiceId !== row.id && !c.invoiceIds.includes(row.id))) throw notFound(`contact ${contactId}`);
  let text: string | null = c.body;
  if (c.channel === 'EMAIL' && c.filePath) {
    const root = path.resolve(deps.dataDir);
    const file = path.resolve(root, c.filePath);
    if (file.startsWith(root + path.sep) && file.endsWith('.eml') && fs.existsSync(file))
      text = emlText(fs.readFileSync(file, 'utf8')) ?? text;
  }
  return {
    contactId: c.id,
    channel: c.channel,
    direction: c.direction,
    template: c.template,
    language: c.language,
    status: c.status,
    recipient: c.recipient,
    subject: c.subject,
    text,
    letterId: c.letterId,
    createdAt: c.createdAt.toISOString(),
    sentAt: c.sentAt?.toISOString() ?? null,
  };
}

/** The PDF of one letter of an invoice, as a path checked to lie inside the data directory. */
export async function findLetterFile(
  deps: InvoiceDeps & { dataDir: string },
  p: Principal,
  idOrNumber: string,
  letterId: string,
): Promise<{ path: string; sizeBytes: number; sha256: string; filename: string }> {
  const { customer, ...row } = await findInvoiceWithCustomer(deps.db, idOrNumber);
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
