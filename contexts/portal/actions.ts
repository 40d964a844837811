/**
 * What a debtor does on their page. Each decision is the same workflow update a collector would send
 * (contexts/collections/decisions.ts), with the debtor as actor (`role: 'debtor'`), audited, and written to the
 * contact log as an inbound PORTAL event so collectors see who listened. What needs a person (a plan, a payment
 * already made, new contact details) becomes a PortalRequest with a task; the credit manager or collector decides
 * through /v1/portal/requests (api/routes/portal.ts), and an approved plan is then the workflow's `proposePlan`.
 */
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { addDuration, isoInstant } from '../../domain/duration';
import {
  openDisputeUpdate,
  pauseUpdate,
  proposePlanUpdate,
  recordPromiseUpdate,
  type Actor as WorkflowActor,
  type DisputeReason,
  type InvoiceState,
} from '../../workflows/contract';
import { auditRow, type Actor as AuditActor } from '../access/audit';
import { executeDecision } from '../collections/decisions';
import { conflict, HttpError, notFound } from '../errors';
import { equalInstalments } from './account';

export interface PortalDeps {
  db: Db;
  temporal: Client;
  temporalTimeoutMs?: number;
  now?: () => Date;
}

/** The link a request came with (its customer is the only one it may touch). */
export interface PortalSession {
  linkId: string;
  customerId: string;
  requestId: string | null;
}

export const debtorActorId = (customerId: string): string => `debtor:${customerId}`;
const workflowActor = (s: PortalSession): WorkflowActor => ({ actorId: debtorActorId(s.customerId), role: 'debtor' });
const auditActor = (s: PortalSession): AuditActor => ({
  actorId: debtorActorId(s.customerId),
  apiKeyId: null,
  role: 'debtor',
  requestId: s.requestId,
  source: 'portal',
});

/** Kinds of inbound portal contact events (ContactEvent.template), shown on the invoice timeline. */
export const PORTAL_EVENTS = [
  'portal-open',
  'portal-letter',
  'portal-document',
  'portal-statement',
  'portal-promise',
  'portal-dispute',
  'portal-paid',
  'portal-plan',
  'portal-contact',
] as const;
export type PortalEvent = (typeof PORTAL_EVENTS)[number];

/**
 * One inbound contact event. `key` makes it idempotent (a page opened twice the same day is one event; an action
 * retried with the same form is one event).
 */
export async function recordPortalContact(
  db: Db,
  s: PortalSession,
  event: PortalEvent,
  invoiceIds: string[],
  key: string,
  outcome?: string,
): Promise<void> {
  const now = new Date();
  await db.contactEvent.upsert({
    where: { idempotencyKey: `portal:${key}` },
    update: {},
    create: {
      idempotencyKey: `portal:${key}`,
      customerId: s.customerId,
      invoiceId: invoiceIds[0] ?? null,
      invoiceIds,
      channel: 'PORTAL',
      direction: 'IN',
      template: event,
      status: 'RECEIVED',
      outcome: outcome ?? null,
      actorId: debtorActorId(s.customerId),
      portalLinkId: s.linkId,
      sentAt: now,
    },
  });
}

/** The page was opened: one event per link and day, and the link's last opening. */
export async function recordOpened(db: Db, s: PortalSession, today: string, invoiceIds: string[]): Promise<void> {
  await db.portalLink.update({ where: { id: s.linkId }, data: { lastOpenedAt: new Date() } });
  await recordPortalContact(db, s, 'portal-open', invoiceIds, `open:${s.linkId}:${today}`);
}

/** The customer's open invoice, or 404 for anything else (another customer's invoice looks like no invoice). */
async function ownInvoice(db: Db, s: PortalSession, invoiceId: string) {
  const inv = /^[0-9a-f-]{36}$/i.test(invoiceId) ? await db.invoice.findUnique({ where: { id: invoiceId } }) : null;
  if (!inv || inv.customerId !== s.customerId) throw notFound('invoice');
  return inv;
}

/** Update ids from the form's one-time id: a form submitted twice is one update. */
const updateId = (s: PortalSession, what: string, invoiceId: string, formId: string): string =>
  `portal:${s.linkId}:${what}:${invoiceId}:${formId}`;

async function decide<A>(
  deps: PortalDeps,
  s: PortalSession,
  inv: { id: string; workflowId: string; externalNumber: string; stage: string; balanceMinor: bigint | number },
  what: 'promise' | 'dispute.open' | 'pause',
  def: Parameters<typeof executeDecision<A>>[2],
  arg: A,
  formId: string,
): Promise<InvoiceState> {
  const state = await executeDecision(deps, inv, def, arg, updateId(s, what, inv.id, formId));
  await deps.db.auditEvent.create({
    data: auditRow(auditActor(s), `decision.${what}`, 'Invoice', inv.id, arg, {
      stage: inv.stage,
      balanceMinor: toNumber(inv.balanceMinor),
    }),
  });
  return state;
}

