/**
 * Who may see what: collectors work their own customers (Customer.collectorId) and their own tasks; salespeople read
 * their own customers (Customer.salespersonId) and change nothing but ask for pauses; managers and admins see
 * everything; ERP keys read invoices they sent. Checks run after the row is found, before any effect.
 */
import type { Request } from 'express';
import type { Actor } from '../../workflows/contract';
import type { Principal } from './auth';
import { HttpError } from '../errors';

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new HttpError(401, 'UNAUTHENTICATED', 'missing API key');
  return req.principal;
}

/** The actor recorded in the workflow: the user behind the key, or the key itself. */
export function actorOf(req: Request): Actor {
  const p = principalOf(req);
  return { actorId: p.userId ?? p.keyId, role: p.role };
}

/** A collector bound to a user sees only that user's customers; everyone else passes. */
export function collectorScope(p: Principal): string | null {
  if (p.role !== 'collector') return null;
  // A collector key without a user sees nothing rather than everything.
  return p.userId ?? '\u0000no-user';
}

/** A salesperson sees only the customers they follow; everyone else passes. */
export function salespersonScope(p: Principal): string | null {
  if (p.role !== 'salesperson') return null;
  return p.userId ?? '\u0000no-user';
}

export function assertCustomerAccess(
  p: Principal,
  // `salespersonId` absent (not read) counts as "not theirs": a salesperson is refused rather than let through.
  customer: { collectorId: string | null; salespersonId?: string | null },
): void {
  const scope = collectorScope(p);
  if (scope !== null && customer.collectorId !== scope) {
    throw new HttpError(403, 'FORBIDDEN', 'this customer is assigned to another collector');
  }
  const sales = salespersonScope(p);
  if (sales !== null && customer.salespersonId !== sales) {
    throw new HttpError(403, 'FORBIDDEN', 'this customer is followed by another salesperson');
  }
}

export function assertTaskAccess(
  p: Principal,
  task: { assigneeId: string | null; customer: { collectorId: string | null } | null },
): void {
  const scope = collectorScope(p);
  if (scope !== null && task.assigneeId !== scope && task.customer?.collectorId !== scope) {
    throw new HttpError(403, 'FORBIDDEN', 'this task belongs to another collector');
  }
}
