/**
 * Actions on many invoices at once (the invoice list's selection): pause, resume, reassign to a collector, send each
 * invoice's current reminder now, send the statement of account, one promise to pay covering several invoices of a customer, export. Each action runs the
 * single-invoice service it stands for — the same workflow update (`executeDecision`), the same statement request,
 * the same customer binding and task reassignment — so a bulk action can do nothing a person could not do one invoice
 * at a time. Everything that can refuse the whole request (shape, role, scope, unknown invoices, a promise over two
 * customers) is checked before the first write; after that each invoice gets its own outcome, and the request is
 * audited once with the list. The same Idempotency-Key answers the first request's results again without redoing it.
 */
import crypto from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import {
  LANGUAGES,
  isTerminal,
  pauseUpdate,
  recordPromiseUpdate,
  resumeUpdate,
  sendReminderUpdate,
  type Channel,
  type InvoiceState,
  type Language,
  type Stage,
} from '../../workflows/contract';
import type { Db } from '../../infra/db';
import { toNumber } from '../../infra/db';
import { currencyDigits } from '../../domain/money';
import { daysOverdue, todayIn } from '../../domain/time';
import { actorOf, assertCustomerAccess } from '../access/access';
import { audit } from '../access/audit';
import type { Principal } from '../access/auth';
import { bindCustomers } from '../access/users';
import { badRequest, HttpError, type FieldProblem } from '../errors';
import {
  idParam,
  isoDate,
  pauseSchema,
  positiveAmountMinor,
  promiseSchema,
  resumeSchema,
  sendReminderSchema,
} from '../schemas';
import { toCsv, toXlsx, type Table } from '../reports/export';
import { STAGE_NAMES } from '../stage-names';
import { requestStatement, STATEMENT_SEND_ACTION } from '../statements/service';
import { sendStatementBody } from '../statements/schemas';
import { reassignTask, type AgendaDeps } from './agenda';
import { tellCollectors } from './collector-sync';
import { executeDecision } from './decisions';
import { termEndOfRow } from '../intake/term-end';

/** At most this many invoices per request: a page of the list is 50, four pages at once is plenty. */
export const BULK_MAX = 200;
/** Workflow updates sent at once: enough to finish 200 in a few seconds, few enough not to crowd one worker. */
const PARALLEL = 8;

const invoiceIds = z
  .array(idParam)
  .min(1)
  .max(BULK_MAX)
  .superRefine((ids, ctx) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id))
        ctx.addIssue({ code: 'custom', path: [i], message: 'is listed twice', params: { code: 'duplicate' } });
      seen.add(id);
    });
  });

export const bulkSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('pause'), invoiceIds, ...pauseSchema.shape }).strict(),
  z.object({ action: z.literal('resume'), invoiceIds, ...resumeSchema.shape }).strict(),
  z.object({ action: z.literal('reassign'), invoiceIds, collectorId: idParam }).strict(),
  /** Send each invoice's current reminder now (the single route POST /v1/invoices/:id/remind). */
  z.object({ action: z.literal('remind'), invoiceIds, ...sendReminderSchema.shape }).strict(),
  z.object({ action: z.literal('statement'), invoiceIds, ...sendStatementBody.shape }).strict(),
  z
    .object({
      action: z.literal('promise'),
      invoiceIds,
      promisedDate: isoDate,
      /** The total promised for all the invoices; absent, each invoice's whole balance. */
      amountMinor: positiveAmountMinor.optional(),
      note: promiseSchema.shape.note,
    })
    .strict(),
  z
    .object({
      action: z.literal('export'),
      invoiceIds,
      format: z.enum(['csv', 'xlsx']),
      /** For a person: headers in this language; Italian and French CSV with `;` and a decimal comma. */
      lang: z.enum(LANGUAGES).optional(),
    })
    .strict(),
]);
export type BulkBody = z.infer<typeof bulkSchema>;
export type BulkAction = BulkBody['action'];

/** Who may run each action: the roles of the single action it repeats (an admin may call everything). */
export const BULK_ROLES: Record<BulkAction, ReadonlyArray<Principal['role']>> = {
  pause: ['collector', 'manager', 'admin'],
  resume: ['collector', 'manager', 'admin'],
  // Giving work to another collector is the credit manager's (as POST /v1/tasks/:id/reassign).
  reassign: ['manager', 'admin'],
  remind: ['collector', 'manager', 'admin'],
  statement: ['collector', 'manager', 'admin'],
  promise: ['collector', 'manager', 'admin'],
  export: ['collector', 'manager', 'admin'],
};

