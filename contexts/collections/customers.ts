/** The customer 360 view and the contact log (notes, call logs, documents). */
import crypto from 'node:crypto';
import path from 'node:path';
import type { Request } from 'express';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { legalAssumptionsInForce, legalReport } from '../reports/legal';
import { ratingExplanation } from '../reports/rating';
import { daysOverdue, todayIn } from '../../domain/time';
import { termEndOfRow } from '../intake/term-end';
import { isTerminal, type Stage } from '../../workflows/contract';
import { actorOf, assertCustomerAccess } from '../access/access';
import type { Principal } from '../access/auth';
import { badRequest, notFound, parse } from '../errors';
import { DOCUMENT_TYPES, documentFieldsSchema, type ContactBody } from '../schemas';
import { discardUpload, receiveFile } from '../documents/uploads';

export interface CustomerDeps {
  db: Db;
  timeZone: string;
  dataDir: string;
  /** The currency credit limits are set in (SEGUGIO_DEFAULT_CURRENCY); default EUR. */
  creditLimitCurrency?: string;
}

type CustomerRow = NonNullable<Awaited<ReturnType<Db['customer']['findUnique']>>>;

export async function findCustomer(db: Db, idOrExternal: string): Promise<CustomerRow> {
  const row =
    (/^[0-9a-f-]{36}$/i.test(idOrExternal) ? await db.customer.findUnique({ where: { id: idOrExternal } }) : null) ??
    (await db.customer.findUnique({ where: { externalId: idOrExternal } }));
  if (!row) throw notFound(`customer ${idOrExternal}`);
  return row;
}

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Everything about one customer: invoices and stages, exposure, contacts, promises and how they ended, disputes. */
export async function customer360(deps: CustomerDeps, p: Principal, idOrExternal: string) {
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const today = todayIn(deps.timeZone);
  const [invoices, contacts, promises, disputes, plans, tasks, legal, documents, letters] = await Promise.all([
    deps.db.invoice.findMany({ where: { customerId: c.id }, orderBy: { dueDate: 'asc' } }),
    deps.db.contactEvent.findMany({ where: { customerId: c.id }, orderBy: { createdAt: 'desc' }, take: 50 }),
    deps.db.paymentPromise.findMany({ where: { invoice: { customerId: c.id } }, orderBy: { createdAt: 'desc' } }),
    deps.db.dispute.findMany({ where: { invoice: { customerId: c.id } }, orderBy: { openedAt: 'desc' } }),
    deps.db.repaymentPlan.findMany({ where: { invoice: { customerId: c.id } }, orderBy: { createdAt: 'desc' } }),
    deps.db.task.findMany({ where: { customerId: c.id, status: 'OPEN' }, orderBy: { dueAt: 'asc' } }),
    deps.db.legalCase.findMany({ where: { customerId: c.id } }),
    deps.db.document.findMany({ where: { customerId: c.id }, orderBy: { createdAt: 'desc' }, take: 50 }),
    deps.db.letter.findMany({ where: { customerId: c.id }, orderBy: { createdAt: 'desc' }, take: 50 }),
  ]);
  const exposure = new Map<string, { openMinor: number; overdueMinor: number; openInvoices: number }>();
  const byStage: Record<string, number> = {};
  for (const inv of invoices) {
    byStage[inv.stage] = (byStage[inv.stage] ?? 0) + 1;
    if (isTerminal(inv.stage as Stage)) continue;
    const e = exposure.get(inv.currency) ?? { openMinor: 0, overdueMinor: 0, openInvoices: 0 };
    e.openMinor += toNumber(inv.balanceMinor);
    e.openInvoices += 1;
    if (daysOverdue(termEndOfRow(inv), today) > 0) e.overdueMinor += toNumber(inv.balanceMinor);
    exposure.set(inv.currency, e);
  }
  // The rating with its factors, and the cost-benefit of every case in (or considered for) legal, per currency.
  const assumptions = await legalAssumptionsInForce(deps.db);
  const [explained, legalFigures] = await Promise.all([
    ratingExplanation(deps.db, c.id),
    Promise.all(
      [...new Set(invoices.map((i) => i.currency))].map((currency) =>
        legalReport(deps.db, { customerId: c.id, currency, asOf: today }, assumptions),
      ),
    ).then((lists) => lists.flat()),
  ]);
  const promiseStats = { open: 0, kept: 0, broken: 0, cancelled: 0 };
  for (const pr of promises) {
    const k = pr.status.toLowerCase() as keyof typeof promiseStats;
    if (k in promiseStats) promiseStats[k] += 1;
  }
  const creditLimitMinor = c.creditLimitMinor === null ? null : toNumber(c.creditLimitMinor);
  // The credit limit is an amount of one currency: balances of other currencies are never added to it.
  const limitCurrency = deps.creditLimitCurrency ?? 'EUR';
  const totalOpen = exposure.get(limitCurrency)?.openMinor ?? 0;
  const notCounted = [...exposure.keys()].filter((k) => k !== limitCurrency).sort();
  return {
    customerId: c.id,
    externalId: c.externalId,
    name: c.name,
    vatNumber: c.vatNumber,
    fiscalCode: c.fiscalCode,
    contacts: {
      email: c.email,
      phone: c.phone,
      pec: c.pec,
      // Where the PEC came from and when a person verified it (PUT /v1/customers/:id/pec).
      pecSource: c.pecSource,
      pecVerifiedAt: c.pecVerifiedAt?.toISOString() ?? null,
      pecVerifiedBy: c.pecVerifiedBy,
    },
    address: c.addressLine
      ? { line: c.addressLine, city: c.city, postalCode: c.postalCode, province: c.province, country: c.country }
      : null,
    language: c.language,
    segment: c.segment,
    area: c.area,
    consumer: c.consumer,
    rating: c.rating,
    ratingExplained: explained
      ? { score: explained.score, factors: explained.factors, computedAt: explained.computedAt }
      : null,
    collectorId: c.collectorId,
    salespersonId: c.salespersonId,
    orderBlocked: c.orderBlocked,
    creditLimitMinor,
    creditLimitCurrency: limitCurrency,
    exposure: [...exposure.entries()].map(([currency, e]) => ({ currency, ...e })),
    creditLimitUsedPercent: creditLimitMinor ? Math.round((totalOpen / creditLimitMinor) * 1000) / 10 : null,
    /** Open balances in other currencies, not counted against the limit (no exchange rate is assumed). */
    creditLimitNotCounted: notCounted,
    stages: byStage,
    invoices: invoices.map((inv) => ({
      invoiceId: inv.id,
      number: inv.externalNumber,
      stage: inv.stage,
      currency: inv.currency,
      amountMinor: toNumber(inv.amountMinor),
      balanceMinor: toNumber(inv.balanceMinor),
      dueDate: isoDay(inv.dueDate),
      effectiveDueDate: termEndOfRow(inv),
      daysOverdue: daysOverdue(termEndOfRow(inv), today),
      nextAction: inv.nextActionKind ? { kind: inv.nextActionKind, at: inv.nextActionAt?.toISOString() ?? null } : null,
    })),
    promises: {
      ...promiseStats,
      keptRatePercent:
        promiseStats.kept + promiseStats.broken > 0
          ? Math.round((promiseStats.kept / (promiseStats.kept + promiseStats.broken)) * 1000) / 10
          : null,
      items: promises.map((pr) => ({
        promiseId: pr.id,
        invoiceId: pr.invoiceId,
        promisedDate: isoDay(pr.promisedDate),
        amountMinor: toNumber(pr.amountMinor),
        status: pr.status,
        recordedBy: pr.recordedBy,
        resolvedAt: pr.resolvedAt?.toISOString() ?? null,
      })),
    },
    disputes: disputes.map((d) => ({
      disputeId: d.id,
      invoiceId: d.invoiceId,
      reasonCode: d.reasonCode,
      note: d.note,
      status: d.status,
      openedAt: d.openedAt.toISOString(),
      resolvedAt: d.resolvedAt?.toISOString() ?? null,
    })),
    plans: plans.map((pl) => ({
      planId: pl.id,
      invoiceId: pl.invoiceId,
      status: pl.status,
      instalments: pl.instalments,
    })),
    openTasks: tasks.map((t) => ({
      taskId: t.id,
      kind: t.kind,
      invoiceId: t.invoiceId,
      dueAt: t.dueAt.toISOString(),
      assigneeId: t.assigneeId,
    })),
    legalCases: legal.map((l) => ({
      caseId: l.id,
      invoiceId: l.invoiceId,
      status: l.status,
      lawyer: l.lawyer,
      costsMinor: toNumber(l.costsMinor),
      recoveredMinor: toNumber(l.recoveredMinor),
    })),
    legalCostBenefit: legalFigures,
    recentContacts: contacts.map(contactView),
    documents: documents.map(documentView),
    /** The customer's letters, newest first (50 at most); each PDF is served under the invoice it was sent for. */
    letters: letters.map((l) => {
      const invoiceId = l.invoiceId ?? l.invoiceIds[0] ?? null;
      return {
        letterId: l.id,
        invoiceId,
        invoiceIds: l.invoiceIds,
        template: l.template,
        language: l.language,
        createdAt: l.createdAt.toISOString(),
        href: invoiceId ? `/v1/invoices/${invoiceId}/letters/${l.id}` : null,
      };
    }),
  };
}

