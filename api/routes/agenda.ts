/** The collectors' agenda, task outcomes and click-to-call. */
import { z } from 'zod';
import { principalOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { HttpError } from '../../contexts/errors';
import type { RouteTable } from '../registry';
import { agendaQuery, completeTaskSchema, idParams, reassignSchema } from '../../contexts/schemas';
import { agenda, completeTask, reassignTask } from '../../contexts/collections/agenda';
import { placeCall } from '../../contexts/collections/calls';
import { idempotencyKey } from '../../contexts/collections/customers';
import type { RouteDeps } from './deps';

/** Click-to-call takes no fields: the task names the customer, the configuration the collector's number. */
const callSchema = z.object({}).strict();

export function agendaRoutes(t: RouteTable, deps: RouteDeps): void {
  const adeps = {
    db: deps.db,
    temporal: deps.temporal,
    timeZone: deps.timeZone,
    temporalTimeoutMs: deps.temporalTimeoutMs,
  };

  t.add(
    {
      method: 'get',
      path: '/v1/agenda',
      roles: ['collector', 'manager'],
      tag: 'agenda',
      summary: 'Open tasks due today and every overdue one, by priority (amount × days overdue × rating risk)',
      description:
        'Collectors get their own tasks; managers may filter by collector (or "unassigned"), area, salesperson.',
      query: agendaQuery,
      mutating: false,
      responses: { 200: 'The agenda' },
    },
    async (req, res, { query }) => {
      const p = principalOf(req);
      if (p.role === 'collector' && query.collector && query.collector !== p.userId) {
        throw new HttpError(403, 'FORBIDDEN', "collectors see their own agenda only; drop 'collector'");
      }
      res.json(await agenda(adeps, p, query));
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/tasks/:id/complete',
      roles: ['collector', 'manager'],
      tag: 'agenda',
      summary: 'Complete a task with its outcome; the invoice workflow decides what follows',
      params: idParams,
      body: completeTaskSchema,
      mutating: true,
      responses: {
        200: 'Done: the new invoice state',
        409: 'Task or invoice already closed',
        422: 'Outcome rejected by the workflow',
      },
    },
    async (req, res, { params, body }) => {
      const key = idempotencyKey(req);
      const updateId = key ? `${principalOf(req).keyId}:task:${params.id}:${key}` : undefined;
      const result = await completeTask(adeps, req, params.id, body, updateId);
      await audit(deps.db, req, 'task.complete', 'Task', result.taskId, body);
      res.json(result);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/tasks/:id/reassign',
      roles: ['manager'],
      tag: 'agenda',
      summary: 'Give a task to another collector',
      params: idParams,
      body: reassignSchema,
      mutating: true,
      responses: { 200: 'Reassigned', 409: 'Task already closed' },
    },
    async (req, res, { params, body }) => {
      const result = await reassignTask(adeps, params.id, body.assigneeId);
      await audit(deps.db, req, 'task.reassign', 'Task', params.id, result.after, result.before);
      res.json(result.after);
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/tasks/:id/call',
      roles: ['collector', 'manager'],
      tag: 'agenda',
      summary: 'Click-to-call: ring the collector, then bridge them to the customer of a call task (Twilio)',
      description:
        'Only where Twilio and TWILIO_AGENT_NUMBER are configured (409 CLICK_TO_CALL_UNAVAILABLE otherwise). The call ' +
        'goes through the contact activity (the quiet hours hold: DEFERRED with notBefore). Idempotency-Key required; ' +
        'the same key answers the same call (`duplicate: true`) and never rings twice.',
      params: idParams,
      body: callSchema,
      mutating: true,
      responses: {
        200: 'SENT (ringing), DEFERRED (quiet hours), SKIPPED (no phone) or PENDING (still being placed)',
        409: 'Not configured, task closed or not a call, no phone',
      },
    },
    async (req, res, { params }) => {
      const p = principalOf(req);
      const result = await placeCall(
        {
          db: deps.db,
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
          clickToCall: Boolean(deps.clickToCall),
          temporalTimeoutMs: deps.temporalTimeoutMs,
        },
        p,
        params.id,
        idempotencyKey(req),
      );
      if (!result.duplicate) await audit(deps.db, req, 'task.call', 'Task', result.taskId, { status: result.status });
      res.json(result);
    },
  );
}
