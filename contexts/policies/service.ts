/**
 * Dunning policies per segment, versioned. A change writes a new version, then starts a durable rollout
 * (workflows/policy-rollout.ts) that tells every running invoice workflow following the key (found with a visibility
 * query) so they recompute their pending timer; the API answers at once with the rollout's progress.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import { canonicalJson } from '../../domain/json';
import type { PolicyBody } from '../../domain/policy';
import { rowToPolicy } from './store';
import {
  initialRolloutProgress,
  policyRolloutQuery,
  policyRolloutWorkflowId,
  type DunningPolicy,
  type PolicyRolloutInput,
  type PolicyRolloutProgress,
} from '../../workflows/contract';
import type { policyRolloutWorkflow } from '../../workflows/policy-rollout';
import { badRequest, conflict } from '../errors';

export interface PolicyDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
}

type DunningRow = NonNullable<Awaited<ReturnType<Db['dunningPolicy']['findFirst']>>>;

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
 * Writes version n+1 unless the body equals the current version (then nothing is written), and starts its rollout
 * either way, so a retry after a crash between the two (or while Temporal was down) still reaches every invoice.
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
  rollout: PolicyRolloutProgress;
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
  const rollout = await startRollout(deps, policy, same ? null : current);
  return { policy, created: !same, previousVersion: current?.version ?? null, rollout };
}

/**
 * Starts the durable rollout of `policy` (terminating a running rollout of the same key: the newer version
 * supersedes it). The routes are diffed from the version the open invoices last reflected in full: that of the last
 * rollout whose rerouting finished, or the base of an unfinished one, so a superseded or never-started rollout loses
 * no move.
 */
async function startRollout(
  deps: PolicyDeps,
  policy: DunningPolicy,
  before: DunningRow | null,
): Promise<PolicyRolloutProgress> {
  const workflowId = policyRolloutWorkflowId(policy.segment);
  const last = await rolloutProgress(deps.temporal, policy.segment);
  let baseVersion: number | null;
  if (last) baseVersion = last.rerouted !== null ? last.version : last.previousVersion;
  else baseVersion = before ? before.version : policy.version > 1 ? policy.version - 1 : null;
  const base =
    baseVersion === null
      ? null
      : baseVersion === before?.version
        ? before
        : await deps.db.dunningPolicy.findUnique({
            where: { segment_version: { segment: policy.segment, version: baseVersion } },
          });
  const input: PolicyRolloutInput = { policy, previous: base ? rowToPolicy(base) : null };
  await deps.temporal.workflow.start<typeof policyRolloutWorkflow>('policyRolloutWorkflow', {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
  });
  return initialRolloutProgress(input);
}

/**
 * The progress of a key's latest rollout: running (its query), finished (its result), or null when none exists or
 * the latest was stopped by hand or failed (then the next change diffs the routes from the version before it).
 */
export async function rolloutProgress(temporal: Client, policyKey: string): Promise<PolicyRolloutProgress | null> {
  const handle = temporal.workflow.getHandle<typeof policyRolloutWorkflow>(policyRolloutWorkflowId(policyKey));
  let status: string;
  try {
    status = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  if (status === 'RUNNING') return handle.query(policyRolloutQuery);
  if (status === 'COMPLETED') return handle.result();
  return null;
}
