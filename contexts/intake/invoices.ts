/**
 * Invoice intake and reading: database rows first (an outbox: `workflowStartedAt`, `Payment.signalledAt`), then the
 * workflow; the workflow is the source of truth once it runs.
 */
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { policyForCustomer } from '../policies/routing';
import type { PolicyReader } from '../policies/store';
import { daysOverdue, overdueInstant, todayIn } from '../../domain/time';
import { recordTermEnd, termEndOf, termEndOfRow } from './term-end';
import { toMajor } from '../../domain/money';
import { invoiceStaticDetails, invoiceSummary } from '../../domain/operator-text';
import {
  callStatusSignal,
  invoiceAdjustedSignal,
  invoiceWorkflowId,
  isTerminal,
  paymentSignal,
  initialSearchAttributes,
  type CallStatus,
  type DunningPolicy,
  type InvoiceAdjusted,
  type InvoiceWorkflowInput,
  type Stage,
} from '../../workflows/contract';
import { auditRow, type Actor } from '../access/audit';
import { badRequest, conflict, HttpError, isUnavailable, notFound, type FieldProblem } from '../errors';
import type { AdjustmentBody, CreateInvoice, CustomerBlock, PaymentBody } from '../schemas';

export interface InvoiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  timeZone: string;
  /** Deadline of each Temporal call the intake makes (TEMPORAL_CALL_TIMEOUT_MS, default 5 s). */
  temporalTimeoutMs?: number;
  /** SEGUGIO_EXTRA_HOLIDAYS (`extraHolidays(config)`): local holidays that move a due date and the workflow's terms. */
  extraHolidays: readonly string[];
}

type Tx = Prisma.TransactionClient;

type InvoiceRow = NonNullable<Awaited<ReturnType<Db['invoice']['findUnique']>>>;

export async function findInvoice(db: Db, idOrNumber: string): Promise<InvoiceRow> {
  const row =
    (/^[0-9a-f-]{36}$/i.test(idOrNumber) ? await db.invoice.findUnique({ where: { id: idOrNumber } }) : null) ??
    (await db.invoice.findUnique({ where: { externalNumber: idOrNumber } }));
  if (!row) throw notFound(`invoice ${idOrNumber}`);
  return row;
}

/** Customer columns an invoice's customer block may set, in the order they are written. */
type CustomerColumn =
  | 'name'
  | 'vatNumber'
  | 'fiscalCode'
  | 'email'
  | 'phone'
  | 'pec'
  | 'addressLine'
  | 'city'
  | 'postalCode'
  | 'province'
  | 'country'
  | 'language'
  | 'segment'
  | 'area'
  | 'consumer'
  | 'creditLimitMinor'
  | 'collectorId'
  | 'salespersonId';
type CustomerValues = Partial<Record<CustomerColumn, string | boolean | bigint | null>>;

/** What a brand-new customer gets for a field its first invoice did not carry. */
const NEW_CUSTOMER_DEFAULTS: CustomerValues = { country: 'IT', language: 'it', segment: 'standard', consumer: false };

/**
 * The columns a customer block sets on a known customer: only the fields it carries. An absent field leaves the
 * stored value alone; an explicit `null` clears it (docs/api.md, "Updates never erase").
 */
export function customerUpdateOf(c: CustomerBlock): CustomerValues {
  const out: CustomerValues = { name: c.name };
  const put = (col: CustomerColumn, v: string | boolean | bigint | null | undefined): void => {
    if (v !== undefined) out[col] = v;
  };
  put('vatNumber', c.vatNumber);
  put('fiscalCode', c.fiscalCode);
  put('email', c.email);
  put('phone', c.phone);
  put('pec', c.pec);
  if (c.address === null) {
    out.addressLine = out.city = out.postalCode = out.province = null;
  } else if (c.address) {
    out.addressLine = c.address.line;
    out.city = c.address.city;
    out.postalCode = c.address.postalCode;
    put('province', c.address.province);
    put('country', c.address.country?.toUpperCase());
  }
  put('language', c.language);
  put('segment', c.segment);
  put('area', c.area);
  put('consumer', c.consumer);
  put(
    'creditLimitMinor',
    c.creditLimitMinor === undefined ? undefined : c.creditLimitMinor === null ? null : BigInt(c.creditLimitMinor),
  );
  put('collectorId', c.collectorId);
  put('salespersonId', c.salespersonId);
  return out;
}

