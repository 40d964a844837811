/** The people's side of the debtor's portal: a customer's links (revocable) and the requests debtors sent. */
import { z } from 'zod';
import { actorOf, assertCustomerAccess, principalOf } from '../../contexts/access/access';
import { actorOfRequest, audit } from '../../contexts/access/audit';
import { findCustomer } from '../../contexts/collections/customers';
import { notFound } from '../../contexts/errors';
import { approveRequest, declineRequest, listRequests } from '../../contexts/portal/actions';
import { listLinks, revokeLink } from '../../contexts/portal/links';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

const customerParams = z.object({ id: z.string().min(1).max(128) }).strict();
const linkParams = z.object({ id: z.string().min(1).max(128), linkId: z.string().uuid() }).strict();
const requestParams = z.object({ id: z.string().uuid() }).strict();
const decisionBody = z.object({ note: z.string().trim().max(2000).optional() }).strict();
const requestsQuery = z
  .object({
    status: z.enum(['PENDING', 'APPROVED', 'DECLINED']).optional(),
    kind: z.enum(['PLAN', 'PAYMENT_CLAIM', 'CONTACT']).optional(),
  })
  .strict();

export function portalRoutes(t: RouteTable, deps: RouteDeps): void {
  t.add(
    {
      method: 'get',
      path: '/v1/customers/:id/portal-links',
      roles: ['collector', 'manager'],
      tag: 'portal',
      summary: "A customer's portal links (never the token): live, expired or revoked, when last sent and opened",
      params: customerParams,
      mutating: false,
      responses: { 200: 'The links, newest first' },
    },
    async (req, res, { params }) => {
      const c = await findCustomer(deps.db, params.id);
      assertCustomerAccess(principalOf(req), c);
      res.json({ customerId: c.id, items: await listLinks(deps.db, c.id, new Date()) });
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/customers/:id/portal-links/:linkId/revoke',
      roles: ['collector', 'manager'],
      tag: 'portal',
      summary: 'Revoke a portal link at once (the next message carries a new one)',
      params: linkParams,
      body: z.object({}).strict(),
      mutating: true,
      responses: { 200: 'Revoked (or already revoked: revoked false)' },
    },
    async (req, res, { params }) => {
      const c = await findCustomer(deps.db, params.id);
      assertCustomerAccess(principalOf(req), c);
      const done = await revokeLink(deps.db, c.id, params.linkId, actorOf(req).actorId, new Date());
      if (!done) throw notFound(`portal link ${params.linkId}`);
      if (done.revoked)
        await audit(deps.db, req, 'portal.link.revoke', 'PortalLink', params.linkId, { customerId: c.id });
      res.json({ linkId: params.linkId, ...done });
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/portal/requests',
      roles: ['collector', 'manager'],
      tag: 'portal',
      summary: 'What debtors asked for on their page: plans, payments already made, new contact details',
      description: 'Collectors see the requests of their own customers.',
      query: requestsQuery,
      mutating: false,
      responses: { 200: 'The requests, oldest first' },
    },
    async (req, res, { query }) => {
      const p = principalOf(req);
      const collectorId = p.role === 'collector' ? (p.userId ?? '\u0000no-user') : undefined;
      res.json({ items: await listRequests(deps.db, { ...query, collectorId }) });
    },
  );

  for (const decision of ['approve', 'decline'] as const) {
    t.add(
      {
        method: 'post',
        path: `/v1/portal/requests/:id/${decision}`,
        roles: ['collector', 'manager'],
        tag: 'portal',
        summary:
          decision === 'approve'
            ? "Approve a debtor's request: a plan becomes the workflow's proposePlan (manager); new contact details are written; a payment claim is confirmed"
            : "Decline a debtor's request",
        params: requestParams,
        body: decisionBody,
        mutating: true,
        responses: {
          200: 'Decided',
          403: 'A plan needs a manager',
          409: 'Already decided',
          422: 'The workflow refused the plan',
        },
      },
      async (req, res, { params, body }) => {
        const p = principalOf(req);
        const who = {
          actor: actorOf(req),
          audit: actorOfRequest(req),
          role: p.role,
          collectorId: p.userId ?? null,
        };
        const out =
          decision === 'approve'
            ? await approveRequest(deps, params.id, who, body.note)
            : await declineRequest(deps, params.id, who, body.note);
        res.json(out);
      },
    );
  }
}
