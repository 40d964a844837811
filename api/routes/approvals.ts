/** Pauses asked for by salespeople and decided by credit managers (the approvals page lists them with the others). */
import { z } from 'zod';
import { actorOfRequest } from '../../contexts/access/audit';
import { assertCustomerAccess, principalOf } from '../../contexts/access/access';
import { findInvoiceWithCustomer } from '../../contexts/collections/reading';
import {
  decidePause,
  pauseDecisionSchema,
  pauseRequestSchema,
  requestPause,
} from '../../contexts/approvals/pause-requests';
import { idParams } from '../../contexts/schemas';
import type { RouteTable } from '../registry';
import type { RouteDeps } from './deps';

const requestParams = z.object({ id: z.string().uuid() }).strict();

export function approvalRoutes(t: RouteTable, deps: RouteDeps): void {
  const pdeps = {
    db: deps.db,
    temporal: deps.temporal,
    timeZone: deps.timeZone,
    temporalTimeoutMs: deps.temporalTimeoutMs,
  };

  t.add(
    {
      method: 'post',
      path: '/v1/invoices/:id/pause-requests',
      roles: ['salesperson'],
      tag: 'approvals',
      summary: 'A salesperson asks to pause dunning of a customer’s invoice until a date, with a reason',
      description:
        'Creates an approval task for the credit managers; nothing changes in the workflow until one approves.',
      params: idParams,
      body: pauseRequestSchema,
      mutating: true,
      responses: {
        201: 'Requested: waiting for a credit manager',
        409: 'Closed invoice, or a request already waiting',
      },
    },
    async (req, res, { params, body }) => {
      const p = principalOf(req);
      const { customer, ...invoice } = await findInvoiceWithCustomer(deps.db, params.id);
      assertCustomerAccess(p, customer);
      const actor = { ...actorOfRequest(req), actorId: p.userId ?? p.keyId };
      res.status(201).json({ request: await requestPause(pdeps, invoice, actor, body) });
    },
  );

  for (const decision of ['approve', 'decline'] as const) {
    t.add(
      {
        method: 'post',
        path: `/v1/pause-requests/:id/${decision}`,
        roles: ['manager'],
        tag: 'approvals',
        summary:
          decision === 'approve'
            ? 'Approve a pause request: the invoice workflow is paused as if the manager had asked (audited with both names)'
            : 'Decline a pause request: dunning goes on',
        params: requestParams,
        body: pauseDecisionSchema,
        mutating: true,
        responses: {
          200: decision === 'approve' ? 'Approved: the request and the new state' : 'Declined',
          409: 'Decided already, or the invoice is closed',
          422: 'The workflow refused the pause',
        },
      },
      async (req, res, { params, body }) => {
        const p = principalOf(req);
        const approver = {
          ...actorOfRequest(req),
          actorId: p.userId ?? p.keyId,
          role: p.role === 'admin' ? ('admin' as const) : ('manager' as const),
        };
        res.json(await decidePause(pdeps, params.id, decision, approver, body.note));
      },
    );
  }
}