/** The columns of a customer created from this block: what it carries, the defaults for the rest. */
export function customerInsertOf(c: CustomerBlock): CustomerValues {
  return { ...NEW_CUSTOMER_DEFAULTS, ...customerUpdateOf(c) };
}

/** Look-ups a bulk import repeats on every row (known users, segment policies), kept for one batch. */
export interface IntakeCache {
  users: Map<string, boolean>;
  policies: Map<string, Promise<DunningPolicy>>;
}
export const newIntakeCache = (): IntakeCache => ({ users: new Map(), policies: new Map() });

/**
 * The policy a new invoice of this customer starts on (the segment's, or the track its routes name for the rating),
 * read once per segment and rating for the cache's life — through `reader`, which may be the intake's own open
 * transaction. A read that failed (its transaction rolled back) is not remembered.
 */
export function intakePolicy(
  reader: PolicyReader,
  customer: { segment: string; rating: string | null },
  cache: IntakeCache,
): Promise<DunningPolicy> {
  const key = `${customer.segment}\u0000${customer.rating}`;
  let policy = cache.policies.get(key);
  if (!policy) {
    const read = policyForCustomer(reader, customer.segment, customer.rating);
    cache.policies.set(key, read);
    read.catch(() => {
      if (cache.policies.get(key) === read) cache.policies.delete(key);
    });
    policy = read;
  }
  return policy;
}

const col = (name: string) => Prisma.raw(`"${name}"`);

/**
 * One statement: inserts the customer, or updates the columns the block carries (ON CONFLICT, so concurrent first
 * invoices of one new customer never race on the unique key).
 */
async function upsertCustomer(tx: Tx, c: CustomerBlock): Promise<CustomerRow> {
  const insert = customerInsertOf(c);
  const update = customerUpdateOf(c);
  const cols = Object.keys(insert) as CustomerColumn[];
  // PEC provenance (domain/notices.ts, pecProvenanceAfterErp): an address the ERP sends is the ERP's and unverified,
  // unless it is the one already stored with a provenance (e.g. verified by a person on INI-PEC); no address, none.
  const pecProvenance =
    update.pec === undefined
      ? []
      : [
          Prisma.sql`"pecSource" = CASE WHEN EXCLUDED."pec" IS NULL THEN NULL
            WHEN lower("Customer"."pec") = lower(EXCLUDED."pec") AND "Customer"."pecSource" IS NOT NULL
            THEN "Customer"."pecSource" ELSE 'ERP' END`,
          ...(['pecVerifiedAt', 'pecVerifiedBy'] as const).map(
            (k) => Prisma.sql`${Prisma.raw(`"${k}"`)} = CASE WHEN EXCLUDED."pec" IS NOT NULL
              AND lower("Customer"."pec") = lower(EXCLUDED."pec") AND "Customer"."pecSource" IS NOT NULL
              THEN "Customer".${Prisma.raw(`"${k}"`)} ELSE NULL END`,
          ),
        ];
  const insertSource = insert.pec ? 'ERP' : null;
  const rows = await tx.$queryRaw<CustomerRow[]>`
    INSERT INTO "Customer" ("id", "externalId", "updatedAt", "pecSource", ${Prisma.join(cols.map(col))})
    VALUES (${crypto.randomUUID()}, ${c.externalId}, now(), ${insertSource},
      ${Prisma.join(cols.map((k) => insert[k] ?? null))})
    ON CONFLICT ("externalId") DO UPDATE SET "updatedAt" = now(), ${Prisma.join([
      // Provenance first: it reads the stored address before this statement replaces it.
      ...pecProvenance,
      ...(Object.keys(update) as CustomerColumn[]).map((k) => Prisma.sql`${col(k)} = EXCLUDED.${col(k)}`),
    ])}
    RETURNING *`;
  return rows[0];
}

