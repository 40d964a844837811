/**
 * Channels end to end with the REAL SDKs (@sendgrid/mail, twilio) pointed at local fake servers, the real
 * PostgreSQL of the integration stack and, for the crash test, a real Temporal worker that retries.
 */
import fs from 'node:fs';
import express from 'express';
import request from 'supertest';
import { createWebhookRouter } from '../../api/webhooks';
import { NativeConnection, Worker } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { createContactActivities, COLLECTOR_TASK_NEEDED } from '../../activities/channels';
import { createDb, type Db } from '../../infra/db';
import type { ContactRequest } from '../../activities/types';
import { seedCustomer, silentLog, SUNDAY_NOON, testConfig, WEEKDAY_NOON } from '../fakes/fixtures';
import { hasPoppler, pdfText } from '../fakes/pdf';
import { startFakeSendGrid, type FakeSendGrid } from '../fakes/sendgrid-server';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-server';

// Real PostgreSQL and real SDKs against local servers: a first PDF render or a cold connection pool takes seconds on
// a loaded CI machine, beyond Jest's 5 s default.
jest.setTimeout(30_000);

const SG_KEY = 'SG.test-key';
const TW_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TW_TOKEN = 'twilio-test-token';
const TW_FROM = '+390212345678';

let db: Db;
let sg: FakeSendGrid;
let tw: FakeTwilio;
let n = 0;
const key = (what: string): string => `it-${Date.now()}-${n++}:${what}`;

function providerConfig(extra: Record<string, string> = {}) {
  return testConfig({
    SENDGRID_API_KEY: SG_KEY,
    SENDGRID_BASE_URL: sg.url,
    SENDGRID_FROM: 'crediti@brambilla.example',
    SENDGRID_FROM_NAME: 'Ufficio Crediti Brambilla',
    TWILIO_ACCOUNT_SID: TW_SID,
    TWILIO_AUTH_TOKEN: TW_TOKEN,
    TWILIO_FROM: TW_FROM,
    TWILIO_BASE_URL: tw.url,
    PUBLIC_BASE_URL: 'https://segugio.example',
    ...extra,
  });
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!, 4);
  sg = await startFakeSendGrid(SG_KEY);
  tw = await startFakeTwilio(TW_SID, TW_TOKEN);
});

afterAll(async () => {
  await sg.close();
  await tw.close();
  await db.$disconnect();
});

beforeEach(() => {
  sg.mails.length = 0;
  tw.requests.length = 0;
  sg.activityApi = true;
});

