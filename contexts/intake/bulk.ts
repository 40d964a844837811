/**
 * Invoice intake for a batch of rows (the bulk import): the same outcome as `createInvoice` row by row — customer
 * upserted, invoice created once by its number, workflow started once — with set-based queries instead of several
 * round trips per row, and workflow starts many at a time. Rows a single call would refuse are returned as rejections.
 */
import crypto from 'node:crypto';
import { invoiceWorkflowId, isTerminal, type Stage } from '../../workflows/contract';
import type { Prisma } from '../../generated/prisma/client';
import { auditRow, type Actor } from '../access/audit';
import type { RowProblem } from '../erp/import-format';
import type { CreateInvoice } from '../schemas';
import {
  customerInsertOf,
  customerUpdateOf,
  ensureWorkflow,
  intakePolicy,
  markWorkflowsStarted,
  type IntakeCache,
  type InvoiceDeps,
} from './invoices';
import { termEndOf } from './term-end';

export interface BulkRow {
  line: number;
  invoice: CreateInvoice;
}

export interface BulkResult {
  accepted: number;
  /** Workflows this call started (new invoices, and invoices a Temporal outage had left without one). */
  started: number;
  /** English `reason` for logs; `problems` as stable codes for a person (contexts/intake/import-messages.ts). */
  rejections: Array<{ line: number; reason: string; problems: RowProblem[] }>;
}

/** Parallel workflow starts: Temporal's start is the slowest step, and it is I/O. */
const START_CONCURRENCY = 32;
/** Started workflows whose outbox mark is written in one statement. */
const MARK_GROUP = 50;

/** A batch's customer and invoice writes, in one transaction; retried when it lost a race (below). */
const WRITE_ATTEMPTS = 5;
const WRITE_TIMEOUT_MS = 120_000;

/** A number of this batch was taken by another customer's intake after the batch checked it: roll back, run again. */
class RaceLost extends Error {}

/** PostgreSQL's deadlock or serialization failure, as Prisma reports it: the transaction can simply run again. */
const isWriteConflict = (err: unknown): boolean => {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  return (
    e?.code === 'P2034' ||
    e?.cause?.code === '40P01' ||
    e?.cause?.code === '40001' ||
    /deadlock detected|could not serialize|write conflict/i.test(String(e?.message ?? ''))
  );
};

type CustomerRow = Prisma.CustomerGetPayload<object>;
type InvoiceRow = Prisma.InvoiceGetPayload<object>;
interface Written {
  valid: BulkRow[];
  rejections: BulkResult['rejections'];
  customers: Map<string, CustomerRow>;
  invoices: Map<string, InvoiceRow>;
}

/** True when every column `a` sets already has that value in `b` (nothing to write). */
const same = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  Object.keys(a).every((k) => String(a[k] ?? null) === String(b[k] ?? null));