/** What became of the invoice's workflow during this call. */
export type WorkflowOutcome =
  /** this call started it */
  | 'started'
  /** it already existed (running or closed) */
  | 'existing'
  /** Temporal did not answer in time: the intake-repair Schedule starts it (docs/workflow.md, "Intake outbox") */
  | 'pending'
  /** the invoice is closed: nothing to start */
  | 'closed';

export interface CreateResult {
  /** True for the one call that recorded this invoice number; every other call answers false. */
  created: boolean;
  invoiceId: string;
  workflowId: string;
  stage: string;
  workflow: WorkflowOutcome;
}

/**
 * Users seen to exist, for a while: an invoice names its customer's collector and salesperson, and checking them costs
 * a round trip on every creation otherwise. Only existence is remembered, and nothing in Segugio deletes a user, so a
 * remembered id stays valid (the customer's foreign key still guards it); an unknown id is looked up every time.
 */
const USER_EXISTS_TTL_MS = 5 * 60_000;
const knownUsers = new Map<string, number>();
const userKnownToExist = (id: string): boolean => (knownUsers.get(id) ?? 0) > Date.now();
function rememberUser(id: string): void {
  if (knownUsers.size > 10_000) knownUsers.clear();
  knownUsers.set(id, Date.now() + USER_EXISTS_TTL_MS);
}

/**
 * Creates or updates the customer and creates the invoice in one transaction with its audit event (exactly one per
 * invoice, whoever wins a race), then makes sure its workflow exists. A refused request (the number belongs to
 * another customer, an unknown collector) writes nothing. When Temporal is down the invoice is kept with
 * `workflowStartedAt` NULL: the answer says `workflow: 'pending'` and the intake-repair Schedule starts it later.
 */
export async function createInvoice(
  deps: InvoiceDeps,
  body: CreateInvoice,
  actor: Actor,
  cache?: IntakeCache,
): Promise<CreateResult> {
  const { db } = deps;
  const c = body.customer;
  const userIds = [c.collectorId, c.salespersonId].filter((u): u is string => Boolean(u));
  const unknown = userIds.filter((u) => cache?.users.get(u) === undefined && !userKnownToExist(u));
  if (unknown.length > 0) {
    const found = new Set(
      (await db.user.findMany({ where: { id: { in: unknown } }, select: { id: true } })).map((u) => u.id),
    );
    for (const u of unknown) cache?.users.set(u, found.has(u));
    for (const u of found) rememberUser(u);
    const fields = (
      [
        ['customer.collectorId', c.collectorId],
        ['customer.salespersonId', c.salespersonId],
      ] as const
    )
      .filter(([, id]) => id && unknown.includes(id) && !found.has(id))
      .map(([path, id]) => ({ path, message: `unknown user '${id}'` }));
    if (fields.length > 0) throw badRequest('request is not valid', fields);
  } else {
    for (const [path, id] of [
      ['customer.collectorId', c.collectorId],
      ['customer.salespersonId', c.salespersonId],
    ] as const) {
      if (id && cache?.users.get(id) === false)
        throw badRequest('request is not valid', [{ path, message: `unknown user '${id}'` }]);
    }
  }

  // The policy is read once: inside the transaction for the term end the row is written with, then for the start.
  const intake = cache ?? newIntakeCache();
  const { invoice, customer, created } = await db.$transaction(
    async (tx) => {
      const customer = await upsertCustomer(tx, c);
      // The end of the payment term is stored with the row (one round trip fewer than an UPDATE after it); the
      // workflow is started below with this very date.
      const termEnd = termEndOf(body.dueDate, await intakePolicy(tx, customer, intake), deps.extraHolidays);
      const id = crypto.randomUUID();
      const audit = auditRow(actor, 'invoice.create', 'Invoice', id, body);
      // The invoice and its audit event in one statement (one round trip): the event is written only with the row.
      const inserted = await tx.$queryRaw<InvoiceRow[]>`
        WITH i AS (
          INSERT INTO "Invoice" ("id", "externalNumber", "customerId", "currency", "amountMinor", "balanceMinor",
            "issueDate", "dueDate", "effectiveDueDate", "segment", "workflowId", "metadata", "updatedAt")
          VALUES (${id}, ${body.number}, ${customer.id}, ${body.currency}, ${BigInt(body.amountMinor)},
            ${BigInt(body.balanceMinor ?? body.amountMinor)}, ${body.issueDate}::date, ${body.dueDate}::date,
            ${termEnd}::date, ${customer.segment}, ${invoiceWorkflowId(id)},
            ${body.metadata === undefined ? null : JSON.stringify(body.metadata)}::jsonb, now())
          ON CONFLICT DO NOTHING
          RETURNING *
        ), a AS (
          INSERT INTO "AuditEvent" ("id", "actorId", "apiKeyId", "role", "action", "entityType", "entityId", "after",
            "requestId")
          SELECT ${audit.id}, ${audit.actorId}, ${audit.apiKeyId}, ${audit.role}, ${audit.action}, ${audit.entityType},
            ${audit.entityId}, ${JSON.stringify(audit.after)}::jsonb, ${audit.requestId} FROM i
        )
        SELECT * FROM i`;
      if (inserted[0]) return { invoice: inserted[0], customer, created: true };
      const existing = await tx.invoice.findUnique({ where: { externalNumber: body.number } });
      if (!existing) throw new Error(`invoice ${body.number} neither inserted nor found`);
      // Thrown inside the transaction: the customer written above is rolled back with it.
      if (existing.customerId !== customer.id)
        throw conflict(`invoice ${body.number} already belongs to another customer`);
      return { invoice: existing, customer, created: false };
    },
    // Fifty concurrent first posts of one invoice queue on its unique key: let them wait for a connection.
    { maxWait: 10_000, timeout: 15_000 },
  );
  const workflowId = invoice.workflowId;
  const workflow = await ensureWorkflow(deps, invoice, customer, intake);
  return { created, invoiceId: invoice.id, workflowId, stage: invoice.stage, workflow };
}

