/** Shared helpers of the API integration suites (api-*.test.ts): requests as a role, invoices on a quiet policy. */
import request from 'supertest';
import type { DunningPolicy } from '../../workflows/contract';
import { createTestPolicy, isoDaysFromToday, KEYS, secondsSettings, uniq, type Harness } from './harness';

export type RoleName = keyof typeof KEYS;

/** supertest with the dev key of a role. */
export function as(h: Harness, role: RoleName) {
  const auth = { Authorization: `Bearer ${KEYS[role]}` };
  return {
    get: (url: string) => request(h.app).get(url).set(auth),
    post: (url: string) => request(h.app).post(url).set(auth),
    put: (url: string) => request(h.app).put(url).set(auth),
    patch: (url: string) => request(h.app).patch(url).set(auth),
    delete: (url: string) => request(h.app).delete(url).set(auth),
  };
}

/** A policy whose first step is far away: the workflow sits still and answers updates. */
export const quietSteps: DunningPolicy['steps'] = [
  { stage: 'REMINDER', offset: 'P30D', channels: ['EMAIL'], template: 'reminder-1' },
  { stage: 'LEGAL', offset: 'P30D', channels: ['TASK'], template: 'legal', requiresApproval: true },
];

export async function quietSegment(h: Harness): Promise<string> {
  return createTestPolicy(h.db, { name: 'quiet', steps: quietSteps, settings: secondsSettings });
}

export function invoiceBody(
  segment: string,
  opts: {
    number?: string;
    collectorId?: string;
    customerId?: string;
    amountMinor?: number;
    dueInDays?: number;
    area?: string;
  } = {},
) {
  return {
    number: opts.number ?? uniq('FT'),
    customer: {
      externalId: opts.customerId ?? uniq('CUST'),
      name: 'Ferramenta Lombarda S.r.l.',
      vatNumber: 'IT01234567890',
      email: 'amministrazione@ferramenta.example',
      phone: '+390212345678',
      language: 'it' as const,
      segment,
      area: opts.area ?? 'Nord',
      collectorId: opts.collectorId ?? 'u-giulia',
      salespersonId: 'u-paolo',
    },
    currency: 'EUR' as const,
    amountMinor: opts.amountMinor ?? 500_000,
    issueDate: isoDaysFromToday(-40),
    dueDate: isoDaysFromToday(opts.dueInDays ?? -10),
  };
}

/** Creates an invoice through the API and returns its ids. */
export async function newInvoice(
  h: Harness,
  segment: string,
  opts: Parameters<typeof invoiceBody>[1] = {},
): Promise<{ invoiceId: string; workflowId: string; customerId: string; number: string }> {
  const body = invoiceBody(segment, opts);
  const res = await as(h, 'erp').post('/v1/invoices').send(body);
  if (res.status !== 201) throw new Error(`invoice not created: ${res.status} ${JSON.stringify(res.body)}`);
  const row = await h.db.invoice.findUniqueOrThrow({ where: { id: res.body.invoiceId as string } });
  return { invoiceId: row.id, workflowId: row.workflowId, customerId: row.customerId, number: row.externalNumber };
}

/** Row counts of every table an API call could write, and the workflows on the harness's task queue. */
export async function snapshot(h: Harness): Promise<Record<string, number>> {
  const db = h.db;
  const counts: Record<string, Promise<number>> = {
    invoices: db.invoice.count(),
    customers: db.customer.count(),
    payments: db.payment.count(),
    adjustments: db.adjustment.count(),
    audit: db.auditEvent.count(),
    contacts: db.contactEvent.count(),
    documents: db.document.count(),
    imports: db.import.count(),
    rejections: db.importRejection.count(),
    policies: db.dunningPolicy.count(),
    tasks: db.task.count({ where: { status: 'OPEN' } }),
    receipts: db.noticeReceipt.count(),
    workflows: h.client.workflow.count(`TaskQueue = '${h.taskQueue}'`).then((c) => c.count),
  };
  const values = await Promise.all(Object.values(counts));
  return Object.fromEntries(Object.keys(counts).map((k, i) => [k, values[i]]));
}

/**
 * `count` open invoices (REMINDER, due 30 days ago) of one new customer of `collectorId`, numbered
 * `<prefix>-<token>-00000…`, written by SQL as the search benchmark writes them: the list and its search read
 * `Invoice` and `Customer` only. Marked started, so the intake's repair leaves them alone (no workflow runs for them).
 * Returns the number prefix and the customer's code.
 */
export async function insertOpenInvoices(
  h: Pick<Harness, 'db'>,
  opts: { prefix: string; segment: string; collectorId: string; count: number },
): Promise<{ numbers: string; customerCode: string }> {
  const token = uniq('X').slice(2).toUpperCase();
  const customer = await h.db.customer.create({
    data: {
      externalId: `CLI-${token}`,
      name: `Ingrosso ${token} S.p.A.`,
      segment: opts.segment,
      collectorId: opts.collectorId,
    },
  });
  const due = new Date(`${isoDaysFromToday(-30)}T00:00:00Z`);
  const numbers = `${opts.prefix}-${token}`;
  await h.db.invoice.createMany({
    data: Array.from({ length: opts.count }, (_, n) => ({
      externalNumber: `${numbers}-${String(n).padStart(5, '0')}`,
      customerId: customer.id,
      currency: 'EUR',
      amountMinor: 10_000n,
      balanceMinor: 10_000n,
      issueDate: due,
      dueDate: due,
      stage: 'REMINDER',
      segment: opts.segment,
      workflowId: `invoice-sql-${token}-${n}`,
      workflowStartedAt: new Date(),
    })),
  });
  return { numbers, customerCode: customer.externalId };
}