export interface BulkItemResult {
  invoiceId: string;
  number: string;
  ok: boolean;
  /** The invoice's stage after the action (decisions), when it answered one. */
  stage?: string;
  /** A promise's share of the total, in minor units of the invoice's currency. */
  amountMinor?: number;
  /** Reassign: open tasks of the invoice moved to the collector. */
  tasksMoved?: number;
  /**
   * Reassign: the invoice's running workflow was told (its new tasks go to the collector, its `Collector` search
   * attribute changed); false: Temporal did not answer, the intake-repair sweep tells it within minutes.
   */
  workflowTold?: boolean;
  /** Remind: the reminder that went out (template and channels of the policy step it repeats). */
  reminder?: { template: string; channels: Channel[] };
  /** Statement: the request key of the customer's statement (one per customer, however many of its invoices). */
  requestKey?: string;
  error?: { status: number; code: string; message: string; reason?: string; params?: Record<string, unknown> };
}

export interface BulkAnswer {
  action: BulkAction;
  total: number;
  succeeded: number;
  failed: number;
  results: BulkItemResult[];
  /** True when this is the answer of an earlier request with the same Idempotency-Key, not redone. */
  replayed: boolean;
}

export interface BulkDeps extends AgendaDeps {
  taskQueue: string;
}

export const BULK_AUDIT_ACTION = 'invoice.bulk';
/** One promise over several invoices: audited once with the list and each invoice's share. */
export const MULTI_PROMISE_AUDIT_ACTION = 'decision.promise.multi';

interface Loaded {
  id: string;
  externalNumber: string;
  workflowId: string;
  stage: string;
  currency: string;
  balanceMinor: number;
  amountMinor: number;
  dueDate: Date;
  /** The term end (arts. 1187 and 2963 c.c.); NULL until the backfill has reached the row. */
  effectiveDueDate: Date | null;
  customerId: string;
  customer: {
    id: string;
    externalId: string;
    name: string;
    collectorId: string | null;
    salespersonId: string | null;
  };
}

/** The invoices named (by id or number), in the order given; unknown ones refuse the request, naming each. */
async function loadInvoices(db: Db, ids: string[]): Promise<Loaded[]> {
  const rows = await db.invoice.findMany({
    where: { OR: [{ id: { in: ids } }, { externalNumber: { in: ids } }] },
    include: {
      customer: { select: { id: true, externalId: true, name: true, collectorId: true, salespersonId: true } },
    },
  });
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const r of rows) byKey.set(r.externalNumber, r);
  for (const r of rows) byKey.set(r.id, r); // an id wins over a number that happens to look like one
  const missing: FieldProblem[] = [];
  const out: Loaded[] = [];
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const r = byKey.get(id);
    if (!r) {
      missing.push({ path: `invoiceIds.${i}`, message: `no invoice ${id}`, code: 'unknown_invoice', params: { id } });
      return;
    }
    if (seen.has(r.id)) {
      // The same invoice named once by id and once by number.
      missing.push({ path: `invoiceIds.${i}`, message: 'is listed twice', code: 'duplicate' });
      return;
    }
    seen.add(r.id);
    out.push({
      ...r,
      balanceMinor: toNumber(r.balanceMinor),
      amountMinor: toNumber(r.amountMinor),
    });
  });
  if (missing.length) throw badRequest('request is not valid', missing);
  return out;
}

/** An HttpError (or anything else) as one invoice's outcome; unexpected failures keep no internals. */
function failure(inv: Loaded, err: unknown): BulkItemResult {
  if (err instanceof HttpError) {
    return {
      invoiceId: inv.id,
      number: inv.externalNumber,
      ok: false,
      error: {
        status: err.status,
        code: err.code,
        message: err.message,
        ...(err.reason ? { reason: err.reason.code, params: err.reason.params ?? {} } : {}),
      },
    };
  }
  return {
    invoiceId: inv.id,
    number: inv.externalNumber,
    ok: false,
    error: { status: 500, code: 'INTERNAL', message: 'this invoice could not be processed; retry later' },
  };
}

/** Runs `fn` over the items, `PARALLEL` at a time, keeping the order of the results. */
async function pool<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  return out;
}

/**
 * A total promised for several invoices, split over them: oldest due date first (then invoice number), each up to
 * its balance. This follows the last criterion of art. 1193 c.c. (between debts otherwise alike, the payment goes to
 * the oldest); the others — the less secured, the more onerous debt — are not known to Segugio. A total that does
 * not reach every invoice, or exceeds their balances together, refuses the request: each invoice's workflow must get
 * a promise it can check. Without a total, each invoice is promised in full.
 */
