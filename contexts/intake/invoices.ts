/** Invoice intake and reading: database rows first, then the workflow; the workflow is the source of truth. */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { pecProvenanceAfterErp } from '../../domain/notices';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { policyForCustomer } from '../policies/routing';
import { daysOverdue, overdueInstant, todayIn } from '../../domain/time';
import {
  callStatusSignal,
  invoiceAdjustedSignal,
  invoiceStateQuery,
  invoiceWorkflowId,
  isTerminal,
  paymentSignal,
  initialSearchAttributes,
  type CallStatus,
  type InvoiceState,
  type DunningPolicy,
  type InvoiceAdjusted,
  type InvoiceWorkflowInput,
  type Stage,
} from '../../workflows/contract';
import { badRequest, conflict, notFound } from '../errors';
import type { AdjustmentBody, CreateInvoice, PaymentBody } from '../schemas';

export interface InvoiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  timeZone: string;
}

type InvoiceRow = NonNullable<Awaited<ReturnType<Db['invoice']['findUnique']>>>;

export async function findInvoice(db: Db, idOrNumber: string): Promise<InvoiceRow> {
  const row =
    (/^[0-9a-f-]{36}$/i.test(idOrNumber) ? await db.invoice.findUnique({ where: { id: idOrNumber } }) : null) ??
    (await db.invoice.findUnique({ where: { externalNumber: idOrNumber } }));
  if (!row) throw notFound(`invoice ${idOrNumber}`);
  return row;
}

/**
 * The customer columns an invoice's customer block sets (create or update); `before` is the stored customer, whose
 * PEC provenance survives when the ERP sends the same PEC address again.
 */
export function customerDataOf(
  c: CreateInvoice['customer'],
  before: { pec: string | null; pecSource: string | null } | null = null,
) {
  return {
    name: c.name,
    vatNumber: c.vatNumber ?? null,
    fiscalCode: c.fiscalCode ?? null,
    email: c.email ?? null,
    phone: c.phone ?? null,
    pec: c.pec ?? null,
    ...pecProvenanceAfterErp(before, c.pec ?? null),
    addressLine: c.address?.line ?? null,
    city: c.address?.city ?? null,
    postalCode: c.address?.postalCode ?? null,
    province: c.address?.province ?? null,
    country: c.address?.country ?? 'IT',
    language: c.language,
    segment: c.segment,
    area: c.area ?? null,
    consumer: c.consumer,
    creditLimitMinor: c.creditLimitMinor === undefined ? null : BigInt(c.creditLimitMinor),
    collectorId: c.collectorId ?? null,
    salespersonId: c.salespersonId ?? null,
  };
}

/** Look-ups a bulk import repeats on every row (known users, segment policies), kept for one batch. */
export interface IntakeCache {
  users: Map<string, boolean>;
  policies: Map<string, Promise<DunningPolicy>>;
}
export const newIntakeCache = (): IntakeCache => ({ users: new Map(), policies: new Map() });

/** Creates or updates the customer and the invoice, then starts the invoice workflow (once). */
export async function createInvoice(
  deps: InvoiceDeps,
  body: CreateInvoice,
  cache?: IntakeCache,
): Promise<{ created: boolean; invoiceId: string; workflowId: string; stage: string }> {
  const { db } = deps;
  const c = body.customer;
  const customerData = customerDataOf(c);
  const userExists = async (id: string): Promise<boolean> => {
    const known = cache?.users.get(id);
    if (known !== undefined) return known;
    const exists = Boolean(await db.user.findUnique({ where: { id } }));
    cache?.users.set(id, exists);
    return exists;
  };
  for (const userId of [c.collectorId, c.salespersonId]) {
    if (userId && !(await userExists(userId))) {
      throw badRequest('request is not valid', [
        {
          path: userId === c.collectorId ? 'customer.collectorId' : 'customer.salespersonId',
          message: `unknown user '${userId}'`,
        },
      ]);
    }
  }

  const existing = await db.invoice.findUnique({ where: { externalNumber: body.number } });
  const before = await db.customer.findUnique({ where: { externalId: c.externalId } });
  const customer = await db.customer.upsert({
    where: { externalId: c.externalId },
    create: { externalId: c.externalId, ...customerData },
    update: customerDataOf(c, before),
  });
  if (existing && existing.customerId !== customer.id) {
    throw conflict(`invoice ${body.number} already belongs to another customer`);
  }
  // The id is chosen here so the row is written once, already carrying its workflow id.
  const newId = crypto.randomUUID();
  const invoice =
    existing ??
    (await db.invoice.upsert({
      where: { externalNumber: body.number },
      create: {
        id: newId,
        externalNumber: body.number,
        customerId: customer.id,
        currency: body.currency,
        amountMinor: BigInt(body.amountMinor),
        balanceMinor: BigInt(body.balanceMinor ?? body.amountMinor),
        issueDate: new Date(`${body.issueDate}T00:00:00Z`),
        dueDate: new Date(`${body.dueDate}T00:00:00Z`),
        segment: c.segment,
        workflowId: invoiceWorkflowId(newId),
      },
      update: {},
    }));
  const workflowId = invoiceWorkflowId(invoice.id);
  if (invoice.workflowId !== workflowId) {
    await db.invoice.update({ where: { id: invoice.id }, data: { workflowId } });
  }
  if (isTerminal(invoice.stage as Stage)) {
    return { created: false, invoiceId: invoice.id, workflowId, stage: invoice.stage };
  }

  const started = await startInvoiceWorkflow(deps, invoice, customer, cache);
  const created = !existing && started;
  if (cache) return { created, invoiceId: invoice.id, workflowId, stage: invoice.stage };
  const fresh = await db.invoice.findUniqueOrThrow({ where: { id: invoice.id } });
  return { created, invoiceId: invoice.id, workflowId, stage: fresh.stage };
}

