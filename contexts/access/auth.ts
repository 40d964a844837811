/**
 * API keys with roles. A key is `sg_<random>`; only its SHA-256 is stored. Sent as `Authorization: Bearer <key>`
 * or `X-API-Key: <key>`.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../../infra/db';
import { HttpError } from '../errors';

export const ROLES = ['erp', 'collector', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  keyId: string;
  role: Role;
  userId: string | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}

export const hashKey = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');

export function generateKey(): string {
  return `sg_${crypto.randomBytes(24).toString('base64url')}`;
}

export async function createApiKey(
  db: Db,
  input: { label: string; role: Role; userId?: string | null; key?: string },
): Promise<{ id: string; key: string }> {
  const key = input.key ?? generateKey();
  const id = `key_${crypto.randomBytes(8).toString('hex')}`;
  await db.apiKey.create({
    data: {
      id,
      label: input.label,
      prefix: key.slice(0, 7),
      hash: hashKey(key),
      role: input.role,
      userId: input.userId ?? null,
    },
  });
  return { id, key };
}

function presentedKey(header: string | undefined, xApiKey: string | undefined): string | undefined {
  if (xApiKey) return xApiKey.trim();
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return undefined;
}

/** Resolves the caller from its key (cached briefly: keys are looked up on every request). */
export function authenticate(db: Db): RequestHandler {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  return async (req, _res, next) => {
    const key = presentedKey(req.header('authorization'), req.header('x-api-key'));
    if (!key) return next(new HttpError(401, 'UNAUTHENTICATED', 'missing API key (Authorization: Bearer <key>)'));
    const hash = hashKey(key);
    const hit = cache.get(hash);
    let principal: Principal | null;
    if (hit && hit.until > Date.now()) principal = hit.principal;
    else {
      const row = await db.apiKey.findUnique({ where: { hash } });
      principal = row && !row.revokedAt ? { keyId: row.id, role: row.role as Role, userId: row.userId } : null;
      cache.set(hash, { principal, until: Date.now() + 10_000 });
      if (row && principal)
        void db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
    }
    if (!principal) return next(new HttpError(401, 'UNAUTHENTICATED', 'unknown or revoked API key'));
    req.principal = principal;
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const role = req.principal?.role;
    if (!role) return next(new HttpError(401, 'UNAUTHENTICATED', 'missing API key'));
    if (role !== 'admin' && !roles.includes(role)) {
      return next(new HttpError(403, 'FORBIDDEN', `role '${role}' may not call this route`));
    }
    next();
  };
}
