/**
 * Keys, webhooks and limits (issue 12): the published dev keys refused at authentication time outside dev whatever
 * the database says; unsigned SendGrid events refused in production (and production refusing to start with SendGrid
 * and no verification key); replayed Twilio status callbacks passed on once; per-role rate limits with Retry-After.
 * Real API, real PostgreSQL, real Temporal.
 */
import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import twilio from 'twilio';
import { createApp } from '../../api/app';
import { createWebhookRouter, type CallStatusEvent } from '../../api/webhooks';
import { createApiKey } from '../../contexts/access/auth';
import { devKeysAllowed, loadConfig, IDENTITY_PLACEHOLDERS } from '../../infra/config';
import { createLogger } from '../../infra/logger';
import { seedCustomer, silentLog, testConfig } from '../fakes/fixtures';
import { KEYS, startHarness, type Harness } from './harness';

jest.setTimeout(180_000);

let h: Harness;
const log = createLogger('silent', 'keys');

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('dev keys', () => {
  it('are refused at authentication outside dev, though the database holds them as valid; real keys work', async () => {
    expect(await h.db.apiKey.count({ where: { prefix: 'sg_dev_', revokedAt: null } })).toBeGreaterThan(0);
    const production = createApp({
      db: h.db,
      temporal: h.client,
      config: { ...h.config, SEGUGIO_MODE: 'production' },
      log,
    });
    for (const key of Object.values(KEYS)) {
      const res = await request(production).get('/v1/policies').set('Authorization', `Bearer ${key}`);
      expect([key, res.status]).toEqual([key, 401]);
      expect(res.body.error.message).toMatch(/dev API keys are refused/);
    }
    const xApiKey = await request(production).get('/v1/policies').set('X-API-Key', KEYS.admin);
    expect(xApiKey.status).toBe(401);
    const real = await createApiKey(h.db, { label: 'ops', role: 'manager', userId: 'u-laura' });
    expect((await request(production).get('/v1/policies').set('Authorization', `Bearer ${real.key}`)).status).toBe(200);
    // The harness's own app (test mode, inside jest) takes them.
    expect((await request(h.app).get('/v1/policies').set('Authorization', `Bearer ${KEYS.manager}`)).status).toBe(200);
  });

  it('test mode accepts them only inside the test runner; dev always; production never', () => {
    expect(devKeysAllowed({ SEGUGIO_MODE: 'test' }, {})).toBe(false);
    expect(devKeysAllowed({ SEGUGIO_MODE: 'test' }, { JEST_WORKER_ID: '1' })).toBe(true);
    expect(devKeysAllowed({ SEGUGIO_MODE: 'dev' }, {})).toBe(true);
    expect(devKeysAllowed({ SEGUGIO_MODE: 'production' }, { JEST_WORKER_ID: '1' })).toBe(false);
  });
});