type ContactRow = Awaited<ReturnType<Db['contactEvent']['findMany']>>[number];
type DocumentRow = Awaited<ReturnType<Db['document']['findMany']>>[number];

const contactView = (e: ContactRow) => ({
  contactId: e.id,
  at: (e.sentAt ?? e.createdAt).toISOString(),
  invoiceId: e.invoiceId,
  channel: e.channel,
  direction: e.direction,
  stage: e.stage,
  template: e.template,
  status: e.status,
  outcome: e.outcome,
  reasonCode: e.reasonCode,
  subject: e.subject,
  body: e.channel === 'NOTE' || e.channel === 'CALL_LOG' ? e.body : null,
  actorId: e.actorId,
  letterId: e.letterId,
});

const documentView = (d: DocumentRow) => ({
  documentId: d.id,
  invoiceId: d.invoiceId,
  filename: d.filename,
  mimeType: d.mimeType,
  sha256: d.sha256,
  sizeBytes: d.sizeBytes,
  uploadedBy: d.uploadedBy,
  createdAt: d.createdAt.toISOString(),
});

/** The contact log of a customer, newest first, with its documents. */
export async function listContacts(
  deps: CustomerDeps,
  p: Principal,
  idOrExternal: string,
  page: number,
  pageSize: number,
) {
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const [items, total, documents] = await Promise.all([
    deps.db.contactEvent.findMany({
      where: { customerId: c.id },
      orderBy: { createdAt: 'desc' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    deps.db.contactEvent.count({ where: { customerId: c.id } }),
    deps.db.document.findMany({ where: { customerId: c.id }, orderBy: { createdAt: 'desc' }, take: 100 }),
  ]);
  return {
    customerId: c.id,
    items: items.map(contactView),
    documents: documents.map(documentView),
    page,
    pageSize,
    total,
  };
}

async function invoiceOfCustomer(db: Db, customerId: string, invoiceId: string | undefined): Promise<string | null> {
  if (!invoiceId) return null;
  const inv =
    (/^[0-9a-f-]{36}$/i.test(invoiceId) ? await db.invoice.findUnique({ where: { id: invoiceId } }) : null) ??
    (await db.invoice.findUnique({ where: { externalNumber: invoiceId } }));
  if (!inv || inv.customerId !== customerId) {
    throw badRequest('request is not valid', [{ path: 'invoiceId', message: 'is not an invoice of this customer' }]);
  }
  return inv.id;
}

/**
 * Records a note or a call log. An `Idempotency-Key` header makes a retried request record it once.
 */
export async function addContact(deps: CustomerDeps, req: Request, idOrExternal: string, body: ContactBody) {
  const p = req.principal as Principal;
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const invoiceId = await invoiceOfCustomer(deps.db, c.id, body.invoiceId);
  const key = idempotencyKey(req);
  const idempotencyKeyValue = `api:${p.keyId}:${key ?? crypto.randomUUID()}`;
  const existing = await deps.db.contactEvent.findUnique({ where: { idempotencyKey: idempotencyKeyValue } });
  if (existing) return { created: false, contact: contactView(existing) };
  const row = await deps.db.contactEvent.create({
    data: {
      idempotencyKey: idempotencyKeyValue,
      customerId: c.id,
      invoiceId,
      invoiceIds: invoiceId ? [invoiceId] : [],
      channel: body.kind,
      direction: body.direction ?? (body.kind === 'CALL_LOG' ? 'OUT' : 'IN'),
      status: 'COMPLETED',
      provider: 'collector',
      body: body.body,
      outcome: body.outcome ?? null,
      reasonCode: body.reasonCode ?? null,
      actorId: actorOf(req).actorId,
      sentAt: new Date(),
    },
  });
  return { created: true, contact: contactView(row) };
}

export function idempotencyKey(req: Request): string | undefined {
  const k = req.header('idempotency-key');
  if (k === undefined) return undefined;
  if (!/^[\w.:-]{1,128}$/.test(k)) {
    throw badRequest('request is not valid', [
      { path: 'Idempotency-Key', message: 'must be 1–128 letters, digits, or . _ : -' },
    ]);
  }
  return k;
}

export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** Stores an uploaded document under the data directory by its SHA-256 and records it. */
export async function addDocument(deps: CustomerDeps, req: Request, idOrExternal: string) {
  const p = req.principal as Principal;
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const dir = path.join(deps.dataDir, 'documents');
  const file = await receiveFile(req, dir, { limitBytes: MAX_DOCUMENT_BYTES, defaultName: 'document' });
  const referenced = async () => (await deps.db.document.count({ where: { sha256: file.sha256 } })) > 0;
  try {
    const fields = parse(documentFieldsSchema, { kind: 'DOCUMENT', ...file.fields });
    if (!(DOCUMENT_TYPES as readonly string[]).includes(file.mimeType)) {
      throw badRequest('request is not valid', [
        { path: 'file', message: `type ${file.mimeType} is not accepted; use one of ${DOCUMENT_TYPES.join(', ')}` },
      ]);
    }
    const invoiceId = await invoiceOfCustomer(deps.db, c.id, fields.invoiceId);
    const same = await deps.db.document.findFirst({ where: { customerId: c.id, sha256: file.sha256, invoiceId } });
    if (same) return { created: false, document: documentView(same) };
    const doc = await deps.db.document.create({
      data: {
        customerId: c.id,
        invoiceId,
        filename: file.filename,
        mimeType: file.mimeType,
        path: file.path,
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        uploadedBy: actorOf(req).actorId,
      },
    });
    return { created: true, document: documentView(doc) };
  } catch (err) {
    await discardUpload(file, await referenced());
    throw err;
  }
}
