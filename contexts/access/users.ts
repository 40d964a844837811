/**
 * People: accounts an admin manages (invite, disable, reset, role, customers), one-time links to set a password,
 * and sign-in with e-mail and password. API keys stay for ERPs and scripts (auth.ts).
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../infra/db';
import { markCollectorChanged } from '../collections/collector-sync';
import { badRequest, conflict, HttpError, notFound } from '../errors';
import { isDevCredential } from './dev-keys';
import { hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyNothing, verifyPassword } from './passwords';
import { revokeUserSessions } from './sessions';

/** Roles a person can have (`erp` is for API keys only). */
export const USER_ROLES = ['collector', 'manager', 'admin', 'salesperson'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** Roles bound to customers: a collector works them, a salesperson follows them. */
const BOUND_ROLES = { collector: 'collectorId', salesperson: 'salespersonId' } as const;

const email = z.string().trim().toLowerCase().max(254).email();
const customerCodes = z.array(z.string().trim().min(1).max(64)).max(500);

export const inviteSchema = z
  .object({
    email,
    name: z.string().trim().min(1).max(200),
    role: z.enum(USER_ROLES),
    language: z.enum(['it', 'en', 'fr']).default('it'),
  })
  .strict();
export const roleSchema = z.object({ role: z.enum(USER_ROLES) }).strict();
export const emptySchema = z.object({}).strict();
export const bindSchema = z
  .object({
    add: customerCodes.optional().meta({ description: 'Customer codes (externalId) to bind to this user' }),
    remove: customerCodes.optional().meta({ description: 'Customer codes to unbind' }),
  })
  .strict();
export const password = z.string().min(PASSWORD_MIN).max(PASSWORD_MAX);
export const signInSchema = z.object({ email, password: z.string().min(1).max(PASSWORD_MAX) }).strict();
export const setPasswordSchema = z.object({ token: z.string().min(20).max(200), password }).strict();

export interface UserView {
  id: string;
  name: string;
  email: string | null;
  role: string;
  language: string;
  status: 'invited' | 'active' | 'disabled';
  sso: boolean;
  customers: number;
  createdAt: string;
}

type UserRow = {
  id: string;
  name: string;
  email: string | null;
  role: string;
  language: string;
  passwordHash: string | null;
  disabledAt: Date | null;
  oidcSubject: string | null;
  createdAt: Date;
  _count?: { collectorCustomers: number; salesCustomers: number };
};

const COUNTS = { _count: { select: { collectorCustomers: true, salesCustomers: true } } } as const;

export function viewOf(u: UserRow): UserView {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    language: u.language,
    status: u.disabledAt ? 'disabled' : u.passwordHash || u.oidcSubject ? 'active' : 'invited',
    sso: u.oidcSubject !== null,
    customers: u.role === 'salesperson' ? (u._count?.salesCustomers ?? 0) : (u._count?.collectorCustomers ?? 0),
    createdAt: u.createdAt.toISOString(),
  };
}

export async function listUsers(db: Db): Promise<UserView[]> {
  const rows = await db.user.findMany({ orderBy: { name: 'asc' }, include: COUNTS });
  return rows.map(viewOf);
}

async function findUser(db: Db, id: string) {
  const u = await db.user.findUnique({ where: { id }, include: COUNTS });
  if (!u) throw notFound(`user ${id}`);
  return u;
}

const sha256 = (s: string): string => crypto.createHash('sha256').update(s).digest('hex');

export interface Link {
  token: string;
  /** The console page where the token sets a password; the token travels in the fragment, never to a server log. */
  url: string;
  expiresAt: string;
}

/** A new one-time link for the user; any earlier unused one stops working. */
async function issueLink(
  db: Db,
  userId: string,
  purpose: 'INVITE' | 'RESET',
  opts: { createdBy: string | null; ttlHours: number; consoleUrl: string },
): Promise<Link> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + opts.ttlHours * 3_600_000);
  await db.$transaction([
    db.userToken.updateMany({ where: { userId, usedAt: null }, data: { expiresAt: new Date() } }),
    db.userToken.create({
      data: {
        id: `tok_${crypto.randomBytes(8).toString('hex')}`,
        tokenHash: sha256(token),
        userId,
        purpose,
        createdBy: opts.createdBy,
        expiresAt,
      },
    }),
  ]);
  const base = opts.consoleUrl.replace(/\/+$/, '');
  return { token, url: `${base}/console/#/password/${token}`, expiresAt: expiresAt.toISOString() };
}