/** A Temporal call bounded by the configured deadline, so an outage answers within seconds instead of hanging. */
export function withTemporalDeadline<T>(
  deps: Pick<InvoiceDeps, 'temporal' | 'temporalTimeoutMs'>,
  fn: () => Promise<T>,
): Promise<T> {
  return deps.temporal.withDeadline(Date.now() + (deps.temporalTimeoutMs ?? 5000), fn);
}

/** True when Temporal did not answer (down, or past the deadline): the outbox keeps the work for the repair run. */
export function isTemporalUnreachable(err: unknown): boolean {
  const code =
    (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
    (err as { cause?: { code?: unknown } })?.cause?.code;
  // gRPC UNAVAILABLE (14), DEADLINE_EXCEEDED (4)
  return code === 14 || code === 4 || isUnavailable(err) || /deadline/i.test(String((err as Error)?.message ?? ''));
}

/**
 * Makes sure the invoice's workflow exists: starts it unless `workflowStartedAt` says it does, and records that it
 * does. Safe to call from any number of requests at once (Temporal refuses a second start of the same id).
 */
export async function ensureWorkflow(
  deps: InvoiceDeps,
  invoice: InvoiceRow,
  customer: CustomerRow,
  cache?: IntakeCache,
  opts: { mark?: boolean } = {},
): Promise<WorkflowOutcome> {
  if (invoice.workflowStartedAt) return 'existing';
  if (isTerminal(invoice.stage as Stage)) return 'closed';
  let outcome: WorkflowOutcome;
  try {
    outcome = (await startInvoiceWorkflow(deps, invoice, customer, cache)) ? 'started' : 'existing';
  } catch (err) {
    if (isTemporalUnreachable(err)) return 'pending';
    throw err;
  }
  // `mark: false`: the caller (the bulk intake) marks its started rows a group at a time.
  if (opts.mark !== false) await markWorkflowsStarted(deps.db, [invoice.id]);
  return outcome;
}

/** The outbox mark: these invoices' workflows exist (a row already marked keeps its first mark). */
export async function markWorkflowsStarted(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.$executeRaw`
    UPDATE "Invoice" SET "workflowStartedAt" = now()
    WHERE "id" = ANY(${[...ids]}::text[]) AND "workflowStartedAt" IS NULL`;
}

type CustomerRow = NonNullable<Awaited<ReturnType<Db['customer']['findUnique']>>>;

/**
 * Starts an invoice's workflow once. Returns true when this call started it, false when it already existed (running,
 * or closed: REJECT_DUPLICATE keeps a closed invoice's workflow from ever starting again).
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
  const policy = await intakePolicy(db, customer, cache ?? newIntakeCache());
  const dueDate = invoice.dueDate.toISOString().slice(0, 10);
  const balanceMinor = toNumber(invoice.balanceMinor);
  // A due date on a Sunday or holiday: the debtor paying the next business day is punctual, so the invoice is
  // overdue only from the day after that one.
  const termEnd = termEndOf(dueDate, policy, deps.extraHolidays);
  // Stored before the start, with the very date the workflow gets: the readers count days overdue from it. Written
  // even when Temporal is down (the repair run starts the workflow later with the same date). A row the intake wrote
  // a moment ago already holds it; an older row, or one whose policy has changed since, is updated.
  if (!invoice.effectiveDueDate || termEndOfRow(invoice) !== termEnd) await recordTermEnd(db, invoice.id, termEnd);
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
    overdueAt: overdueInstant(termEnd, policy.settings.timezone).toISOString(),
    policy,
    calendar: { extraHolidays: [...deps.extraHolidays] },
    // A consumer's invoice enters late only where the policy's entry band says so (docs/workflow.md).
    ...(customer.consumer ? { consumer: true } : {}),
  };
  try {
    await withTemporalDeadline(deps, () =>
      deps.temporal.workflow.start('invoiceWorkflow', {
        taskQueue: deps.taskQueue,
        workflowId,
        args: [input],
        // FAIL, not USE_EXISTING: the refusal is how a caller learns that someone else started it.
        workflowIdConflictPolicy: 'FAIL',
        // A closed invoice's workflow is never started again by a repeated POST.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: new TypedSearchAttributes(
          initialSearchAttributes(input, {
            daysOverdue: daysOverdue(termEnd, todayIn(deps.timeZone)),
            balanceMajor: toMajor(balanceMinor, input.currency),
          }),
        ),
        // What an operator reads in the Temporal UI's list and on the workflow's page (the live stage is in the
        // workflow's current details and the InvoiceStage attribute).
        staticSummary: invoiceSummary({ ...input, stage: 'OPEN' }),
        staticDetails: invoiceStaticDetails(input),
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

export interface PaymentResult {
  invoiceId: string;
  /** The reference was already recorded with the same amount and date: nothing new. */
  duplicate: boolean;
  /** The invoice workflow has the payment. */
  applied: boolean;
  /** Temporal was unreachable: recorded, and the intake-repair Schedule delivers it to the workflow. */
  pending: boolean;
  stage: string;
}

