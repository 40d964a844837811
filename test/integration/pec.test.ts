/**
 * PEC end to end against real servers started here: an SMTP server playing the PEC provider (`smtp-server`) that
 * writes the provider's receipts into a real IMAP mailbox (Debian's Dovecot), nodemailer submitting through it and
 * imapflow + mailparser reading the receipts back, with the real PostgreSQL and Temporal of the integration stack.
 * Rules and sources: docs/channels.md ("PEC and registered mail").
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { createContactActivities } from '../../activities/channels';
import { createPecReceiptActivities } from '../../activities/channels/pec-receipts';
import { pecMessageId } from '../../activities/channels/providers/pec';
import type { Config } from '../../infra/config';
import { createDb, type Db } from '../../infra/db';
import { startDovecot, type Dovecot } from '../fakes/dovecot';
import { seedCustomer, silentLog, testConfig, WEEKDAY_NOON } from '../fakes/fixtures';
import { startFakePecProvider, type FakePecProvider } from '../fakes/pec-provider';
import { createTestPecCa, type TestPecCa } from '../fakes/pec-ca';

const PEC_USER = 'crediti@pec.brambilla.test';
const PEC_PASSWORD = 'pec-test-password';

jest.setTimeout(60_000);

let db: Db;
let dovecot: Dovecot;
let provider: FakePecProvider;
let ca: TestPecCa;
let connection: Connection;
let temporal: Client;
let n = 0;
const key = (what: string): string => `pec-${Date.now()}-${n++}:${what}`;

export function pecEnv(p: FakePecProvider, d: Dovecot): Record<string, string> {
  return {
    PEC_SMTP_HOST: p.host,
    PEC_SMTP_PORT: String(p.port),
    PEC_SMTP_TLS: 'none',
    PEC_IMAP_HOST: d.host,
    PEC_IMAP_PORT: String(d.port),
    PEC_IMAP_TLS: 'none',
    PEC_USER,
    PEC_PASSWORD,
    PEC_RECEIPT_CA_FILE: ca.caFile,
  };
}

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!, 4);
  dovecot = await startDovecot({ user: PEC_USER, password: PEC_PASSWORD });
  // The provider signs its receipts (S/MIME) with a CA made for this run; Segugio trusts that CA only.
  ca = await createTestPecCa();
  provider = await startFakePecProvider({ user: PEC_USER, password: PEC_PASSWORD, imap: dovecot, ca });
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await provider?.close();
  await dovecot?.stop();
  await connection?.close();
  await db?.$disconnect();
});

function activities(config: Config) {
  const deps = { db, config, log: silentLog, temporal, now: () => WEEKDAY_NOON };
  return { ...createContactActivities(deps), ...createPecReceiptActivities(deps) };
}

async function sendFormalNotice(config: Config, pec: string) {
  const a = activities(config);
  const s = await seedCustomer(db, { pec });
  const req = {
    idempotencyKey: key('FORMAL_NOTICE#1:PEC:0'),
    customerId: s.customerId,
    invoiceIds: s.invoiceIds,
    stage: 'FORMAL_NOTICE' as const,
    channel: 'PEC' as const,
    template: 'formal-notice',
  };
  const res = await a.sendContact(req);
  return { a, s, req, res };
}

describe('PEC through the company mailbox (nodemailer → provider → Dovecot → imapflow)', () => {
  it('accepted and delivered: SUBMITTED until the acceptance receipt, DELIVERED with the certified date', async () => {
    provider.outcome = () => 'deliver';
    const config = testConfig(pecEnv(provider, dovecot));
    const { a, req, res } = await sendFormalNotice(config, 'amministrazione@pec.rossi.test');

    // Submitted, not sent: no acceptance receipt has been read yet.
    expect(res).toMatchObject({ status: 'QUEUED', detail: 'PEC_SUBMITTED' });
    const submitted = provider.submitted.at(-1)!;
    const messageId = pecMessageId(req.idempotencyKey, PEC_USER);
    expect(submitted).toMatchObject({ from: PEC_USER, to: ['amministrazione@pec.rossi.test'], messageId });
    // A costituzione in mora (art. 1219 c.c.); art. 1454 c.c. only when the policy asks for a diffida ad adempiere.
    expect(submitted.subject).toMatch(/^Costituzione in mora/);
    const sentMail = await simpleParser(submitted.raw);
    expect(sentMail.attachments.map((x) => x.contentType)).toEqual(['application/pdf']);
    let row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: req.idempotencyKey } });
    expect(row).toMatchObject({ status: 'SUBMITTED', provider: 'pec', providerMessageId: messageId });

    const run = await a.pollPecReceipts();
    expect(run).toMatchObject({ read: 2, recorded: 2, duplicates: 0, ignored: 0 });
    row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
    expect(row.status).toBe('DELIVERED');
    const receipts = await db.noticeReceipt.findMany({
      where: { contactEventId: row.id },
      orderBy: { occurredAt: 'asc' },
    });
    expect(receipts.map((r) => r.kind)).toEqual(['ACCEPTANCE', 'DELIVERY']);
    const delivery = receipts[1]!;
    // The certified delivery time is the daticert's (whole seconds, Europe/Rome with its offset), not our clock's.
    expect(row.deliveredAt?.toISOString()).toBe(delivery.occurredAt.toISOString());
    expect(delivery).toMatchObject({
      recipient: 'amministrazione@pec.rossi.test',
      issuer: 'Gestore PEC di prova S.p.A.',
      reference: submitted.identificativo,
    });
    // Evidence: the .eml as received, daticert.xml inside, checksum on the row.
    const file = fs.readFileSync(path.join(config.SEGUGIO_DATA_DIR, delivery.path!));
    expect(crypto.createHash('sha256').update(file).digest('hex')).toBe(delivery.sha256);
    expect(delivery.sizeBytes).toBe(file.length);
    const eml = await simpleParser(file);
    expect(eml.headers.get('x-ricevuta')).toBe('avvenuta-consegna');
    const dc = eml.attachments.find((x) => x.filename === 'daticert.xml')!.content.toString();
    expect(dc).toContain('<postacert tipo="avvenuta-consegna" errore="nessuno">');
    expect(dc).toContain('<consegna>amministrazione@pec.rossi.test</consegna>');

    // Nothing new in the mailbox: the next run reads nothing; the same key again submits nothing.
    expect(await a.pollPecReceipts()).toMatchObject({ read: 0, recorded: 0 });
    const before = provider.submitted.length;
    expect(await a.sendContact(req)).toMatchObject({ status: 'SENT', detail: 'DELIVERED' });
    expect(provider.submitted).toHaveLength(before);
  });

  it.each([
    ['altered after signing', 'tamper' as const, /invalid signature/],
    ['unsigned', 'unsigned' as const, /^SIGNATURE_NOT_VERIFIED: unsigned/],
    ['signed by a CA nobody trusts', 'stranger' as const, /invalid signature: .*(certificate|verify)/i],
  ])('a delivery receipt %s proves nothing: ACCEPTED stays, a person gets a task', async (_what, forge, detail) => {
    provider.outcome = () => 'deliver';
    provider.forge = forge;
    try {
      const config = testConfig(pecEnv(provider, dovecot));
      const { a, res } = await sendFormalNotice(config, 'amministrazione@pec.verdi.test');
      const run = await a.pollPecReceipts();
      // The acceptance receipt is genuine and counts; the forged delivery receipt does not.
      expect(run).toMatchObject({ read: 2, recorded: 1, untrusted: 1 });
      const row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
      expect(row.status).toBe('ACCEPTED');
      expect(row.deliveredAt).toBeNull();
      const receipts = await db.noticeReceipt.findMany({
        where: { contactEventId: row.id },
        orderBy: { createdAt: 'asc' },
      });
      expect(receipts.map((r) => r.kind)).toEqual(['ACCEPTANCE', 'DELIVERY']);
      const forged = receipts[1]!;
      expect(forged.detail).toMatch(detail);
      // Kept as evidence, but never passed on to a workflow as a delivery.
      expect(forged.path).not.toBeNull();
      expect(forged.signalledAt).not.toBeNull();
      const task = await db.task.findUniqueOrThrow({
        where: { idempotencyKey: `pec-receipt-unverified:${forged.id}` },
      });
      expect(task).toMatchObject({ kind: 'CHECK_PEC_RECEIPT', status: 'OPEN', customerId: row.customerId });
    } finally {
      provider.forge = null;
    }
  });

  it('without PEC_RECEIPT_CA_FILE no receipt is trusted', async () => {
    provider.outcome = () => 'deliver';
    const { PEC_RECEIPT_CA_FILE: _ca, ...env } = pecEnv(provider, dovecot);
    const config = testConfig(env);
    const { a, res } = await sendFormalNotice(config, 'amministrazione@pec.neri.test');
    expect(await a.pollPecReceipts()).toMatchObject({ read: 2, recorded: 0, untrusted: 2 });
    const row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
    expect(row.status).toBe('SUBMITTED');
  });

  it('accepted then mancata consegna: FAILED and a task for the collector', async () => {
    provider.outcome = () => 'fail';
    const config = testConfig(pecEnv(provider, dovecot));
    const { a, s, res } = await sendFormalNotice(config, 'sbagliato@pec.rossi.test');
    const run = await a.pollPecReceipts();
    expect(run).toMatchObject({ read: 2, recorded: 2, duplicates: 0 });
    const row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
    expect(row).toMatchObject({ status: 'FAILED', deliveredAt: null, outcome: 'PEC_NON_DELIVERY' });
    const failure = await db.noticeReceipt.findFirstOrThrow({
      where: { contactEventId: row.id, kind: 'NON_DELIVERY' },
    });
    expect(failure.detail).toBe('no-dest: 5.1.1 - Utente non riconosciuto');
    const task = await db.task.findUniqueOrThrow({ where: { idempotencyKey: `notice-failed:${row.id}` } });
    expect(task).toMatchObject({ kind: 'FIX_CONTACT', status: 'OPEN', customerId: s.customerId });
    expect(task.note).toContain('PEC not delivered (mancata consegna): no-dest: 5.1.1 - Utente non riconosciuto');
    expect(task.note).toContain(s.numbers[0]);
  });

  it('a receipt the provider writes twice is counted once', async () => {
    provider.outcome = () => 'deliver';
    const config = testConfig(pecEnv(provider, dovecot));
    const { a, res } = await sendFormalNotice(config, 'doppio@pec.rossi.test');
    expect(await a.pollPecReceipts()).toMatchObject({ read: 2, recorded: 2 });
    await provider.duplicateLast('avvenuta-consegna');
    expect(await a.pollPecReceipts()).toMatchObject({ read: 1, recorded: 0, duplicates: 1 });
    expect(await db.noticeReceipt.count({ where: { contactEventId: res.contactEventId } })).toBe(2);
    // A late non-delivery for a recipient already reached cannot undo the signed delivery receipt.
    await provider.duplicateLast('errore-consegna');
    expect(await a.pollPecReceipts()).toMatchObject({ read: 1, recorded: 1 });
    const row = await db.contactEvent.findUniqueOrThrow({ where: { id: res.contactEventId } });
    expect(row.status).toBe('DELIVERED');
    expect(await db.task.count({ where: { idempotencyKey: `notice-failed:${row.id}` } })).toBe(0);
  });

  it('an interrupted submission is reconciled from the mailbox, not submitted twice', async () => {
    provider.outcome = () => 'hold';
    const config = testConfig(pecEnv(provider, dovecot));
    const s = await seedCustomer(db, { pec: 'riprova@pec.rossi.test' });
    const req = {
      idempotencyKey: key('FORMAL_NOTICE#1:PEC:0'),
      customerId: s.customerId,
      invoiceIds: s.invoiceIds,
      stage: 'FORMAL_NOTICE' as const,
      channel: 'PEC' as const,
      template: 'formal-notice',
    };
    // The worker dies after the provider accepted the message and before the row says so.
    const crashing = createContactActivities({
      db,
      config,
      log: silentLog,
      now: () => WEEKDAY_NOON,
      faults: {
        afterProviderAccepted: () => {
          throw new Error('worker killed');
        },
      },
    });
    await expect(crashing.sendContact(req)).rejects.toThrow('worker killed');
    const before = provider.submitted.length;
    expect((await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: req.idempotencyKey } })).status).toBe(
      'PENDING',
    );
    // The retry finds the acceptance receipt in the mailbox for the same Message-ID.
    const a = activities(config);
    expect(await a.sendContact(req)).toMatchObject({ status: 'QUEUED', detail: 'PEC_SUBMITTED' });
    expect(provider.submitted).toHaveLength(before);
    expect(await a.pollPecReceipts()).toMatchObject({ recorded: 1 });
    await provider.releaseHeld();
    expect(await a.pollPecReceipts()).toMatchObject({ recorded: 1 });
    const row = await db.contactEvent.findUniqueOrThrow({ where: { idempotencyKey: req.idempotencyKey } });
    expect(row.status).toBe('DELIVERED');
  });
});
