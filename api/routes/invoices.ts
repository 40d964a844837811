/** ERP intake (invoices, payments, credit notes), reading, letters, and the human decisions on an invoice. */
import fs from 'node:fs';
import type { Request } from 'express';
import type { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import {
  approveLegalUpdate,
  chooseEntryUpdate,
  declineLegalUpdate,
  openDisputeUpdate,
  pauseUpdate,
  proposePlanUpdate,
  recordLegalEventUpdate,
  recordPromiseUpdate,
  resolveDisputeUpdate,
  resumeUpdate,
  sendReminderUpdate,
  writeOffUpdate,
  type InvoiceState,
} from '../../workflows/contract';
import { toNumber } from '../../infra/db';
import { actorOf, assertCustomerAccess, principalOf } from '../../contexts/access/access';
import { actorOfRequest, audit } from '../../contexts/access/audit';
import type { Role } from '../../contexts/access/auth';
import { HttpError } from '../../contexts/errors';
import type { RouteTable } from '../registry';
import {
  adjustmentSchema,
  chooseEntrySchema,
  createInvoiceSchema,
  declineLegalSchema,
  disputeSchema,
  idParams,
  invoiceReadQuery,
  legalDecisionSchema,
  legalEventSchema,
  letterParams,
  contactParams,
  listInvoicesQuery,
  pauseSchema,
  sendReminderSchema,
  paymentSchema,
  planSchema,
  promiseSchema,
  resolveDisputeSchema,
  resumeSchema,
  writeOffSchema,
} from '../../contexts/schemas';
import { idempotencyKey } from '../../contexts/collections/customers';
import { executeDecision } from '../../contexts/collections/decisions';
import { createInvoice, recordAdjustment, recordPayment } from '../../contexts/intake/invoices';
import {
  findInvoiceWithCustomer,
  findLetterFile,
  findSentContent,
  getInvoiceDetail,
  listInvoices,
  readInvoiceState,
} from '../../contexts/collections/reading';
import type { RouteDeps } from './deps';

interface Decision {
  path: string;
  name: string;
  summary: string;
  roles: Role[];
  schema: z.ZodType;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each decision has its own argument type
  update: UpdateDefinition<InvoiceState, [any]>;
}

/** Each decision maps to one workflow update; the caller becomes the actor, never a body field. */
export const DECISIONS: Decision[] = [
  {
    path: 'promise',
    name: 'promise',
    summary: 'Record a promise to pay',
    roles: ['collector', 'manager'],
    schema: promiseSchema,
    update: recordPromiseUpdate,
  },
  {
    path: 'dispute',
    name: 'dispute.open',
    summary: 'Open a dispute (pauses dunning)',
    roles: ['collector', 'manager'],
    schema: disputeSchema,
    update: openDisputeUpdate,
  },
  {
    path: 'dispute/resolve',
    name: 'dispute.resolve',
    summary: 'Resolve the open dispute (rejected, accepted, partial)',
    roles: ['manager'],
    schema: resolveDisputeSchema,
    update: resolveDisputeUpdate,
  },
  {
    path: 'repayment-plan',
    name: 'plan.propose',
    summary: 'Agree a repayment plan (instalments summing to the balance)',
    roles: ['manager'],
    schema: planSchema,
    update: proposePlanUpdate,
  },
  {
    path: 'pause',
    name: 'pause',
    summary: 'Pause dunning (until a time, or until resumed)',
    roles: ['collector', 'manager'],
    schema: pauseSchema,
    update: pauseUpdate,
  },
  {
    path: 'resume',
    name: 'resume',
    summary: 'Resume paused dunning',
    roles: ['collector', 'manager'],
    schema: resumeSchema,
    update: resumeUpdate,
  },
  {
    path: 'remind',
    name: 'reminder',
    summary:
      'Send the current reminder now: the template and channels of the policy’s last fired REMINDER step (else the next), in the customer’s language; the schedule does not move. Refused (422 with a reason) while disputed, paused or in legal action, before the due date, and when a reminder already went out today',
    roles: ['collector', 'manager'],
    schema: sendReminderSchema,
    update: sendReminderUpdate,
  },
  {
    path: 'write-off',
    name: 'write-off',
    summary: 'Write the invoice off',
    roles: ['manager'],
    schema: writeOffSchema,
    update: writeOffUpdate,
  },
  {
    path: 'triage',
    name: 'triage',
    summary:
      'Choose where an invoice that arrived overdue in a TRIAGE entry band enters the cadence (START or a stage of its policy)',
    roles: ['collector', 'manager'],
    schema: chooseEntrySchema,
    update: chooseEntryUpdate,
  },
  {
    path: 'legal/approve',
    name: 'legal.approve',
    summary: 'Approve the pending legal action',
    roles: ['manager'],
    schema: legalDecisionSchema,
    update: approveLegalUpdate,
  },
  {
    path: 'legal/decline',
    name: 'legal.decline',
    summary: 'Decline the pending legal action (writes off unless writeOff is false)',
    roles: ['manager'],
    schema: declineLegalSchema,
    update: declineLegalUpdate,
  },
  {
    path: 'legal/events',
    name: 'legal.event',
    summary: 'Record a step, cost or recovery of the legal case',
    roles: ['manager'],
    schema: legalEventSchema,
    update: recordLegalEventUpdate,
  },
];

/** A retried request with the same Idempotency-Key is the same workflow update (Temporal deduplicates by id). */
const updateIdOf = (req: Request, what: string, invoiceId: string): string | undefined => {
  const key = idempotencyKey(req);
  return key ? `${principalOf(req).keyId}:${what}:${invoiceId}:${key}` : undefined;
};

export function invoiceRoutes(t: RouteTable, deps: RouteDeps): void {
  const invoiceDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    timeZone: deps.timeZone,
    temporalTimeoutMs: deps.temporalTimeoutMs,
    extraHolidays: deps.extraHolidays,
  };

  t.add(
    {
      method: 'post',
      path: '/v1/invoices',
      roles: ['erp'],
      tag: 'erp',
      summary: 'Create or update an invoice and start its collection workflow',
      description:
        'Idempotent on the invoice number: exactly one call answers 201 (or 202 when Temporal is unreachable and the ' +
        'workflow start is left to the intake-repair Schedule); every other call 200 with the same ids. `workflow` ' +
        'says what this call did: started, existing, pending or closed. Customer fields absent from the body keep ' +
        'their stored value; an explicit null clears them.',
      body: createInvoiceSchema,
      mutating: true,
      responses: {
        200: 'Already known (created: false); `workflow: started` when this retry started a pending workflow',
        201: 'Created; workflow started',
        202: 'Created; Temporal unreachable, the workflow starts within the repair delay',
        409: 'Number belongs to another customer (nothing written)',
      },
    },
    async (req, res, { body }) => {
      const result = await createInvoice(invoiceDeps, body, actorOfRequest(req));
      res.status(result.created ? (result.workflow === 'pending' ? 202 : 201) : 200).json(result);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/invoices/:id/payments',
      roles: ['erp'],
      tag: 'erp',
      summary: 'Record a payment received (the same reference twice counts once)',
      params: idParams,
      body: paymentSchema,
      mutating: true,
      responses: {
        200: 'The same reference, amount and date again: counted once',
        201: 'Recorded and signalled',
        202: 'Recorded; Temporal unreachable, delivered to the workflow within the repair delay',
        409: 'The reference was recorded with another amount or date (fields name them)',
      },
    },
    async (req, res, { params, body }) => {
      const result = await recordPayment(invoiceDeps, params.id, body, actorOfRequest(req));
      res.status(result.duplicate ? 200 : result.pending ? 202 : 201).json(result);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/invoices/:id/adjustments',
      roles: ['erp'],
      tag: 'erp',
      summary: 'Record a credit note, amount change or cancellation (once per reference)',
      params: idParams,
      body: adjustmentSchema,
      mutating: true,
      responses: {
        200: 'Duplicate reference',
        201: 'Recorded and signalled',
        409: 'Invoice closed, or reference reused with other content',
      },
    },
    async (req, res, { params, body }) => {
      const result = await recordAdjustment(invoiceDeps, params.id, body, actorOfRequest(req));
      res.status(result.duplicate ? 200 : 201).json(result);
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/invoices',
      roles: ['collector', 'manager', 'salesperson'],
      tag: 'reading',
      summary: 'List invoices with filters (collectors and salespeople see their own customers only)',
      description:
        'Filters: stage (comma-separated), customer (id or external id), segment, area, collector, salesperson, ' +
        'overdueMin/overdueMax (days overdue), open; search q. Paginated with page and pageSize (≤ 200). `total` ' +
        'counts the matches; a search counts up to 1,000 and then answers total 1000 with totalCapped true.',
      query: listInvoicesQuery,
      mutating: false,
      responses: { 200: 'A page of invoices' },
    },
    async (req, res, { query }) => {
      res.json(await listInvoices(invoiceDeps, principalOf(req), query));
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/invoices/:id',
      roles: ['erp', 'collector', 'manager', 'salesperson'],
      tag: 'reading',
      summary: 'One invoice: its state and the timeline of contacts, decisions and payments',
      description:
        'The state comes from the database mirror the workflow keeps (`source: "database"`); `live=true` asks the ' +
        'running workflow (`source: "workflow"`, with the full `state`) and answers 503 if it does not answer in time.',
      params: idParams,
      query: invoiceReadQuery,
      mutating: false,
      responses: { 200: 'The invoice', 503: 'live=true and the workflow did not answer in time' },
    },
    async (req, res, { params, query }) => {
      res.json(await getInvoiceDetail(invoiceDeps, principalOf(req), params.id, query.live === 'true'));
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/invoices/:id/state',
      roles: ['erp', 'collector', 'manager', 'salesperson'],
      tag: 'reading',
      summary:
        "One invoice's state only (stage, balance, next action), from the mirror or, with live=true, the workflow",
      description:
        'One database read by default (`source: "database"`, ordered by the workflow\'s transition counter in ' +
        '`mirror`); `live=true` queries the running workflow (`source: "workflow"`) and answers 503 rather than ' +
        'falling back when it does not answer in time.',
      params: idParams,
      query: invoiceReadQuery,
      mutating: false,
      responses: { 200: 'The state', 503: 'live=true and the workflow did not answer in time' },
    },
    async (req, res, { params, query }) => {
      res.json(await readInvoiceState(invoiceDeps, principalOf(req), params.id, query.live === 'true'));
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/invoices/:id/letters/:letterId',
      roles: ['collector', 'manager'],
      tag: 'reading',
      summary: 'The PDF of a letter sent for this invoice',
      params: letterParams,
      mutating: false,
      produces: 'application/pdf',
      responses: { 200: 'The PDF' },
    },
    async (req, res, { params }) => {
      const file = await findLetterFile(
        { ...invoiceDeps, dataDir: deps.dataDir },
        principalOf(req),
        params.id,
        params.letterId,
      );
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Length', String(file.sizeBytes));
      res.setHeader('Content-Disposition', `inline; filename="${file.filename}"`);
      res.setHeader('ETag', `"${file.sha256}"`);
      await new Promise<void>((resolve, reject) => {
        const s = fs.createReadStream(file.path);
        s.on('error', reject);
        res.on('close', () => resolve());
        s.pipe(res);
      });
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/invoices/:id/contacts/:contactId',
      roles: ['collector', 'manager'],
      tag: 'reading',
      summary: 'What was actually sent on one contact of this invoice: recipient, subject, the text the debtor read',
      params: contactParams,
      mutating: false,
      responses: { 200: 'The contact as sent' },
    },
    async (req, res, { params }) => {
      res.json(
        await findSentContent({ ...invoiceDeps, dataDir: deps.dataDir }, principalOf(req), params.id, params.contactId),
      );
    },
  );

  for (const d of DECISIONS) {
    t.add(
      {
        method: 'post',
        path: `/v1/invoices/:id/${d.path}`,
        roles: d.roles,
        tag: 'decisions',
        summary: d.summary,
        description:
          'Sent to the invoice workflow as an update: 200 with the new state, 422 with the reason it was refused, 409 when the invoice is closed.',
        params: idParams,
        body: d.schema,
        mutating: true,
        responses: {
          200: 'Accepted: the new state',
          409: 'The invoice is closed',
          422: 'Rejected by the workflow (reason in message)',
        },
      },
      async (req, res, { params, body }) => {
        const p = principalOf(req);
        // One statement for the invoice and its customer's collector: the decision path is latency-bound.
        const { customer, ...invoice } = await findInvoiceWithCustomer(deps.db, params.id);
        assertCustomerAccess(p, customer);
        const arg = { ...actorOf(req), ...(body as object) } as never;
        let state: InvoiceState;
        try {
          state = await executeDecision(deps, invoice, d.update, arg, updateIdOf(req, d.name, invoice.id));
        } catch (err) {
          const status = err instanceof HttpError ? err.status : 0;
          if (status === 409 || status === 422)
            deps.metrics.decisions.inc({ decision: d.name, result: status === 409 ? 'conflict' : 'rejected' });
          throw err;
        }
        deps.metrics.decisions.inc({ decision: d.name, result: 'accepted' });
        await audit(deps.db, req, `decision.${d.name}`, 'Invoice', invoice.id, body, {
          stage: invoice.stage,
          balanceMinor: toNumber(invoice.balanceMinor),
        });
        res.json({ invoiceId: invoice.id, decision: d.name, state });
      },
    );
  }
}
