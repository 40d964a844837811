/** Dunning policies per segment: read, and change (a new version, told to every running workflow of the segment). */
import { policyBodySchema } from '../../domain/policy';
import { actorOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import type { RouteTable } from '../registry';
import { emptyQuery, segmentParams } from '../../contexts/schemas';
import { listPolicies, putPolicy, rolloutProgress } from '../../contexts/policies/service';
import { notFound } from '../../contexts/errors';
import type { RouteDeps } from './deps';

export function policyRoutes(t: RouteTable, deps: RouteDeps): void {
  t.add(
    {
      method: 'get',
      path: '/v1/policies',
      roles: ['collector', 'manager'],
      tag: 'policies',
      summary: 'The current dunning policy of every segment',
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'Policies' },
    },
    async (_req, res) => {
      res.json(await listPolicies(deps.db));
    },
  );

  t.add(
    {
      method: 'put',
      path: '/v1/policies/:segment',
      roles: ['manager'],
      tag: 'policies',
      summary: "Change a segment's policy: a new version, rolled out to the running workflows that follow it",
      description:
        'Answers at once with the rollout (a durable workflow, `policy-rollout-<segment>`): follow it with GET /v1/policies/{segment}/rollout. A newer change supersedes a running rollout. Sending the current policy again writes nothing and rolls it out again.',
      params: segmentParams,
      body: policyBodySchema,
      mutating: true,
      responses: {
        200: 'Unchanged (same as current version); rollout started again',
        201: 'New version; rollout started',
        409: 'Concurrent change',
      },
    },
    async (req, res, { params, body }) => {
      const actor = actorOf(req);
      const result = await putPolicy(deps, params.segment, body, actor.actorId);
      if (result.created) {
        await audit(
          deps.db,
          req,
          'policy.change',
          'DunningPolicy',
          `${params.segment}@${result.policy.version}`,
          body,
          {
            version: result.previousVersion,
          },
        );
      }
      res.status(result.created ? 201 : 200).json(result);
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/policies/:segment/rollout',
      roles: ['manager'],
      tag: 'policies',
      summary: "Progress of the latest rollout of a segment's policy",
      description:
        'RUNNING with the pages told so far, or DONE with how many running invoices were told and how many were moved to another track by changed routes.',
      params: segmentParams,
      query: emptyQuery,
      mutating: false,
      responses: { 200: 'Rollout progress', 404: 'No rollout of this policy' },
    },
    async (_req, res, { params }) => {
      const progress = await rolloutProgress(deps.temporal, params.segment);
      if (!progress) throw notFound(`rollout of policy ${params.segment}`);
      res.json({ rollout: progress });
    },
  );
}
