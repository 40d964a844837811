/**
 * The debtor's personal portal links. A link is a token scoped to one customer: 128 bits, base32, derived as
 * HMAC-SHA256(PORTAL_LINK_SECRET, nonce) from a random per-link nonce. Only its SHA-256 is stored, so the database alone
 * opens nothing, and the secret alone opens nothing either; the sending activity can still re-derive the same token on
 * a retry (a retried send carries the same link, never a second live one). One live link per customer
 * (`currentFor` is unique); each message that carries it pushes its expiry to PORTAL_LINK_TTL_DAYS later.
 * Revoking ends it at once; the next message mints a new one.
 */
import crypto from 'node:crypto';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';

/** Dev and test only: a fixed secret so that links survive restarts of `npm run dev` (production requires its own). */
const DEV_SECRET = Buffer.from('segugio-dev-portal-link-secret-not-for-production', 'utf8');

export type PortalConfig = Pick<
  Config,
  | 'SEGUGIO_MODE'
  | 'PORTAL_BASE_URL'
  | 'PORTAL_LINK_SECRET'
  | 'PORTAL_LINK_TTL_DAYS'
  | 'PUBLIC_BASE_URL'
  | 'HOST'
  | 'PORT'
>;

export function portalSecret(config: Pick<Config, 'PORTAL_LINK_SECRET'>): Buffer {
  return config.PORTAL_LINK_SECRET ? Buffer.from(config.PORTAL_LINK_SECRET, 'base64') : DEV_SECRET;
}

/**
 * Where links point: PORTAL_BASE_URL, else (dev and test only) the API itself. Null in production without one: the
 * portal is off and messages carry no link.
 */
export function portalBaseUrl(config: PortalConfig): string | null {
  const base =
    config.PORTAL_BASE_URL ??
    (config.SEGUGIO_MODE === 'production' ? null : (config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`));
  return base ? base.replace(/\/+$/, '') : null;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, no padding (case-insensitive to type from a letter, no +/= to break a URL). */
export function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** The token of a link: the first 128 bits of HMAC-SHA256(secret, nonce), base32 (26 characters). */
export function tokenOf(secret: Buffer, nonce: string): string {
  return base32(crypto.createHmac('sha256', secret).update(`portal-link:${nonce}`).digest().subarray(0, 16));
}

/** What is stored and looked up: SHA-256 of the token, hex. */
export const hashToken = (token: string): string => crypto.createHash('sha256').update(token).digest('hex');

/** A token's shape; anything else is refused before the database is asked. */
export const TOKEN_SHAPE = /^[a-z2-7]{26}$/;

export interface IssuedLink {
  linkId: string;
  token: string;
  /** `<base>/p/<token>`. */
  url: string;
  /** The same without the scheme, to print on a letter. */
  shortUrl: string;
}

const DAY_MS = 86_400_000;

type LinkRow = NonNullable<Awaited<ReturnType<Db['portalLink']['findUnique']>>>;

export function isLive(link: Pick<LinkRow, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  return !link.revokedAt && link.expiresAt.getTime() > now.getTime();
}

function issued(config: PortalConfig, base: string, link: LinkRow): IssuedLink {
  const token = tokenOf(portalSecret(config), link.nonce);
  const url = `${base}/p/${token}`;
  return { linkId: link.id, token, url, shortUrl: url.replace(/^https?:\/\//, '') };
}

/**
 * The customer's live link for a message going out now, minting one when they have none (or it expired or was
 * revoked), and moving its expiry to now + TTL. Concurrent callers converge on one link through the unique
 * `currentFor`. Null when the portal is off.
 */
export async function linkForMessage(
  deps: { db: Db; config: PortalConfig },
  customerId: string,
  now: Date,
): Promise<IssuedLink | null> {
  const { db, config } = deps;
  const base = portalBaseUrl(config);
  if (!base) return null;
  const expiresAt = new Date(now.getTime() + config.PORTAL_LINK_TTL_DAYS * DAY_MS);
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await db.portalLink.findUnique({ where: { currentFor: customerId } });
    if (current && isLive(current, now)) {
      const touched = await db.portalLink.update({
        where: { id: current.id },
        data: { lastSentAt: now, expiresAt: expiresAt > current.expiresAt ? expiresAt : current.expiresAt },
      });
      return issued(config, base, touched);
    }
    if (current) {
      // Expired or revoked: it stays in the table (audit), no longer current.
      await db.portalLink.updateMany({ where: { id: current.id, currentFor: customerId }, data: { currentFor: null } });
    }
    const nonce = crypto.randomBytes(32).toString('base64url');
    try {
      const created = await db.portalLink.create({
        data: {
          customerId,
          nonce,
          tokenHash: hashToken(tokenOf(portalSecret(config), nonce)),
          currentFor: customerId,
          expiresAt,
          lastSentAt: now,
        },
      });
      return issued(config, base, created);
    } catch (err) {
      // Another send minted one at the same moment: use theirs.
      if ((err as { code?: string }).code !== 'P2002') throw err;
    }
  }
  throw new Error(`could not settle on one portal link for customer ${customerId}`);
}

/** A token's link when it opens a page now (right shape, known, not revoked, not expired); null otherwise. */
export async function resolveToken(db: Db, token: string, now: Date): Promise<LinkRow | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const link = await db.portalLink.findUnique({ where: { tokenHash: hashToken(token) } });
  return link && isLive(link, now) ? link : null;
}

/** The links of a customer, newest first, as the console shows them (never the token). */
export async function listLinks(db: Db, customerId: string, now: Date) {
  const rows = await db.portalLink.findMany({ where: { customerId }, orderBy: { createdAt: 'desc' }, take: 50 });
  return rows.map((l) => ({
    id: l.id,
    createdAt: l.createdAt.toISOString(),
    expiresAt: l.expiresAt.toISOString(),
    lastSentAt: l.lastSentAt?.toISOString() ?? null,
    lastOpenedAt: l.lastOpenedAt?.toISOString() ?? null,
    revokedAt: l.revokedAt?.toISOString() ?? null,
    revokedBy: l.revokedBy,
    status: l.revokedAt ? 'REVOKED' : l.expiresAt <= now ? 'EXPIRED' : 'LIVE',
  }));
}

/** Revokes a link of this customer (idempotent: revoking twice keeps the first revocation). */
export async function revokeLink(
  db: Db,
  customerId: string,
  linkId: string,
  by: string,
  now: Date,
): Promise<{ revoked: boolean } | null> {
  const link = await db.portalLink.findFirst({ where: { id: linkId, customerId } });
  if (!link) return null;
  if (link.revokedAt) return { revoked: false };
  await db.portalLink.update({
    where: { id: link.id },
    data: { revokedAt: now, revokedBy: by, currentFor: null },
  });
  return { revoked: true };
}

/**
 * The form token of a link's page (CSRF): HMAC of the link id under the same secret, checked in constant time. The
 * session cookie is SameSite=Lax already; this stops a form posted from another site by a browser that ignores it.
 */
export function csrfTokenOf(config: Pick<Config, 'PORTAL_LINK_SECRET'>, linkId: string): string {
  return crypto.createHmac('sha256', portalSecret(config)).update(`portal-csrf:${linkId}`).digest('base64url');
}

export function csrfValid(config: Pick<Config, 'PORTAL_LINK_SECRET'>, linkId: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const want = Buffer.from(csrfTokenOf(config, linkId));
  const got = Buffer.from(given);
  return got.length === want.length && crypto.timingSafeEqual(got, want);
}
