/**
 * ERP CSV file exchange, inbound: when ERP_CSV_DIR is set the API process watches `<dir>/in/` (contexts/erp/csv.ts
 * parses the files and moves them to processed/ or rejected/) and feeds every row through the same services as the
 * ERP's HTTP calls — payments through `recordPayment` (a row once per reference, then the signal), open items through
 * `createInvoice` (the intake of POST /v1/invoices). Audited as the system, since no API key is involved.
 */
import { HttpError } from '../errors';
import { createCsvErpAdapter, watchCsvInbox } from './csv';
import type { ErpAdapter, ErpOpenItem, ErpPayment } from './adapter';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import type { Logger } from '../../infra/logger';
import { createInvoiceSchema, paymentSchema, type CreateInvoice } from '../schemas';
import { createInvoice, recordPayment, type InvoiceDeps } from '../intake/invoices';

export interface ErpInboxDeps extends InvoiceDeps {
  log: Logger;
}

export interface InboxResult {
  applied: number;
  unchanged: number;
  skipped: Array<{ row: string; reason: string }>;
}

async function auditAsSystem(db: Db, action: string, invoiceId: string, after: object): Promise<void> {
  await db.auditEvent.create({
    data: { actorId: 'system', role: 'system', action, entityType: 'Invoice', entityId: invoiceId, after },
  });
}

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Records each payment once per (invoice, reference) and signals the workflow; bad rows are skipped and logged. */
export async function applyErpPayments(deps: ErpInboxDeps, payments: ErpPayment[]): Promise<InboxResult> {
  const result: InboxResult = { applied: 0, unchanged: 0, skipped: [] };
  for (const p of payments) {
    const row = `${p.invoiceNumber}/${p.reference}`;
    const parsed = paymentSchema.safeParse({ reference: p.reference, amountMinor: p.amountMinor, paidOn: p.paidOn });
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      result.skipped.push({ row, reason });
      deps.log.warn({ row, reason }, 'ERP CSV payment skipped');
      continue;
    }
    try {
      const r = await recordPayment(deps, p.invoiceNumber, parsed.data);
      if (r.duplicate) {
        result.unchanged++;
        continue;
      }
      await auditAsSystem(deps.db, 'invoice.payment', r.invoiceId, { ...parsed.data, source: 'erp-csv' });
      result.applied++;
    } catch (err) {
      // Unknown invoice, invoice no longer collected: the ERP's problem to fix, the rest of the file goes on. Anything
      // else (database or Temporal down) is logged as an error: the file has already moved to processed/, and
      // dropping it again is safe (the reference counts once, the workflow ignores a payment it has counted).
      const reason = reasonOf(err);
      result.skipped.push({ row, reason });
      if (err instanceof HttpError) deps.log.warn({ row, reason }, 'ERP CSV payment skipped');
      else deps.log.error({ row, reason }, 'ERP CSV payment failed: drop the file again once the cause is fixed');
    }
  }
  return result;
}

type CustomerRow = NonNullable<Awaited<ReturnType<Db['customer']['findUnique']>>>;

/** The customer block POST /v1/invoices would carry, rebuilt from the stored customer so the upsert changes nothing. */
function customerBlockOf(c: CustomerRow): Record<string, unknown> {
  const opt = <T>(v: T | null): T | undefined => v ?? undefined;
  return {
    externalId: c.externalId,
    name: c.name,
    vatNumber: opt(c.vatNumber),
    fiscalCode: opt(c.fiscalCode),
    email: opt(c.email),
    phone: opt(c.phone),
    pec: opt(c.pec),
    address:
      c.addressLine && c.city && c.postalCode
        ? {
            line: c.addressLine,
            city: c.city,
            postalCode: c.postalCode,
            province: opt(c.province),
            country: c.country,
          }
        : undefined,
    language: c.language,
    segment: c.segment,
    area: opt(c.area),
    consumer: c.consumer,
    creditLimitMinor: c.creditLimitMinor === null ? undefined : toNumber(c.creditLimitMinor),
    collectorId: opt(c.collectorId),
    salespersonId: opt(c.salespersonId),
  };
}

