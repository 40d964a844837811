/**
 * A formal notice end to end: the ERP creates an overdue invoice through the API, the real worker fires the formal
 * notice by PEC (nodemailer → the `smtp-server` provider → Dovecot) and by registered letter, the Temporal Schedule
 * reads the receipts over IMAP (imapflow), a worker restart falls between the submission and the delivery receipt,
 * the invoice workflow hears the delivery once and schedules LEGAL from receipt; the receipts download from the
 * invoice page's API; the raccomandata is recorded through the API and the provider CSV; the customer's PEC is
 * verified through the API. docs/channels.md has the rules and sources.
 */
import crypto from 'node:crypto';
import request from 'supertest';
import { ensurePecReceiptsSchedule, PEC_RECEIPTS_SCHEDULE_ID } from '../../contexts/notices/schedule';
import { legalStepAfterReceiptMs } from '../../domain/notices';
import { invoiceStateQuery } from '../../workflows/contract';
import { startDovecot, type Dovecot } from '../fakes/dovecot';
import { startFakePecProvider, type FakePecProvider } from '../fakes/pec-provider';
import { createTestPecCa } from '../fakes/pec-ca';
import { as, invoiceBody } from './api-helpers';
import { createTestPolicy, eventually, KEYS, secondsSettings, startHarness, type Harness } from './harness';

jest.setTimeout(180_000);

const PEC_USER = 'crediti@pec.segugio.test';
const PEC_PASSWORD = 'pec-e2e-password';

let h: Harness;
let dovecot: Dovecot;
let provider: FakePecProvider;

beforeAll(async () => {
  dovecot = await startDovecot({ user: PEC_USER, password: PEC_PASSWORD });
  // The provider signs its receipts with a CA made for this run; Segugio trusts that CA only.
  const ca = await createTestPecCa();
  provider = await startFakePecProvider({ user: PEC_USER, password: PEC_PASSWORD, imap: dovecot, ca });
  h = await startHarness({
    env: {
      PEC_RECEIPT_CA_FILE: ca.caFile,
      PEC_SMTP_HOST: provider.host,
      PEC_SMTP_PORT: String(provider.port),
      PEC_SMTP_TLS: 'none',
      PEC_IMAP_HOST: dovecot.host,
      PEC_IMAP_PORT: String(dovecot.port),
      PEC_IMAP_TLS: 'none',
      PEC_USER,
      PEC_PASSWORD,
    },
  });
});

afterAll(async () => {
  await h?.client.schedule
    .getHandle(PEC_RECEIPTS_SCHEDULE_ID)
    .delete()
    .catch(() => undefined);
  await h?.close();
  await provider?.close();
  await dovecot?.stop();
});