/** "I will pay on …": the workflow's own validator decides (horizon, closed invoice, open dispute or plan). */
export async function promiseToPay(
  deps: PortalDeps,
  s: PortalSession,
  input: { invoiceId: string; promisedDate: string; formId: string },
): Promise<InvoiceState> {
  const inv = await ownInvoice(deps.db, s, input.invoiceId);
  const state = await decide(
    deps,
    s,
    inv,
    'promise',
    recordPromiseUpdate,
    { ...workflowActor(s), promisedDate: input.promisedDate, note: 'portal' },
    input.formId,
  );
  await recordPortalContact(deps.db, s, 'portal-promise', [inv.id], `promise:${input.formId}`, input.promisedDate);
  return state;
}

/** "I dispute this invoice": reason, note and an optional attachment (already stored as a Document). */
export async function openDispute(
  deps: PortalDeps,
  s: PortalSession,
  input: { invoiceId: string; reasonCode: DisputeReason; note: string; formId: string; documentId?: string },
): Promise<InvoiceState> {
  const inv = await ownInvoice(deps.db, s, input.invoiceId);
  const state = await decide(
    deps,
    s,
    inv,
    'dispute.open',
    openDisputeUpdate,
    { ...workflowActor(s), reasonCode: input.reasonCode, note: input.note },
    input.formId,
  );
  await recordPortalContact(deps.db, s, 'portal-dispute', [inv.id], `dispute:${input.formId}`, input.reasonCode);
  return state;
}

/** Stores an upload's record for the customer's invoice (the file itself is already at its content address). */
export async function saveDocument(
  db: Db,
  s: PortalSession,
  invoiceId: string,
  file: { filename: string; mimeType: string; path: string; sha256: string; sizeBytes: number },
): Promise<string> {
  await ownInvoice(db, s, invoiceId);
  const doc = await db.document.create({
    data: {
      customerId: s.customerId,
      invoiceId,
      filename: file.filename,
      mimeType: file.mimeType,
      path: file.path,
      sha256: file.sha256,
      sizeBytes: file.sizeBytes,
      uploadedBy: debtorActorId(s.customerId),
    },
  });
  return doc.id;
}

async function openRequest(
  db: Db,
  s: PortalSession,
  r: {
    kind: 'PLAN' | 'PAYMENT_CLAIM' | 'CONTACT';
    invoiceId: string | null;
    payload: object;
    documentId?: string;
    taskKind: string;
    assigneeId: string | null;
    note: string;
    formId: string;
  },
) {
  const id = crypto.createHash('sha256').update(`${s.linkId}:${r.kind}:${r.formId}`).digest('hex').slice(0, 32);
  // A name-based UUID (version 8, RFC 9562): the same form sent twice is the same request.
  const variant = ((parseInt(id[16], 16) & 0x3) | 0x8).toString(16);
  const requestId = `${id.slice(0, 8)}-${id.slice(8, 12)}-8${id.slice(13, 16)}-${variant}${id.slice(17, 20)}-${id.slice(20, 32)}`;
  const existing = await db.portalRequest.findUnique({ where: { id: requestId } });
  if (existing) return existing;
  return db.$transaction(async (tx) => {
    const task = await tx.task.create({
      data: {
        idempotencyKey: `portal:${requestId}`,
        kind: r.taskKind,
        customerId: s.customerId,
        // Not the invoice: the invoice workflow does not know this task, and the person closes it by deciding the request.
        invoiceId: null,
        assigneeId: r.assigneeId,
        dueAt: new Date(),
        note: r.note,
      },
    });
    const req = await tx.portalRequest.create({
      data: {
        id: requestId,
        kind: r.kind,
        customerId: s.customerId,
        invoiceId: r.invoiceId,
        linkId: s.linkId,
        payload: r.payload,
        documentId: r.documentId ?? null,
        taskId: task.id,
      },
    });
    await tx.auditEvent.create({
      data: auditRow(auditActor(s), `portal.request.${r.kind.toLowerCase()}`, 'PortalRequest', req.id, r.payload),
    });
    return req;
  });
}

/**
 * "I have already paid": a verification task for the customer's collector and a pause of the policy's
 * `paidClaimPause` (default five days) so no reminder crosses the payment; an already paused invoice stays as it is.
 */