describe('e-mail through @sendgrid/mail', () => {
  it('sends a localized reminder with the letter attached and the idempotency key in custom args', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db, { language: 'it' });
    const req: ContactRequest = {
      idempotencyKey: key('REMINDER#2:EMAIL:0'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'reminder-2',
      attachLetter: true,
    };
    const res = await sendContact(req);
    expect(res.status).toBe('SENT');
    expect(sg.mails).toHaveLength(1);
    const mail = sg.mails[0];
    const customer = await db.customer.findUniqueOrThrow({ where: { id: s.customerId } });
    expect(mail.authorization).toBe(`Bearer ${SG_KEY}`);
    expect(mail.body.personalizations[0].to[0].email).toBe(customer.email);
    expect(mail.body.from).toEqual({ email: 'crediti@brambilla.example', name: 'Ufficio Crediti Brambilla' });
    expect(mail.body.subject).toBe(`Secondo sollecito di pagamento – le fatture n. ${s.numbers[0]} e ${s.numbers[1]}`);
    expect(mail.body.headers).toEqual({ 'Content-Language': 'it' });
    expect(mail.body.custom_args).toEqual({ segugio_key: req.idempotencyKey, contact_event_id: res.contactEventId });
    const text = mail.body.content.find((c) => c.type === 'text/plain')!.value;
    const html = mail.body.content.find((c) => c.type === 'text/html')!.value;
    expect(text).toContain('nonostante il nostro precedente sollecito');
    expect(text).toContain('14.500,50');
    expect(html).toContain('<html lang="it">');
    expect(mail.body.attachments).toHaveLength(1);
    const att = mail.body.attachments![0];
    expect(att).toMatchObject({ type: 'application/pdf', disposition: 'attachment' });
    expect(att.filename).toMatch(/^SEG-[0-9A-F]{8}-reminder-2-it\.pdf$/);
    const pdf = Buffer.from(att.content, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    if (hasPoppler()) expect(pdfText(pdf)).toContain('Secondo sollecito di pagamento');

    const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: req.idempotencyKey } });
    expect(row).toMatchObject({
      status: 'SENT',
      provider: 'sendgrid',
      providerMessageId: sg.mails[0].messageId,
      language: 'it',
    });
    const letter = await db.letter.findUniqueOrThrow({ where: { id: res.letterId! } });
    expect(letter.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(letter.path).equals(pdf)).toBe(true);

    // The same key again: the recorded result, no second request.
    const again = await sendContact(req);
    expect(again).toEqual(res);
    expect(sg.mails).toHaveLength(1);
  });

  it('writes in English and French by customer language', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    for (const [lang, subject] of [
      ['en', 'Payment reminder – invoice no.'],
      ['fr', 'Relance de paiement – la facture n°'],
    ] as const) {
      const s = await seedCustomer(db, { language: lang });
      await sendContact({
        idempotencyKey: key(`R1:${lang}`),
        customerId: s.customerId,
        invoiceIds: [s.invoiceIds[0]],
        stage: 'REMINDER',
        channel: 'EMAIL',
        template: 'reminder-1',
      });
      const mail = sg.mails[sg.mails.length - 1];
      expect(mail.body.subject.startsWith(subject)).toBe(true);
      expect(mail.body.headers).toEqual({ 'Content-Language': lang });
      expect(mail.body.attachments).toBeUndefined();
    }
  });

  it('never sends a PEC through SendGrid: without a PEC mailbox the notice waits in the outbox for a person', async () => {
    // An ordinary e-mail has no receipts and many PEC boxes discard it; the PEC channel proper is test/integration/pec.
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db, { pec: 'rossi@pec.example' });
    const res = await sendContact({
      idempotencyKey: key('FORMAL:PEC'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'FORMAL_NOTICE',
      channel: 'PEC',
      template: 'formal-notice',
    });
    expect(res.status).toBe('QUEUED');
    expect(res.detail?.startsWith(COLLECTOR_TASK_NEEDED)).toBe(true);
    expect(sg.mails).toHaveLength(0);
    const row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
    expect(row).toMatchObject({ provider: 'outbox', recipient: 'rossi@pec.example' });
    expect(fs.readFileSync(row.filePath!, 'utf8')).toMatch(/^To: rossi@pec\.example$/m);
    if (hasPoppler()) {
      const letter = await db.letter.findUniqueOrThrow({ where: { id: res.letterId! } });
      const text = pdfText(fs.readFileSync(letter.path));
      // A costituzione in mora (art. 1219 c.c.): art. 1454 c.c. only when the policy asks for a diffida ad adempiere.
      expect(text).toContain('A mezzo PEC');
      expect(text).toContain('entro quindici giorni dal ricevimento della presente');
      expect(text).not.toContain('1454');
      expect(text).toContain('Interessi moratori (D.Lgs. 231/2002)');
      // 1,220,000 × 1015 bp × 77 d / 3,650,000 = 26,123.04 → 261,23 €; 230,050 × 1015 × 46 / 3,650,000 = 2,942.75 → 29,43 €
      expect(text).toContain('261,23 €');
      expect(text).toContain('29,43 €');
      expect(text).toContain('290,66 €'); // interest total
      expect(text).toContain('14.871,16 €'); // 14,500.50 + 290.66 + 2 × 40.00
    }
  });

  it('a SendGrid 400 marks the contact FAILED and answers SKIPPED instead of retrying forever', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db);
    sg.failNext = 400;
    const res = await sendContact({
      idempotencyKey: key('R1:bad'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'reminder-1',
    });
    expect(res).toMatchObject({ status: 'SKIPPED', detail: 'REJECTED_400' });
  });

  it('skips a customer without an e-mail address', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db, { email: null });
    const res = await sendContact({
      idempotencyKey: key('R1:none'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'reminder-1',
    });
    expect(res).toMatchObject({ status: 'SKIPPED', detail: 'NO_EMAIL_ADDRESS' });
    expect(sg.mails).toHaveLength(0);
  });
});

