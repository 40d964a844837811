/**
 * Dunning policies per segment, versioned. A change writes a new version, then tells every running invoice workflow
 * of the segment (found with a visibility query) so they recompute their pending timer.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { canonicalJson } from '../../domain/json';
import type { PolicyBody } from '../../domain/policy';
import { rerouteAfterRoutesChanged, segmentsRoutingTo, type RerouteResult } from './routing';
import { rowToPolicy } from './store';
import { policyChangedSignal, type DunningPolicy } from '../../workflows/contract';
import { badRequest, conflict } from '../errors';

export interface PolicyDeps {
  db: Db;
  temporal: Client;
}

/** The current version of every segment (and, with `history`, every version). */
export async function listPolicies(
  db: Db,
): Promise<{ policies: Array<DunningPolicy & { createdAt: string; createdBy: string | null }> }> {
  const rows = await db.dunningPolicy.findMany({ orderBy: [{ segment: 'asc' }, { version: 'desc' }] });
  const seen = new Set<string>();
  const policies = [];
  for (const r of rows) {
    if (seen.has(r.segment)) continue;
    seen.add(r.segment);
    policies.push({ ...rowToPolicy(r), createdAt: r.createdAt.toISOString(), createdBy: r.createdBy });
  }
  return { policies };
}

/** The visibility query of a segment's running invoice workflows (`segment` is a validated slug). */
export const runningOfSegment = (segment: string): string =>
  `WorkflowType = 'invoiceWorkflow' AND Segment = '${segment}' AND ExecutionStatus = 'Running'`;

/**
 * Writes version n+1 unless the body equals the current version (then nothing is written), and signals the
 * segment's running workflows either way, so a retry after a crash between the two still reaches them.
 */
export async function putPolicy(
  deps: PolicyDeps,
  segment: string,
  body: PolicyBody,
  actorId: string,
): Promise<{
  policy: DunningPolicy;
  created: boolean;
  previousVersion: number | null;
  notified: number;
  failed: number;
  rerouted: RerouteResult;
}> {
  // Routes name other policy keys that must exist (a typo would silently keep risky customers on the gentle track).
  const routes = Object.entries(body.settings.ratingRoutes ?? {}).filter(([, key]) => key !== undefined);
  const problems = [];
  for (const [grade, key] of routes) {
    const path = `settings.ratingRoutes.${grade}`;
    if (key === segment) problems.push({ path, message: `routes ${segment} to itself` });
    else if (!(await deps.db.dunningPolicy.findFirst({ where: { segment: key }, select: { id: true } })))
      problems.push({ path, message: `policy ${key} does not exist; create it first (PUT /v1/policies/${key})` });
  }
  if (problems.length) throw badRequest('request is not valid', problems);

  const current = await deps.db.dunningPolicy.findFirst({ where: { segment }, orderBy: { version: 'desc' } });
  const same =
    current &&
    current.name === body.name &&
    canonicalJson(current.steps) === canonicalJson(body.steps) &&
    canonicalJson(current.settings) === canonicalJson(body.settings);
  let policy: DunningPolicy;
  if (same) policy = rowToPolicy(current);
  else {
    const version = (current?.version ?? 0) + 1;
    try {
      const row = await deps.db.dunningPolicy.create({
        data: {
          segment,
          version,
          name: body.name,
          steps: body.steps as object[],
          settings: body.settings as object,
          createdBy: actorId,
        },
      });
      policy = rowToPolicy(row);
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') {
        throw conflict(`policy ${segment} was changed concurrently (version ${version} exists); read it and retry`);
      }
      throw err;
    }
  }
  // The segment's own workflows, and those of segments whose routes send some customers to this key (a track): a
  // workflow adopts only a newer version of the key it follows.
  let notified = 0;
  let failed = 0;
  for (const seg of [segment, ...(await segmentsRoutingTo(deps.db, segment))]) {
    const n = await notifySegment(deps.temporal, seg, policy);
    notified += n.notified;
    failed += n.failed;
  }
  // Changed routes move the open invoices of the customers whose track changed.
  const rerouted = await rerouteAfterRoutesChanged(
    deps.db,
    deps.temporal,
    current ? rowToPolicy(current) : null,
    policy,
  );
  return { policy, created: !same, previousVersion: current?.version ?? null, notified, failed, rerouted };
}

/** Signals policyChanged to every running workflow of the segment, a few at a time. */
export async function notifySegment(
  temporal: Client,
  segment: string,
  policy: DunningPolicy,
): Promise<{ notified: number; failed: number }> {
  let notified = 0;
  let failed = 0;
  let batch: Promise<void>[] = [];
  const flush = async () => {
    await Promise.all(batch);
    batch = [];
  };
  for await (const wf of temporal.workflow.list({ query: runningOfSegment(segment) })) {
    batch.push(
      temporal.workflow
        .getHandle(wf.workflowId, wf.runId)
        .signal(policyChangedSignal, { policy })
        .then(
          () => void (notified += 1),
          (err: unknown) => {
            // Closed between the listing and the signal: nothing to tell.
            if (err instanceof WorkflowNotFoundError) return;
            failed += 1;
          },
        ),
    );
    if (batch.length >= 50) await flush();
  }
  await flush();
  return { notified, failed };
}
