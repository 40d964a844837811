/** ERP activities against a fake ERP and the real PostgreSQL; the crash case is retried by a real Temporal worker. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createErpActivities } from '../../activities/erp';
import { createDb, type Db } from '../../infra/db';
import { seedCustomer, silentLog, testConfig } from '../fakes/fixtures';
import { startFakeErp, type FakeErp } from '../fakes/erp-server';

// Real PostgreSQL and real SDKs against local servers: a first PDF render or a cold connection pool takes seconds on
// a loaded CI machine, beyond Jest's 5 s default.
jest.setTimeout(30_000);

const SECRET = 'erp-outbound-secret';
let db: Db;
let erp: FakeErp;
let n = 0;
const key = (what: string): string => `erp-it-${Date.now()}-${n++}:${what}`;

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!, 4);
  erp = await startFakeErp(SECRET);
});
afterAll(async () => {
  await erp.close();
  await db.$disconnect();
});
beforeEach(() => {
  erp.requests.length = 0;
  erp.failures.length = 0;
});

const restConfig = () => testConfig({ ERP_WEBHOOK_URL: erp.url, ERP_WEBHOOK_SECRET: SECRET });

it('blocks a customer once, however often the activity runs', async () => {
  const acts = createErpActivities({ db, config: restConfig(), log: silentLog });
  const s = await seedCustomer(db);
  const call = { idempotencyKey: key('BLOCK'), customerId: s.customerId, reason: 'ORDER_BLOCK stage' };
  await acts.erpBlockCustomer(call);
  await acts.erpBlockCustomer(call);
  const customer = await db.customer.findUniqueOrThrow({ where: { id: s.customerId } });
  expect(erp.requests).toEqual([
    {
      method: 'POST',
      path: `/customers/${customer.externalId}/block`,
      idempotencyKey: call.idempotencyKey,
      body: { idempotencyKey: call.idempotencyKey, customerId: s.customerId, reason: 'ORDER_BLOCK stage' },
    },
  ]);
  const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: `erp:${call.idempotencyKey}` } });
  expect(row).toMatchObject({ channel: 'ERP', template: 'BLOCK_CUSTOMER', status: 'SENT', provider: 'erp-rest' });
});

it('posts invoice status with number, stage, balance and currency', async () => {
  const acts = createErpActivities({ db, config: restConfig(), log: silentLog });
  const s = await seedCustomer(db);
  await acts.erpPostInvoiceStatus({
    idempotencyKey: key('STATUS'),
    customerId: s.customerId,
    invoiceId: s.invoiceIds[0],
    stage: 'FORMAL_NOTICE',
    balanceMinor: 1_220_000,
  });
  expect(erp.requests[0]).toMatchObject({
    path: `/invoices/${s.numbers[0]}/status`,
    body: { invoiceId: s.invoiceIds[0], stage: 'FORMAL_NOTICE', balanceMinor: 1_220_000, currency: 'EUR' },
  });
});

it('a 4xx from the ERP fails for good and is recorded', async () => {
  const acts = createErpActivities({ db, config: restConfig(), log: silentLog });
  const s = await seedCustomer(db);
  erp.failures.push(409);
  const call = { idempotencyKey: key('UNBLOCK'), customerId: s.customerId };
  await expect(acts.erpUnblockCustomer(call)).rejects.toMatchObject({ nonRetryable: true, type: 'ErpRejected' });
  const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: `erp:${call.idempotencyKey}` } });
  expect(row.status).toBe('FAILED');
  // Asked again with the same key: the refusal again, and no second request.
  await expect(acts.erpUnblockCustomer(call)).rejects.toMatchObject({ nonRetryable: true, type: 'ErpRejected' });
  expect(erp.requests).toHaveLength(1);
});

it('without an ERP the request is kept as QUEUED with an audit event', async () => {
  const acts = createErpActivities({ db, config: testConfig(), log: silentLog });
  const s = await seedCustomer(db);
  const call = { idempotencyKey: key('BLOCK:none'), customerId: s.customerId };
  await acts.erpBlockCustomer(call);
  const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: `erp:${call.idempotencyKey}` } });
  expect(row).toMatchObject({ status: 'QUEUED', outcome: 'ERP_NOT_CONFIGURED', provider: 'none' });
  const audit = await db.auditEvent.findFirst({
    where: { entityType: 'Customer', entityId: s.customerId, action: 'erp.block_customer.not_sent' },
  });
  expect(audit).not.toBeNull();
});

it('with ERP_CSV_DIR a status file is written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-erp-'));
  const acts = createErpActivities({ db, config: testConfig({ ERP_CSV_DIR: dir }), log: silentLog });
  const s = await seedCustomer(db);
  await acts.erpPostInvoiceStatus({
    idempotencyKey: key('CSV'),
    customerId: s.customerId,
    invoiceId: s.invoiceIds[1],
    stage: 'REMINDER',
    balanceMinor: 230_050,
  });
  const [file] = fs.readdirSync(path.join(dir, 'out'));
  expect(fs.readFileSync(path.join(dir, 'out', file), 'utf8')).toContain(`INVOICE_STATUS,`);
});

it('a crash after the ERP accepted, retried by Temporal: the ERP receives exactly one request', async () => {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const taskQueue = `erp-crash-${Date.now()}`;
  let crashes = 0;
  const acts = createErpActivities({
    db,
    config: restConfig(),
    log: silentLog,
    faults: {
      afterProviderAccepted: () => {
        if (crashes++ === 0) throw new Error('simulated crash after the ERP accepted');
      },
    },
  });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./channels-workflows'),
    activities: acts,
  });
  const client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS }) });
  const s = await seedCustomer(db);
  const call = { idempotencyKey: key('BLOCK:crash'), customerId: s.customerId };
  await worker.runUntil(
    client.workflow.execute('blockOnce', { taskQueue, workflowId: `erp-crash-${call.idempotencyKey}`, args: [call] }),
  );
  await client.connection.close();
  await connection.close();
  expect(crashes).toBe(1);
  expect(erp.requests.filter((r) => r.idempotencyKey === call.idempotencyKey)).toHaveLength(1);
  const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: `erp:${call.idempotencyKey}` } });
  expect(row).toMatchObject({ status: 'SENT', outcome: 'RECONCILED' });
}, 60_000);