describe('e-mail crash windows without the Email Activity API', () => {
  const crashOnce = () => {
    let crash = true;
    return {
      afterProviderAccepted: () => {
        if (crash) {
          crash = false;
          throw new Error('worker died');
        }
      },
    };
  };

  it('a processed event recorded by the webhook settles a PENDING e-mail: no second request', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({
      db,
      config,
      log: silentLog,
      now: () => WEEKDAY_NOON,
      faults: crashOnce(),
    });
    sg.activityApi = false;
    const s = await seedCustomer(db);
    const req: ContactRequest = {
      idempotencyKey: key('R1:EMAIL:webhook'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'reminder-1',
    };
    await expect(sendContact(req)).rejects.toThrow('worker died');
    const app = express();
    app.use(
      '/v1/webhooks',
      createWebhookRouter({
        db,
        config,
        log: silentLog,
        onPayment: async () => undefined,
        onAdjustment: async () => undefined,
      }),
    );
    const mail = sg.mails[0];
    await request(app)
      .post('/v1/webhooks/sendgrid/events')
      .set('content-type', 'application/json')
      .send(
        JSON.stringify([{ event: 'processed', sg_message_id: `${mail.messageId}.filter0`, ...mail.body.custom_args }]),
      )
      .expect(200);
    const res = await sendContact(req);
    expect(res.status).toBe('SENT');
    expect(sg.mails).toHaveLength(1);
  });

  it('documented residual window: no activity API and no event yet → the retry sends again', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({
      db,
      config,
      log: silentLog,
      now: () => WEEKDAY_NOON,
      faults: crashOnce(),
    });
    sg.activityApi = false;
    const s = await seedCustomer(db);
    const req: ContactRequest = {
      idempotencyKey: key('R1:EMAIL:residual'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'reminder-1',
    };
    await expect(sendContact(req)).rejects.toThrow('worker died');
    await sendContact(req);
    expect(sg.mails).toHaveLength(2);
    expect(sg.mails.map((m) => m.body.custom_args?.segugio_key)).toEqual([req.idempotencyKey, req.idempotencyKey]);
  });
});