/**
 * Opens each open item through the invoice intake (idempotent on the number). An open-items row names its customer
 * but carries none of the customer's data, so a customer unknown here is skipped with the reason.
 */
export async function applyErpOpenItems(deps: ErpInboxDeps, items: ErpOpenItem[]): Promise<InboxResult> {
  const result: InboxResult = { applied: 0, unchanged: 0, skipped: [] };
  for (const item of items) {
    const row = item.invoiceNumber;
    const skip = (reason: string, error = false): void => {
      result.skipped.push({ row, reason });
      if (error)
        deps.log.error({ row, reason }, 'ERP CSV open item failed: drop the file again once the cause is fixed');
      else deps.log.warn({ row, reason }, 'ERP CSV open item skipped');
    };
    const customer = await deps.db.customer.findUnique({ where: { externalId: item.customerExternalId } });
    if (!customer) {
      skip(
        `unknown customer '${item.customerExternalId}': an open-items row carries no customer data ` +
          '(name, segment…); create the first invoice through POST /v1/invoices or an import',
      );
      continue;
    }
    const parsed = createInvoiceSchema.safeParse({
      number: item.invoiceNumber,
      customer: customerBlockOf(customer),
      currency: item.currency,
      amountMinor: item.amountMinor,
      balanceMinor: item.balanceMinor,
      issueDate: item.issueDate,
      dueDate: item.dueDate,
    });
    if (!parsed.success) {
      skip(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      continue;
    }
    try {
      const r = await createInvoice(deps, parsed.data as CreateInvoice);
      if (!r.created) {
        result.unchanged++;
        continue;
      }
      await auditAsSystem(deps.db, 'invoice.create', r.invoiceId, { ...parsed.data, source: 'erp-csv' });
      result.applied++;
    } catch (err) {
      skip(reasonOf(err), !(err instanceof HttpError));
    }
  }
  return result;
}

/**
 * Starts polling `<dir>/in/` with the CSV adapter. The returned stop function stops the polling and waits for a
 * file being applied to finish, so shutdown never disconnects the database under it.
 */
export function startErpCsvInbox(deps: ErpInboxDeps, opts: { dir: string; intervalMs?: number }): () => Promise<void> {
  const csv = createCsvErpAdapter({ dir: opts.dir });
  // A tick runs fetchPayments → onPayments → fetchOpenItems → onOpenItems, or ends in onError: track it from its
  // first read to its last step so stop() can wait for it.
  let stopped = false;
  let current: Promise<void> | null = null;
  let done: (() => void) | null = null;
  const begin = (): void => {
    current = new Promise((resolve) => (done = resolve));
  };
  const end = (): void => {
    done?.();
    done = null;
    current = null;
  };
  const adapter: ErpAdapter = {
    ...csv,
    fetchPayments: async () => {
      if (stopped) return [];
      begin();
      return csv.fetchPayments();
    },
    fetchOpenItems: async () => {
      const items = stopped && !current ? [] : await csv.fetchOpenItems();
      if (items.length === 0) end();
      return items;
    },
  };
  const stopWatching = watchCsvInbox({
    adapter,
    intervalMs: opts.intervalMs,
    onPayments: async (payments) => {
      const r = await applyErpPayments(deps, payments);
      deps.log.info({ ...r, skipped: r.skipped.length }, 'ERP CSV payments applied');
    },
    onOpenItems: async (items) => {
      try {
        const r = await applyErpOpenItems(deps, items);
        deps.log.info({ ...r, skipped: r.skipped.length }, 'ERP CSV open items applied');
      } finally {
        end();
      }
    },
    onError: (err) => {
      deps.log.error({ err: reasonOf(err) }, 'ERP CSV inbox failed');
      end();
    },
  });
  deps.log.info({ dir: opts.dir }, 'watching the ERP CSV inbox');
  return async () => {
    stopped = true;
    stopWatching();
    await current;
  };
}
