/**
 * REST webhook client for an ERP. Every request is JSON, signed (signature.ts) and carries `Idempotency-Key`.
 * Network errors, 429 and 5xx are retried here with exponential backoff and jitter, then left to Temporal's retry;
 * any other 4xx means the ERP refused the request itself and throws a non-retryable ApplicationFailure.
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
  /** Attempts per call inside one activity attempt (default 3). */
  attempts?: number;
  /** First backoff delay in ms (default 250), doubled each time. */
  backoffMs?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
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
  const attempts = opts.attempts ?? 3;
  const backoff = opts.backoffMs ?? 250;
  const doFetch = opts.fetchImpl ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<Response> {
    const raw = body === undefined ? '' : JSON.stringify(body);
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoff * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      const ts = Math.floor(Date.now() / 1000);
      try {
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
          throw ApplicationFailure.nonRetryable(
            `ERP refused ${method} ${path}: HTTP ${res.status} ${text}`,
            'ErpRejected',
          );
        }
        lastError = new ErpHttpError(res.status, `ERP answered HTTP ${res.status} to ${method} ${path}`);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
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