export async function bulkIntake(
  deps: InvoiceDeps,
  rows: BulkRow[],
  cache: IntakeCache,
  actor: Actor,
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
        rejections.push({
          line: r.line,
          reason: `${path}: unknown user '${id}'`,
          problems: [{ column: path, code: 'unknown_user', params: { value: id } }],
        });
        return false;
      }
    }
    return true;
  });

  // Customers and invoices are written in one transaction. Whether a number already belongs to another customer is
  // decided inside it, and a row refused for that writes nothing (not even its customer). A concurrent intake (another
  // import, a POST, a webhook) may take one of the batch's numbers after that check: the transaction then sees the
  // number owned by another customer, rolls back whole (so the refused row's customer, created or updated a moment
  // before, is not left behind) and runs again, when the check refuses the row up front.
  let written: Written | undefined;
  for (let attempt = 1; !written; attempt++) {
    try {
      written = await db.$transaction((tx) => writeBatch(tx, valid, actor, deps, cache), {
        maxWait: 10_000,
        timeout: WRITE_TIMEOUT_MS,
      });
    } catch (err) {
      if (attempt >= WRITE_ATTEMPTS || !(err instanceof RaceLost || isWriteConflict(err))) throw err;
    }
  }
  const { customers, invoices } = written;
  rejections.push(...written.rejections);
  valid = written.valid;

  // One start per invoice (a number twice in the batch starts once); closed invoices start nothing.
  const toStart = [...new Map(valid.map((r) => [r.invoice.number, r])).values()].filter((r) => {
    const inv = invoices.get(r.invoice.number)!;
    return !isTerminal(inv.stage as Stage) && !inv.workflowStartedAt;
  });
  let started = 0;
  let done = 0;
  let next = 0;
  // The outbox marks (`workflowStartedAt`) of the starts that went through, written a group at a time instead of
  // one UPDATE per row. A crash before a group's mark leaves those rows unmarked: the next run or the intake-repair
  // Schedule finds each workflow already started and marks it then, as it does after any interrupted start.
  let unmarked: string[] = [];
  const markGroup = async (): Promise<void> => {
    const ids = unmarked;
    unmarked = [];
    await markWorkflowsStarted(db, ids);
  };
  await Promise.all(
    Array.from({ length: Math.min(START_CONCURRENCY, toStart.length) }, async () => {
      for (let i = next++; i < toStart.length; i = next++) {
        const r = toStart[i];
        const inv = invoices.get(r.invoice.number)!;
        const outcome = await ensureWorkflow(deps, inv, customers.get(r.invoice.customer.externalId)!, cache, {
          mark: false,
        });
        if (outcome === 'started' || outcome === 'existing') unmarked.push(inv.id);
        if (outcome === 'started') started += 1;
        done += 1;
        if (unmarked.length >= MARK_GROUP) await markGroup();
        if (done % 50 === 0) onProgress?.(done);
      }
    }),
  );
  await markGroup();
  return { accepted: valid.length, started, rejections };
}

/**
 * The batch's writes inside one transaction: refuses rows whose number belongs to another customer, then writes
 * customers (only those of rows kept) and invoices with their audit events. Rows are written in key order so two
 * batches sharing customers or numbers wait for each other instead of deadlocking.
 */
