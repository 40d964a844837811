/** Append-only audit trail: every mutating call records who did what, with which key. */
import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../../infra/db';

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
  apiKeyId: req.principal?.keyId ?? null,
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