describe('SMS and calls through the twilio SDK', () => {
  it('sends a French SMS with a status callback naming the contact', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db, { language: 'fr', phone: '+33612345678' });
    const res = await sendContact({
      idempotencyKey: key('R1:SMS'),
      customerId: s.customerId,
      invoiceIds: [s.invoiceIds[0]],
      stage: 'REMINDER',
      channel: 'SMS',
      template: 'reminder-1',
    });
    expect(res.status).toBe('SENT');
    expect(tw.requests).toHaveLength(1);
    const r = tw.requests[0];
    expect(r.kind).toBe('message');
    expect(r.params.To).toBe('+33612345678');
    expect(r.params.From).toBe(TW_FROM);
    expect(r.params.Body).toMatch(/^Acciaierie Brambilla S\.p\.A\. : 12 200,00 € restent impayés/);
    expect(r.params.StatusCallback).toBe(
      `https://segugio.example/v1/webhooks/twilio/status?contactEventId=${res.contactEventId}`,
    );
    const row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
    expect(row.providerMessageId).toBe(r.sid);
  });

  it('places an automated voice reminder with localized <Say>', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db, { language: 'en' });
    const res = await sendContact({
      idempotencyKey: key('CALL:VOICE'),
      customerId: s.customerId,
      invoiceIds: [s.invoiceIds[0]],
      stage: 'CALL',
      channel: 'VOICE',
      template: 'reminder-2',
    });
    expect(res.status).toBe('SENT');
    const r = tw.requests[0];
    expect(r.kind).toBe('call');
    expect(r.params.To).toBe('+393331234567');
    expect(r.params.Twiml).toContain(
      '<Say language="en-GB">Hello, this is an automated message from Acciaierie Brambilla S.p.A.',
    );
    expect(r.params.StatusCallbackEvent).toBe('completed');
  });

  it('click-to-call rings the collector and bridges to the customer', async () => {
    const config = providerConfig({ TWILIO_AGENT_NUMBER: '+390299999999' });
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db);
    await sendContact({
      idempotencyKey: key('CALL:C2C'),
      customerId: s.customerId,
      invoiceIds: [s.invoiceIds[0]],
      stage: 'CALL',
      channel: 'VOICE',
      template: 'call',
    });
    const r = tw.requests[0];
    expect(r.params.To).toBe('+390299999999');
    expect(r.params.Twiml).toContain(`<Dial callerId="${TW_FROM}">+393331234567</Dial>`);
  });

  it('a crash after Twilio accepted an automated call does not call twice', async () => {
    const config = providerConfig();
    let crash = true;
    const faults = {
      afterProviderAccepted: () => {
        if (crash) {
          crash = false;
          throw new Error('worker died');
        }
      },
    };
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON, faults });
    const s = await seedCustomer(db, { phone: '+393339999999' });
    const req: ContactRequest = {
      idempotencyKey: key('VOICE:crash'),
      customerId: s.customerId,
      invoiceIds: [s.invoiceIds[0]],
      stage: 'CALL',
      channel: 'VOICE',
      template: 'reminder-2',
    };
    await expect(sendContact(req)).rejects.toThrow('worker died');
    const res = await sendContact(req);
    expect(res.status).toBe('SENT');
    expect(tw.requests).toHaveLength(1);
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } })).providerMessageId).toBe(
      tw.requests[0].sid,
    );
  });

  it('an interrupted click-to-call is never redialled: it becomes collector work', async () => {
    const config = providerConfig({ TWILIO_AGENT_NUMBER: '+390299999999' });
    let crash = true;
    const faults = {
      afterProviderAccepted: () => {
        if (crash) {
          crash = false;
          throw new Error('worker died');
        }
      },
    };
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON, faults });
    const s = await seedCustomer(db);
    const req: ContactRequest = {
      idempotencyKey: key('CALL:C2C:crash'),
      customerId: s.customerId,
      invoiceIds: [s.invoiceIds[0]],
      stage: 'CALL',
      channel: 'VOICE',
      template: 'call',
    };
    await expect(sendContact(req)).rejects.toThrow('worker died');
    const res = await sendContact(req);
    expect(res.status).toBe('QUEUED');
    expect(res.detail?.startsWith(COLLECTOR_TASK_NEEDED)).toBe(true);
    expect(tw.requests).toHaveLength(1);
  });

  it('defers SMS on a Sunday to Monday 09:00 Rome time and sends nothing', async () => {
    const config = providerConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => SUNDAY_NOON });
    const s = await seedCustomer(db);
    const k = key('R1:SUN');
    const res = await sendContact({
      idempotencyKey: k,
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'SMS',
      template: 'reminder-1',
    });
    expect(res).toMatchObject({ status: 'DEFERRED', notBefore: '2025-09-15T07:00:00.000Z' });
    expect(tw.requests).toHaveLength(0);
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } })).status).toBe('DEFERRED');
    // Asked again at the allowed slot with the same key, it sends.
    const later = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const sent = await later.sendContact({
      idempotencyKey: k,
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'SMS',
      template: 'reminder-1',
    });
    expect(sent.status).toBe('SENT');
    expect(sent.contactEventId).toBe(res.contactEventId);
    expect(tw.requests).toHaveLength(1);
  });

  it('a crash after Twilio accepted the SMS does not send it twice', async () => {
    const config = providerConfig();
    let crash = true;
    const faults = {
      afterProviderAccepted: () => {
        if (crash) {
          crash = false;
          throw new Error('worker died');
        }
      },
    };
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON, faults });
    const s = await seedCustomer(db);
    const req: ContactRequest = {
      idempotencyKey: key('R1:SMS:crash'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'SMS',
      template: 'reminder-1',
    };
    await expect(sendContact(req)).rejects.toThrow('worker died');
    expect((await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: req.idempotencyKey } })).status).toBe(
      'PENDING',
    );
    const res = await sendContact(req);
    expect(res.status).toBe('SENT');
    expect(tw.requests).toHaveLength(1);
    expect((await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } })).providerMessageId).toBe(
      tw.requests[0].sid,
    );
  });
});

