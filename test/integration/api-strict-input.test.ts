/**
 * Strict input at the front door (issue 12): unknown and misspelt keys refused with their path on every kind of body
 * (invoices, customers, payments, adjustments, decisions, policies with steps and settings, the ERP webhook), one
 * calendar-date type, a credit note needs its amount, ERP batches all or nothing, a depth limit, 415 for a body that
 * is not JSON. Each refusal writes nothing (row counts and workflows unchanged).
 */
import request from 'supertest';
import { signErpPayload } from '../../contexts/erp/signature';
import { as, invoiceBody, newInvoice, quietSegment, quietSteps, snapshot } from './api-helpers';
import { KEYS, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

const ERP_SECRET = 'strict-input-secret';
let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness({ env: { ERP_INBOUND_SECRET: ERP_SECRET } });
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

function erpPost(raw: string) {
  const ts = Math.floor(Date.now() / 1000);
  return request(h.app)
    .post('/v1/webhooks/erp')
    .set('content-type', 'application/json')
    .set('x-segugio-timestamp', String(ts))
    .set('x-segugio-signature', signErpPayload(ERP_SECRET, ts, raw))
    .send(raw);
}

const pathsOf = (res: request.Response): string[] =>
  (res.body?.error?.fields ?? []).map((f: { path: string }) => f.path);

describe('unknown keys are refused with their path, and nothing is written', () => {
  it('invoice body, customer block, payment, adjustment, decision, policy step and settings', async () => {
    const inv = await newInvoice(h, segment);
    const before = await snapshot(h);
    const cases: Array<[string, string, unknown, string]> = [
      ['erp', '/v1/invoices', { ...invoiceBody(segment), amount: 5 }, 'amount'],
      [
        'erp',
        '/v1/invoices',
        { ...invoiceBody(segment), customer: { ...invoiceBody(segment).customer, colectorId: 'u-marco' } },
        'customer.colectorId',
      ],
      [
        'erp',
        '/v1/invoices',
        {
          ...invoiceBody(segment),
          customer: {
            ...invoiceBody(segment).customer,
            address: { line: 'Via Roma 1', city: 'Milano', postalCode: '20121', zip: 'x' },
          },
        },
        'customer.address.zip',
      ],
      [
        'erp',
        `/v1/invoices/${inv.invoiceId}/payments`,
        { reference: uniq('P'), amountMinor: 100, paidOn: '2026-11-20', method: 'SEPA' },
        'method',
      ],
      [
        'erp',
        `/v1/invoices/${inv.invoiceId}/adjustments`,
        { reference: uniq('A'), kind: 'CREDIT_NOTE', amountMinor: 100, reason: 'x' },
        'reason',
      ],
      [
        'collector',
        `/v1/invoices/${inv.invoiceId}/pause`,
        { reason: 'ferie', untill: '2026-12-01T00:00:00Z' },
        'untill',
      ],
    ];
    for (const [role, url, body, path] of cases) {
      const res = await as(h, role as 'erp')
        .post(url)
        .send(body as object);
      expect([res.status, url, pathsOf(res)]).toEqual([400, url, expect.arrayContaining([path])]);
    }
    const steps = quietSteps;
    const settings = secondsSettings;
    const typo = await as(h, 'manager')
      .put(`/v1/policies/${segment}`)
      .send({ name: 'typo', steps: [{ ...steps[0], requiresAproval: true }, ...steps.slice(1)], settings });
    expect(typo.status).toBe(400);
    expect(pathsOf(typo)).toContain('steps.0.requiresAproval');
    const settingsTypo = await as(h, 'manager')
      .put(`/v1/policies/${segment}`)
      .send({
        name: 'typo',
        steps,
        settings: { ...settings, contactBudget: { ...settings.contactBudget, windows: 'P1D' } },
      });
    expect(pathsOf(settingsTypo)).toContain('settings.contactBudget.windows');
    expect(await snapshot(h)).toEqual(before);
  });

  it('an ERP-only free-form object is accepted as metadata and stored', async () => {
    const body = { ...invoiceBody(segment), metadata: { costCentre: 'CC-12', sapDoc: 4711, paid: false } };
    const res = await as(h, 'erp').post('/v1/invoices').send(body);
    expect(res.status).toBe(201);
    const row = await h.db.invoice.findUniqueOrThrow({ where: { id: res.body.invoiceId } });
    expect(row.metadata).toEqual(body.metadata);
    const nested = await as(h, 'erp')
      .post('/v1/invoices')
      .send({ ...invoiceBody(segment), metadata: { deep: { x: 1 } } });
    expect(nested.status).toBe(400);
    expect(pathsOf(nested)[0]).toMatch(/^metadata\.deep/);
  });

  it('prototype keys are unknown keys', async () => {
    const before = await snapshot(h);
    for (const raw of [
      `{"__proto__":{"admin":true},${JSON.stringify(invoiceBody(segment)).slice(1)}`,
      JSON.stringify({ ...invoiceBody(segment), constructor: { prototype: { x: 1 } } }),
      JSON.stringify({ ...invoiceBody(segment), metadata: { ['__proto__']: 'x' } }).replace(
        '"metadata":{}',
        '"metadata":{"__proto__":"x"}',
      ),
    ]) {
      const res = await request(h.app)
        .post('/v1/invoices')
        .set('Authorization', `Bearer ${KEYS.erp}`)
        .set('Content-Type', 'application/json')
        .send(raw);
      expect([res.status, raw.slice(0, 40)]).toEqual([400, raw.slice(0, 40)]);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('dates, amounts, batches', () => {
  it('impossible calendar dates are refused by the API and the ERP webhook alike', async () => {
    const inv = await newInvoice(h, segment);
    const api = await as(h, 'erp')
      .post(`/v1/invoices/${inv.invoiceId}/payments`)
      .send({ reference: uniq('P'), amountMinor: 100, paidOn: '2026-02-30' });
    expect(api.status).toBe(400);
    expect(pathsOf(api)).toEqual(['paidOn']);
    const wh = await erpPost(
      JSON.stringify({
        events: [
          { type: 'payment', invoiceId: inv.invoiceId, reference: uniq('P'), amountMinor: 100, paidOn: '2026-02-30' },
        ],
      }),
    );
    expect(wh.status).toBe(400);
    expect(pathsOf(wh)).toEqual(['events.0.paidOn']);
    expect(await h.db.payment.count({ where: { invoiceId: inv.invoiceId } })).toBe(0);
  });

  it('a credit note without an amount, and an unknown key in an event, are refused', async () => {
    const inv = await newInvoice(h, segment);
    const noAmount = await erpPost(
      JSON.stringify({
        events: [{ type: 'adjustment', invoiceId: inv.invoiceId, reference: uniq('NC'), kind: 'CREDIT_NOTE' }],
      }),
    );
    expect(noAmount.status).toBe(400);
    expect(pathsOf(noAmount)).toEqual(['events.0.amountMinor']);
    const unknown = await erpPost(
      JSON.stringify({
        events: [
          {
            type: 'payment',
            invoiceId: inv.invoiceId,
            reference: 'x',
            amountMinor: 1,
            paidOn: '2026-11-01',
            iban: 'IT',
          },
        ],
      }),
    );
    expect(pathsOf(unknown)).toEqual(['events.0.iban']);
  });

  it('a mixed ERP batch is all or nothing: one conflicting event and none is applied', async () => {
    const inv = await newInvoice(h, segment);
    const ref = uniq('P');
    expect(
      (
        await as(h, 'erp')
          .post(`/v1/invoices/${inv.invoiceId}/payments`)
          .send({ reference: ref, amountMinor: 100, paidOn: '2026-11-01' })
      ).status,
    ).toBe(201);
    const before = await snapshot(h);
    const res = await erpPost(
      JSON.stringify({
        events: [
          { type: 'payment', invoiceId: inv.invoiceId, reference: uniq('P'), amountMinor: 50, paidOn: '2026-11-02' },
          { type: 'adjustment', invoiceId: inv.invoiceId, reference: uniq('NC'), kind: 'CREDIT_NOTE', amountMinor: 10 },
          { type: 'payment', invoiceId: inv.invoiceId, reference: ref, amountMinor: 999, paidOn: '2026-11-01' },
        ],
      }),
    );
    expect(res.status).toBe(409);
    expect(pathsOf(res)).toEqual(['events.2.amountMinor']);
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('body shape limits', () => {
  it('a body nested 5,000 levels answers 400 on API routes and the webhook, never 500', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const deepObject = `{"number":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    for (const raw of [deep, deepObject]) {
      const res = await request(h.app)
        .post('/v1/invoices')
        .set('Authorization', `Bearer ${KEYS.erp}`)
        .set('Content-Type', 'application/json')
        .send(raw);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MALFORMED_JSON');
    }
    expect((await erpPost(deepObject)).status).toBe(400);
  });

  it('a body without Content-Type (or with another) answers 415 with a hint', async () => {
    const raw = JSON.stringify(invoiceBody(segment));
    const none = await request(h.app)
      .post('/v1/invoices')
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .set('Content-Type', '')
      .send(Buffer.from(raw));
    expect(none.status).toBe(415);
    expect(none.body.error.message).toMatch(/Content-Type: application\/json/);
    const text = await request(h.app)
      .post('/v1/invoices')
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .set('Content-Type', 'text/plain')
      .send(raw);
    expect(text.status).toBe(415);
  });
});