type CustomerRow = NonNullable<Awaited<ReturnType<Db['customer']['findUnique']>>>;

/**
 * Starts an invoice's workflow once (USE_EXISTING while it runs, REJECT_DUPLICATE after it closed). Returns whether
 * this call started it.
 */
export async function startInvoiceWorkflow(
  deps: InvoiceDeps,
  invoice: InvoiceRow,
  customer: CustomerRow,
  cache?: IntakeCache,
): Promise<boolean> {
  const { db } = deps;
  const workflowId = invoiceWorkflowId(invoice.id);
  // The segment's policy, or the track its routes name for the customer's rating.
  const policyCacheKey = `${customer.segment}\u0000${customer.rating}`;
  let policyP = cache?.policies.get(policyCacheKey);
  if (!policyP) {
    policyP = policyForCustomer(db, customer.segment, customer.rating);
    cache?.policies.set(policyCacheKey, policyP);
  }
  const policy = await policyP;
  const dueDate = invoice.dueDate.toISOString().slice(0, 10);
  const balanceMinor = toNumber(invoice.balanceMinor);
  const input: InvoiceWorkflowInput = {
    invoiceId: invoice.id,
    invoiceNumber: invoice.externalNumber,
    customerId: customer.id,
    segment: customer.segment,
    area: customer.area,
    collectorId: customer.collectorId,
    currency: invoice.currency,
    amountMinor: toNumber(invoice.amountMinor),
    balanceMinor,
    dueDate,
    overdueAt: overdueInstant(dueDate, policy.settings.timezone).toISOString(),
    policy,
  };
  let created = true;
  try {
    const handle = await deps.temporal.workflow.start('invoiceWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A closed invoice's workflow is never started again by a repeated POST.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: new TypedSearchAttributes(
        initialSearchAttributes(input, daysOverdue(dueDate, todayIn(deps.timeZone))),
      ),
    });
    if (!handle.workflowId) created = false;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    created = false;
  }
  return created;
}

/** Records a payment (once per reference) and signals it to the workflow. */
export async function recordPayment(
  deps: InvoiceDeps,
  idOrNumber: string,
  body: PaymentBody,
): Promise<{ invoiceId: string; duplicate: boolean; applied: boolean; stage: string }> {
  const invoice = await findInvoice(deps.db, idOrNumber);
  const duplicate = Boolean(
    await deps.db.payment.findUnique({
      where: { invoiceId_reference: { invoiceId: invoice.id, reference: body.reference } },
    }),
  );
  if (!duplicate) {
    await deps.db.payment.createMany({
      data: [
        {
          invoiceId: invoice.id,
          reference: body.reference,
          amountMinor: BigInt(body.amountMinor),
          paidOn: new Date(`${body.paidOn}T00:00:00Z`),
        },
      ],
      skipDuplicates: true,
    });
  }
  if (isTerminal(invoice.stage as Stage)) {
    return { invoiceId: invoice.id, duplicate, applied: false, stage: invoice.stage };
  }
  try {
    // Signalled even when the row existed: the workflow ignores a reference it has already counted, and this
    // covers a crash between the insert and the signal.
    await deps.temporal.workflow.getHandle(invoice.workflowId).signal(paymentSignal, body);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw conflict(`invoice ${invoice.externalNumber} is no longer being collected`);
    throw err;
  }
  return { invoiceId: invoice.id, duplicate, applied: true, stage: invoice.stage };
}

export interface InvoiceView {
  invoiceId: string;
  number: string;
  customerId: string;
  workflowId: string;
  source: 'workflow' | 'database';
  stage: string;
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  dueDate: string;
  daysOverdue: number;
  next: { kind: string; at: string | null } | null;
  state: InvoiceState | null;
}