export interface LinkOptions {
  createdBy: string | null;
  ttlHours: number;
  /** Where the console is reached, e.g. https://crediti.example.com (CONSOLE_PUBLIC_URL or the request's origin). */
  consoleUrl: string;
}

/** Creates the account (no password yet) and its invitation link. */
export async function inviteUser(
  db: Db,
  input: z.output<typeof inviteSchema>,
  opts: LinkOptions,
): Promise<{ user: UserView; invitation: Link }> {
  if (await db.user.findUnique({ where: { email: input.email } }))
    throw new HttpError(409, 'EMAIL_TAKEN', `a user with e-mail ${input.email} exists already`, [
      { path: 'email', message: 'is already used by another user', code: 'taken' },
    ]);
  const id = `u_${crypto.randomBytes(6).toString('hex')}`;
  const user = await db.user.create({ data: { id, ...input }, include: COUNTS });
  return { user: viewOf(user), invitation: await issueLink(db, id, 'INVITE', opts) };
}

/** The admin must keep a way in: nobody disables or demotes their own account. */
function refuseSelf(actorUserId: string | null, id: string, what: string): void {
  if (actorUserId === id) throw new HttpError(409, 'SELF_LOCKOUT', `you cannot ${what} your own account`);
}

export async function disableUser(db: Db, id: string, actorUserId: string | null): Promise<UserView> {
  refuseSelf(actorUserId, id, 'disable');
  await findUser(db, id);
  const u = await db.user.update({ where: { id }, data: { disabledAt: new Date() }, include: COUNTS });
  await revokeUserSessions(db, id);
  return viewOf(u);
}

export async function enableUser(db: Db, id: string): Promise<UserView> {
  await findUser(db, id);
  return viewOf(await db.user.update({ where: { id }, data: { disabledAt: null }, include: COUNTS }));
}

/** Clears the password, ends every session and returns a new one-time link to set another. */
export async function resetPassword(db: Db, id: string, opts: LinkOptions): Promise<{ user: UserView; reset: Link }> {
  const before = await findUser(db, id);
  if (before.disabledAt) throw conflict(`user ${id} is disabled: enable them first`);
  const u = await db.user.update({ where: { id }, data: { passwordHash: null }, include: COUNTS });
  await revokeUserSessions(db, id);
  return { user: viewOf(u), reset: await issueLink(db, id, 'RESET', opts) };
}

export async function changeRole(
  db: Db,
  id: string,
  role: UserRole,
  actorUserId: string | null,
): Promise<{ before: string; user: UserView }> {
  const before = await findUser(db, id);
  if (role !== before.role) refuseSelf(actorUserId, id, 'change the role of');
  const u = await db.user.update({ where: { id }, data: { role }, include: COUNTS });
  return { before: before.role, user: viewOf(u) };
}

/**
 * Binds (or unbinds) customers to a collector or a salesperson, by customer code. Unknown codes change nothing. For a
 * collector, the open invoices of every customer it touched are marked in the same transaction for their workflows
 * to learn it (contexts/collections/collector-sync.ts): `collectorCustomerIds` names them, for the caller to tell.
 */
