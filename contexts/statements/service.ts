/**
 * The statement as the API serves it: the customer found by id or external id, the collector scope checked, the
 * date checked against today (a statement shows today's balances, so it cannot be dated in the past); and the
 * request to send it, handed to the customer workflow.
 */
import type { Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  SA,
  customerMessageSignal,
  customerWorkflowId,
  type CustomerStatementAsk,
  type CustomerWorkflowInput,
} from '../../workflows/contract';
import type { Principal } from '../access/auth';
import { currentPolicy } from '../policies/store';
import type { SendStatementBody } from './schemas';
import { assertCustomerAccess } from '../access/access';
import { findCustomer } from '../collections/customers';
import { badRequest } from '../errors';
import type { Db } from '../../infra/db';
import { todayIn, zonedMidnight } from '../../domain/time';
import { buildStatement, type Statement, type StatementOptions } from './statement';

/** How far ahead a statement may be dated (interest "if paid on …"). */
export const MAX_STATEMENT_DAYS_AHEAD = 366;

export async function statementOf(
  deps: { db: Db; timeZone: string; options?: StatementOptions },
  p: Principal,
  idOrExternal: string,
  asOf: string | undefined,
  now = new Date(),
): Promise<Statement> {
  const today = todayIn(deps.timeZone, now);
  const day = asOf ?? today;
  if (day < today) {
    throw badRequest('request is not valid', [
      { path: 'asOf', message: "must be today or later: a statement shows today's balances" },
    ]);
  }
  const limit = new Date(Date.parse(`${today}T00:00:00Z`) + MAX_STATEMENT_DAYS_AHEAD * 86_400_000);
  if (day > limit.toISOString().slice(0, 10)) {
    throw badRequest('request is not valid', [
      { path: 'asOf', message: `must be at most ${MAX_STATEMENT_DAYS_AHEAD} days ahead` },
    ]);
  }
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  return buildStatement(deps.db, c.id, day === today ? now : zonedMidnight(day, deps.timeZone), {
    timeZone: deps.timeZone,
    ...deps.options,
  });
}

/**
 * Asks the customer workflow to send the statement now (e-mail or PEC, through the contact budget). The request key
 * comes from the caller's Idempotency-Key, per API key: the same request twice sends once.
 */
export async function requestStatement(
  deps: { db: Db; temporal: Client; taskQueue: string },
  p: Principal,
  idOrExternal: string,
  body: SendStatementBody,
  key: string | undefined,
): Promise<{ customerId: string; channel: 'EMAIL' | 'PEC'; requestKey: string; status: 'QUEUED'; duplicate: boolean }> {
  if (!key) {
    throw badRequest('request is not valid', [
      { path: 'Idempotency-Key', message: 'is required: sending a statement is an effect' },
    ]);
  }
  const c = await findCustomer(deps.db, idOrExternal);
  assertCustomerAccess(p, c);
  const channel = body.channel ?? (c.email ? 'EMAIL' : c.pec ? 'PEC' : null);
  if (!channel || (channel === 'EMAIL' && !c.email) || (channel === 'PEC' && !c.pec)) {
    throw badRequest('request is not valid', [
      {
        path: 'channel',
        message: channel
          ? `the customer has no ${channel === 'EMAIL' ? 'e-mail' : 'PEC'} address`
          : 'the customer has no e-mail or PEC address',
      },
    ]);
  }
  const requestKey = `console:${p.keyId}:${key}`;
  const duplicate =
    (await deps.db.auditEvent.count({
      where: { action: STATEMENT_SEND_ACTION, entityId: c.id, after: { path: ['requestKey'], equals: requestKey } },
    })) > 0;
  const policy = await currentPolicy(deps.db, c.segment);
  const message: CustomerStatementAsk = {
    type: 'statement',
    requestKey,
    channel,
    ...(body.lang ? { lang: body.lang } : {}),
    contactBudget: policy.settings.contactBudget,
  };
  const input: CustomerWorkflowInput = { customerId: c.id };
  await deps.temporal.workflow.signalWithStart('customerWorkflow', {
    workflowId: customerWorkflowId(c.id),
    taskQueue: deps.taskQueue,
    args: [input],
    signal: customerMessageSignal,
    signalArgs: [message],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: SA.customerId, value: c.id }],
  });
  return { customerId: c.id, channel, requestKey, status: 'QUEUED', duplicate };
}

export const STATEMENT_SEND_ACTION = 'customer.statement.send';
