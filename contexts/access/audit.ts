/** Append-only audit trail: every mutating call records who did what, with which key. */
import type { Request } from 'express';
import type { Db } from '../../infra/db';

export async function audit(
  db: Db,
  req: Request,
  action: string,
  entityType: string,
  entityId: string | null,
  after?: unknown,
  before?: unknown,
): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: req.principal?.userId ?? req.principal?.keyId ?? null,
      apiKeyId: req.principal?.keyId ?? null,
      role: req.principal?.role ?? null,
      action,
      entityType,
      entityId,
      before: before === undefined ? undefined : JSON.parse(JSON.stringify(before, bigintReplacer)),
      after: after === undefined ? undefined : JSON.parse(JSON.stringify(after, bigintReplacer)),
      requestId: req.requestId ?? null,
    },
  });
}

const bigintReplacer = (_k: string, v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);