export function allocatePromise(
  invoices: Array<{ id: string; externalNumber: string; dueDate: Date; balanceMinor: number }>,
  totalMinor: number | undefined,
): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  if (totalMinor === undefined) {
    for (const i of invoices) out.set(i.id, undefined);
    return out;
  }
  const ordered = [...invoices].sort(
    (a, b) => a.dueDate.getTime() - b.dueDate.getTime() || a.externalNumber.localeCompare(b.externalNumber),
  );
  let left = totalMinor;
  for (const i of ordered) {
    const share = Math.min(left, i.balanceMinor);
    out.set(i.id, share);
    left -= share;
  }
  return out;
}

function refusePromise(invoices: Loaded[], body: Extract<BulkBody, { action: 'promise' }>): void {
  const customers = new Set(invoices.map((i) => i.customerId));
  if (customers.size > 1) {
    throw badRequest('one promise covers invoices of one customer', [
      {
        path: 'invoiceIds',
        message: `the invoices belong to ${customers.size} customers; a promise covers invoices of one customer`,
        code: 'mixed_customers',
        params: { customers: customers.size },
      },
    ]);
  }
  const currencies = new Set(invoices.map((i) => i.currency));
  if (currencies.size > 1) {
    throw badRequest('request is not valid', [
      { path: 'invoiceIds', message: 'the invoices are in different currencies', code: 'mixed_currencies' },
    ]);
  }
  if (body.amountMinor === undefined) return;
  const open = invoices.filter((i) => !isTerminal(i.stage as Stage));
  const balance = open.reduce((s, i) => s + i.balanceMinor, 0);
  if (body.amountMinor > balance) {
    throw badRequest('request is not valid', [
      {
        path: 'amountMinor',
        message: `${body.amountMinor} exceeds the balances together (${balance})`,
        code: 'too_big',
        params: { maximum: balance, origin: 'number', inclusive: true, amountMinor: balance },
      },
    ]);
  }
  const shares = allocatePromise(open, body.amountMinor);
  const uncovered = open.filter((i) => !shares.get(i.id));
  if (uncovered.length) {
    throw badRequest('request is not valid', [
      {
        path: 'amountMinor',
        message: `the total does not reach ${uncovered.map((i) => i.externalNumber).join(', ')} (oldest first)`,
        code: 'promise_short',
        params: { invoices: uncovered.map((i) => i.externalNumber).join(', ') },
      },
    ]);
  }
}

/**
 * The selection as a table for the report exporter: the same CSV/XLSX conventions as every report. For a person
 * (`lang`) the stage is a word in their language; without one, the stable code (for programs).
 */
export function bulkExportTable(invoices: Loaded[], timeZone: string, lang?: Language): Table {
  const today = todayIn(timeZone);
  return {
    title: 'Invoices',
    columns: [
      { key: 'invoiceNumber', header: 'Invoice', kind: 'text' },
      { key: 'customerCode', header: 'Customer code', kind: 'text' },
      { key: 'customerName', header: 'Customer', kind: 'text' },
      { key: 'stage', header: 'Stage', kind: 'text' },
      { key: 'currency', header: 'Currency', kind: 'text' },
      { key: 'amountMinor', header: 'Amount', kind: 'money' },
      { key: 'balanceMinor', header: 'Balance', kind: 'money' },
      { key: 'dueDate', header: 'Due date', kind: 'text' },
      { key: 'daysOverdue', header: 'Days overdue', kind: 'int' },
    ],
    rows: invoices.map((i) => {
      const due = i.dueDate.toISOString().slice(0, 10);
      return {
        invoiceNumber: i.externalNumber,
        customerCode: i.customer.externalId,
        customerName: i.customer.name,
        stage: lang ? (STAGE_NAMES[lang][i.stage as Stage] ?? i.stage) : i.stage,
        currency: i.currency,
        amountMinor: i.amountMinor,
        balanceMinor: i.balanceMinor,
        dueDate: due,
        daysOverdue: Math.max(0, daysOverdue(termEndOfRow(i), today)),
      };
    }),
  };
}

export type BulkOutcome =
  | { kind: 'answer'; answer: BulkAnswer }
  | { kind: 'file'; filename: string; contentType: string; body: string | Buffer };

/** A stable digest of the request, so one Idempotency-Key cannot be reused for another request. */
const digest = (body: BulkBody): string =>
  crypto
    .createHash('sha256')
    .update(JSON.stringify({ ...body, invoiceIds: [...body.invoiceIds] }))
    .digest('hex');

/**
 * Runs a bulk action. Refusals (4xx thrown) write nothing; otherwise each invoice's outcome is in the answer and the
 * request is audited once (`invoice.bulk`, plus `decision.promise.multi` for a promise) with the list.
 */
