import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createCsvErpAdapter, parseCsv, parsePayments } from '../../../contexts/erp/csv';
import { createRestErpAdapter } from '../../../contexts/erp/rest';
import { signErpPayload, verifyErpSignature } from '../../../contexts/erp/signature';
import { verifySendGridSignature } from '../../../api/webhooks';
import { startFakeErp, type FakeErp } from '../../fakes/erp-server';

const SECRET = 'erp-shared-secret';
const base = {
  idempotencyKey: 'cust-1:BLOCK:0',
  customer: { customerId: 'c-1', externalId: 'C 001/A' },
  reason: 'overdue',
};

describe('ERP signature', () => {
  const body = Buffer.from('{"a":1}');
  const sig = signErpPayload(SECRET, 1_700_000_000, body);
  const check = (over: Partial<Parameters<typeof verifyErpSignature>[0]>) =>
    verifyErpSignature({
      secret: SECRET,
      timestamp: '1700000000',
      signature: sig,
      body,
      nowSeconds: 1_700_000_010,
      toleranceSeconds: 300,
      ...over,
    });

  it('is HMAC-SHA256 over "timestamp.body"', () => {
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(check({})).toEqual({ ok: true });
  });
  it('rejects a tampered body, a wrong secret, a stale or missing timestamp', () => {
    expect(check({ body: Buffer.from('{"a":2}') })).toEqual({ ok: false, reason: 'bad signature' });
    expect(check({ secret: 'other' })).toEqual({ ok: false, reason: 'bad signature' });
    expect(check({ nowSeconds: 1_700_000_301 })).toEqual({ ok: false, reason: 'timestamp outside the replay window' });
    expect(check({ timestamp: undefined }).ok).toBe(false);
    expect(check({ signature: undefined }).ok).toBe(false);
  });
});

describe('REST ERP adapter against a fake ERP', () => {
  let erp: FakeErp;
  beforeEach(async () => {
    erp = await startFakeErp(SECRET);
  });
  afterEach(() => erp.close());
  const adapter = () => createRestErpAdapter({ baseUrl: erp.url, secret: SECRET });

  it('posts a signed block request with the idempotency key', async () => {
    await adapter().blockCustomer(base);
    expect(erp.requests).toEqual([
      {
        method: 'POST',
        path: '/customers/C%20001%2FA/block',
        idempotencyKey: base.idempotencyKey,
        body: { idempotencyKey: base.idempotencyKey, customerId: 'c-1', reason: 'overdue' },
      },
    ]);
    expect(await adapter().hasRequest(base.idempotencyKey)).toBe(true);
    expect(await adapter().hasRequest('never-sent')).toBe(false);
  });

  it('a 503 fails this attempt with a retryable error after one request: Temporal is the only retry', async () => {
    erp.failures.push(503);
    const status = {
      ...base,
      invoiceId: 'i-1',
      invoiceNumber: 'FT-1',
      stage: 'REMINDER' as const,
      balanceMinor: 1000,
      currency: 'EUR',
    };
    const err = await adapter()
      .postInvoiceStatus(status)
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(String(err)).toMatch(/HTTP 503/);
    expect(erp.requests).toHaveLength(1);
    // The next activity attempt (Temporal's retry) goes through.
    await adapter().postInvoiceStatus(status);
    expect(erp.requests).toHaveLength(2);
    expect(erp.requests[1].body).toMatchObject({ stage: 'REMINDER', balanceMinor: 1000, currency: 'EUR' });
  });

  it('a 4xx is non-retryable', async () => {
    erp.failures.push(422);
    const err = await adapter()
      .blockCustomer(base)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).type).toBe('ErpRejected');
    expect(erp.requests).toHaveLength(1);
  });

  it('a wrong secret is refused by the ERP (401, non-retryable)', async () => {
    const err = await createRestErpAdapter({ baseUrl: erp.url, secret: 'wrong' })
      .blockCustomer(base)
      .catch((e: unknown) => e);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('fetches payments', async () => {
    erp.payments.push({ invoiceNumber: 'FT-1', reference: 'BON-1', amountMinor: 500, paidOn: '2025-09-01' });
    expect(await adapter().fetchPayments('2025-01-01')).toEqual(erp.payments);
  });
});

describe('CSV ERP adapter', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-erp-csv-'));
  });

  it('writes one status file per idempotency key; a retry rewrites the same file', async () => {
    const a = createCsvErpAdapter({ dir, now: () => new Date('2025-09-15T10:00:00Z') });
    expect(await a.hasRequest(base.idempotencyKey)).toBe(false);
    await a.blockCustomer(base);
    await a.blockCustomer(base);
    const files = fs.readdirSync(path.join(dir, 'out'));
    expect(files).toEqual(['cust-1_BLOCK_0.csv']);
    const rows = parseCsv(fs.readFileSync(path.join(dir, 'out', files[0]), 'utf8'));
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'BLOCK_CUSTOMER',
        idempotency_key: base.idempotencyKey,
        customer_external_id: 'C 001/A',
        reason: 'overdue',
        at: '2025-09-15T10:00:00.000Z',
      }),
    ]);
    expect(await a.hasRequest(base.idempotencyKey)).toBe(true);
  });

  it('reads payments from the watch folder (semicolons, quotes, BOM) and moves processed and rejected files', async () => {
    fs.mkdirSync(path.join(dir, 'in'));
    fs.writeFileSync(
      path.join(dir, 'in', 'payments-001.csv'),
      '\ufeffinvoice_number;reference;amount_minor;paid_on\r\n"FT;1";"BON ""A""";12050;2025-09-01\r\n',
    );
    fs.writeFileSync(
      path.join(dir, 'in', 'payments-002.csv'),
      'invoice_number,reference,amount_minor,paid_on\nFT-2,BON-2,12.50,2025-09-01\n',
    );
    const a = createCsvErpAdapter({ dir });
    expect(await a.fetchPayments()).toEqual([
      { invoiceNumber: 'FT;1', reference: 'BON "A"', amountMinor: 12050, paidOn: '2025-09-01' },
    ]);
    expect(fs.readdirSync(path.join(dir, 'in', 'processed'))).toEqual(['payments-001.csv']);
    expect(fs.readFileSync(path.join(dir, 'in', 'rejected', 'payments-002.csv.error'), 'utf8')).toMatch(
      /line 2: amount_minor must be an integer/,
    );
    expect(await a.fetchPayments()).toEqual([]);
  });

  it('names the bad field and line', () => {
    expect(() => parsePayments('invoice_number,reference,amount_minor,paid_on\nFT-1,R,100,01/09/2025\n')).toThrow(
      'line 2: paid_on must be an ISO date',
    );
  });
});

describe('SendGrid event webhook signature', () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const body = Buffer.from('[{"event":"delivered"}]');
  const sig = crypto.sign('sha256', Buffer.concat([Buffer.from('1700000000'), body]), privateKey).toString('base64');

  it('verifies with the base64 DER key SendGrid shows, and with a PEM', () => {
    const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(verifySendGridSignature(der, '1700000000', body, sig)).toBe(true);
    expect(verifySendGridSignature(pem, '1700000000', body, sig)).toBe(true);
  });

  it('rejects another timestamp, another body, garbage', () => {
    const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    expect(verifySendGridSignature(der, '1700000001', body, sig)).toBe(false);
    expect(verifySendGridSignature(der, '1700000000', Buffer.from('[]'), sig)).toBe(false);
    expect(verifySendGridSignature('not a key', '1700000000', body, sig)).toBe(false);
  });
});