/** Live state from the workflow query; the database row when the workflow is closed or unreachable. */
export async function getInvoice(deps: InvoiceDeps, idOrNumber: string): Promise<InvoiceView> {
  const row = await findInvoice(deps.db, idOrNumber);
  const dueDate = row.dueDate.toISOString().slice(0, 10);
  const base = {
    invoiceId: row.id,
    number: row.externalNumber,
    customerId: row.customerId,
    workflowId: row.workflowId,
    currency: row.currency,
    amountMinor: toNumber(row.amountMinor),
    dueDate,
  };
  if (!isTerminal(row.stage as Stage)) {
    try {
      // A short deadline: when Temporal is slow or down, the database mirror answers instead of the caller waiting.
      const state = await deps.temporal.withDeadline(Date.now() + 5000, () =>
        deps.temporal.workflow.getHandle(row.workflowId).query(invoiceStateQuery),
      );
      return {
        ...base,
        source: 'workflow',
        stage: state.stage,
        balanceMinor: state.balanceMinor,
        daysOverdue: state.daysOverdue,
        next: state.next,
        state,
      };
    } catch {
      // closed, not started yet, or Temporal unreachable: answer from the database mirror
    }
  }
  return {
    ...base,
    source: 'database',
    stage: row.stage,
    balanceMinor: toNumber(row.balanceMinor),
    daysOverdue: Math.max(0, daysOverdue(dueDate, todayIn(deps.timeZone))),
    next: row.nextActionKind ? { kind: row.nextActionKind, at: row.nextActionAt?.toISOString() ?? null } : null,
    state: null,
  };
}

/** Records a credit note / amount change / cancellation (once per reference) and signals it to the workflow. */
export async function recordAdjustment(
  deps: InvoiceDeps,
  idOrNumber: string,
  body: AdjustmentBody,
): Promise<{ invoiceId: string; duplicate: boolean; applied: boolean; stage: string }> {
  const invoice = await findInvoice(deps.db, idOrNumber);
  if (
    body.kind === 'CREDIT_NOTE' &&
    body.amountMinor !== undefined &&
    body.amountMinor > toNumber(invoice.amountMinor)
  ) {
    throw badRequest('request is not valid', [{ path: 'amountMinor', message: 'must not exceed the invoice amount' }]);
  }
  const existing = await deps.db.adjustment.findUnique({
    where: { invoiceId_reference: { invoiceId: invoice.id, reference: body.reference } },
  });
  if (existing && (existing.kind !== body.kind || toNumber(existing.amountMinor) !== (body.amountMinor ?? 0))) {
    throw conflict(`adjustment ${body.reference} was already recorded with different content`);
  }
  if (isTerminal(invoice.stage as Stage)) {
    if (existing) return { invoiceId: invoice.id, duplicate: true, applied: false, stage: invoice.stage };
    throw conflict(`invoice ${invoice.externalNumber} is closed (${invoice.stage}); the adjustment was not recorded`);
  }
  const handle = deps.temporal.workflow.getHandle(invoice.workflowId);
  const signal: InvoiceAdjusted = {
    reference: body.reference,
    kind: body.kind,
    ...(body.amountMinor !== undefined ? { amountMinor: body.amountMinor } : {}),
    ...(body.note ? { note: body.note } : {}),
  };
  try {
    // Signalled before the row is written so a closed workflow leaves nothing behind; the workflow counts a
    // reference once, so a retry after a crash between the two is harmless.
    await handle.signal(invoiceAdjustedSignal, signal);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw conflict(`invoice ${invoice.externalNumber} is no longer being collected`);
    throw err;
  }
  if (!existing) {
    await deps.db.adjustment.createMany({
      data: [
        {
          invoiceId: invoice.id,
          reference: body.reference,
          kind: body.kind,
          amountMinor: body.amountMinor === undefined ? null : BigInt(body.amountMinor),
          note: body.note ?? null,
        },
      ],
      skipDuplicates: true,
    });
  }
  return { invoiceId: invoice.id, duplicate: Boolean(existing), applied: true, stage: invoice.stage };
}

/**
 * Passes a provider's call/SMS status (Twilio callback, already recorded on the ContactEvent) to the workflow of
 * every open invoice the contact covered. A closed or unknown invoice is left alone: the contact log has it.
 */
export async function passCallStatus(
  deps: Pick<InvoiceDeps, 'db' | 'temporal'>,
  event: {
    contactEventId: string;
    invoiceId: string | null;
    invoiceIds: string[];
    channel: string;
    status: string;
    durationSeconds?: number;
  },
): Promise<void> {
  const ids = [...new Set([...(event.invoiceId ? [event.invoiceId] : []), ...event.invoiceIds])];
  const invoices = await deps.db.invoice.findMany({ where: { id: { in: ids } } });
  const status: CallStatus = {
    contactEventId: event.contactEventId,
    channel: event.channel,
    status: event.status,
    at: new Date().toISOString(),
    ...(event.durationSeconds !== undefined ? { durationSeconds: event.durationSeconds } : {}),
  };
  for (const inv of invoices) {
    if (isTerminal(inv.stage as Stage)) continue;
    try {
      await deps.temporal.workflow.getHandle(inv.workflowId).signal(callStatusSignal, status);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
}
