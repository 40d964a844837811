/**
 * Click-to-call from the agenda (POST /v1/tasks/:id/call) against the real stack and the Twilio SDK talking to a
 * local fake Twilio: with Twilio and TWILIO_AGENT_NUMBER the worker's contact activity rings the collector's number
 * and bridges it to the customer, once per Idempotency-Key (the same request again answers the same call); without
 * them the route answers 409 CLICK_TO_CALL_UNAVAILABLE and the console's `me` says `clickToCall: false`, so the
 * agenda shows no button.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-server';
import { as, newInvoice } from './api-helpers';
import { createTestPolicy, eventually, KEYS, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

const TW_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const TW_TOKEN = 'twilio-click-to-call-token';
const TW_FROM = '+390200000001';
const AGENT = '+390299999999';

let h: Harness;
let tw: FakeTwilio;
let segment: string;

beforeAll(async () => {
  tw = await startFakeTwilio(TW_SID, TW_TOKEN);
  h = await startHarness({
    env: {
      TWILIO_ACCOUNT_SID: TW_SID,
      TWILIO_AUTH_TOKEN: TW_TOKEN,
      TWILIO_FROM: TW_FROM,
      TWILIO_BASE_URL: tw.url,
      TWILIO_AGENT_NUMBER: AGENT,
      PUBLIC_BASE_URL: 'https://segugio.example',
    },
  });
  segment = await createTestPolicy(h.db, {
    name: 'click-to-call: a call task at once',
    steps: [{ stage: 'CALL', offset: 'PT1S', channels: ['TASK'], template: 'call' }],
    settings: { ...secondsSettings, callOutcomeDeadline: 'P2D' },
  });
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
  await tw?.close();
});

async function callTask() {
  const inv = await newInvoice(h, segment, { dueInDays: -30 });
  const task = await eventually(() =>
    h.db.task.findFirst({ where: { invoiceId: inv.invoiceId, kind: 'CALL', status: 'OPEN' } }),
  );
  return { inv, task };
}

describe('click-to-call', () => {
  it('rings the collector and bridges to the customer, once per Idempotency-Key', async () => {
    const { inv, task } = await callTask();
    const me = await request(h.app).get('/console/api/me').set('Authorization', `Bearer ${KEYS.collector}`);
    expect(me.body.clickToCall).toBe(true);

    const key = uniq('c2c');
    const first = await as(h, 'collector').post(`/v1/tasks/${task.id}/call`).set('Idempotency-Key', key).send({});
    expect(first.status).toBe(200);
    const mine = () => tw.requests.filter((r) => r.kind === 'call' && String(r.params.Twiml).includes('+390212345678'));
    // Sundays and public holidays have no contact hours at all: then the call is deferred and nothing rings.
    if (first.body.status === 'DEFERRED') {
      expect(first.body.notBefore).toEqual(expect.any(String));
      expect(mine()).toHaveLength(0);
    } else {
      expect(first.body).toMatchObject({ status: 'SENT', duplicate: false });
      const calls = mine();
      expect(calls).toHaveLength(1);
      expect(calls[0].params.To).toBe(AGENT);
      expect(calls[0].params.Twiml).toContain(`<Dial callerId="${TW_FROM}">+390212345678</Dial>`);
      const contact = await h.db.contactEvent.findUniqueOrThrow({ where: { id: first.body.contactEventId } });
      expect(contact).toMatchObject({
        channel: 'VOICE',
        status: 'SENT',
        outcome: 'CLICK_TO_CALL',
        invoiceId: inv.invoiceId,
      });
    }

    // The same request again answers the same call and rings nobody.
    const again = await as(h, 'collector').post(`/v1/tasks/${task.id}/call`).set('Idempotency-Key', key).send({});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: first.body.status, duplicate: true });
    expect(mine()).toHaveLength(first.body.status === 'SENT' ? 1 : 0);
    expect(await h.db.auditEvent.count({ where: { action: 'task.call', entityId: task.id } })).toBe(1);

    // Another collector's task, a missing key, a body field: refused, nothing rings.
    const marco = await as(h, 'collector2')
      .post(`/v1/tasks/${task.id}/call`)
      .set('Idempotency-Key', uniq('k'))
      .send({});
    expect(marco.status).toBe(403);
    const noKey = await as(h, 'collector').post(`/v1/tasks/${task.id}/call`).send({});
    expect(noKey.status).toBe(400);
    const extra = await as(h, 'collector')
      .post(`/v1/tasks/${task.id}/call`)
      .set('Idempotency-Key', uniq('k'))
      .send({ to: '+39000' });
    expect(extra.status).toBe(400);
    expect(extra.body.error.fields[0]).toMatchObject({ path: 'to', code: 'unknown_field' });
    expect(mine()).toHaveLength(first.body.status === 'SENT' ? 1 : 0);
  });

  it('without Twilio the console hides the button and the route says it is not configured', async () => {
    const { task } = await callTask();
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: { ...h.config, TWILIO_AGENT_NUMBER: undefined },
      log: createLogger('silent', 'test'),
    });
    const me = await request(app).get('/console/api/me').set('Authorization', `Bearer ${KEYS.collector}`);
    expect(me.body.clickToCall).toBe(false);
    const res = await request(app)
      .post(`/v1/tasks/${task.id}/call`)
      .set('Authorization', `Bearer ${KEYS.collector}`)
      .set('Idempotency-Key', uniq('k'))
      .send({});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CLICK_TO_CALL_UNAVAILABLE');
  });
});
