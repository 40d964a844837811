/**
 * The walking skeleton end to end on the real servers: the ERP posts an invoice through the API, the workflow sends
 * the first reminder into the local outbox, a worker restart loses and duplicates nothing, a full payment closes
 * the invoice as PAID — visible through a visibility query — and bad input starts nothing and writes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { invoiceWorkflowId } from '../../workflows/contract';
import {
  createTestPolicy,
  eventually,
  isoDaysFromToday,
  KEYS,
  secondsSettings,
  startHarness,
  uniq,
  type Harness,
} from './harness';

jest.setTimeout(180_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness();
  segment = await createTestPolicy(h.db, {
    name: 'walking skeleton',
    steps: [
      { stage: 'REMINDER', offset: 'PT1S', channels: ['EMAIL'], template: 'reminder-1' },
      { stage: 'REMINDER', offset: 'PT8S', channels: ['EMAIL'], template: 'reminder-2' },
      { stage: 'CALL', offset: 'P30D', channels: ['TASK'], template: 'call' },
    ],
    settings: secondsSettings,
  });
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

const invoiceBody = (number: string, overrides: Record<string, unknown> = {}, customerId = uniq('CUST')) => ({
  number,
  customer: {
    externalId: customerId,
    name: 'Ferramenta Lombarda S.r.l.',
    vatNumber: 'IT01234567890',
    email: 'amministrazione@ferramenta.example',
    language: 'it',
    segment,
    area: 'Nord',
    collectorId: 'u-giulia',
  },
  currency: 'EUR',
  amountMinor: 1_250_000,
  issueDate: isoDaysFromToday(-30),
  dueDate: isoDaysFromToday(-1),
  ...overrides,
});

const emailsFor = (invoiceId: string) =>
  h.db.contactEvent.findMany({
    where: { invoiceIds: { has: invoiceId }, channel: 'EMAIL' },
    orderBy: { createdAt: 'asc' },
  });

describe('walking skeleton', () => {
  it('creates, reminds, survives a worker restart, and closes as PAID on full payment', async () => {
    const number = uniq('FT');
    const body = invoiceBody(number);
    const created = await request(h.app).post('/v1/invoices').set('Authorization', `Bearer ${KEYS.erp}`).send(body);
    expect(created.status).toBe(201);
    const { invoiceId, workflowId } = created.body as { invoiceId: string; workflowId: string };
    expect(workflowId).toBe(invoiceWorkflowId(invoiceId));

    // Posting the same invoice again starts nothing new.
    const again = await request(h.app).post('/v1/invoices').set('Authorization', `Bearer ${KEYS.erp}`).send(body);
    expect(again.status).toBe(200);
    expect(again.body.invoiceId).toBe(invoiceId);

    // The first reminder reaches the outbox within seconds. Its contact row is written PENDING
    // (the intent, before the channel is called) and turns QUEUED once the outbox has the message.
    const first = await eventually(async () => {
      const rows = await emailsFor(invoiceId);
      return rows.length >= 1 && rows[0].status !== 'PENDING' ? rows : null;
    }, 30_000);
    expect(first[0].status).toBe('QUEUED');
    expect(first[0].template).toBe('reminder-1');
    const eml = fs.readdirSync(path.join(h.dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(eml.length).toBeGreaterThanOrEqual(1);

    // Restart the worker between the two reminders: the timer survives, nothing is sent twice.
    await h.stopWorker();
    await h.startWorker();
    const both = await eventually(async () => {
      const rows = await emailsFor(invoiceId);
      return rows.length >= 2 ? rows : null;
    }, 40_000);
    expect(both.map((r) => r.template)).toEqual(['reminder-1', 'reminder-2']);

    const state = await request(h.app)
      .get(`/v1/invoices/${invoiceId}?live=true`)
      .set('Authorization', `Bearer ${KEYS.manager}`);
    expect(state.status).toBe(200);
    expect(state.body.source).toBe('workflow');
    expect(state.body.stage).toBe('REMINDER');
    expect(state.body.balanceMinor).toBe(1_250_000);

    // A partial payment, the same payment again (counted once), then the rest.
    const pay = (reference: string, amountMinor: number) =>
      request(h.app)
        .post(`/v1/invoices/${invoiceId}/payments`)
        .set('Authorization', `Bearer ${KEYS.erp}`)
        .send({ reference, amountMinor, paidOn: isoDaysFromToday(0) });
    expect((await pay('BONIFICO-1', 250_000)).status).toBe(201);
    expect((await pay('BONIFICO-1', 250_000)).status).toBe(200);
    await eventually(async () => {
      const s = await request(h.app).get(`/v1/invoices/${invoiceId}`).set('Authorization', `Bearer ${KEYS.manager}`);
      return s.body.balanceMinor === 1_000_000;
    });
    expect((await pay('BONIFICO-2', 1_000_000)).status).toBe(201);

    const result = await h.client.workflow.getHandle(workflowId).result();
    expect(result.stage).toBe('PAID');
    expect(result.balanceMinor).toBe(0);

    const visible = await eventually(async () => {
      const n = await h.client.workflow.count(`WorkflowId = '${workflowId}' AND InvoiceStage = 'PAID'`);
      return n.count === 1 ? n : null;
    }, 30_000);
    expect(visible.count).toBe(1);

    const row = await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    expect(row.stage).toBe('PAID');
    expect(Number(row.balanceMinor)).toBe(0);
    const closed = await request(h.app).get(`/v1/invoices/${number}`).set('Authorization', `Bearer ${KEYS.manager}`);
    expect(closed.body).toMatchObject({ stage: 'PAID', source: 'database', balanceMinor: 0 });

    // Exactly two reminders were ever written, one per step, across the restart.
    expect((await emailsFor(invoiceId)).length).toBe(2);
    // A closed invoice posted again is not collected again.
    const reposted = await request(h.app).post('/v1/invoices').set('Authorization', `Bearer ${KEYS.erp}`).send(body);
    expect(reposted.status).toBe(200);
    expect(reposted.body.stage).toBe('PAID');
  });

  describe('bad input starts nothing and writes nothing', () => {
    const cases: Array<[string, (b: Record<string, unknown>) => unknown, number, string]> = [
      ['missing due date', ({ dueDate: _d, ...rest }) => rest, 400, 'dueDate'],
      ['negative amount', (b) => ({ ...b, amountMinor: -100 }), 400, 'amountMinor'],
      ['non-integer amount', (b) => ({ ...b, amountMinor: 12.5 }), 400, 'amountMinor'],
      ['amount as a string', (b) => ({ ...b, amountMinor: '1000' }), 400, 'amountMinor'],
      ['unknown currency', (b) => ({ ...b, currency: 'XYZ' }), 400, 'currency'],
      ['impossible date', (b) => ({ ...b, dueDate: '2026-02-30' }), 400, 'dueDate'],
      ['due before issue', (b) => ({ ...b, dueDate: '2020-01-01' }), 400, 'dueDate'],
      [
        'bad e-mail',
        (b) => ({ ...b, customer: { ...(b.customer as object), email: 'not-an-email' } }),
        400,
        'customer.email',
      ],
      [
        'unknown collector',
        (b) => ({ ...b, customer: { ...(b.customer as object), collectorId: 'u-nobody' } }),
        400,
        'customer.collectorId',
      ],
    ];

    it.each(cases.map(([name, mutate, status, field]) => ({ name, mutate, status, field })))(
      '$name → $status naming $field',
      async ({ mutate, status, field }) => {
        const before = await counts();
        const number = uniq('BAD');
        const res = await request(h.app)
          .post('/v1/invoices')
          .set('Authorization', `Bearer ${KEYS.erp}`)
          .send(mutate(invoiceBody(number)) as object);
        expect(res.status).toBe(status);
        expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
        expect(await counts()).toEqual(before);
        expect(await h.db.invoice.findUnique({ where: { externalNumber: number } })).toBeNull();
      },
    );

    it('malformed JSON → 400 MALFORMED_JSON', async () => {
      const before = await counts();
      const res = await request(h.app)
        .post('/v1/invoices')
        .set('Authorization', `Bearer ${KEYS.erp}`)
        .set('Content-Type', 'application/json')
        .send('{"number": "X-1", "amountMinor": 10,');
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_JSON');
      expect(await counts()).toEqual(before);
    });

    it('wrong role → 403, no key → 401', async () => {
      const before = await counts();
      const body = invoiceBody(uniq('ROLE'));
      const asCollector = await request(h.app)
        .post('/v1/invoices')
        .set('Authorization', `Bearer ${KEYS.collector}`)
        .send(body);
      expect(asCollector.status).toBe(403);
      expect(asCollector.body.error.code).toBe('FORBIDDEN');
      const anonymous = await request(h.app).post('/v1/invoices').send(body);
      expect(anonymous.status).toBe(401);
      expect(await counts()).toEqual(before);
    });

    it('a payment with a bad amount is refused and signals nothing', async () => {
      const res = await request(h.app)
        .post(`/v1/invoices/does-not-exist/payments`)
        .set('Authorization', `Bearer ${KEYS.erp}`)
        .send({ reference: 'R', amountMinor: 0, paidOn: '2026-01-01' });
      expect(res.status).toBe(400);
      expect(res.body.error.fields[0].path).toBe('amountMinor');
    });
  });
});

async function counts(): Promise<{ invoices: number; customers: number; workflows: number }> {
  const [invoices, customers, workflows] = await Promise.all([
    h.db.invoice.count(),
    h.db.customer.count(),
    h.client.workflow.count(`TaskQueue = '${h.taskQueue}'`),
  ]);
  return { invoices, customers, workflows: workflows.count };
}