describe('bad requests and missing addresses', () => {
  it('no phone number: SKIPPED at once, even on a Sunday', async () => {
    const { sendContact } = createContactActivities({
      db,
      config: providerConfig(),
      log: silentLog,
      now: () => SUNDAY_NOON,
    });
    const s = await seedCustomer(db, { phone: null });
    const res = await sendContact({
      idempotencyKey: key('SMS:nophone'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'SMS',
      template: 'reminder-1',
    });
    expect(res).toMatchObject({ status: 'SKIPPED', detail: 'NO_SMS_ADDRESS' });
  });

  it('unknown template, unknown customer, foreign invoice: non-retryable failures, nothing recorded', async () => {
    const { sendContact } = createContactActivities({
      db,
      config: providerConfig(),
      log: silentLog,
      now: () => WEEKDAY_NOON,
    });
    const a = await seedCustomer(db);
    const b = await seedCustomer(db);
    const base = { stage: 'REMINDER' as const, channel: 'EMAIL' as const, template: 'reminder-1' };
    await expect(
      sendContact({
        ...base,
        idempotencyKey: key('bad:1'),
        customerId: a.customerId,
        invoiceIds: a.invoiceIds,
        template: 'nope',
      }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'BadRequest' });
    await expect(
      sendContact({ ...base, idempotencyKey: key('bad:2'), customerId: 'no-such-customer', invoiceIds: a.invoiceIds }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'NotFound' });
    const k3 = key('bad:3');
    await expect(
      sendContact({
        ...base,
        idempotencyKey: k3,
        customerId: a.customerId,
        invoiceIds: [a.invoiceIds[0], b.invoiceIds[0]],
      }),
    ).rejects.toMatchObject({ nonRetryable: true, type: 'BadRequest' });
    expect(await db.contactEvent.findUnique({ where: { idempotencyKey: k3 } })).toBeNull();
    expect(sg.mails).toHaveLength(0);
  });
});

describe('without provider credentials (offline dev stack)', () => {
  it('keeps e-mail in the outbox as an .eml file and SMS/calls as collector work', async () => {
    const config = testConfig();
    const { sendContact } = createContactActivities({ db, config, log: silentLog, now: () => WEEKDAY_NOON });
    const s = await seedCustomer(db, { language: 'fr' });
    const email = await sendContact({
      idempotencyKey: key('R1:OUTBOX'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'order-block',
      attachLetter: true,
    });
    expect(email.status).toBe('QUEUED');
    const row = await db.contactEvent.findUniqueOrThrow({ where: { id: email.contactEventId } });
    expect(row.provider).toBe('outbox');
    const eml = fs.readFileSync(row.filePath!, 'utf8');
    expect(eml).toContain(`X-Segugio-Idempotency-Key: ${row.idempotencyKey}`);
    expect(eml).toContain('Content-Language: fr');
    expect(eml).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(eml).toContain('Content-Type: application/pdf');
    expect(row.subject).toMatch(/^Suspension des livraisons/);

    const sms = await sendContact({
      idempotencyKey: key('R1:SMS:OUTBOX'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'SMS',
      template: 'reminder-1',
    });
    expect(sms.status).toBe('QUEUED');
    expect(sms.detail?.startsWith(COLLECTOR_TASK_NEEDED)).toBe(true);
    const letter = await sendContact({
      idempotencyKey: key('FN:LETTER'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'FORMAL_NOTICE',
      channel: 'LETTER',
      template: 'formal-notice',
    });
    expect(letter).toMatchObject({ status: 'QUEUED', detail: 'LETTER_READY_TO_PRINT' });
    expect(letter.letterId).toBeDefined();
  });
});

describe('crash after the provider accepted, retried by Temporal', () => {
  it('SendGrid receives exactly one request', async () => {
    const config = providerConfig();
    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
    const taskQueue = `channels-crash-${Date.now()}`;
    let crashes = 0;
    const activities = createContactActivities({
      db,
      config,
      log: silentLog,
      now: () => WEEKDAY_NOON,
      faults: {
        afterProviderAccepted: () => {
          if (crashes++ === 0) throw new Error('simulated crash after provider accepted');
        },
      },
    });
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('./channels-workflows'),
      activities,
    });
    const client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS }) });
    const s = await seedCustomer(db);
    const req: ContactRequest = {
      idempotencyKey: key('R1:EMAIL:temporal'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'REMINDER',
      channel: 'EMAIL',
      template: 'reminder-1',
    };
    const result = await worker.runUntil(
      client.workflow.execute('sendOnce', {
        taskQueue,
        workflowId: `channels-crash-${req.idempotencyKey}`,
        args: [req],
      }),
    );
    await client.connection.close();
    await connection.close();
    expect(crashes).toBe(1);
    expect(result.status).toBe('SENT');
    expect(sg.mails).toHaveLength(1);
    expect(sg.mails[0].body.custom_args?.segugio_key).toBe(req.idempotencyKey);
    const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: req.idempotencyKey } });
    expect(row).toMatchObject({ status: 'SENT', providerMessageId: `${sg.mails[0].messageId}.filterdrecv-0-1` });
  }, 60_000);
});
