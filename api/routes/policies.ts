/** Dunning policies per segment: read, and change (a new version, told to every running workflow of the segment). */
import { policyBodySchema } from '../../domain/policy';
import { actorOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import type { RouteTable } from '../registry';
import { emptyQuery, segmentParams } from '../../contexts/schemas';
import { listPolicies, putPolicy } from '../../contexts/policies/service';
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
      summary: "Change a segment's policy: a new version, signalled to the segment's running workflows",
      description:
        'Answers how many running workflows were notified. Sending the current policy again writes nothing and notifies again.',
      params: segmentParams,
      body: policyBodySchema,
      mutating: true,
      responses: {
        200: 'Unchanged (same as current version); workflows notified',
        201: 'New version; workflows notified',
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
}