/**
 * Records a payment once per (invoice, reference) with its audit event in one statement, then signals the workflow.
 * The same reference with another amount or date is a 409 naming the fields; the identical repeat is a duplicate.
 */
export async function recordPayment(
  deps: InvoiceDeps,
  idOrNumber: string,
  body: PaymentBody,
  actor: Actor,
): Promise<PaymentResult> {
  const invoice = await findInvoice(deps.db, idOrNumber);
  const audit = auditRow(actor, 'invoice.payment', 'Invoice', invoice.id, body);
  const inserted = await deps.db.$queryRaw<Array<{ id: string }>>`
    WITH p AS (
      INSERT INTO "Payment" ("id", "invoiceId", "reference", "amountMinor", "paidOn")
      VALUES (${crypto.randomUUID()}, ${invoice.id}, ${body.reference}, ${BigInt(body.amountMinor)}, ${body.paidOn}::date)
      ON CONFLICT ("invoiceId", "reference") DO NOTHING
      RETURNING "id"
    ), a AS (
      INSERT INTO "AuditEvent" ("id", "actorId", "apiKeyId", "role", "action", "entityType", "entityId", "after", "requestId")
      SELECT ${audit.id}, ${audit.actorId}, ${audit.apiKeyId}, ${audit.role}, ${audit.action}, ${audit.entityType},
        ${audit.entityId}, ${JSON.stringify(audit.after)}::jsonb, ${audit.requestId} FROM p
    )
    SELECT "id" FROM p`;
  let paymentId = inserted[0]?.id;
  let signalled = false;
  const duplicate = !paymentId;
  if (!paymentId) {
    const existing = await deps.db.payment.findUniqueOrThrow({
      where: { invoiceId_reference: { invoiceId: invoice.id, reference: body.reference } },
    });
    const fields: FieldProblem[] = [];
    if (toNumber(existing.amountMinor) !== body.amountMinor)
      fields.push({
        path: 'amountMinor',
        message: `reference ${body.reference} was recorded with amountMinor ${toNumber(existing.amountMinor)}`,
      });
    const paidOn = existing.paidOn.toISOString().slice(0, 10);
    if (paidOn !== body.paidOn)
      fields.push({ path: 'paidOn', message: `reference ${body.reference} was recorded with paidOn ${paidOn}` });
    if (fields.length > 0)
      throw new HttpError(409, 'CONFLICT', `payment ${body.reference} was already recorded with other content`, fields);
    paymentId = existing.id;
    signalled = Boolean(existing.signalledAt);
  }
  if (isTerminal(invoice.stage as Stage)) {
    return { invoiceId: invoice.id, duplicate, applied: false, pending: false, stage: invoice.stage };
  }
  if (signalled) return { invoiceId: invoice.id, duplicate, applied: true, pending: false, stage: invoice.stage };
  const delivered = await deliverPayment(deps, invoice, paymentId, body);
  return {
    invoiceId: invoice.id,
    duplicate,
    applied: delivered === 'applied',
    pending: delivered === 'pending',
    stage: invoice.stage,
  };
}

