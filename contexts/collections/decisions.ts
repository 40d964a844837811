/**
 * Human decisions: each is a workflow update with a validator, so the caller learns at once whether it was accepted
 * (200 with the new state) or rejected and why (422 with the validator's message). A closed invoice answers 409.
 * Database mirrors (promises, disputes, plans, legal cases) are written only after the workflow accepted.
 */
import crypto from 'node:crypto';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Db } from '../../infra/db';
import { isTerminal, type InvoiceState, type Stage } from '../../workflows/contract';
import { conflict, HttpError, rejected, type ReasonParams } from '../errors';

/** How long the API waits for a workflow to accept or reject a decision before answering 503. */
export const UPDATE_TIMEOUT_MS = 15_000;

export interface DecisionDeps {
  db: Db;
  temporal: Client;
  /** TEMPORAL_CALL_TIMEOUT_MS: how soon an unreachable Temporal is reported (the update itself may take longer). */
  temporalTimeoutMs?: number;
}

/**
 * Answers 503 within `timeoutMs` when the Temporal frontend does not answer a trivial call. Asked before a decision's
 * update, which may legitimately wait up to UPDATE_TIMEOUT_MS for a busy worker: a Temporal that is down is reported
 * within the short deadline instead of after the SDK's retries run out (16–21 s), and no update is left retrying in
 * the background. One cheap round trip when Temporal is up.
 */
export async function assertTemporalReachable(temporal: Client, timeoutMs: number): Promise<void> {
  try {
    await temporal.withDeadline(Date.now() + timeoutMs, () => temporal.workflowService.getSystemInfo({}));
  } catch {
    throw new HttpError(503, 'UNAVAILABLE', `Temporal did not answer within ${timeoutMs} ms; retry later`, undefined, {
      'Retry-After': '5',
    });
  }
}

/**
 * Sends one update and maps its outcome: accepted → state; validator or handler failure → 422; workflow closed →
 * 409; no worker answering in time → 503. `updateId` makes a retried HTTP request the same update.
 */
export async function executeDecision<A>(
  deps: DecisionDeps,
  invoice: { workflowId: string; externalNumber: string; stage: string },
  def: UpdateDefinition<InvoiceState, [A]>,
  arg: A,
  updateId?: string,
): Promise<InvoiceState> {
  if (isTerminal(invoice.stage as Stage)) {
    throw conflict(`invoice ${invoice.externalNumber} is closed (${invoice.stage}); no decision can change it`);
  }
  const handle = deps.temporal.workflow.getHandle(invoice.workflowId);
  await assertTemporalReachable(deps.temporal, deps.temporalTimeoutMs ?? 5000);
  try {
    return await deps.temporal.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () =>
      handle.executeUpdate(def, { args: [arg], updateId: updateId ?? crypto.randomUUID() }),
    );
  } catch (err) {
    throw mapUpdateError(err, invoice.externalNumber);
  }
}

/**
 * The workflow's stable reason for a rejection, from the failure's `details[0] = { reason, params }`; undefined
 * when the workflow gave none (older workflow code), so clients fall back to a generic sentence.
 */
export function rejectionReason(details: unknown[] | undefined): { code: string; params: ReasonParams } | undefined {
  const d = details?.[0] as { reason?: unknown; params?: unknown } | undefined;
  if (!d || typeof d.reason !== 'string' || !/^[A-Z][A-Z0-9_]{0,63}$/.test(d.reason)) return undefined;
  const params: ReasonParams = {};
  if (d.params && typeof d.params === 'object') {
    for (const [k, v] of Object.entries(d.params as Record<string, unknown>)) {
      const plain = (x: unknown): boolean => ['string', 'number'].includes(typeof x);
      if (v === null || plain(v) || typeof v === 'boolean') params[k] = v as ReasonParams[string];
      else if (Array.isArray(v) && v.every(plain)) params[k] = v as Array<string | number>;
    }
  }
  return { code: d.reason, params };
}

export function mapUpdateError(err: unknown, number: string): unknown {
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause as { message?: string; details?: unknown[] } | undefined;
    const message = cause?.message || err.message || 'the workflow rejected this decision';
    // The workflow closed between our read of the row and the update: a state conflict, not a bad decision.
    if (/ is closed \(/.test(message)) return conflict(message);
    return rejected(message, rejectionReason(cause?.details));
  }
  if (err instanceof WorkflowNotFoundError) {
    return conflict(`invoice ${number} is no longer being collected`);
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new HttpError(503, 'UNAVAILABLE', 'the invoice workflow did not answer in time; retry later', undefined, {
      'Retry-After': '5',
    });
  }
  return err;
}
