/**
 * Rating-routed cadence. A segment's policy may name, per internal rating, another policy key (a "track", e.g.
 * `standard-strict` for D and E customers, `standard-gentle` for A) in `settings.ratingRoutes`. A new invoice starts on
 * the track of its customer's rating; when the rating changes, or the routes do, the customer's open invoices are
 * moved to their new track with a `policyChanged` signal carrying `reroute` (the workflow re-times its pending step).
 * One hop only: a track's own routes are not followed.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { GRADES, TERMINAL_STAGES, policyChangedSignal, type DunningPolicy, type Grade } from '../../workflows/contract';
import type { Db } from '../../infra/db';
import { currentPolicy, rowToPolicy, type PolicyReader } from './store';

/** The policy key a customer of `rating` follows under `base` (the segment's own policy). */
export function trackKey(base: DunningPolicy, rating: string | null | undefined): string {
  const target = rating ? base.settings.ratingRoutes?.[rating.toUpperCase() as Grade] : undefined;
  return target && target !== base.segment ? target : base.segment;
}

async function latestOf(db: PolicyReader, key: string): Promise<DunningPolicy | null> {
  const row = await db.dunningPolicy.findFirst({ where: { segment: key }, orderBy: { version: 'desc' } });
  return row ? rowToPolicy(row) : null;
}

/**
 * The policy an invoice of a customer in `segment` with `rating` is collected under: the segment's current policy,
 * or the current version of the track its routes name for that rating (the segment's own when the track is missing).
 */
export async function policyForCustomer(
  db: PolicyReader,
  segment: string,
  rating: string | null,
): Promise<DunningPolicy> {
  const base = await currentPolicy(db, segment);
  const key = trackKey(base, rating);
  if (key === base.segment) return base;
  return (await latestOf(db, key)) ?? base;
}

/** Segments whose current policy routes some rating to `key` (they have invoices that may follow `key`). */
export async function segmentsRoutingTo(db: Db, key: string): Promise<string[]> {
  const current = await db.$queryRaw<Array<{ segment: string; settings: DunningPolicy['settings'] }>>`
    SELECT DISTINCT ON (segment) segment, settings FROM "DunningPolicy" ORDER BY segment, version DESC`;
  return current
    .filter((p) => p.segment !== key && Object.values(p.settings.ratingRoutes ?? {}).includes(key))
    .map((p) => p.segment);
}

export interface RerouteResult {
  customers: number;
  invoices: number;
  signalled: number;
  failed: number;
}

/**
 * Sends each customer's open invoices to the track of the customer's current rating. The signal is idempotent (a
 * workflow already on that key ignores it), so customers whose track did not change can be passed safely; callers
 * pass only those whose rating or routes changed to keep the traffic down.
 */
export async function rerouteCustomers(
  db: Db,
  temporal: Client,
  /** The customers and the grade to route them by (the new one, which may not be stored yet). */
  targets: Array<{ customerId: string; rating: string }>,
  /** Why each customer moves, written on its invoices' timelines. */
  reasonOf: (customerId: string) => string,
): Promise<RerouteResult> {
  const result: RerouteResult = { customers: 0, invoices: 0, signalled: 0, failed: 0 };
  if (targets.length === 0) return result;
  const segmentOf = new Map(
    (
      await db.customer.findMany({
        where: { id: { in: targets.map((t) => t.customerId) } },
        select: { id: true, segment: true },
      })
    ).map((c) => [c.id, c.segment]),
  );
  const customers = targets.flatMap((t) => {
    const segment = segmentOf.get(t.customerId);
    return segment === undefined ? [] : [{ id: t.customerId, segment, rating: t.rating }];
  });
  const policies = new Map<string, Promise<DunningPolicy>>();
  for (const c of customers) {
    const cacheKey = `${c.segment}\u0000${c.rating}`;
    if (!policies.has(cacheKey)) policies.set(cacheKey, policyForCustomer(db, c.segment, c.rating));
    const policy = await policies.get(cacheKey)!;
    const open = await db.invoice.findMany({
      where: {
        customerId: c.id,
        closedAt: null,
        stage: { notIn: [...TERMINAL_STAGES] },
      },
      select: { workflowId: true },
    });
    result.customers++;
    result.invoices += open.length;
    await Promise.all(
      open.map((inv) =>
        temporal.workflow
          .getHandle(inv.workflowId)
          .signal(policyChangedSignal, { policy, reroute: { rating: c.rating, reason: reasonOf(c.id) } })
          .then(
            () => void result.signalled++,
            (err: unknown) => {
              // Closed since the row was read: nothing to move.
              if (err instanceof WorkflowNotFoundError) return;
              result.failed++;
            },
          ),
      ),
    );
  }
  return result;
}

/**
 * After ratings changed: reroutes the customers whose old and new grade lead to different tracks under their
 * segment's current policy.
 */
export async function rerouteAfterRatingChanges(
  db: Db,
  temporal: Client,
  changes: Array<{ customerId: string; previous: string | null; rating: string }>,
): Promise<RerouteResult> {
  const moved = changes.filter((c) => c.previous !== c.rating);
  if (moved.length === 0) return { customers: 0, invoices: 0, signalled: 0, failed: 0 };
  const segments = await db.customer.findMany({
    where: { id: { in: moved.map((c) => c.customerId) } },
    select: { id: true, segment: true },
  });
  const segmentOf = new Map(segments.map((s) => [s.id, s.segment]));
  const bases = new Map<string, DunningPolicy>();
  const toMove: Array<{ customerId: string; rating: string }> = [];
  for (const c of moved) {
    const segment = segmentOf.get(c.customerId);
    if (segment === undefined) continue;
    if (!bases.has(segment)) bases.set(segment, await currentPolicy(db, segment));
    const base = bases.get(segment)!;
    if (trackKey(base, c.previous) !== trackKey(base, c.rating)) toMove.push(c);
  }
  const reasons = new Map(moved.map((c) => [c.customerId, `rating ${c.previous ?? '–'} → ${c.rating}`]));
  return rerouteCustomers(db, temporal, toMove, (id) => reasons.get(id)!);
}

/**
 * After a segment's routes changed: reroutes the segment's customers whose rating now leads to a different track
 * than under the previous version.
 */
export async function rerouteAfterRoutesChanged(
  db: Db,
  temporal: Client,
  previous: DunningPolicy | null,
  current: DunningPolicy,
): Promise<RerouteResult> {
  const changedGrades = GRADES.filter(
    (g) => (previous ? trackKey(previous, g) : current.segment) !== trackKey(current, g),
  );
  if (changedGrades.length === 0) return { customers: 0, invoices: 0, signalled: 0, failed: 0 };
  const customers = await db.customer.findMany({
    where: { segment: current.segment, rating: { in: [...changedGrades] } },
    select: { id: true, rating: true },
  });
  const reason = `routes of ${current.segment} v${current.version}`;
  return rerouteCustomers(
    db,
    temporal,
    customers.map((c) => ({ customerId: c.id, rating: c.rating })),
    () => reason,
  );
}
