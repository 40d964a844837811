/**
 * Waivers of late-payment interest and/or the EUR 40 fixed compensation: a credit manager's for one customer (with a
 * reason, in force from a date, revoked rather than deleted, both audited) or a policy's for a whole segment
 * (`settings.interestWaiver`). The creditor may forgo what has accrued in its favour (remission, art. 1236 c.c.);
 * art. 7 D.Lgs. 231/2002 is about clauses agreed in advance that exclude the interest or the EUR 40, which this is
 * not. A waived customer gets no debit note, and statements and letters show no claim.
 */
import type { Db } from '../../infra/db';
import type { Actor } from '../access/audit';
import { auditRow } from '../access/audit';
import type { Principal } from '../access/auth';
import { assertCustomerAccess } from '../access/access';
import { findCustomer } from '../collections/customers';
import { notFound } from '../errors';
import type { WaiverInForce } from './note';
import type { WaiverBody } from './schemas';

export const WAIVER_SET_ACTION = 'interest-waiver.set';
export const WAIVER_REVOKE_ACTION = 'interest-waiver.revoke';

const iso = (d: Date): string => d.toISOString().slice(0, 10);

export interface WaiverView {
  id: string;
  customerId: string;
  interest: boolean;
  compensation: boolean;
  fromDate: string;
  reason: string;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

type Row = NonNullable<Awaited<ReturnType<Db['interestWaiver']['findFirst']>>>;
const view = (r: Row): WaiverView => ({
  id: r.id,
  customerId: r.customerId,
  interest: r.interest,
  compensation: r.compensation,
  fromDate: iso(r.fromDate),
  reason: r.reason,
  createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(),
  revokedAt: r.revokedAt?.toISOString() ?? null,
  revokedBy: r.revokedBy,
});

/**
 * The waiver in force on `asOf` for a customer: its own latest unrevoked one from a date not after `asOf`, combined
 * with the policy's setting (either one waiving a part waives it). Null when nothing is waived.
 */
export async function waiverInForce(
  db: Pick<Db, 'interestWaiver'>,
  customerId: string,
  asOf: string,
  policy?: { interest?: boolean; compensation?: boolean },
): Promise<WaiverInForce | null> {
  const own = await db.interestWaiver.findFirst({
    where: { customerId, revokedAt: null, fromDate: { lte: new Date(`${asOf}T00:00:00Z`) } },
    orderBy: [{ fromDate: 'desc' }, { createdAt: 'desc' }],
  });
  const pInterest = policy?.interest === true;
  const pCompensation = policy?.compensation === true;
  if (!own && !pInterest && !pCompensation) return null;
  return {
    interest: (own?.interest ?? false) || pInterest,
    compensation: (own?.compensation ?? false) || pCompensation,
    source: own ? 'customer' : 'policy',
    ...(own ? { reason: own.reason, fromDate: iso(own.fromDate) } : {}),
  };
}

/** A customer's waivers, newest first (revoked ones too: the history). */
export async function listWaivers(db: Db, p: Principal, idOrExternal: string): Promise<WaiverView[]> {
  const c = await findCustomer(db, idOrExternal);
  assertCustomerAccess(p, c);
  const rows = await db.interestWaiver.findMany({ where: { customerId: c.id }, orderBy: { createdAt: 'desc' } });
  return rows.map(view);
}

/** Records a waiver for a customer (audited in the same transaction). */
export async function createWaiver(
  db: Db,
  p: Principal,
  actor: Actor,
  idOrExternal: string,
  body: WaiverBody,
): Promise<WaiverView> {
  const c = await findCustomer(db, idOrExternal);
  assertCustomerAccess(p, c);
  return db.$transaction(async (tx) => {
    const row = await tx.interestWaiver.create({
      data: {
        customerId: c.id,
        interest: body.interest,
        compensation: body.compensation,
        fromDate: new Date(`${body.fromDate}T00:00:00Z`),
        reason: body.reason,
        createdBy: actor.actorId,
      },
    });
    await tx.auditEvent.create({ data: auditRow(actor, WAIVER_SET_ACTION, 'Customer', c.id, view(row)) });
    return view(row);
  });
}

/** Revokes a waiver (audited); revoking one already revoked answers it unchanged. */
export async function revokeWaiver(
  db: Db,
  p: Principal,
  actor: Actor,
  idOrExternal: string,
  waiverId: string,
): Promise<WaiverView> {
  const c = await findCustomer(db, idOrExternal);
  assertCustomerAccess(p, c);
  const row = await db.interestWaiver.findFirst({ where: { id: waiverId, customerId: c.id } });
  if (!row) throw notFound(`interest waiver ${waiverId}`);
  if (row.revokedAt) return view(row);
  return db.$transaction(async (tx) => {
    const after = await tx.interestWaiver.update({
      where: { id: row.id },
      data: { revokedAt: new Date(), revokedBy: actor.actorId },
    });
    await tx.auditEvent.create({
      data: auditRow(actor, WAIVER_REVOKE_ACTION, 'Customer', c.id, view(after), view(row)),
    });
    return view(after);
  });
}