async function writeBatch(
  tx: Prisma.TransactionClient,
  rows: BulkRow[],
  actor: Actor,
  deps: Pick<InvoiceDeps, 'extraHolidays'>,
  cache: IntakeCache,
): Promise<Written> {
  const rejections: BulkResult['rejections'] = [];
  const numbers = [...new Set(rows.map((r) => r.invoice.number))].sort();
  // A number that belongs to another customer is refused before anything is written for its row.
  const knownBefore = new Map(
    (
      await tx.invoice.findMany({
        where: { externalNumber: { in: numbers } },
        select: { externalNumber: true, customer: { select: { externalId: true } } },
      })
    ).map((i) => [i.externalNumber, i.customer.externalId]),
  );
  // Within the batch the first row of a number owns it, as it would row by row.
  const owners = new Map(knownBefore);
  let valid = rows.filter((r) => {
    const owner = owners.get(r.invoice.number);
    if (owner === undefined) owners.set(r.invoice.number, r.invoice.customer.externalId);
    if (owner === undefined || owner === r.invoice.customer.externalId) return true;
    rejections.push({
      line: r.line,
      reason: `number: invoice ${r.invoice.number} already belongs to another customer`,
      problems: [{ column: 'number', code: 'number_taken', params: { value: r.invoice.number } }],
    });
    return false;
  });

  // Customers: the rows of one customer apply in file order, each setting only the fields it carries (an empty
  // cell leaves the stored value alone), as they would row by row.
  const updateOf = new Map<string, ReturnType<typeof customerUpdateOf>>();
  const firstOf = new Map<string, CreateInvoice['customer']>();
  for (const r of valid) {
    const c = r.invoice.customer;
    if (!firstOf.has(c.externalId)) firstOf.set(c.externalId, c);
    updateOf.set(c.externalId, { ...updateOf.get(c.externalId), ...customerUpdateOf(c) });
  }
  const externalIds = [...updateOf.keys()].sort();
  const existingCustomers = await tx.customer.findMany({
    where: { externalId: { in: externalIds } },
    orderBy: { externalId: 'asc' },
  });
  const byExternal = new Map(existingCustomers.map((c) => [c.externalId, c]));
  const toCreate = externalIds.filter((e) => !byExternal.has(e));
  if (toCreate.length > 0) {
    await tx.customer.createMany({
      data: toCreate.map((e) => ({
        id: crypto.randomUUID(),
        externalId: e,
        ...customerInsertOf(firstOf.get(e)!),
        ...updateOf.get(e),
      })) as Prisma.CustomerCreateManyInput[],
      skipDuplicates: true,
    });
  }
  for (const c of existingCustomers) {
    const data = updateOf.get(c.externalId)!;
    if (!same(data, c as unknown as Record<string, unknown>))
      await tx.customer.update({ where: { id: c.id }, data: data as Prisma.CustomerUpdateInput });
  }
  const customers = new Map(
    (await tx.customer.findMany({ where: { externalId: { in: externalIds } } })).map((c) => [c.externalId, c]),
  );

  // Invoices: numbers already known keep their row (and their customer); new ones are inserted with their audit
  // events, so whoever wins a race between two intakes audits the creation once.
  const fresh = new Map<string, BulkRow>();
  for (const r of valid)
    if (!knownBefore.has(r.invoice.number) && !fresh.has(r.invoice.number)) fresh.set(r.invoice.number, r);
  if (fresh.size > 0) {
    // Each new row is written with the end of its payment term, under the policy its workflow will start on (read
    // once per segment and rating through the cache, inside this transaction): no UPDATE per row before the start.
    const termEnds = new Map<string, string>();
    for (const [number, r] of fresh) {
      const customer = customers.get(r.invoice.customer.externalId)!;
      termEnds.set(number, termEndOf(r.invoice.dueDate, await intakePolicy(tx, customer, cache), deps.extraHolidays));
    }
    const data = [...fresh.values()]
      .sort((a, b) => (a.invoice.number < b.invoice.number ? -1 : a.invoice.number > b.invoice.number ? 1 : 0))
      .map((r) => {
        const id = crypto.randomUUID();
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
          effectiveDueDate: new Date(`${termEnds.get(r.invoice.number)}T00:00:00Z`),
          segment: customer.segment,
          workflowId: invoiceWorkflowId(id),
        };
      });
    const inserted = await tx.invoice.createManyAndReturn({
      data,
      skipDuplicates: true,
      select: { id: true, externalNumber: true },
    });
    if (inserted.length > 0)
      await tx.auditEvent.createMany({
        data: inserted.map((i) =>
          auditRow(actor, 'invoice.create', 'Invoice', i.id, fresh.get(i.externalNumber)!.invoice),
        ),
      });
  }
  const invoices = new Map(
    (await tx.invoice.findMany({ where: { externalNumber: { in: numbers } } })).map((i) => [i.externalNumber, i]),
  );

  valid = valid.filter((r) => {
    const inv = invoices.get(r.invoice.number);
    const customer = customers.get(r.invoice.customer.externalId);
    if (!inv || !customer) {
      rejections.push({
        line: r.line,
        reason: 'the invoice could not be recorded',
        problems: [{ column: '', code: 'not_recorded' }],
      });
      return false;
    }
    // Another intake recorded this number for another customer after the check above: this transaction may have
    // created or updated the row's customer for nothing. Roll everything back and run again.
    if (inv.customerId !== customer.id) throw new RaceLost(`invoice ${r.invoice.number} taken meanwhile`);
    return true;
  });
  return { valid, rejections, customers, invoices };
}
