/**
 * Click-to-call from the agenda: the API asks the worker to place the call through the contact activity's Twilio
 * path (workflows/click-to-call.ts), only where Twilio and the collector's number are configured. Idempotent: the
 * workflow id and the contact's key come from the task and the request's Idempotency-Key, so a retried request gets
 * the first call's answer and never rings twice.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  CLICK_TO_CALL_WORKFLOW,
  clickToCallWorkflowId,
  isTerminal,
  type ClickToCallInput,
  type Stage,
} from '../../workflows/contract';
import type { Db } from '../../infra/db';
import { assertTaskAccess } from '../access/access';
import type { Principal } from '../access/auth';
import { badRequest, conflict, HttpError, notFound } from '../errors';
import { assertTemporalReachable } from './decisions';

/** How long the request waits for Twilio to take the call before answering 202 (the worker goes on). */
const ANSWER_WITHIN_MS = 10_000;

export interface CallDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** Twilio (account, token, caller id) and TWILIO_AGENT_NUMBER are configured: the API may place calls. */
  clickToCall: boolean;
  temporalTimeoutMs?: number;
}

export interface PlacedCall {
  taskId: string;
  /** SENT: Twilio rings the collector; DEFERRED: the customer's quiet hours (`notBefore`); SKIPPED: no phone;
   * PENDING: still being placed when the request stopped waiting. */
  status: 'SENT' | 'DEFERRED' | 'SKIPPED' | 'QUEUED' | 'PENDING';
  notBefore?: string;
  contactEventId?: string;
  duplicate: boolean;
}

/** Whether click-to-call is on for this configuration (all of Twilio and the agent number). */
export function clickToCallConfigured(c: {
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  TWILIO_AGENT_NUMBER?: string;
}): boolean {
  return Boolean(c.TWILIO_ACCOUNT_SID && c.TWILIO_AUTH_TOKEN && c.TWILIO_FROM && c.TWILIO_AGENT_NUMBER);
}

/** Rings the collector, then bridges them to the customer of an open CALL or CALLBACK task. */
export async function placeCall(
  deps: CallDeps,
  p: Principal,
  taskId: string,
  key: string | undefined,
): Promise<PlacedCall> {
  if (!key) {
    throw badRequest('request is not valid', [
      { path: 'Idempotency-Key', message: 'is required: placing a call is an effect', code: 'required' },
    ]);
  }
  const task = /^[0-9a-f-]{36}$/i.test(taskId)
    ? await deps.db.task.findUnique({ where: { id: taskId }, include: { customer: true, invoice: true } })
    : null;
  if (!task) throw notFound(`task ${taskId}`);
  assertTaskAccess(p, task);
  if (!deps.clickToCall) {
    throw new HttpError(409, 'CLICK_TO_CALL_UNAVAILABLE', 'click-to-call needs Twilio and TWILIO_AGENT_NUMBER');
  }
  if (task.status !== 'OPEN') throw conflict(`task ${taskId} is already ${task.status}`);
  if (!['CALL', 'CALLBACK'].includes(task.kind) || !task.customer) {
    throw conflict(`task ${taskId} is not a call`);
  }
  if (task.invoice && isTerminal(task.invoice.stage as Stage)) {
    throw conflict(`invoice ${task.invoice.externalNumber} is closed (${task.invoice.stage})`);
  }
  if (!task.customer.phone) {
    throw new HttpError(409, 'NO_PHONE', `customer ${task.customer.externalId} has no phone number`);
  }
  await assertTemporalReachable(deps.temporal, deps.temporalTimeoutMs ?? 5000);
  const workflowId = clickToCallWorkflowId(task.id, `${p.keyId}-${key}`);
  const input: ClickToCallInput = {
    taskId: task.id,
    customerId: task.customer.id,
    invoiceIds: task.invoiceId ? [task.invoiceId] : [],
    idempotencyKey: `click-to-call:${task.id}:${p.keyId}:${key}`,
  };
  let duplicate = false;
  try {
    await deps.temporal.workflow.start(CLICK_TO_CALL_WORKFLOW, {
      workflowId,
      taskQueue: deps.taskQueue,
      args: [input],
      // The same request again, while the call runs or after it ended, is refused a start and reads that call's
      // answer below: never a second call.
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    duplicate = true;
  }
  try {
    const r = (await deps.temporal.withDeadline(Date.now() + ANSWER_WITHIN_MS, () =>
      deps.temporal.workflow.getHandle(workflowId).result(),
    )) as { status: PlacedCall['status']; notBefore?: string; contactEventId: string };
    return {
      taskId: task.id,
      status: r.status,
      contactEventId: r.contactEventId,
      ...(r.notBefore ? { notBefore: r.notBefore } : {}),
      duplicate,
    };
  } catch {
    // Twilio slow or the worker busy: the call goes on; the same request later answers its outcome.
    return { taskId: task.id, status: 'PENDING', duplicate };
  }
}