export async function claimPaid(
  deps: PortalDeps,
  s: PortalSession,
  input: { invoiceId: string; paidOn?: string; formId: string; documentId?: string },
): Promise<void> {
  const inv = await ownInvoice(deps.db, s, input.invoiceId);
  const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: s.customerId } });
  const policy = await deps.db.dunningPolicy.findFirst({
    where: { segment: inv.segment },
    orderBy: { version: 'desc' },
  });
  const pauseFor = (policy?.settings as { paidClaimPause?: string } | null)?.paidClaimPause ?? 'P5D';
  await openRequest(deps.db, s, {
    kind: 'PAYMENT_CLAIM',
    invoiceId: inv.id,
    payload: { invoiceNumber: inv.externalNumber, ...(input.paidOn ? { paidOn: input.paidOn } : {}) },
    documentId: input.documentId,
    taskKind: 'VERIFY_PAYMENT',
    assigneeId: customer.collectorId,
    note: `${inv.externalNumber}: the customer says it is paid${input.paidOn ? ` (${input.paidOn})` : ''}`,
    formId: input.formId,
  });
  const now = (deps.now ?? (() => new Date()))();
  const until = isoInstant(addDuration(now.getTime(), pauseFor));
  try {
    await decide(
      deps,
      s,
      inv,
      'pause',
      pauseUpdate,
      { ...workflowActor(s), until, reason: 'the customer says it is paid (portal)' },
      input.formId,
    );
  } catch (err) {
    // Paused or disputed already: the claim and its task stand, the clock is stopped anyway.
    if (!(err instanceof HttpError && err.status === 422)) throw err;
  }
  await recordPortalContact(deps.db, s, 'portal-paid', [inv.id], `paid:${input.formId}`, input.paidOn);
}

/** "I need a payment plan": equal monthly instalments within the policy's limits, for the credit manager to approve. */
export async function requestPlan(
  deps: PortalDeps,
  s: PortalSession,
  input: { invoiceId: string; instalments: number; firstDate: string; formId: string; maxInstalments: number },
) {
  const inv = await ownInvoice(deps.db, s, input.invoiceId);
  if (input.instalments < 2 || input.instalments > input.maxInstalments) {
    throw new HttpError(422, 'DECISION_REJECTED', 'too many instalments', undefined, undefined, {
      code: 'TOO_MANY_INSTALMENTS',
      params: { count: input.instalments, max: input.maxInstalments },
    });
  }
  const pending = await deps.db.portalRequest.findFirst({
    where: { invoiceId: inv.id, kind: 'PLAN', status: 'PENDING' },
  });
  if (pending) throw conflict('a plan request is already waiting for the credit manager');
  const instalments = equalInstalments(toNumber(inv.balanceMinor), input.instalments, input.firstDate);
  const req = await openRequest(deps.db, s, {
    kind: 'PLAN',
    invoiceId: inv.id,
    payload: { invoiceNumber: inv.externalNumber, currency: inv.currency, instalments },
    taskKind: 'APPROVE_PLAN',
    assigneeId: null,
    note: `${inv.externalNumber}: the customer asks for ${input.instalments} instalments`,
    formId: input.formId,
  });
  await recordPortalContact(deps.db, s, 'portal-plan', [inv.id], `plan:${input.formId}`, String(input.instalments));
  return req;
}

export interface ContactChange {
  email?: string;
  phone?: string;
  addressLine?: string;
  postalCode?: string;
  city?: string;
}

/** The invoice of a debtor's request as GET /v1/portal/requests and the agenda's request rows both show it. */
export function requestInvoice(inv: {
  id: string;
  externalNumber: string;
  currency: string;
  balanceMinor: bigint | number;
  stage: string;
}): { id: string; number: string; currency: string; balanceMinor: number; stage: string } {
  return {
    id: inv.id,
    number: inv.externalNumber,
    currency: inv.currency,
    balanceMinor: toNumber(inv.balanceMinor),
    stage: inv.stage,
  };
}

/** "Update my contact details": kept pending until the collector confirms (nothing changes before). */
export async function requestContactChange(deps: PortalDeps, s: PortalSession, change: ContactChange, formId: string) {
  const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: s.customerId } });
  const req = await openRequest(deps.db, s, {
    kind: 'CONTACT',
    invoiceId: null,
    payload: change,
    taskKind: 'CONFIRM_CONTACT',
    assigneeId: customer.collectorId,
    note: `the customer sent new contact details (${Object.keys(change).join(', ')})`,
    formId,
  });
  await recordPortalContact(deps.db, s, 'portal-contact', [], `contact:${formId}`, Object.keys(change).join(','));
  return req;
}

// ---------------------------------------------------------------------------------------------------------------
// The people's side: the credit manager decides plans, the collector confirms payments and contact details.
// ---------------------------------------------------------------------------------------------------------------

