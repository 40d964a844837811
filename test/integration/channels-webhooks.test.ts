/** The webhook router (SendGrid events, Twilio status, ERP payments) over HTTP with supertest and the real database. */
import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import twilio from 'twilio';
import { createWebhookRouter, type CallStatusEvent } from '../../api/webhooks';
import { signErpPayload } from '../../contexts/erp/signature';
import { createDb, type Db } from '../../infra/db';
import type { InvoiceAdjusted, PaymentReceived } from '../../workflows/contract';
import { seedCustomer, silentLog, testConfig } from '../fakes/fixtures';

// Real PostgreSQL and real SDKs against local servers: a first PDF render or a cold connection pool takes seconds on
// a loaded CI machine, beyond Jest's 5 s default.
jest.setTimeout(30_000);

const ERP_SECRET = 'erp-inbound-secret';
const TW_TOKEN = 'twilio-token';
const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SG_PUBLIC = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

let db: Db;
const payments: Array<[string, PaymentReceived]> = [];
const adjustments: Array<[string, InvoiceAdjusted]> = [];
const calls: CallStatusEvent[] = [];
let app: express.Express;

beforeAll(() => {
  db = createDb(process.env.DATABASE_URL!, 4);
  const config = testConfig({
    ERP_INBOUND_SECRET: ERP_SECRET,
    TWILIO_AUTH_TOKEN: TW_TOKEN,
    SENDGRID_WEBHOOK_PUBLIC_KEY: SG_PUBLIC,
    PUBLIC_BASE_URL: 'https://segugio.example',
  });
  app = express();
  app.use(
    '/v1/webhooks',
    createWebhookRouter({
      db,
      config,
      log: silentLog,
      onPayment: async (id, p) => void payments.push([id, p]),
      onAdjustment: async (id, a) => void adjustments.push([id, a]),
      onCallStatus: async (e) => void calls.push(e),
    }),
  );
});
afterAll(() => db.$disconnect());
beforeEach(() => {
  payments.length = 0;
  adjustments.length = 0;
  calls.length = 0;
});

