/**
 * ERP CSV inbox: files dropped in ERP_CSV_DIR/in go through the same services as the ERP's HTTP calls — a payment
 * once per reference and signalled to the workflow, an open item through the invoice intake — audited as the system.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invoiceStateQuery } from '../../workflows/contract';
import { startErpCsvInbox } from '../../contexts/erp/inbox';
import { createLogger } from '../../infra/logger';
import { newInvoice, quietSegment } from './api-helpers';
import { eventually, isoDaysFromToday, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
let dir: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-erp-csv-'));
  fs.mkdirSync(path.join(dir, 'in'));
  stop = startErpCsvInbox(
    {
      db: h.db,
      temporal: h.client,
      taskQueue: h.taskQueue,
      timeZone: h.config.SEGUGIO_TZ,
      extraHolidays: [],
      log: createLogger('silent', 'erp-inbox-test'),
    },
    { dir, intervalMs: 200 },
  );
});

afterAll(async () => {
  await stop?.();
  await h?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Drops a file the way an ERP would (written aside, then renamed in) and waits until the inbox has taken it. */
async function drop(name: string, content: string): Promise<void> {
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, path.join(dir, 'in', name));
  await eventually(async () => !fs.existsSync(path.join(dir, 'in', name)), 20_000, 100);
}

const balanceOf = async (workflowId: string): Promise<number> =>
  (await h.client.workflow.getHandle(workflowId).query(invoiceStateQuery)).balanceMinor;

describe('ERP CSV inbox', () => {
  it('records a payment once and the workflow balance drops; the same file again changes nothing', async () => {
    const seg = await quietSegment(h);
    const inv = await newInvoice(h, seg, { amountMinor: 100_000, dueInDays: -5 });
    const reference = uniq('BONIFICO');
    const file = `invoice_number;reference;amount_minor;paid_on\n${inv.number};${reference};30000;${isoDaysFromToday(-1)}\n`;

    await drop('payments-1.csv', file);
    await eventually(async () => (await balanceOf(inv.workflowId)) === 70_000, 20_000);
    expect(await h.db.payment.count({ where: { invoiceId: inv.invoiceId } })).toBe(1);
    const audits = await h.db.auditEvent.findMany({ where: { action: 'invoice.payment', entityId: inv.invoiceId } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: 'system', role: 'system', apiKeyId: null });
    expect(audits[0].after).toMatchObject({ reference, amountMinor: 30_000, source: 'erp-csv' });
    expect(fs.existsSync(path.join(dir, 'in', 'processed', 'payments-1.csv'))).toBe(true);

    await drop('payments-1.csv', file);
    // The signal is sent again (it covers a crash between insert and signal); give the workflow time to apply it.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await balanceOf(inv.workflowId)).toBe(70_000);
    expect(await h.db.payment.count({ where: { invoiceId: inv.invoiceId } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { action: 'invoice.payment', entityId: inv.invoiceId } })).toBe(1);
  });

  it('skips a payment for an unknown invoice and still applies the rest of the file', async () => {
    const seg = await quietSegment(h);
    const inv = await newInvoice(h, seg, { amountMinor: 50_000, dueInDays: -3 });
    const ghost = uniq('FT-GHOST');
    await drop(
      'payments-2.csv',
      'invoice_number,reference,amount_minor,paid_on\n' +
        `${ghost},${uniq('R')},1000,${isoDaysFromToday(0)}\n` +
        `${inv.number},${uniq('R')},50000,${isoDaysFromToday(0)}\n`,
    );
    await eventually(async () => (await h.db.payment.count({ where: { invoiceId: inv.invoiceId } })) === 1, 20_000);
    expect(await h.db.invoice.findUnique({ where: { externalNumber: ghost } })).toBeNull();
  });

  it('opens an invoice for a known customer through the intake, once; skips an unknown customer', async () => {
    const seg = await quietSegment(h);
    const first = await newInvoice(h, seg, { amountMinor: 10_000, dueInDays: 10 });
    const customer = await h.db.customer.findUniqueOrThrow({ where: { id: first.customerId } });
    const number = uniq('FT-CSV');
    const stranger = uniq('CUST-NEW');
    const strangerNumber = uniq('FT-CSV');
    const file =
      'invoice_number,customer_external_id,currency,amount_minor,balance_minor,issue_date,due_date\n' +
      `${number},${customer.externalId},eur,120000,80000,${isoDaysFromToday(-40)},${isoDaysFromToday(-10)}\n` +
      `${strangerNumber},${stranger},EUR,5000,5000,${isoDaysFromToday(-40)},${isoDaysFromToday(-10)}\n`;
    await drop('open-items-1.csv', file);
    const created = await eventually(() => h.db.invoice.findUnique({ where: { externalNumber: number } }), 20_000);
    expect(created).toMatchObject({ customerId: customer.id, currency: 'EUR', amountMinor: 120_000n });
    // The row is written (with its outbox entry) before the workflow starts: wait for the workflow, not just the row.
    await eventually(async () => (await balanceOf(created.workflowId).catch(() => null)) === 80_000, 20_000);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { action: 'invoice.create', entityId: created.id } });
    expect(audit).toMatchObject({ actorId: 'system', role: 'system' });
    expect(await h.db.invoice.findUnique({ where: { externalNumber: strangerNumber } })).toBeNull();
    expect(await h.db.customer.findUnique({ where: { externalId: stranger } })).toBeNull();
    // The customer is left as it was: the block rebuilt from its row changes nothing.
    const after = await h.db.customer.findUniqueOrThrow({ where: { id: customer.id } });
    expect({ ...after, updatedAt: null }).toEqual({ ...customer, updatedAt: null });

    await drop('open-items-1.csv', file);
    expect(await h.db.invoice.count({ where: { externalNumber: number } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { action: 'invoice.create', entityId: created.id } })).toBe(1);
  });

  it('stops on shutdown: a file dropped afterwards stays in the inbox', async () => {
    await stop();
    const name = 'payments-after-stop.csv';
    fs.writeFileSync(path.join(dir, 'in', name), 'invoice_number,reference,amount_minor,paid_on\n');
    await new Promise((r) => setTimeout(r, 800));
    expect(fs.existsSync(path.join(dir, 'in', name))).toBe(true);
  });
});
