/**
 * Console sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure and `__Host-` in production),
 * stored server-side only as its SHA-256 in `UserSession`. A session ends at its absolute expiry, after the idle
 * timeout, or when revoked (sign-out, the user disabled or their password reset). Every mutating request a session
 * authenticates must carry the session's CSRF token in `X-CSRF-Token` (checked in `authenticate`).
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../../infra/db';

export interface SessionSettings {
  idleMs: number;
  maxMs: number;
  /** Secure cookie with the `__Host-` prefix (production, behind TLS). */
  secure: boolean;
}

export const sessionSettingsOf = (c: {
  SESSION_IDLE_MINUTES: number;
  SESSION_MAX_HOURS: number;
  secure: boolean;
}): SessionSettings => ({
  idleMs: c.SESSION_IDLE_MINUTES * 60_000,
  maxMs: c.SESSION_MAX_HOURS * 3_600_000,
  secure: c.secure,
});

/** Defaults for routers built without the app's configuration (unit tests): 30 minutes idle, 12 hours at most. */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000, secure: false };

/** `__Host-` makes the browser refuse the cookie unless Secure, Path=/ and no Domain: no subdomain can plant one. */
export const cookieNameOf = (secure: boolean): string => (secure ? '__Host-segugio_session' : 'segugio_session');

const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

/**
 * The CSRF token of a session, derived from its secret token rather than stored: unguessable without the cookie,
 * which a cross-site page can neither read nor (SameSite=Strict) send. The console reads it from the sign-in answer
 * or `GET /console/api/me` and sends it back in a header.
 */
export const csrfTokenOf = (token: string): string =>
  crypto.createHash('sha256').update(`csrf\u0000${token}`).digest('base64url');

/** True when `given` is the session's CSRF token (constant-time comparison). */
export function csrfMatches(token: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(csrfTokenOf(token));
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export async function createSession(
  db: Db,
  userId: string,
  method: 'password' | 'oidc',
  settings: SessionSettings,
): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + settings.maxMs);
  await db.userSession.create({
    data: { id: `ses_${crypto.randomBytes(8).toString('hex')}`, tokenHash: sha256(token), userId, method, expiresAt },
  });
  return { token, csrfToken: csrfTokenOf(token), expiresAt };
}

/** Refreshes `lastSeenAt` at most this often: a session read on every request is not a write on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface LiveSession {
  sessionId: string;
  user: { id: string; role: string; name: string; language: string };
}

/** The live session of a token, or null (unknown, revoked, expired, idle too long, or its user disabled). */
export async function resolveSession(db: Db, token: string, settings: SessionSettings): Promise<LiveSession | null> {
  const row = await db.userSession.findUnique({ where: { tokenHash: sha256(token) }, include: { user: true } });
  const now = Date.now();
  if (!row || row.revokedAt || row.user.disabledAt) return null;
  if (row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + settings.idleMs <= now) return null;
  if (now - row.lastSeenAt.getTime() > TOUCH_EVERY_MS)
    await db.userSession.update({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
  const { id, role, name, language } = row.user;
  return { sessionId: row.id, user: { id, role, name, language } };
}

export async function revokeSession(db: Db, token: string): Promise<void> {
  await db.userSession.updateMany({
    where: { tokenHash: sha256(token), revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/** Ends every session of a user (disabled, password reset or set anew). */
export async function revokeUserSessions(db: Db, userId: string): Promise<number> {
  const r = await db.userSession.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return r.count;
}

/** The value of one cookie of the request (no cookie parser: one header, one name). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** `Set-Cookie` for a new session: HttpOnly (no script reads it), SameSite=Strict, Secure in production. */
export function sessionCookie(token: string, settings: SessionSettings): string {
  const parts = [
    `${cookieNameOf(settings.secure)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(settings.maxMs / 1000)}`,
  ];
  if (settings.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(settings: SessionSettings): string {
  return [`${cookieNameOf(settings.secure)}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0']
    .concat(settings.secure ? ['Secure'] : [])
    .join('; ');
}
