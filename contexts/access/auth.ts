/**
 * Who is calling. ERPs and scripts send an API key with a role: `sg_<random>`, only its SHA-256 stored, as
 * `Authorization: Bearer <key>` or `X-API-Key: <key>`. People in the console send their session cookie
 * (contexts/access/sessions.ts), and the session's CSRF token with every mutating request.
 */
import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../../infra/db';
import { HttpError } from '../errors';
import {
  cookieNameOf,
  csrfMatches,
  csrfTokenOf,
  DEFAULT_SESSION_SETTINGS,
  readCookie,
  resolveSession,
  type SessionSettings,
} from './sessions';

export const ROLES = ['erp', 'collector', 'manager', 'admin', 'salesperson'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** The API key's id, or the session's for a signed-in person (what per-caller limits and update ids key on). */
  keyId: string;
  role: Role;
  userId: string | null;
  /** How the caller authenticated; absent means an API key. */
  via?: 'key' | 'session';
  /** A session's CSRF token, for the console to send back on changes (GET /console/api/me answers it). */
  csrfToken?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}

export const hashKey = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');

export function generateKey(): string {
  // `sg_dev_` marks the published dev keys: a generated key never starts that way.
  for (;;) {
    const key = `sg_${crypto.randomBytes(24).toString('base64url')}`;
    if (!isDevKey(key)) return key;
  }
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

/** The published dev keys (`sg_dev_…`): anyone can read them in the README. */
const isDevKey = (key: string): boolean => key.startsWith('sg_dev_');

/** Methods that change nothing: the only ones a session may send without its CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the caller from its key (cached briefly: keys are looked up on every request) or, without a key, from the
 * console's session cookie. Dev keys are refused unless `allowDevKeys` (infra/config.ts `devKeysAllowed`), whatever
 * the database says about them; a key bound to a disabled user is refused like a revoked one.
 */
export function authenticate(
  db: Db,
  // The API passes its decision; a bare router (reports and unit tests) takes dev keys only inside the test runner.
  opts: { allowDevKeys: boolean; sessions?: SessionSettings } = {
    allowDevKeys: process.env.JEST_WORKER_ID !== undefined,
  },
): RequestHandler {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const sessions = opts.sessions ?? DEFAULT_SESSION_SETTINGS;
  const cookieName = cookieNameOf(sessions.secure);
  return async (req, _res, next) => {
    const key = presentedKey(req.header('authorization'), req.header('x-api-key'));
    if (!key) {
      const token = readCookie(req, cookieName);
      if (!token) return next(new HttpError(401, 'UNAUTHENTICATED', 'missing API key (Authorization: Bearer <key>)'));
      const live = await resolveSession(db, token, sessions);
      if (!live) return next(new HttpError(401, 'UNAUTHENTICATED', 'the session has ended: sign in again'));
      if (!SAFE_METHODS.has(req.method) && !csrfMatches(token, req.header('x-csrf-token')))
        return next(new HttpError(403, 'CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token for this session'));
      req.principal = {
        keyId: live.sessionId,
        role: live.user.role as Role,
        userId: live.user.id,
        via: 'session',
        csrfToken: csrfTokenOf(token),
      };
      return next();
    }
    if (isDevKey(key) && !opts.allowDevKeys)
      return next(new HttpError(401, 'UNAUTHENTICATED', 'dev API keys are refused outside dev mode'));
    const hash = hashKey(key);
    const hit = cache.get(hash);
    let principal: Principal | null;
    if (hit && hit.until > Date.now()) principal = hit.principal;
    else {
      const row = await db.apiKey.findUnique({ where: { hash }, include: { user: { select: { disabledAt: true } } } });
      principal =
        row && !row.revokedAt && !row.user?.disabledAt
          ? { keyId: row.id, role: row.role as Role, userId: row.userId, via: 'key' }
          : null;
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
