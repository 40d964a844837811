/**
 * ERP activities: block / unblock a customer's orders and post an invoice's collection status.
 *
 * Idempotency mirrors sendContact: a ContactEvent (channel ERP, key `erp:<idempotencyKey>`) is inserted PENDING
 * before the ERP is called and marked SENT after. A retry finding SENT/QUEUED does nothing; finding PENDING it
 * asks the ERP whether it holds the key (REST: GET /requests/{key}; CSV: the out file exists) before calling again.
 * Without an ERP configured the request is recorded as QUEUED (plus an AuditEvent) so nothing is silently lost.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/db';
import type { Logger } from '../../infra/logger';
import type { ErpCall, SegugioActivities } from '../types';
import type { ErpAdapter, ErpRequestBase } from '../../contexts/erp/adapter';
import { createCsvErpAdapter } from '../../contexts/erp/csv';
import { createRestErpAdapter } from '../../contexts/erp/rest';

export type { ErpAdapter } from '../../contexts/erp/adapter';
export { createCsvErpAdapter, watchCsvInbox } from '../../contexts/erp/csv';
export { createRestErpAdapter } from '../../contexts/erp/rest';

export interface ErpDeps {
  db: Db;
  config: Config;
  log: Logger;
  /** Overrides the adapter chosen from config (null = no ERP). */
  adapter?: ErpAdapter | null;
  /** Test-only fault injection: runs after the ERP accepted a request and before the database records it. */
  faults?: { afterProviderAccepted?: (info: { idempotencyKey: string; action: string }) => void };
}

/** REST when ERP_WEBHOOK_URL is set, CSV when ERP_CSV_DIR is set, otherwise none. */
export function erpAdapterFromConfig(config: Config): ErpAdapter | null {
  if (config.ERP_WEBHOOK_URL) {
    if (!config.ERP_WEBHOOK_SECRET) throw new Error('ERP_WEBHOOK_URL is set but ERP_WEBHOOK_SECRET is not');
    return createRestErpAdapter({ baseUrl: config.ERP_WEBHOOK_URL, secret: config.ERP_WEBHOOK_SECRET });
  }
  if (config.ERP_CSV_DIR) return createCsvErpAdapter({ dir: config.ERP_CSV_DIR });
  return null;
}

type Action = 'BLOCK_CUSTOMER' | 'UNBLOCK_CUSTOMER' | 'INVOICE_STATUS';

export function createErpActivities(
  deps: ErpDeps,
): Pick<SegugioActivities, 'erpBlockCustomer' | 'erpUnblockCustomer' | 'erpPostInvoiceStatus'> {
  const { db, log } = deps;
  const adapter = deps.adapter !== undefined ? deps.adapter : erpAdapterFromConfig(deps.config);

  async function run(
    action: Action,
    input: ErpCall & { stage?: string; balanceMinor?: number },
    invoke: (
      a: ErpAdapter,
      base: ErpRequestBase,
      invoice: { number: string; currency: string } | null,
    ) => Promise<void>,
  ): Promise<void> {
    const key = `erp:${input.idempotencyKey}`;
    const logCtx = { key: input.idempotencyKey, action };
    const existing = await db.contactEvent.findUnique({ where: { idempotencyKey: key } });
    if (existing?.status === 'FAILED') {
      // The ERP refused this very request before: say so again rather than pretend it went through.
      throw ApplicationFailure.nonRetryable(
        `ERP refused this request earlier: ${existing.outcome ?? 'FAILED'}`,
        'ErpRejected',
      );
    }
    if (existing && existing.status !== 'PENDING') {
      log.info(logCtx, 'ERP request already recorded: not calling again');
      return;
    }
    const customer = await db.customer.findUnique({
      where: { id: input.customerId },
      select: { id: true, externalId: true },
    });
    if (!customer) throw ApplicationFailure.nonRetryable(`customer ${input.customerId} not found`, 'NotFound');
    const invoice = input.invoiceId
      ? await db.invoice.findUnique({
          where: { id: input.invoiceId },
          select: { externalNumber: true, currency: true, customerId: true },
        })
      : null;
    if (input.invoiceId && !invoice)
      throw ApplicationFailure.nonRetryable(`invoice ${input.invoiceId} not found`, 'NotFound');

    const row =
      existing ??
      (await db.contactEvent
        .create({
          data: {
            idempotencyKey: key,
            customerId: customer.id,
            invoiceId: input.invoiceId ?? null,
            invoiceIds: input.invoiceId ? [input.invoiceId] : [],
            channel: 'ERP',
            direction: 'OUT',
            stage: input.stage ?? null,
            template: action,
            status: 'PENDING',
            provider: adapter ? `erp-${adapter.kind}` : 'none',
            body: JSON.stringify({
              action,
              reason: input.reason ?? null,
              stage: input.stage ?? null,
              balanceMinor: input.balanceMinor ?? null,
            }),
          },
        })
        .catch(async (err: unknown) => {
          const again = await db.contactEvent.findUnique({ where: { idempotencyKey: key } });
          if (!again) throw err;
          return again;
        }));

    if (!adapter) {
      await db.$transaction([
        db.contactEvent.update({ where: { id: row.id }, data: { status: 'QUEUED', outcome: 'ERP_NOT_CONFIGURED' } }),
        db.auditEvent.create({
          data: {
            actorId: 'system',
            role: 'system',
            action: `erp.${action.toLowerCase()}.not_sent`,
            entityType: input.invoiceId ? 'Invoice' : 'Customer',
            entityId: input.invoiceId ?? customer.id,
            after: { idempotencyKey: input.idempotencyKey, reason: input.reason ?? null, stage: input.stage ?? null },
          },
        }),
      ]);
      log.warn(logCtx, 'no ERP configured: request recorded as QUEUED for an operator');
      return;
    }

    if (existing?.status === 'PENDING') {
      const known = await adapter.hasRequest(input.idempotencyKey);
      if (known) {
        log.info(logCtx, 'reconciled a PENDING ERP request: the ERP already has it');
        await db.contactEvent.update({
          where: { id: row.id },
          data: { status: 'SENT', sentAt: new Date(), outcome: 'RECONCILED' },
        });
        return;
      }
    }

    const base: ErpRequestBase = {
      idempotencyKey: input.idempotencyKey,
      customer: { customerId: customer.id, externalId: customer.externalId },
      reason: input.reason,
    };
    try {
      await invoke(adapter, base, invoice && { number: invoice.externalNumber, currency: invoice.currency });
    } catch (err) {
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        await db.contactEvent.update({
          where: { id: row.id },
          data: { status: 'FAILED', outcome: err.message.slice(0, 500) },
        });
      }
      throw err;
    }
    deps.faults?.afterProviderAccepted?.({ idempotencyKey: input.idempotencyKey, action });
    await db.contactEvent.update({ where: { id: row.id }, data: { status: 'SENT', sentAt: new Date() } });
    log.info(logCtx, 'ERP request sent');
  }

  return {
    erpBlockCustomer: (input) => run('BLOCK_CUSTOMER', input, (a, base) => a.blockCustomer(base)),
    erpUnblockCustomer: (input) => run('UNBLOCK_CUSTOMER', input, (a, base) => a.unblockCustomer(base)),
    erpPostInvoiceStatus: (input) =>
      run('INVOICE_STATUS', input, (a, base, invoice) =>
        a.postInvoiceStatus({
          ...base,
          invoiceId: input.invoiceId,
          invoiceNumber: invoice!.number,
          stage: input.stage,
          balanceMinor: input.balanceMinor,
          currency: invoice!.currency,
        }),
      ),
  };
}