export async function listRequests(db: Db, where: { status?: string; kind?: string; collectorId?: string | null }) {
  const rows = await db.portalRequest.findMany({
    where: {
      ...(where.status ? { status: where.status } : {}),
      ...(where.kind ? { kind: where.kind } : {}),
    },
    orderBy: { createdAt: 'asc' },
    take: 200,
  });
  const customers = await db.customer.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.customerId))] } } });
  const invoices = await db.invoice.findMany({
    where: { id: { in: rows.map((r) => r.invoiceId).filter((x): x is string => Boolean(x)) } },
  });
  const byC = new Map(customers.map((c) => [c.id, c]));
  const byI = new Map(invoices.map((i) => [i.id, i]));
  return rows
    .filter(
      (r) =>
        where.collectorId === undefined ||
        where.collectorId === null ||
        byC.get(r.customerId)?.collectorId === where.collectorId,
    )
    .map((r) => {
      const inv = r.invoiceId ? byI.get(r.invoiceId) : undefined;
      return {
        id: r.id,
        kind: r.kind,
        status: r.status,
        createdAt: r.createdAt.toISOString(),
        customer: { id: r.customerId, name: byC.get(r.customerId)?.name ?? '' },
        invoice: inv ? requestInvoice(inv) : null,
        payload: r.payload,
        documentId: r.documentId,
        decidedBy: r.decidedBy,
        decidedAt: r.decidedAt?.toISOString() ?? null,
      };
    });
}

/**
 * Approves a request. PLAN: the workflow's `proposePlan` with the credit manager as actor (its validator checks the
 * sum and the policy's limits again); PAYMENT_CLAIM: the collector saw the money (the ERP's payment closes the
 * invoice); CONTACT: the new details are written to the customer.
 */
export async function approveRequest(
  deps: PortalDeps,
  id: string,
  who: { actor: WorkflowActor; audit: AuditActor; role: string; collectorId: string | null },
  note?: string,
): Promise<{ request: { id: string; status: string }; state?: InvoiceState }> {
  const r = await deps.db.portalRequest.findUnique({ where: { id } });
  if (!r) throw notFound(`portal request ${id}`);
  if (r.status !== 'PENDING') throw conflict(`portal request ${id} is already ${r.status}`);
  await assertMayDecide(deps.db, r, who);
  let state: InvoiceState | undefined;
  if (r.kind === 'PLAN') {
    const inv = await deps.db.invoice.findUniqueOrThrow({ where: { id: r.invoiceId! } });
    const instalments = (r.payload as { instalments: Array<{ dueDate: string; amountMinor: number }> }).instalments;
    state = await executeDecision(
      deps,
      inv,
      proposePlanUpdate,
      { ...who.actor, instalments, note: note ?? 'requested by the customer on the portal' },
      `portal-request:${r.id}:approve`,
    );
  } else if (r.kind === 'CONTACT') {
    const change = r.payload as ContactChange;
    await deps.db.customer.update({ where: { id: r.customerId }, data: change });
  }
  await finishRequest(deps.db, r.id, r.taskId, 'APPROVED', who, note);
  return { request: { id: r.id, status: 'APPROVED' }, state };
}

export async function declineRequest(
  deps: PortalDeps,
  id: string,
  who: { actor: WorkflowActor; audit: AuditActor; role: string; collectorId: string | null },
  note?: string,
) {
  const r = await deps.db.portalRequest.findUnique({ where: { id } });
  if (!r) throw notFound(`portal request ${id}`);
  if (r.status !== 'PENDING') throw conflict(`portal request ${id} is already ${r.status}`);
  await assertMayDecide(deps.db, r, who);
  await finishRequest(deps.db, r.id, r.taskId, 'DECLINED', who, note);
  return { request: { id: r.id, status: 'DECLINED' } };
}

async function assertMayDecide(
  db: Db,
  r: { kind: string; customerId: string },
  who: { role: string; collectorId: string | null },
): Promise<void> {
  if (r.kind === 'PLAN' && who.role !== 'manager' && who.role !== 'admin') {
    throw new HttpError(403, 'FORBIDDEN', 'a payment plan is decided by a credit manager');
  }
  if (who.role === 'collector') {
    const c = await db.customer.findUnique({ where: { id: r.customerId } });
    if (c?.collectorId !== who.collectorId)
      throw new HttpError(403, 'FORBIDDEN', 'this customer is assigned to another collector');
  }
}

async function finishRequest(
  db: Db,
  id: string,
  taskId: string | null,
  status: 'APPROVED' | 'DECLINED',
  who: { audit: AuditActor },
  note?: string,
): Promise<void> {
  const now = new Date();
  await db.$transaction([
    db.portalRequest.update({
      where: { id },
      data: { status, decidedBy: who.audit.actorId, decidedAt: now, decision: note ? { note } : undefined },
    }),
    ...(taskId
      ? [
          db.task.updateMany({
            where: { id: taskId, status: 'OPEN' },
            data: { status: 'DONE', completedAt: now, outcome: { decision: status } },
          }),
        ]
      : []),
    db.auditEvent.create({
      data: auditRow(who.audit, `portal.request.${status.toLowerCase()}`, 'PortalRequest', id, note ? { note } : {}),
    }),
  ]);
}
