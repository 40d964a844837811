/**
 * REST webhook client for an ERP. Every request is JSON, signed (signature.ts) and carries `Idempotency-Key`.
 * One HTTP attempt per activity attempt: network errors, 408, 429 and 5xx throw a retryable error and Temporal's retry
 * policy (the activity options of the calling workflow) is the only retry — a loop here would multiply its attempts
 * and hide them from the history. Any other 4xx means the ERP refused the request itself: a non-retryable
 * ApplicationFailure of type `ErpRejected`, which the workflows list in `nonRetryableErrorTypes`.
 *
 * Contract the ERP implements (docs/channels.md):
 *   POST {base}/customers/{externalId}/block      { idempotencyKey, customerId, reason }
 *   POST {base}/customers/{externalId}/unblock    { idempotencyKey, customerId, reason }
 *   POST {base}/invoices/{number}/status          { idempotencyKey, invoiceId, stage, balanceMinor, currency }
 *   GET  {base}/requests/{idempotencyKey}         200 if that request was received, 404 otherwise
 *   GET  {base}/open-items?since=ISO              { items: ErpOpenItem[] }
 *   GET  {base}/payments?since=ISO                { payments: ErpPayment[] }
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ErpAdapter, ErpOpenItem, ErpPayment, ErpRequestBase, ErpInvoiceStatus } from './adapter';
import { SIGNATURE_HEADER, signErpPayload, TIMESTAMP_HEADER } from './signature';

export interface RestErpOptions {
  baseUrl: string;
  secret: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export class ErpHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export function createRestErpAdapter(opts: RestErpOptions): ErpAdapter {
  const base = opts.baseUrl.replace(/\/$/, '');
  const doFetch = opts.fetchImpl ?? fetch;

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<Response> {
    const raw = body === undefined ? '' : JSON.stringify(body);
    const ts = Math.floor(Date.now() / 1000);
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: signErpPayload(opts.secret, ts, raw),
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: method === 'POST' ? raw : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    if (res.ok || res.status === 404) return res;
    if (!retryable(res.status)) {
      const text = (await res.text()).slice(0, 300);
      throw ApplicationFailure.nonRetryable(`ERP refused ${method} ${path}: HTTP ${res.status} ${text}`, 'ErpRejected');
    }
    throw new ErpHttpError(res.status, `ERP answered HTTP ${res.status} to ${method} ${path}`);
  }

  async function post(path: string, body: { idempotencyKey: string }): Promise<void> {
    const res = await call('POST', path, body, body.idempotencyKey);
    if (res.status === 404) {
      throw ApplicationFailure.nonRetryable(`ERP does not know ${path}`, 'ErpRejected');
    }
  }

  return {
    kind: 'rest',
    blockCustomer: (r: ErpRequestBase) =>
      post(`/customers/${encodeURIComponent(r.customer.externalId)}/block`, {
        idempotencyKey: r.idempotencyKey,
        customerId: r.customer.customerId,
        reason: r.reason,
      } as { idempotencyKey: string }),
    unblockCustomer: (r: ErpRequestBase) =>
      post(`/customers/${encodeURIComponent(r.customer.externalId)}/unblock`, {
        idempotencyKey: r.idempotencyKey,
        customerId: r.customer.customerId,
        reason: r.reason,
      } as { idempotencyKey: string }),
    postInvoiceStatus: (r: ErpInvoiceStatus) =>
      post(`/invoices/${encodeURIComponent(r.invoiceNumber)}/status`, {
        idempotencyKey: r.idempotencyKey,
        invoiceId: r.invoiceId,
        customerExternalId: r.customer.externalId,
        stage: r.stage,
        balanceMinor: r.balanceMinor,
        currency: r.currency,
      } as { idempotencyKey: string }),
    async hasRequest(key: string) {
      const res = await call('GET', `/requests/${encodeURIComponent(key)}`);
      return res.status !== 404;
    },
    async fetchOpenItems(since?: string): Promise<ErpOpenItem[]> {
      const res = await call('GET', `/open-items${since ? `?since=${encodeURIComponent(since)}` : ''}`);
      return res.status === 404 ? [] : ((await res.json()) as { items: ErpOpenItem[] }).items;
    },
    async fetchPayments(since?: string): Promise<ErpPayment[]> {
      const res = await call('GET', `/payments${since ? `?since=${encodeURIComponent(since)}` : ''}`);
      return res.status === 404 ? [] : ((await res.json()) as { payments: ErpPayment[] }).payments;
    },
  };
}