export async function runBulk(
  deps: BulkDeps,
  req: Request,
  body: BulkBody,
  key: string | undefined,
): Promise<BulkOutcome> {
  const p = req.principal as Principal;
  if (!BULK_ROLES[body.action].includes(p.role)) {
    throw new HttpError(
      403,
      'FORBIDDEN',
      `the ${body.action} action needs one of the roles ${BULK_ROLES[body.action].join(', ')}`,
    );
  }
  if (body.action !== 'export' && !key) {
    throw badRequest('request is not valid', [
      { path: 'Idempotency-Key', message: 'is required: a bulk action changes many invoices', code: 'required' },
    ]);
  }
  const invoices = await loadInvoices(deps.db, body.invoiceIds);
  // The collector scope: one invoice of another collector's customer refuses the whole selection.
  for (const inv of invoices) assertCustomerAccess(p, inv.customer);

  if (body.action === 'export') {
    const currencies = new Set(invoices.map((i) => i.currency));
    if (currencies.size > 1 && new Set([...currencies].map(currencyDigits)).size > 1) {
      throw badRequest('request is not valid', [
        {
          path: 'invoiceIds',
          message: 'the invoices are in currencies with different decimals; export them apart',
          code: 'mixed_currencies',
        },
      ]);
    }
    const table = bulkExportTable(invoices, deps.timeZone, body.lang);
    const currency = invoices[0].currency;
    const stamp = todayIn(deps.timeZone);
    const name = `${body.lang === 'it' ? 'fatture' : body.lang === 'fr' ? 'factures' : 'invoices'}-${stamp}`;
    return body.format === 'csv'
      ? {
          kind: 'file',
          filename: `${name}.csv`,
          contentType: 'text/csv; charset=utf-8',
          body: toCsv(table, { lang: body.lang, currency }),
        }
      : {
          kind: 'file',
          filename: `${name}.xlsx`,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          body: await toXlsx(table, currency, body.lang),
        };
  }

  const requestKey = `bulk:${p.keyId}:${key}`;
  const hash = digest(body);
  const earlier = await deps.db.auditEvent.findFirst({
    where: { action: BULK_AUDIT_ACTION, after: { path: ['requestKey'], equals: requestKey } },
  });
  if (earlier) {
    const after = earlier.after as { digest?: string; answer?: BulkAnswer };
    if (after.digest !== hash) {
      throw new HttpError(
        409,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for another bulk request; use a new key',
      );
    }
    if (after.answer) return { kind: 'answer', answer: { ...after.answer, replayed: true } };
  }

  let collector: string | undefined;
  if (body.action === 'reassign') {
    const user = await deps.db.user.findUnique({ where: { id: body.collectorId } });
    if (!user || user.role !== 'collector' || user.disabledAt) {
      throw badRequest('request is not valid', [
        {
          path: 'collectorId',
          message: user
            ? `user '${body.collectorId}' is not an active collector`
            : `unknown user '${body.collectorId}'`,
          code: 'not_collector',
          params: { id: body.collectorId },
        },
      ]);
    }
    collector = user.id;
  }
  if (body.action === 'promise') refusePromise(invoices, body);

  const actor = actorOf(req);
  const updateId = (inv: Loaded) => `${requestKey}:${body.action}:${inv.id}`;
  const decided = (inv: Loaded, state: InvoiceState, extra: Partial<BulkItemResult> = {}): BulkItemResult => ({
    invoiceId: inv.id,
    number: inv.externalNumber,
    ok: true,
    stage: state.stage,
    ...extra,
  });

  let results: BulkItemResult[];
  switch (body.action) {
    case 'pause':
    case 'resume': {
      const { action: _a, invoiceIds: _i, ...rest } = body;
      const def = body.action === 'pause' ? pauseUpdate : resumeUpdate;
      results = await pool(invoices, async (inv) => {
        try {
          return decided(
            inv,
            await executeDecision(deps, inv, def as typeof pauseUpdate, { ...actor, ...rest } as never, updateId(inv)),
          );
        } catch (err) {
          return failure(inv, err);
        }
      });
      break;
    }
    case 'remind': {
      results = await pool(invoices, async (inv) => {
        try {
          const state = await executeDecision(
            deps,
            inv,
            sendReminderUpdate,
            { ...actor, ...(body.note ? { note: body.note } : {}) },
            updateId(inv),
          );
          const last = state.lastReminder;
          return decided(inv, state, last ? { reminder: { template: last.template, channels: last.channels } } : {});
        } catch (err) {
          return failure(inv, err);
        }
      });
      break;
    }
    case 'promise': {
      const open = invoices.filter((i) => !isTerminal(i.stage as Stage));
      const shares = allocatePromise(open, body.amountMinor);
      results = await pool(invoices, async (inv) => {
        const share = shares.get(inv.id);
        try {
          const state = await executeDecision(
            deps,
            inv,
            recordPromiseUpdate,
            {
              ...actor,
              promisedDate: body.promisedDate,
              ...(share !== undefined ? { amountMinor: share } : {}),
              ...(body.note ? { note: body.note } : {}),
            },
            updateId(inv),
          );
          return decided(inv, state, { amountMinor: state.promise?.amountMinor ?? share });
        } catch (err) {
          return failure(inv, err);
        }
      });
      break;
    }
    case 'reassign': {
      // The collector works the customer: bind each customer of the selection to them (the admin's binding
      // service), then hand over the open tasks of the selected invoices (the credit manager's task reassignment).
      const codes = [...new Set(invoices.map((i) => i.customer.externalId))];
      const { collectorCustomerIds } = await bindCustomers(deps.db, collector!, { add: codes });
      results = await pool(invoices, async (inv) => {
        try {
          const tasks = await deps.db.task.findMany({
            where: { invoiceId: inv.id, status: 'OPEN' },
            select: { id: true },
          });
          for (const t of tasks) await reassignTask(deps, t.id, collector!);
          return { invoiceId: inv.id, number: inv.externalNumber, ok: true, tasksMoved: tasks.length };
        } catch (err) {
          return failure(inv, err);
        }
      });
      // The running workflows of the customers' open invoices learn the collector (new tasks, search attribute);
      // what Temporal did not take now, the intake-repair sweep tells (`workflowTold: false`).
      const told = await tellCollectors(deps, { customerIds: collectorCustomerIds }, { actorId: actor.actorId });
      const toldIds = new Set(told.toldIds);
      const closed = new Set(invoices.filter((i) => isTerminal(i.stage as Stage)).map((i) => i.id));
      results = results.map((r) =>
        r.ok && !closed.has(r.invoiceId) ? { ...r, workflowTold: toldIds.has(r.invoiceId) } : r,
      );
      break;
    }
    case 'statement': {
      // One statement per customer, however many of its invoices are selected.
      const { action: _a, invoiceIds: _i, ...rest } = body;
      const byCustomer = new Map<string, Loaded[]>();
      for (const inv of invoices) byCustomer.set(inv.customerId, [...(byCustomer.get(inv.customerId) ?? []), inv]);
      const perCustomer = await pool([...byCustomer.entries()], async ([customerId, list]) => {
        try {
          const sent = await requestStatement(
            { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue },
            p,
            customerId,
            rest,
            `${key}:${customerId}`,
          );
          // The statement service recognises a repeated request by this audit row: write it as its route does.
          if (!sent.duplicate) {
            await audit(deps.db, req, STATEMENT_SEND_ACTION, 'Customer', sent.customerId, {
              requestKey: sent.requestKey,
              channel: sent.channel,
              ...(rest.lang ? { lang: rest.lang } : {}),
            });
          }
          return list.map((inv) => ({
            invoiceId: inv.id,
            number: inv.externalNumber,
            ok: true,
            requestKey: sent.requestKey,
          }));
        } catch (err) {
          return list.map((inv) => failure(inv, err));
        }
      });
      const byInvoice = new Map(perCustomer.flat().map((r) => [r.invoiceId, r]));
      results = invoices.map((inv) => byInvoice.get(inv.id)!);
      break;
    }
  }

  const succeeded = results.filter((r) => r.ok).length;
  const answer: BulkAnswer = {
    action: body.action,
    total: results.length,
    succeeded,
    failed: results.length - succeeded,
    results,
    replayed: false,
  };
  const { invoiceIds: _ids, action: _act, ...params } = body;
  await audit(deps.db, req, BULK_AUDIT_ACTION, 'Invoice', null, {
    requestKey,
    digest: hash,
    action: body.action,
    params,
    invoiceIds: invoices.map((i) => i.id),
    answer,
  });
  if (body.action === 'promise' && succeeded > 0) {
    await audit(deps.db, req, MULTI_PROMISE_AUDIT_ACTION, 'Customer', invoices[0].customerId, {
      requestKey,
      promisedDate: body.promisedDate,
      ...(body.amountMinor !== undefined ? { totalMinor: body.amountMinor } : {}),
      invoices: results.map((r) => ({
        invoiceId: r.invoiceId,
        number: r.number,
        ok: r.ok,
        amountMinor: r.amountMinor,
      })),
    });
  }
  return { kind: 'answer', answer };
}