describe('SendGrid event webhook', () => {
  const event = (id: string) => [
    { event: 'bounce', sg_message_id: `${id}.filter`, email: 'x@example.com', timestamp: 1 },
  ];

  it('production refuses unsigned events (401) and records nothing; dev accepts them', async () => {
    const { row } = await contactRowOf('EMAIL');
    const appFor = (mode: 'production' | 'dev') => {
      const app = express();
      app.use(
        '/v1/webhooks',
        createWebhookRouter({
          db: h.db,
          // The mode alone decides (the rest of a production config is not at issue here).
          config: { ...testConfig(), SEGUGIO_MODE: mode },
          log: silentLog,
          onPayment: async () => undefined,
          onAdjustment: async () => undefined,
        }),
      );
      return app;
    };
    const refused = await request(appFor('production'))
      .post('/v1/webhooks/sendgrid/events')
      .set('content-type', 'application/json')
      .send(JSON.stringify(event(row.providerMessageId!)));
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/SENDGRID_WEBHOOK_PUBLIC_KEY/);
    expect((await h.db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('SENT');
    const dev = await request(appFor('dev'))
      .post('/v1/webhooks/sendgrid/events')
      .set('content-type', 'application/json')
      .send(JSON.stringify(event(row.providerMessageId!)));
    expect(dev.status).toBe(200);
  });

  it('production with SENDGRID_API_KEY and no verification key refuses to start, naming the variable', () => {
    const env = {
      DATABASE_URL: 'postgresql://x@127.0.0.1/x',
      SEGUGIO_MODE: 'production',
      SENDGRID_API_KEY: 'SG.x',
      SEGUGIO_PAYLOAD_KEY: Buffer.alloc(32, 3).toString('base64'),
      ...Object.fromEntries(
        Object.keys(IDENTITY_PLACEHOLDERS).map((k) => [
          k,
          k === 'SENDGRID_FROM' || k === 'LETTERHEAD_EMAIL' ? 'a@b.example' : 'x',
        ]),
      ),
    };
    expect(() => loadConfig(env)).toThrow(/SENDGRID_WEBHOOK_PUBLIC_KEY/);
    expect(() => loadConfig({ ...env, SENDGRID_WEBHOOK_PUBLIC_KEY: 'MFkw' })).not.toThrow();
  });
});

describe('Twilio status callbacks', () => {
  it('a replayed final status is recorded and passed on once, also when replays arrive together', async () => {
    const token = 'tw-token';
    const calls: CallStatusEvent[] = [];
    const app = express();
    app.use(
      '/v1/webhooks',
      createWebhookRouter({
        db: h.db,
        config: testConfig({ TWILIO_AUTH_TOKEN: token, PUBLIC_BASE_URL: 'https://segugio.example' }),
        log: silentLog,
        onPayment: async () => undefined,
        onAdjustment: async () => undefined,
        onCallStatus: async (e) => void calls.push(e),
      }),
    );
    const { row } = await contactRowOf('VOICE');
    const path = `/v1/webhooks/twilio/status?contactEventId=${row.id}`;
    const params = { CallSid: row.providerMessageId!, CallStatus: 'no-answer', CallDuration: '0' };
    const sig = twilio.getExpectedTwilioSignature(token, `https://segugio.example${path}`, params);
    const post = () => request(app).post(path).type('form').set('X-Twilio-Signature', sig).send(params);
    expect((await post()).status).toBe(204);
    const replays = await Promise.all([post(), post(), post(), post()]);
    expect(replays.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    expect(calls).toHaveLength(1);
    expect((await h.db.contactEvent.findUniqueOrThrow({ where: { id: row.id } })).status).toBe('NO_ANSWER');
  });
});

describe('per-role rate limits', () => {
  it('an ERP key gets its bulk-sync budget, a person the lower one; 429 carries Retry-After', async () => {
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: { ...h.config, API_RATE_LIMIT_PER_MINUTE: 3, API_RATE_LIMIT_ERP_PER_MINUTE: 12 },
      log,
    });
    const get = (key: string) => request(app).get('/v1/invoices/NOPE-404').set('Authorization', `Bearer ${key}`);
    const manager = [];
    for (let i = 0; i < 4; i++) manager.push((await get(KEYS.manager)).status);
    expect(manager).toEqual([404, 404, 404, 429]);
    const erp = [];
    for (let i = 0; i < 13; i++) erp.push(await get(KEYS.erp));
    expect(erp.slice(0, 12).map((r) => r.status)).toEqual(Array(12).fill(404));
    const limited = erp[12];
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.error.message).toMatch(/12 requests per minute/);
  });
});

async function contactRowOf(channel: string) {
  const s = await seedCustomer(h.db);
  const row = await h.db.contactEvent.create({
    data: {
      idempotencyKey: `kw-${crypto.randomUUID()}`,
      customerId: s.customerId,
      invoiceId: s.invoiceIds[0],
      invoiceIds: s.invoiceIds,
      channel,
      status: 'SENT',
      provider: channel === 'EMAIL' ? 'sendgrid' : 'twilio',
      providerMessageId:
        channel === 'EMAIL'
          ? `msg${crypto.randomBytes(6).toString('hex')}`
          : `CA${crypto.randomBytes(16).toString('hex')}`,
    },
  });
  return { s, row };
}