test('PEC and raccomandata: receipts as evidence, states, and LEGAL scheduled from receipt', async () => {
  const segment = await createTestPolicy(h.db, {
    name: 'notice now, legal after the term',
    steps: [
      { stage: 'FORMAL_NOTICE', offset: 'PT1S', channels: ['PEC', 'LETTER'], template: 'formal-notice' },
      { stage: 'LEGAL', offset: 'PT5S', channels: ['TASK'], template: 'legal', requiresApproval: true },
    ],
    settings: { ...secondsSettings, noticeTermBuffer: 'P3D' },
  });
  const body = invoiceBody(segment);
  body.customer = {
    ...body.customer,
    pec: 'amministrazione@pec.ferramenta.test',
    address: { line: 'Via Dante 12', city: 'Bergamo', postalCode: '24121', province: 'BG', country: 'IT' },
  } as typeof body.customer;
  // The receipt of the delivery is held back by the provider until the worker has been restarted.
  provider.outcome = () => 'hold';
  const created = await as(h, 'erp').post('/v1/invoices').send(body);
  expect(created.status).toBe(201);
  const invoiceId = created.body.invoiceId as string;
  const customer = await h.db.customer.findUniqueOrThrow({ where: { externalId: body.customer.externalId } });
  expect(customer).toMatchObject({ pec: 'amministrazione@pec.ferramenta.test', pecSource: 'ERP', pecVerifiedAt: null });

  await h.startWorker();
  const pec = await eventually(
    () => h.db.contactEvent.findFirst({ where: { invoiceId, channel: 'PEC', status: 'SUBMITTED' } }),
    60_000,
  );
  const letter = await eventually(
    () => h.db.contactEvent.findFirst({ where: { invoiceId, channel: 'LETTER', status: 'QUEUED' } }),
    60_000,
  );
  expect(provider.submitted.filter((m) => m.messageId === pec.providerMessageId)).toHaveLength(1);
  // Submitted is not sent: the workflow heard QUEUED, never SENT.
  const wf = h.client.workflow.getHandle(`invoice-${invoiceId}`);
  // The contact row is written by the sending activity before the workflow hears the outcome (a signal through the
  // customer workflow): wait for that, then check it said QUEUED and not SENT.
  const early = await eventually(async () => {
    const st = await wf.query(invoiceStateQuery);
    return st.history.some((e) => e.summary.startsWith(`QUEUED ${pec.idempotencyKey}`)) ? st : null;
  }, 30_000);
  expect(early.history.some((e) => e.summary.startsWith(`SENT ${pec.idempotencyKey}`))).toBe(false);

  // The worker goes down; meanwhile the provider delivers and writes the delivery receipt; a new worker comes up.
  await h.stopWorker();
  await provider.releaseHeld();
  await provider.duplicateLast('avvenuta-consegna');
  await h.startWorker();
  await ensurePecReceiptsSchedule(h.client, h.taskQueue, 'PT1S');
  const delivered = await eventually(async () => {
    const row = await h.db.contactEvent.findUniqueOrThrow({ where: { id: pec.id } });
    return row.status === 'DELIVERED' ? row : null;
  }, 60_000);
  const receipts = await h.db.noticeReceipt.findMany({
    where: { contactEventId: pec.id },
    orderBy: { occurredAt: 'asc' },
  });
  expect(receipts.map((r) => r.kind)).toEqual(['ACCEPTANCE', 'DELIVERY']);
  const deliveredAt = delivered.deliveredAt!.getTime();
  const expectedLegal = legalStepAfterReceiptMs(deliveredAt, 15, 'Europe/Rome', 3 * 86_400_000);
  const waiting = await eventually(async () => {
    const s = await wf.query(invoiceStateQuery);
    return s.next?.at === new Date(expectedLegal).toISOString() ? s : null;
  }, 30_000);
  expect(waiting).toMatchObject({ stage: 'FORMAL_NOTICE', next: { kind: 'LEGAL' } });
  // The schedule keeps reading: a few more runs, still one delivery in the workflow and in the database.
  await new Promise((r) => setTimeout(r, 3_000));
  const later = await wf.query(invoiceStateQuery);
  expect(later.history.filter((e) => e.summary === 'PEC DELIVERED (DELIVERY)')).toHaveLength(1);
  expect(await h.db.noticeReceipt.count({ where: { contactEventId: pec.id } })).toBe(2);
  expect(await h.db.noticeReceipt.count({ where: { contactEventId: pec.id, signalledAt: null } })).toBe(0);

  // The invoice page lists the notices with their receipts, downloadable as the provider wrote them.
  const page = await as(h, 'collector').get(`/v1/invoices/${invoiceId}`);
  expect(page.status).toBe(200);
  const pecNotice = page.body.notices.find((n: { channel: string }) => n.channel === 'PEC');
  expect(pecNotice).toMatchObject({ status: 'DELIVERED', deliveredAt: delivered.deliveredAt!.toISOString() });
  const delivery = pecNotice.receipts.find((r: { kind: string }) => r.kind === 'DELIVERY');
  const eml = await as(h, 'collector')
    .get(delivery.href)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(eml.status).toBe(200);
  expect(eml.headers['content-type']).toMatch(/^message\/rfc822/);
  const bytes = eml.body as Buffer;
  expect(crypto.createHash('sha256').update(bytes).digest('hex')).toBe(delivery.sha256);
  expect(eml.headers.etag).toBe(`"${delivery.sha256}"`);
  expect(bytes.toString()).toContain('X-Ricevuta: avvenuta-consegna');
  expect(bytes.toString()).toContain('filename="daticert.xml"');
  expect((await as(h, 'erp').get(delivery.href)).status).toBe(403);

  // Raccomandata A/R through the API: bad input is refused and writes nothing.
  const url = `/v1/invoices/${invoiceId}/registered-mail`;
  // (Not the shared snapshot: the receipts schedule starts a workflow every second on this task queue.)
  const written = async () => ({
    audit: await h.db.auditEvent.count(),
    receipts: await h.db.noticeReceipt.count(),
    tasks: await h.db.task.count(),
    letter: await h.db.contactEvent.findUniqueOrThrow({ where: { id: letter.id } }),
  });
  const before = await written();
  const bad = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: letter.id, event: 'POSTED', date: '2026-13-01' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['date', 'number']);
  const missing = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: letter.id, event: 'POSTED', date: today() });
  expect(missing.body.error.fields).toEqual([
    { path: 'number', code: 'invalid', message: 'is required when the letter is posted' },
  ]);
  const unknown = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: letter.id, event: 'DELIVERED', date: today(), signedBy: 'x' });
  expect(unknown.body.error.fields).toEqual([
    { path: 'signedBy', code: 'unknown_field', message: 'is not a known field' },
  ]);
  const wrongChannel = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: pec.id, event: 'DELIVERED', date: today() });
  expect(wrongChannel.status).toBe(409);
  expect(await written()).toEqual(before);

  const posted = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: letter.id, event: 'POSTED', number: 'RR 1234 5678 9012', date: today() });
  expect(posted.status).toBe(201);
  expect(posted.body).toMatchObject({ status: 'ACCEPTED', duplicate: false });
  const deliveredLetter = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: letter.id, event: 'DELIVERED', date: today() });
  expect(deliveredLetter.status).toBe(201);
  expect(
    (await as(h, 'collector').post(url).send({ contactEventId: letter.id, event: 'DELIVERED', date: today() })).status,
  ).toBe(200);
  const otherNumber = await as(h, 'collector')
    .post(url)
    .send({ contactEventId: letter.id, event: 'POSTED', number: 'RR 9999 0000 1111', date: today() });
  expect(otherNumber.status).toBe(409);
  expect(otherNumber.body.error.message).toContain('already has POSTED recorded');
  const letterRow = await h.db.contactEvent.findUniqueOrThrow({ where: { id: letter.id } });
  expect(letterRow).toMatchObject({ status: 'DELIVERED', registeredNumber: 'RR 1234 5678 9012' });
  expect(await h.db.auditEvent.count({ where: { action: 'notice.registered-mail', entityId: letter.id } })).toBe(2);
  // The letter arrived today, after the PEC: the earlier receipt (the PEC's) still sets the term.
  const afterLetter = await eventually(async () => {
    const s = await wf.query(invoiceStateQuery);
    return s.history.some((e) => e.summary === 'LETTER DELIVERED (DELIVERED)') ? s : null;
  });
  expect(afterLetter.next?.at).toBe(new Date(expectedLegal).toISOString());

  // The mailing provider's CSV: a bad row refuses the whole file; a good one records (here: repeats, counted once).
  const csvUrl = '/v1/registered-mail/imports?filename=esiti.csv';
  const badCsv = await request(h.app)
    .post(csvUrl)
    .set('Authorization', `Bearer ${KEYS.manager}`)
    .set('Content-Type', 'text/csv')
    .send(`riferimento;numero;esito;data\n${letter.id};RR 1234 5678 9012;consegnata;31/02/2026\n`);
  expect(badCsv.status).toBe(400);
  expect(badCsv.body.error.fields).toEqual([
    { path: 'line 2.date', code: 'invalid_date', message: 'is not a real calendar date' },
  ]);
  const [d, m, y] = today().split('-').reverse();
  const goodCsv = await request(h.app)
    .post(csvUrl)
    .set('Authorization', `Bearer ${KEYS.manager}`)
    .set('Content-Type', 'text/csv')
    .send(`riferimento;numero;esito;data\n${letter.id};RR 1234 5678 9012;consegnata;${d}/${m}/${y}\n`);
  expect(goodCsv.status).toBe(200);
  expect(goodCsv.body).toMatchObject({ rows: 1, recorded: 0, duplicates: 1 });

  // A person verifies the PEC address on INI-PEC; the ERP sending the same address later keeps the verification.
  const verified = await as(h, 'collector')
    .put(`/v1/customers/${customer.id}/pec`)
    .send({ pec: 'amministrazione@pec.ferramenta.test', source: 'INIPEC', verifiedAt: '2026-11-30T10:00:00Z' });
  expect(verified.status).toBe(200);
  expect(verified.body).toMatchObject({ pecSource: 'INIPEC', pecVerifiedAt: '2026-11-30T10:00:00.000Z' });
  expect(
    (await as(h, 'collector').put(`/v1/customers/${customer.id}/pec`).send({ pec: 'not-an-address', source: 'INIPEC' }))
      .status,
  ).toBe(400);
  const again = await as(h, 'erp')
    .post('/v1/invoices')
    .send({ ...body, number: `${body.number}-2` });
  expect(again.status).toBe(201);
  const after = await h.db.customer.findUniqueOrThrow({ where: { id: customer.id } });
  expect(after).toMatchObject({ pecSource: 'INIPEC', pecVerifiedBy: 'u-giulia' });
  const view = await as(h, 'collector').get(`/v1/customers/${customer.id}`);
  expect(view.body.contacts).toMatchObject({ pec: 'amministrazione@pec.ferramenta.test', pecSource: 'INIPEC' });
});

function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date());
}
