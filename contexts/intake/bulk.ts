/**
 * Invoice intake for a batch of rows (the bulk import): the same outcome as `createInvoice` row by row — customer
 * upserted, invoice created once by its number, workflow started once — with set-based queries instead of several
 * round trips per row, and workflow starts many at a time. Rows a single call would refuse are returned as rejections.
 */
import crypto from 'node:crypto';
import { invoiceWorkflowId, isTerminal, type Stage } from '../../workflows/contract';
import type { CreateInvoice } from '../schemas';
import { customerDataOf, startInvoiceWorkflow, type IntakeCache, type InvoiceDeps } from './invoices';

export interface BulkRow {
  line: number;
  invoice: CreateInvoice;
}

export interface BulkResult {
  accepted: number;
  /** Workflows this call started (invoices new to Segugio). */
  started: number;
  rejections: Array<{ line: number; reason: string }>;
}

/** Parallel workflow starts: Temporal's start is the slowest step, and it is I/O. */
const START_CONCURRENCY = 32;

const same = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  Object.keys(a).every((k) => String(a[k] ?? null) === String(b[k] ?? null));

export async function bulkIntake(
  deps: InvoiceDeps,
  rows: BulkRow[],
  cache: IntakeCache,
  onProgress?: (n: number) => void,
): Promise<BulkResult> {
  const { db } = deps;
  const rejections: BulkResult['rejections'] = [];

  // Users named as collector or salesperson must exist.
  const userIds = [
    ...new Set(
      rows
        .flatMap((r) => [r.invoice.customer.collectorId, r.invoice.customer.salespersonId])
        .filter((u): u is string => Boolean(u)),
    ),
  ];
  const unknownUsers = userIds.filter((u) => !cache.users.has(u));
  if (unknownUsers.length > 0) {
    const found = new Set(
      (await db.user.findMany({ where: { id: { in: unknownUsers } }, select: { id: true } })).map((u) => u.id),
    );
    for (const u of unknownUsers) cache.users.set(u, found.has(u));
  }
  let valid = rows.filter((r) => {
    const c = r.invoice.customer;
    for (const [path, id] of [
      ['customer.collectorId', c.collectorId],
      ['customer.salespersonId', c.salespersonId],
    ] as const) {
      if (id && !cache.users.get(id)) {
        rejections.push({ line: r.line, reason: `${path}: unknown user '${id}'` });
        return false;
      }
    }
    return true;
  });

  // Customers: the last row of each customer wins, as it would row by row.
  const lastOf = new Map<string, CreateInvoice['customer']>();
  for (const r of valid) lastOf.set(r.invoice.customer.externalId, r.invoice.customer);
  const externalIds = [...lastOf.keys()];
  const existingCustomers = await db.customer.findMany({ where: { externalId: { in: externalIds } } });
  const byExternal = new Map(existingCustomers.map((c) => [c.externalId, c]));
  const toCreate = externalIds.filter((e) => !byExternal.has(e));
  if (toCreate.length > 0) {
    await db.customer.createMany({
      data: toCreate.map((e) => ({ id: crypto.randomUUID(), externalId: e, ...customerDataOf(lastOf.get(e)!) })),
      skipDuplicates: true,
    });
  }
  for (const c of existingCustomers) {
    const data = customerDataOf(lastOf.get(c.externalId)!);
    if (!same(data, c as unknown as Record<string, unknown>)) await db.customer.update({ where: { id: c.id }, data });
  }
  const customers = new Map(
    (await db.customer.findMany({ where: { externalId: { in: externalIds } } })).map((c) => [c.externalId, c]),
  );

  // Invoices: numbers already known keep their row (and their customer); new ones are inserted in one statement.
  const numbers = [...new Set(valid.map((r) => r.invoice.number))];
  const known = new Map(
    (await db.invoice.findMany({ where: { externalNumber: { in: numbers } } })).map((i) => [i.externalNumber, i]),
  );
  const fresh = new Map<string, BulkRow>();
  for (const r of valid)
    if (!known.has(r.invoice.number) && !fresh.has(r.invoice.number)) fresh.set(r.invoice.number, r);
  const newIds = new Set<string>();
  if (fresh.size > 0) {
    const data = [...fresh.values()].map((r) => {
      const id = crypto.randomUUID();
      newIds.add(id);
      const customer = customers.get(r.invoice.customer.externalId)!;
      return {
        id,
        externalNumber: r.invoice.number,
        customerId: customer.id,
        currency: r.invoice.currency,
        amountMinor: BigInt(r.invoice.amountMinor),
        balanceMinor: BigInt(r.invoice.balanceMinor ?? r.invoice.amountMinor),
        issueDate: new Date(`${r.invoice.issueDate}T00:00:00Z`),
        dueDate: new Date(`${r.invoice.dueDate}T00:00:00Z`),
        segment: customer.segment,
        workflowId: invoiceWorkflowId(id),
      };
    });
    await db.invoice.createMany({ data, skipDuplicates: true });
  }
  const invoices = new Map(
    (await db.invoice.findMany({ where: { externalNumber: { in: numbers } } })).map((i) => [i.externalNumber, i]),
  );

  valid = valid.filter((r) => {
    const inv = invoices.get(r.invoice.number);
    const customer = customers.get(r.invoice.customer.externalId);
    if (!inv || !customer) {
      rejections.push({ line: r.line, reason: 'the invoice could not be recorded' });
      return false;
    }
    if (inv.customerId !== customer.id) {
      rejections.push({
        line: r.line,
        reason: `number: invoice ${r.invoice.number} already belongs to another customer`,
      });
      return false;
    }
    return true;
  });

  // One start per invoice (a number twice in the batch starts once); closed invoices start nothing.
  const toStart = [...new Map(valid.map((r) => [r.invoice.number, r])).values()].filter(
    (r) => !isTerminal(invoices.get(r.invoice.number)!.stage as Stage),
  );
  let started = 0;
  let done = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(START_CONCURRENCY, toStart.length) }, async () => {
      for (let i = next++; i < toStart.length; i = next++) {
        const r = toStart[i];
        const inv = invoices.get(r.invoice.number)!;
        const ok = await startInvoiceWorkflow(deps, inv, customers.get(r.invoice.customer.externalId)!, cache);
        if (ok && newIds.has(inv.id)) started += 1;
        done += 1;
        if (done % 50 === 0) onProgress?.(done);
      }
    }),
  );
  return { accepted: valid.length, started, rejections };
}
