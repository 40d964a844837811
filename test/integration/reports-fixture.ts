/**
 * The worked example of docs/reports.md, written straight into PostgreSQL: two customers of a fresh segment, six
 * invoices, payments, promises, disputes, reasons, timeline and a legal case around March 2025. Every expected number
 * in reports-kpis.test.ts and reports-api.test.ts is computed by hand from this data (see the comments there).
 */
import type { Db } from '../../infra/db';
import { seedBase } from '../../prisma/seed';
import { uniq } from './harness';

export interface Fixture {
  segment: string;
  c1: string;
  c2: string;
  inv: Record<'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6', string>;
}

const d = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const t = (iso: string): Date => new Date(iso);

export async function seedWorkedExample(db: Db): Promise<Fixture> {
  await seedBase(db);
  const segment = uniq('rep');
  const c1 = uniq('c1');
  const c2 = uniq('c2');
  await db.customer.createMany({
    data: [
      {
        id: c1,
        externalId: c1,
        name: 'Officine Nord S.r.l.',
        segment,
        area: 'Nord',
        collectorId: 'u-giulia',
        salespersonId: 'u-paolo',
        creditLimitMinor: 10_000_000n,
      },
      { id: c2, externalId: c2, name: 'Commerci Sud S.p.A.', segment, area: 'Sud', collectorId: 'u-marco' },
    ],
  });
  const inv = {
    I1: uniq('I1'),
    I2: uniq('I2'),
    I3: uniq('I3'),
    I4: uniq('I4'),
    I5: uniq('I5'),
    I6: uniq('I6'),
  };
  const row = (
    id: string,
    customerId: string,
    issue: string,
    due: string,
    amount: number,
    balance: number,
    stage: string,
    closedAt: Date | null,
  ) => ({
    id,
    externalNumber: id,
    customerId,
    currency: 'EUR',
    amountMinor: BigInt(amount),
    balanceMinor: BigInt(balance),
    issueDate: d(issue),
    dueDate: d(due),
    stage,
    segment,
    workflowId: `invoice-${id}`,
    closedAt,
  });
  await db.invoice.createMany({
    data: [
      row(inv.I1, c1, '2025-01-15', '2025-02-14', 100_000, 0, 'PAID', t('2025-03-10T12:00:00Z')),
      row(inv.I2, c1, '2025-02-10', '2025-03-12', 200_000, 150_000, 'REMINDER', null),
      row(inv.I3, c2, '2025-03-05', '2025-04-04', 300_000, 300_000, 'OPEN', null),
      row(inv.I4, c2, '2025-03-20', '2025-03-25', 100_000, 0, 'PAID', t('2025-04-01T09:00:00Z')),
      row(inv.I5, c2, '2024-10-01', '2024-10-31', 50_000, 50_000, 'WRITTEN_OFF', t('2025-03-15T10:00:00Z')),
      row(inv.I6, c1, '2025-03-25', '2025-04-24', 100_000, 100_000, 'OPEN', null),
    ],
  });
  await db.payment.createMany({
    data: [
      { invoiceId: inv.I1, reference: 'p1', amountMinor: 100_000n, paidOn: d('2025-03-10') },
      { invoiceId: inv.I2, reference: 'p2', amountMinor: 50_000n, paidOn: d('2025-03-20') },
      { invoiceId: inv.I4, reference: 'p4', amountMinor: 100_000n, paidOn: d('2025-04-01') },
    ],
  });
  await db.paymentPromise.createMany({
    data: [
      {
        invoiceId: inv.I2,
        promisedDate: d('2025-03-15'),
        amountMinor: 50_000n,
        status: 'BROKEN',
        recordedBy: 'u-giulia',
      },
      {
        invoiceId: inv.I2,
        promisedDate: d('2025-03-20'),
        amountMinor: 50_000n,
        status: 'KEPT',
        recordedBy: 'u-giulia',
      },
      {
        invoiceId: inv.I4,
        promisedDate: d('2025-03-28'),
        amountMinor: 100_000n,
        status: 'BROKEN',
        recordedBy: 'u-marco',
      },
      {
        invoiceId: inv.I3,
        promisedDate: d('2025-04-10'),
        amountMinor: 300_000n,
        status: 'OPEN',
        recordedBy: 'u-marco',
      },
    ],
  });
  await db.dispute.createMany({
    data: [
      {
        invoiceId: inv.I3,
        reasonCode: 'PRICE_DISAGREEMENT',
        note: 'price',
        status: 'REJECTED',
        openedBy: 'u-marco',
        openedAt: t('2025-03-06T10:00:00Z'),
        resolvedAt: t('2025-03-16T10:00:00Z'),
      },
      {
        invoiceId: inv.I4,
        reasonCode: 'DEFECTIVE_GOODS',
        note: 'broken',
        status: 'ACCEPTED',
        openedBy: 'u-marco',
        openedAt: t('2025-03-21T00:00:00Z'),
        resolvedAt: t('2025-03-26T12:00:00Z'),
      },
      {
        invoiceId: inv.I1,
        reasonCode: 'OTHER',
        note: 'open',
        status: 'OPEN',
        openedBy: 'u-giulia',
        openedAt: t('2025-02-20T09:00:00Z'),
      },
    ],
  });
  const ce = (customerId: string, invoiceId: string, reasonCode: string | null, at: string) => ({
    idempotencyKey: uniq('ce'),
    customerId,
    invoiceId,
    channel: 'CALL_LOG',
    status: 'COMPLETED',
    reasonCode,
    createdAt: t(at),
  });
  await db.contactEvent.createMany({
    data: [
      ce(c1, inv.I2, 'LIQUIDITY', '2025-03-14T09:00:00Z'),
      ce(c2, inv.I4, 'INVOICE_NOT_RECEIVED', '2025-03-27T10:00:00Z'),
      ce(c1, inv.I6, null, '2025-03-28T10:00:00Z'),
    ],
  });
  const task = (customerId: string, invoiceId: string, reasonCode: string, at: string) => ({
    idempotencyKey: uniq('task'),
    kind: 'CALL',
    status: 'DONE',
    customerId,
    invoiceId,
    dueAt: t(at),
    completedAt: t(at),
    outcome: { outcome: 'REACHED', reasonCode },
  });
  await db.task.createMany({
    data: [
      task(c1, inv.I2, 'LIQUIDITY', '2025-03-14T09:05:00Z'),
      task(c2, inv.I3, 'LIQUIDITY', '2025-03-18T15:00:00Z'),
    ],
  });
  const te = (invoiceId: string, at: string, stage: string) => ({
    invoiceId,
    at: t(at),
    kind: 'STAGE',
    stage,
    summary: stage,
  });
  await db.timelineEntry.createMany({
    data: [
      te(inv.I1, '2025-02-20T08:00:00Z', 'REMINDER'),
      te(inv.I1, '2025-03-10T12:00:00Z', 'PAID'),
      te(inv.I2, '2025-03-15T08:00:00Z', 'REMINDER'),
      te(inv.I4, '2025-03-26T08:00:00Z', 'REMINDER'),
      te(inv.I4, '2025-04-01T09:00:00Z', 'PAID'),
    ],
  });
  const lc = await db.legalCase.create({
    data: { invoiceId: inv.I2, customerId: c1, status: 'OPEN', lawyer: 'Avv. Bianchi', costsMinor: 15_000n },
  });
  await db.legalCaseEvent.create({
    data: { caseId: lc.id, step: 'DIFFIDA', date: d('2025-03-25'), costMinor: 15_000n },
  });
  await db.dunningPolicy.create({
    data: {
      segment,
      version: 1,
      name: 'worked example',
      steps: [
        { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
        { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
      ],
      settings: {},
    },
  });
  return { segment, c1, c2, inv };
}