export async function bindCustomers(
  db: Db,
  id: string,
  body: z.output<typeof bindSchema>,
): Promise<{ user: UserView; added: number; removed: number; collectorCustomerIds: string[] }> {
  const user = await findUser(db, id);
  const column = BOUND_ROLES[user.role as keyof typeof BOUND_ROLES];
  if (!column)
    throw new HttpError(
      409,
      'NOT_BINDABLE',
      `a ${user.role} is not bound to customers (only collectors and salespeople)`,
    );
  const add = [...new Set(body.add ?? [])];
  const remove = [...new Set(body.remove ?? [])];
  const found = await db.customer.findMany({
    where: { externalId: { in: [...add, ...remove] } },
    select: { externalId: true },
  });
  const known = new Set(found.map((c) => c.externalId));
  const unknown = [
    ...add.map((c, i) => ({ c, path: `add.${i}` })),
    ...remove.map((c, i) => ({ c, path: `remove.${i}` })),
  ].filter((x) => !known.has(x.c));
  if (unknown.length)
    throw badRequest(
      'unknown customer codes',
      unknown.map((u) => ({
        path: u.path,
        message: `no customer ${u.c}`,
        code: 'unknown_customer',
        params: { code: u.c },
      })),
    );
  const { added, removed, touched } = await db.$transaction(async (tx) => {
    // Who the change reaches, read before it: a customer unbound only if it was this user's.
    const touched =
      column === 'collectorId'
        ? await tx.customer.findMany({
            where: { OR: [{ externalId: { in: add } }, { externalId: { in: remove }, collectorId: id }] },
            select: { id: true },
          })
        : [];
    const added = await tx.customer.updateMany({ where: { externalId: { in: add } }, data: { [column]: id } });
    const removed = await tx.customer.updateMany({
      where: { externalId: { in: remove }, [column]: id },
      data: { [column]: null },
    });
    await markCollectorChanged(
      tx,
      touched.map((c) => c.id),
    );
    return { added, removed, touched };
  });
  return {
    user: viewOf(await findUser(db, id)),
    added: added.count,
    removed: removed.count,
    collectorCustomerIds: touched.map((c) => c.id),
  };
}

/** The customers bound to a user (their codes and names), for the admin page. */
export async function boundCustomers(db: Db, id: string): Promise<Array<{ id: string; code: string; name: string }>> {
  const user = await findUser(db, id);
  const column = BOUND_ROLES[user.role as keyof typeof BOUND_ROLES];
  if (!column) return [];
  const rows = await db.customer.findMany({
    where: { [column]: id },
    orderBy: { name: 'asc' },
    take: 1000,
    select: { id: true, externalId: true, name: true },
  });
  return rows.map((r) => ({ id: r.id, code: r.externalId, name: r.name }));
}

/**
 * The user these credentials belong to, or null: unknown e-mail, no password set, wrong password, disabled — all
 * alike to the caller. A dev password (README) is refused outside dev mode whatever the database holds.
 */
export async function checkCredentials(
  db: Db,
  input: { email: string; password: string },
  opts: { allowDev: boolean },
): Promise<{ id: string; name: string; role: string; language: string } | null> {
  const u = await db.user.findUnique({ where: { email: input.email } });
  if (!u?.passwordHash) return verifyNothing(input.password).then(() => null);
  const ok = await verifyPassword(u.passwordHash, input.password);
  if (!ok || u.disabledAt) return null;
  if (!opts.allowDev && isDevCredential(input.email, input.password)) return null;
  return { id: u.id, name: u.name, role: u.role, language: u.language };
}

/** Sets the password through an invitation or reset link (once, before it expires); ends the user's other sessions. */
export async function setPasswordWithToken(
  db: Db,
  input: z.output<typeof setPasswordSchema>,
): Promise<{ id: string; name: string; role: string; language: string; purpose: string }> {
  const row = await db.userToken.findUnique({ where: { tokenHash: sha256(input.token) }, include: { user: true } });
  if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now() || row.user.disabledAt)
    throw new HttpError(
      400,
      'LINK_INVALID',
      'this link is unknown, used or expired: ask an administrator for a new one',
      [{ path: 'token', message: 'unknown, used or expired', code: 'link_invalid' }],
    );
  const passwordHash = await hashPassword(input.password);
  // Claimed with its own condition, so two tabs submitting the same link cannot both use it.
  const claimed = await db.userToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
  if (claimed.count !== 1)
    throw new HttpError(400, 'LINK_INVALID', 'this link was used already', [
      { path: 'token', message: 'used already', code: 'link_invalid' },
    ]);
  await db.user.update({ where: { id: row.userId }, data: { passwordHash } });
  await revokeUserSessions(db, row.userId);
  const { id, name, role, language } = row.user;
  return { id, name, role, language, purpose: row.purpose };
}
