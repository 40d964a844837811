/**
 * Collectors' free text stays out of Temporal history (issue 12): with SEGUGIO_PAYLOAD_KEY set, the API's client and
 * the worker encrypt every payload (AES-256-GCM), the history stored by the real Temporal server holds no byte of a
 * note, the API still reads the live state, and the codec endpoint decodes for a manager key (the Temporal UI's
 * remote codec) but not for a collector or without a key.
 */
import crypto from 'node:crypto';
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { AesGcmCodec } from '../../infra/payload-codec';
import { as, newInvoice, quietSegment } from './api-helpers';
import { isoDaysFromToday, KEYS, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

const KEY = crypto.randomBytes(32).toString('base64');
let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness({ env: { SEGUGIO_PAYLOAD_KEY: KEY, SEGUGIO_PAYLOAD_KEY_ID: 'test-key' } });
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

async function rawHistory(workflowId: string) {
  const res = await h.client.workflowService.getWorkflowExecutionHistory({
    namespace: h.config.TEMPORAL_NAMESPACE,
    execution: { workflowId },
  });
  return res.history!;
}

describe('encrypted payloads', () => {
  it('a note sent with a decision is nowhere in the stored history, yet the API reads the state', async () => {
    const inv = await newInvoice(h, segment);
    const secret = `il cliente dice che paga a fine mese ${uniq('NOTA')}`;
    const res = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(5), note: secret });
    expect(res.status).toBe(200);
    const history = await rawHistory(inv.workflowId);
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    // The invoice number is in the history on purpose, outside the payloads: the InvoiceNumber search attribute and
    // the operator's summary (issue 15: invoice numbers are not personal data). The customer's name is not.
    const customer = await h.db.customer.findUniqueOrThrow({ where: { id: inv.customerId } });
    expect(bytes.includes(Buffer.from(customer.name))).toBe(false);
    expect(bytes.includes(Buffer.from('binary/encrypted'))).toBe(true);
    const read = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}?live=true`);
    expect(read.body.source).toBe('workflow');
    expect(read.body.stage).toBe('PROMISE_WAIT');

    // The Temporal UI's remote codec: the update's encrypted argument, decoded for a manager.
    const update = history.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!;
    const payloads = update.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.args!.payloads!;
    const body = {
      payloads: payloads.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    };
    const decoded = await request(h.app)
      .post('/codec/decode')
      .set('Authorization', `Bearer ${KEYS.manager}`)
      .send(body);
    expect(decoded.status).toBe(200);
    expect(Buffer.from(decoded.body.payloads[0].data, 'base64').toString('utf8')).toContain(secret);
    expect(
      (await request(h.app).post('/codec/decode').set('Authorization', `Bearer ${KEYS.collector}`).send(body)).status,
    ).toBe(403);
    expect((await request(h.app).post('/codec/decode').send(body)).status).toBe(401);
  });

  it('payloads that are not encrypted pass through on decode (histories recorded before the key still replay)', async () => {
    const codec = new AesGcmCodec(KEY, 'test-key');
    const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"a":1}') };
    expect(await codec.decode([plain])).toEqual([plain]);
    const [enc] = await codec.encode([plain]);
    expect(Buffer.from(enc.data!).includes(Buffer.from('"a":1'))).toBe(false);
    const [back] = await codec.decode([enc]);
    expect(Buffer.from(back.data!).toString()).toBe('{"a":1}');
    await expect(new AesGcmCodec(crypto.randomBytes(32).toString('base64'), 'other').decode([enc])).rejects.toThrow(
      /test-key/,
    );
  });
});