/**
 * Signals one recorded payment to its invoice's workflow (starting the workflow first if the intake left it pending)
 * and marks it delivered. The workflow counts a reference once, so a repeated delivery is harmless.
 */
export async function deliverPayment(
  deps: InvoiceDeps,
  invoice: InvoiceRow,
  paymentId: string,
  payment: PaymentBody,
): Promise<'applied' | 'pending' | 'closed'> {
  if (!invoice.workflowStartedAt) {
    const customer = await deps.db.customer.findUniqueOrThrow({ where: { id: invoice.customerId } });
    const outcome = await ensureWorkflow(deps, invoice, customer);
    if (outcome === 'pending') return 'pending';
    if (outcome === 'closed') return 'closed';
  }
  try {
    await withTemporalDeadline(deps, () =>
      deps.temporal.workflow.getHandle(invoice.workflowId).signal(paymentSignal, payment),
    );
  } catch (err) {
    // Closed since the mirror was read: the payment stays recorded, the workflow is no longer collecting.
    if (err instanceof WorkflowNotFoundError) return 'closed';
    if (isTemporalUnreachable(err)) return 'pending';
    throw err;
  }
  await deps.db.payment.update({ where: { id: paymentId }, data: { signalledAt: new Date() } });
  return 'applied';
}

/** Records a credit note / amount change / cancellation (once per reference) and signals it to the workflow. */
export async function recordAdjustment(
  deps: InvoiceDeps,
  idOrNumber: string,
  body: AdjustmentBody,
  actor: Actor,
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
    await withTemporalDeadline(deps, () => handle.signal(invoiceAdjustedSignal, signal));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw conflict(`invoice ${invoice.externalNumber} is no longer being collected`);
    throw err;
  }
  if (!existing) {
    // The row and its audit event in one statement: a concurrent duplicate inserts neither.
    const audit = auditRow(actor, 'invoice.adjustment', 'Invoice', invoice.id, body, {
      stage: invoice.stage,
      balanceMinor: toNumber(invoice.balanceMinor),
    });
    await deps.db.$executeRaw`
      WITH adj AS (
        INSERT INTO "Adjustment" ("id", "invoiceId", "reference", "kind", "amountMinor", "note")
        VALUES (${crypto.randomUUID()}, ${invoice.id}, ${body.reference}, ${body.kind},
          ${body.amountMinor === undefined ? null : BigInt(body.amountMinor)}, ${body.note ?? null})
        ON CONFLICT ("invoiceId", "reference") DO NOTHING
        RETURNING "id"
      )
      INSERT INTO "AuditEvent" ("id", "actorId", "apiKeyId", "role", "action", "entityType", "entityId", "before",
        "after", "requestId")
      SELECT ${audit.id}, ${audit.actorId}, ${audit.apiKeyId}, ${audit.role}, ${audit.action}, ${audit.entityType},
        ${audit.entityId}, ${JSON.stringify(audit.before)}::jsonb, ${JSON.stringify(audit.after)}::jsonb,
        ${audit.requestId} FROM adj`;
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

/**
 * What would make an event of a signed ERP batch refused, found before any event is applied (the batch is all or
 * nothing): a payment or adjustment reference recorded with other content, the same reference twice in the batch
 * with different content, an adjustment on a closed invoice, a credit note above the invoice amount.
 */
export async function precheckErpEvents(
  deps: Pick<InvoiceDeps, 'db'>,
  events: Array<
    | { type: 'payment'; reference: string; amountMinor: number; paidOn: string }
    | { type: 'adjustment'; reference: string; kind: string; amountMinor?: number }
  >,
  invoiceIds: string[],
): Promise<FieldProblem[]> {
  const ids = [...new Set(invoiceIds)];
  const [invoices, payments, adjustments] = await Promise.all([
    deps.db.invoice.findMany({ where: { id: { in: ids } } }),
    deps.db.payment.findMany({ where: { invoiceId: { in: ids } } }),
    deps.db.adjustment.findMany({ where: { invoiceId: { in: ids } } }),
  ]);
  const invoiceOf = new Map(invoices.map((i) => [i.id, i]));
  const paid = new Map(payments.map((p) => [`${p.invoiceId}\u0000${p.reference}`, p]));
  const adjusted = new Map(adjustments.map((a) => [`${a.invoiceId}\u0000${a.reference}`, a]));
  const inBatch = new Map<string, string>();
  const problems: FieldProblem[] = [];
  for (const [n, ev] of events.entries()) {
    const at = (field: string) => `events.${n}.${field}`;
    const invoice = invoiceOf.get(invoiceIds[n]);
    if (!invoice) continue;
    const key = `${ev.type}\u0000${invoice.id}\u0000${ev.reference}`;
    const content = JSON.stringify(ev);
    const earlier = inBatch.get(key);
    if (earlier !== undefined && earlier !== content)
      problems.push({
        path: at('reference'),
        message: `reference ${ev.reference} appears twice with different content`,
      });
    inBatch.set(key, content);
    if (ev.type === 'payment') {
      const p = paid.get(`${invoice.id}\u0000${ev.reference}`);
      if (p && toNumber(p.amountMinor) !== ev.amountMinor)
        problems.push({
          path: at('amountMinor'),
          message: `reference ${ev.reference} was recorded with amountMinor ${toNumber(p.amountMinor)}`,
        });
      if (p && p.paidOn.toISOString().slice(0, 10) !== ev.paidOn)
        problems.push({
          path: at('paidOn'),
          message: `reference ${ev.reference} was recorded with paidOn ${p.paidOn.toISOString().slice(0, 10)}`,
        });
    } else {
      const a = adjusted.get(`${invoice.id}\u0000${ev.reference}`);
      if (a && (a.kind !== ev.kind || toNumber(a.amountMinor) !== (ev.amountMinor ?? 0)))
        problems.push({
          path: at('reference'),
          message: `adjustment ${ev.reference} was already recorded with different content`,
        });
      else if (!a && isTerminal(invoice.stage as Stage))
        problems.push({
          path: at('invoiceId'),
          message: `invoice ${invoice.externalNumber} is closed (${invoice.stage})`,
        });
      if (ev.kind === 'CREDIT_NOTE' && (ev.amountMinor ?? 0) > toNumber(invoice.amountMinor))
        problems.push({ path: at('amountMinor'), message: 'must not exceed the invoice amount' });
    }
  }
  return problems;
}
