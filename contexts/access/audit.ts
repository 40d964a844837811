/** Append-only audit trail: every mutating call records who did what, with which key. */
import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../../infra/db';
import { zonedMidnight } from '../../domain/time';

/** Who caused a change: an API key's principal, or a named system path (ERP webhook, CSV inbox, import). */
export interface Actor {
  actorId: string | null;
  apiKeyId: string | null;
  role: string | null;
  requestId: string | null;
  /** The path a system change came by (`erp-csv`, `erp-webhook`, `import`), recorded in the event's `after`. */
  source?: string;
}

export const actorOfRequest = (req: Request): Actor => ({
  actorId: req.principal?.userId ?? req.principal?.keyId ?? null,
  // A signed-in person acted through a session, not a key: the session id is no key id.
  apiKeyId: req.principal?.via === 'session' ? null : (req.principal?.keyId ?? null),
  role: req.principal?.role ?? null,
  requestId: req.requestId ?? null,
});

/** A change no API key made: the signed ERP webhook, the ERP CSV inbox, a bulk import's rows. */
export const systemActor = (
  actorId: string,
  opts: { role?: string; source?: string; requestId?: string | null } = {},
): Actor => ({
  actorId,
  apiKeyId: null,
  role: opts.role ?? 'system',
  requestId: opts.requestId ?? null,
  ...(opts.source ? { source: opts.source } : {}),
});

const bigintReplacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
const asJson = (v: unknown): object | undefined =>
  v === undefined ? undefined : (JSON.parse(JSON.stringify(v, bigintReplacer)) as object);

/** The row of one audit event, for callers writing it inside their own transaction or statement. */
export function auditRow(
  actor: Actor,
  action: string,
  entityType: string,
  entityId: string | null,
  after?: unknown,
  before?: unknown,
) {
  return {
    id: crypto.randomUUID(),
    actorId: actor.actorId,
    apiKeyId: actor.apiKeyId,
    role: actor.role,
    action,
    entityType,
    entityId,
    before: asJson(before),
    after: asJson(actor.source && after && typeof after === 'object' ? { ...after, source: actor.source } : after),
    requestId: actor.requestId,
  };
}

export async function audit(
  db: Db,
  req: Request,
  action: string,
  entityType: string,
  entityId: string | null,
  after?: unknown,
  before?: unknown,
): Promise<void> {
  await db.auditEvent.create({ data: auditRow(actorOfRequest(req), action, entityType, entityId, after, before) });
}

/** Filters of the managers' audit-log viewer (all optional; days are the business time zone's). */
export interface AuditFilter {
  actor?: string;
  /** Invoice number or id: that invoice's events. */
  invoice?: string;
  /** Customer code or id: the customer's events and those of its invoices. */
  customer?: string;
  /** Action, or its family with a trailing dot (`decision.`). */
  action?: string;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

/**
 * A page of audit events, newest first, with the names of the people and the invoice numbers and customer names
 * they concern. An invoice or customer that does not exist matches nothing (an empty page, not an error).
 */
export async function listAuditEvents(db: Db, f: AuditFilter, timeZone: string) {
  const where: Record<string, unknown>[] = [];
  if (f.actor) where.push({ actorId: f.actor });
  if (f.action) where.push(f.action.endsWith('.') ? { action: { startsWith: f.action } } : { action: f.action });
  if (f.from) where.push({ at: { gte: zonedMidnight(f.from, timeZone) } });
  if (f.to) {
    const next = new Date(`${f.to}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    where.push({ at: { lt: zonedMidnight(next.toISOString().slice(0, 10), timeZone) } });
  }
  if (f.invoice) {
    const inv = await db.invoice.findFirst({ where: { OR: [{ externalNumber: f.invoice }, { id: f.invoice }] } });
    where.push({ entityType: 'Invoice', entityId: inv?.id ?? '\u0000none' });
  }
  if (f.customer) {
    const c = await db.customer.findFirst({ where: { OR: [{ externalId: f.customer }, { id: f.customer }] } });
    const invoices = c
      ? await db.invoice.findMany({ where: { customerId: c.id }, select: { id: true }, take: 5000 })
      : [];
    where.push({
      OR: [
        { entityType: 'Customer', entityId: c?.id ?? '\u0000none' },
        { entityType: 'Invoice', entityId: { in: invoices.map((i) => i.id) } },
      ],
    });
  }
  const filter = { AND: where };
  const [actors, total, rows] = await Promise.all([
    db.user.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } }),
    db.auditEvent.count({ where: filter }),
    db.auditEvent.findMany({
      where: filter,
      orderBy: [{ at: 'desc' }, { id: 'asc' }],
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
    }),
  ]);
  const ids = (type: string) => [
    ...new Set(rows.filter((r) => r.entityType === type && r.entityId).map((r) => r.entityId!)),
  ];
  const [users, invoices, customers] = await Promise.all([
    db.user.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.actorId).filter((a): a is string => !!a))] } },
    }),
    db.invoice.findMany({ where: { id: { in: ids('Invoice') } }, include: { customer: { select: { name: true } } } }),
    db.customer.findMany({ where: { id: { in: ids('Customer') } }, select: { id: true, name: true } }),
  ]);
  const userName = new Map(users.map((u) => [u.id, u.name]));
  const invoice = new Map(invoices.map((i) => [i.id, i]));
  const customer = new Map(customers.map((c) => [c.id, c.name]));
  return {
    /** Everyone who can act, for the viewer's actor filter. */
    actors,
    total,
    page: f.page,
    pageSize: f.pageSize,
    items: rows.map((r) => {
      const inv = r.entityType === 'Invoice' && r.entityId ? invoice.get(r.entityId) : undefined;
      return {
        id: r.id,
        at: r.at.toISOString(),
        actorId: r.actorId,
        actorName: (r.actorId && userName.get(r.actorId)) ?? null,
        role: r.role,
        viaKey: r.apiKeyId,
        action: r.action,
        entityType: r.entityType,
        entityId: r.entityId,
        invoiceNumber: inv?.externalNumber ?? null,
        customerName:
          inv?.customer.name ?? (r.entityType === 'Customer' && r.entityId ? customer.get(r.entityId) : null) ?? null,
        before: r.before,
        after: r.after,
        requestId: r.requestId,
      };
    }),
  };
}