function erpPost(body: unknown, opts: { ts?: number; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  return request(app)
    .post('/v1/webhooks/erp')
    .set('content-type', 'application/json')
    .set('x-segugio-timestamp', String(ts))
    .set('x-segugio-signature', signErpPayload(opts.secret ?? ERP_SECRET, ts, raw))
    .send(raw);
}

describe('ERP inbound webhook', () => {
  it('accepts a signed batch and hands payments and credit notes to the workflows', async () => {
    const s = await seedCustomer(db);
    const res = await erpPost({
      events: [
        {
          type: 'payment',
          invoiceNumber: s.numbers[0],
          reference: 'BON-1',
          amountMinor: 100_000,
          paidOn: '2025-09-10',
        },
        { type: 'adjustment', invoiceId: s.invoiceIds[1], reference: 'NC-7', kind: 'CREDIT_NOTE', amountMinor: 5000 },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 2 });
    expect(payments).toEqual([[s.invoiceIds[0], { reference: 'BON-1', amountMinor: 100_000, paidOn: '2025-09-10' }]]);
    expect(adjustments).toEqual([[s.invoiceIds[1], { reference: 'NC-7', kind: 'CREDIT_NOTE', amountMinor: 5000 }]]);
  });

  it('a bad signature is a 401 and nothing is recorded', async () => {
    const s = await seedCustomer(db);
    const res = await erpPost(
      {
        events: [
          { type: 'payment', invoiceNumber: s.numbers[0], reference: 'X', amountMinor: 1, paidOn: '2025-09-10' },
        ],
      },
      { secret: 'forged' },
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'BAD_SIGNATURE', message: 'ERP webhook rejected: bad signature' } });
    expect(payments).toHaveLength(0);
  });

  it('a replayed (stale) request is a 401', async () => {
    const s = await seedCustomer(db);
    const res = await erpPost(
      {
        events: [
          { type: 'payment', invoiceNumber: s.numbers[0], reference: 'X', amountMinor: 1, paidOn: '2025-09-10' },
        ],
      },
      { ts: Math.floor(Date.now() / 1000) - 3600 },
    );
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/replay window/);
    expect(payments).toHaveLength(0);
  });

  it('bad content is a 400 naming the field; unknown invoices a 422, and nothing is recorded', async () => {
    const bad = await erpPost({
      events: [{ type: 'payment', invoiceNumber: 'FT-1', reference: 'X', amountMinor: '12.50', paidOn: '10/09/2025' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'events.0.amountMinor',
      'events.0.paidOn',
    ]);
    const s = await seedCustomer(db);
    const unknown = await erpPost({
      events: [
        { type: 'payment', invoiceNumber: s.numbers[0], reference: 'OK', amountMinor: 1, paidOn: '2025-09-10' },
        { type: 'payment', invoiceNumber: 'NOPE', reference: 'X', amountMinor: 1, paidOn: '2025-09-10' },
      ],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields).toEqual([
      { path: 'events.1.invoiceNumber', message: 'unknown invoice', code: 'unknown_invoice' },
    ]);
    expect(payments).toHaveLength(0);
  });
});

async function contactRow(channel: string, status = 'SENT') {
  const s = await seedCustomer(db);
  const row = await db.contactEvent.create({
    data: {
      idempotencyKey: `wh-${crypto.randomUUID()}`,
      customerId: s.customerId,
      invoiceId: s.invoiceIds[0],
      invoiceIds: s.invoiceIds,
      channel,
      status,
      provider: channel === 'EMAIL' ? 'sendgrid' : 'twilio',
      providerMessageId:
        channel === 'EMAIL'
          ? `msg${crypto.randomBytes(6).toString('hex')}`
          : `CA${crypto.randomBytes(16).toString('hex')}`,
    },
  });
  return { s, row };
}

function sendgridPost(events: unknown[], opts: { forge?: boolean } = {}) {
  const raw = JSON.stringify(events);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = crypto.sign('sha256', Buffer.from(ts + raw), privateKey).toString('base64');
  return request(app)
    .post('/v1/webhooks/sendgrid/events')
    .set('content-type', 'application/json')
    .set('X-Twilio-Email-Event-Webhook-Timestamp', ts)
    .set('X-Twilio-Email-Event-Webhook-Signature', opts.forge ? sig.replace(/^../, 'AA') : sig)
    .send(raw);
}

describe('SendGrid event webhook', () => {
  it('records delivery by the custom args and the message id', async () => {
    const { row } = await contactRow('EMAIL');
    const res = await sendgridPost([
      {
        event: 'delivered',
        email: 'x@example.com',
        sg_message_id: `${row.providerMessageId}.filter0001`,
        timestamp: 1,
      },
    ]);
    expect(res.status).toBe(200);
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('DELIVERED');
  });

  it('a hard bounce opens one FIX_CONTACT task, however often SendGrid retries', async () => {
    const { s, row } = await contactRow('EMAIL');
    const ev = {
      event: 'bounce',
      type: 'bounce',
      reason: '550 5.1.1 mailbox unknown',
      contact_event_id: row.id,
      segugio_key: row.idempotencyKey,
    };
    expect((await sendgridPost([ev])).status).toBe(200);
    expect((await sendgridPost([ev])).status).toBe(200);
    const updated = await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } });
    expect(updated).toMatchObject({ status: 'BOUNCED', outcome: 'HARD_BOUNCE' });
    const tasks = await db.task.findMany({ where: { customerId: s.customerId, kind: 'FIX_CONTACT' } });
    expect(tasks).toHaveLength(1);
    expect(tasks[0].invoiceId).toBe(s.invoiceIds[0]);
  });

  it('a forged signature is a 401 and nothing changes', async () => {
    const { row } = await contactRow('EMAIL');
    const res = await sendgridPost([{ event: 'bounce', type: 'bounce', contact_event_id: row.id }], { forge: true });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('BAD_SIGNATURE');
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('SENT');
  });
});

describe('Twilio status callback', () => {
  const path = (id: string) => `/v1/webhooks/twilio/status?contactEventId=${id}`;
  function twilioPost(id: string, params: Record<string, string>, token = TW_TOKEN) {
    const sig = twilio.getExpectedTwilioSignature(token, `https://segugio.example${path(id)}`, params);
    return request(app).post(path(id)).type('form').set('X-Twilio-Signature', sig).send(params);
  }

  it('records a no-answer and hands it to the workflow', async () => {
    const { row } = await contactRow('VOICE');
    const res = await twilioPost(row.id, {
      CallSid: row.providerMessageId!,
      CallStatus: 'no-answer',
      To: '+393331234567',
      CallDuration: '0',
    });
    expect(res.status).toBe(204);
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('NO_ANSWER');
    expect(calls).toEqual([
      expect.objectContaining({
        contactEventId: row.id,
        status: 'NO_ANSWER',
        channel: 'VOICE',
        invoiceId: row.invoiceId,
        durationSeconds: 0,
      }),
    ]);
  });

  it('records completed calls and SMS delivery', async () => {
    const { row } = await contactRow('VOICE');
    await twilioPost(row.id, { CallSid: row.providerMessageId!, CallStatus: 'completed', CallDuration: '42' });
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('COMPLETED');
    const sms = await contactRow('SMS');
    await twilioPost(sms.row.id, { MessageSid: 'SM1', MessageStatus: 'delivered' });
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: sms.row.id } })).status).toBe('DELIVERED');
  });

  it('an invalid X-Twilio-Signature is a 401 and nothing changes', async () => {
    const { row } = await contactRow('VOICE');
    const res = await twilioPost(row.id, { CallSid: row.providerMessageId!, CallStatus: 'busy' }, 'wrong-token');
    expect(res.status).toBe(401);
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('SENT');
    expect(calls).toHaveLength(0);
  });
});
