/**
 * Interest debit notes against the real stack (PostgreSQL, Temporal, a worker): invoices and payments go in through
 * the ERP routes and reach the workflows; the preview, the issue (numbered ND-<year>-<seq>, once per Idempotency-Key,
 * audited), the PDF read back with pdftotext, the statement's debit line, the waiver that refuses the note, and
 * refused requests that write nothing. Worked example (D.Lgs. 231/2002 arts. 5-6, arts. 1187 c.c.; rates of the
 * bundled table only — 3.15 % H1 2025, 2.15 % H2 2025 and H1 2026, none invented):
 * - FT-A €10,000.00 due Sunday 2026-03-01 (moved to Monday 03-02), paid 2026-04-01: 30 days at 10.15 % = €83.42;
 * - FT-B €5,000.00 due 2025-06-16, open: to 2026-06-30, 14 days at 11.15 % + 365 days at 10.15 % = €528.88;
 * - €40 each: note as of 2026-06-30 = €612.30 interest + €80.00 = €692.30.
 */
import { halfYearStart } from '../../domain/interest';
import { todayIn } from '../../domain/time';
import {
  createTestPolicy,
  eventually,
  isoDaysFromToday,
  secondsSettings,
  startHarness,
  uniq,
  type Harness,
} from './harness';
import { hasPoppler, pdfText } from '../fakes/pdf';
import { as, quietSegment, quietSteps } from './api-helpers';

jest.setTimeout(180_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

function body(
  segment: string,
  customer: string,
  number: string,
  amountMinor: number,
  issueDate: string,
  dueDate: string,
) {
  return {
    number,
    customer: {
      externalId: customer,
      name: 'Ferramenta Lombarda S.r.l.',
      vatNumber: 'IT01234567890',
      email: 'amministrazione@ferramenta.example',
      language: 'it' as const,
      segment,
      area: 'Nord',
      collectorId: 'u-giulia',
      salespersonId: 'u-paolo',
    },
    currency: 'EUR' as const,
    amountMinor,
    issueDate,
    dueDate,
  };
}

async function invoice(segment: string, customer: string, amountMinor: number, issueDate: string, dueDate: string) {
  const number = uniq('FT');
  const res = await as(h, 'erp')
    .post('/v1/invoices')
    .send(body(segment, customer, number, amountMinor, issueDate, dueDate));
  if (res.status !== 201) throw new Error(`invoice not created: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.invoiceId as string, number };
}

async function paid(invoiceId: string, amountMinor: number, paidOn: string): Promise<void> {
  const pay = await as(h, 'erp')
    .post(`/v1/invoices/${invoiceId}/payments`)
    .send({ reference: uniq('PAY'), amountMinor, paidOn });
  expect(pay.status).toBeLessThan(300);
  await eventually(async () => {
    const row = await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } });
    return row.stage === 'PAID' && Number(row.balanceMinor) === 0;
  }, 120_000);
}

const counts = async (customerId: string) => ({
  notes: await h.db.interestNote.count({ where: { customerId } }),
  lines: await h.db.interestNoteLine.count({ where: { note: { customerId } } }),
  audit: await h.db.auditEvent.count({ where: { action: 'interest-note.issue', entityId: customerId } }),
});

test('preview, issue once per key, PDF, statement line; refused requests write nothing', async () => {
  const segment = await quietSegment(h);
  const customer = uniq('CUST');
  const a = await invoice(segment, customer, 1_000_000, '2026-02-01', '2026-03-01');
  const b = await invoice(segment, customer, 500_000, '2025-05-16', '2025-06-16');
  await paid(a.id, 1_000_000, '2026-04-01');
  const customerId = (await h.db.customer.findUniqueOrThrow({ where: { externalId: customer } })).id;
  const url = `/v1/customers/${customerId}/interest-notes`;

  const pre = await as(h, 'manager').get(`${url}/preview?asOf=2026-06-30`);
  expect(pre.status).toBe(200);
  expect(pre.body).toMatchObject({ issuable: true, refusal: null });
  const n = pre.body.document.note;
  expect(n.lines.map((l: { invoiceNumber: string }) => l.invoiceNumber)).toEqual([b.number, a.number]);
  expect(n.lines[1]).toMatchObject({
    effectiveDueDate: '2026-03-02',
    daysLate: 30,
    interestMinor: 8342,
    compensationMinor: 4000,
    state: 'PAID',
  });
  // 500,000 × (1115 × 14 + 1015 × 365) / 3,650,000 = 52,888.36 → 52,888.
  expect(n.lines[0]).toMatchObject({ interestMinor: 52_888, compensationMinor: 4000, state: 'OPEN', daysLate: 379 });
  expect(n).toMatchObject({ interestMinor: 61_230, compensationMinor: 8000, totalMinor: 69_230, missingRates: [] });

  // Refused: nothing written.
  const zero = await counts(customerId);
  const refusals: Array<[number, () => Promise<import('supertest').Response>, string]> = [
    [400, () => as(h, 'manager').post(url).send({ asOf: '2026-06-30' }), 'Idempotency-Key'],
    [
      400,
      () => as(h, 'manager').post(url).set('Idempotency-Key', uniq('k')).send({ asOf: '2026-06-30', colour: 'red' }),
      'colour',
    ],
    [
      400,
      () =>
        as(h, 'manager')
          .post(url)
          .set('Idempotency-Key', uniq('k'))
          .send({ asOf: isoDaysFromToday(2) }),
      'asOf',
    ],
    [400, () => as(h, 'manager').post(url).set('Idempotency-Key', uniq('k')).send({ asOf: '2026-02-30' }), 'asOf'],
    [400, () => as(h, 'manager').post(url).set('Idempotency-Key', uniq('k')).send({ currency: 'XYZ' }), 'currency'],
  ];
  for (const [status, call, field] of refusals) {
    const res = await call();
    expect(res.status).toBe(status);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
  }
  expect((await as(h, 'collector').post(url).set('Idempotency-Key', uniq('k')).send({})).status).toBe(403);
  expect((await as(h, 'collector').get(`${url}/preview`)).status).toBe(403);
  expect((await as(h, 'erp').post(url).set('Idempotency-Key', uniq('k')).send({})).status).toBe(403);
  expect(await counts(customerId)).toEqual(zero);

  // Issued once per key; the same key with another request is refused.
  const key = uniq('note');
  const first = await as(h, 'manager').post(url).set('Idempotency-Key', key).send({ asOf: '2026-06-30' });
  expect(first.status).toBe(201);
  const year = todayIn(h.config.SEGUGIO_TZ).slice(0, 4);
  expect(first.body.number).toMatch(new RegExp(`^ND-${year}-\\d{6}$`));
  expect(first.body).toMatchObject({
    interestMinor: 61_230,
    compensationMinor: 8000,
    totalMinor: 69_230,
    currency: 'EUR',
    asOf: '2026-06-30',
    duplicate: false,
  });
  const again = await as(h, 'manager').post(url).set('Idempotency-Key', key).send({ asOf: '2026-06-30' });
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ id: first.body.id, number: first.body.number, duplicate: true });
  const reused = await as(h, 'manager').post(url).set('Idempotency-Key', key).send({ asOf: '2026-06-29' });
  expect(reused.status).toBe(409);
  expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await counts(customerId)).toEqual({ notes: 1, lines: 2, audit: 1 });
  const audit = await h.db.auditEvent.findFirstOrThrow({
    where: { action: 'interest-note.issue', entityId: customerId },
  });
  expect(audit).toMatchObject({ actorId: expect.any(String), role: 'manager' });
  expect(audit.after).toMatchObject({ number: first.body.number, totalMinor: 69_230 });

  // Everything up to 2026-06-30 is claimed: a second note for the same day has nothing to claim, and writes nothing.
  const nothing = await as(h, 'manager').post(url).set('Idempotency-Key', uniq('k')).send({ asOf: '2026-06-30' });
  expect(nothing.status).toBe(422);
  expect(nothing.body.error.code).toBe('NOTHING_TO_CLAIM');
  expect(await counts(customerId)).toEqual({ notes: 1, lines: 2, audit: 1 });

  // Listed, and downloadable as issued: the PDF read back.
  const list = await as(h, 'collector').get(url);
  expect(list.status).toBe(200);
  expect(list.body.notes.map((x: { number: string }) => x.number)).toEqual([first.body.number]);
  const pdf = await as(h, 'collector').get(`/v1/interest-notes/${first.body.id}?format=pdf`).buffer(true);
  expect(pdf.status).toBe(200);
  expect(pdf.headers['content-type']).toMatch(/^application\/pdf/);
  expect(pdf.headers['content-disposition']).toContain(`nota-di-debito-${first.body.number}.pdf`);
  const stored = await h.db.interestNote.findUniqueOrThrow({ where: { id: first.body.id } });
  expect(Buffer.from(stored.pdf).equals(pdf.body as Buffer)).toBe(true);
  if (hasPoppler()) {
    const text = pdfText(pdf.body as Buffer);
    for (const s of [
      'Nota di debito per interessi moratori',
      `Nota di debito n. ${first.body.number}`,
      'Ferramenta Lombarda S.r.l.',
      a.number,
      b.number,
      'scadenza spostata al 02/03/2026',
      '83,42 €',
      '528,88 €',
      '11,15%',
      '10,15%',
      '40,00 €',
      '692,30 €',
      'D.Lgs. 231/2002',
      'artt. 1187 e 2963 c.c.',
      h.config.LETTERHEAD_IBAN,
    ])
      expect(text).toContain(s);
    const en = await as(h, 'manager').get(`${url}/preview?asOf=2026-06-30&lang=en&format=pdf`).buffer(true);
    expect(en.status).toBe(200);
    // The preview after the note: nothing left to claim, no number.
    expect(pdfText(en.body as Buffer)).toContain('Late-payment interest debit note');
  }

  // The statement of account shows the note as a debit line, and does not claim its interest again.
  const st = (await as(h, 'manager').get(`/v1/customers/${customerId}/statement`)).body;
  const eur = st.sections.find((s: { currency: string }) => s.currency === 'EUR');
  const line = eur.lines.find((l: { kind: string }) => l.kind === 'INTEREST_NOTE');
  expect(line).toMatchObject({ reference: first.body.number, debitMinor: 69_230, creditMinor: 0 });
  expect(eur.totals.balanceMinor).toBe(500_000 + 69_230);
  const bInterest = eur.interest.lines.find((l: { invoiceNumber: string }) => l.invoiceNumber === b.number);
  expect(bInterest.compensationMinor).toBe(0);
  if (bInterest.interestMinor !== null) expect(bInterest.interestMinor).toBeLessThan(52_888 + 20_000);
});

test('a waiver of the customer, or of the policy, refuses the note with INTEREST_WAIVED and writes nothing', async () => {
  const segment = await quietSegment(h);
  const customer = uniq('CUST');
  const a = await invoice(segment, customer, 1_000_000, '2026-02-01', '2026-03-01');
  await paid(a.id, 1_000_000, '2026-04-01');
  const open = await invoice(segment, customer, 200_000, '2026-04-01', '2026-05-04');
  const customerId = (await h.db.customer.findUniqueOrThrow({ where: { externalId: customer } })).id;
  const wurl = `/v1/customers/${customerId}/interest-waivers`;
  const statementInterest = async () =>
    (await as(h, 'manager').get(`/v1/customers/${customerId}/statement`)).body.sections[0].interest;
  // Without a waiver the statement claims the open invoice's interest and its EUR 40.
  expect((await statementInterest()).lines).toEqual([
    expect.objectContaining({ invoiceNumber: open.number, compensationMinor: 4000 }),
  ]);

  const bad = await as(h, 'manager')
    .post(wurl)
    .send({ interest: false, compensation: false, fromDate: '2026-01-01', reason: 'x' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(['reason']));
  expect(
    (
      await as(h, 'collector')
        .post(wurl)
        .send({ interest: true, compensation: true, fromDate: '2026-01-01', reason: 'goodwill' })
    ).status,
  ).toBe(403);
  expect(await h.db.interestWaiver.count({ where: { customerId } })).toBe(0);

  // The €40 only: the note claims the interest alone.
  const only40 = await as(h, 'manager')
    .post(wurl)
    .send({ interest: false, compensation: true, fromDate: '2026-01-01', reason: 'long-standing customer' });
  expect(only40.status).toBe(201);
  const pre = await as(h, 'manager').get(`/v1/customers/${customerId}/interest-notes/preview?asOf=2026-06-30`);
  // FT-A €83.42, and the open €2,000.00 due 2026-05-04: 57 days at 10.15 % = 3,170.14 → €31.70.
  expect(pre.body.document.note).toMatchObject({ interestMinor: 11_512, compensationMinor: 0, totalMinor: 11_512 });
  expect((await as(h, 'manager').delete(`${wurl}/${only40.body.id}`)).status).toBe(200);

  const both = await as(h, 'manager').post(wurl).send({
    interest: true,
    compensation: true,
    fromDate: '2026-01-01',
    reason: 'settlement agreed with the customer',
  });
  expect(both.status).toBe(201);
  const zero = await counts(customerId);
  const refused = await as(h, 'manager')
    .post(`/v1/customers/${customerId}/interest-notes`)
    .set('Idempotency-Key', uniq('k'))
    .send({ asOf: '2026-06-30' });
  expect(refused.status).toBe(422);
  expect(refused.body.error).toMatchObject({
    code: 'INTEREST_WAIVED',
    reason: 'INTEREST_WAIVED',
    params: { source: 'customer', invoices: [a.number, open.number] },
  });
  expect(await counts(customerId)).toEqual(zero);
  // The statement shows no claim for a waived customer either.
  expect(await statementInterest()).toMatchObject({ lines: [], compensationMinor: 0, interestMinor: 0 });
  const audits = await h.db.auditEvent.findMany({
    where: { entityId: customerId, action: { startsWith: 'interest-waiver.' } },
  });
  expect(audits.map((e) => e.action).sort()).toEqual([
    'interest-waiver.revoke',
    'interest-waiver.set',
    'interest-waiver.set',
  ]);
  const list = await as(h, 'collector').get(wurl);
  expect(list.body.waivers).toHaveLength(2);

  // A policy that waives both: the same refusal, naming the policy.
  const waiving = await createTestPolicy(h.db, {
    name: 'waiving',
    steps: quietSteps,
    settings: { ...secondsSettings, interestWaiver: { interest: true, compensation: true } },
  });
  const other = uniq('CUST');
  const c = await invoice(waiving, other, 200_000, '2026-02-01', '2026-03-02');
  await paid(c.id, 200_000, '2026-04-01');
  const otherId = (await h.db.customer.findUniqueOrThrow({ where: { externalId: other } })).id;
  const byPolicy = await as(h, 'manager')
    .post(`/v1/customers/${otherId}/interest-notes`)
    .set('Idempotency-Key', uniq('k'))
    .send({ asOf: '2026-06-30' });
  expect(byPolicy.status).toBe(422);
  expect(byPolicy.body.error).toMatchObject({ code: 'INTEREST_WAIVED', params: { source: 'policy' } });
});

test('a half-year without its reference rate: the preview states no figure and the note is refused', async () => {
  const today = todayIn(h.config.SEGUGIO_TZ);
  const half = halfYearStart(today);
  const rates = await as(h, 'manager').get('/v1/reference-rates');
  if (!rates.body.provisional) return; // the current half-year's rate is entered: nothing to show here
  const segment = await quietSegment(h);
  const customer = uniq('CUST');
  await invoice(segment, customer, 300_000, isoDaysFromToday(-40), isoDaysFromToday(-10));
  const customerId = (await h.db.customer.findUniqueOrThrow({ where: { externalId: customer } })).id;
  const pre = await as(h, 'manager').get(`/v1/customers/${customerId}/interest-notes/preview`);
  expect(pre.body).toMatchObject({ issuable: false, refusal: { code: 'REFERENCE_RATE_MISSING' } });
  expect(pre.body.refusal.params.periods).toContain(half);
  expect(pre.body.document.note).toMatchObject({ interestMinor: null, totalMinor: null });
  const res = await as(h, 'manager')
    .post(`/v1/customers/${customerId}/interest-notes`)
    .set('Idempotency-Key', uniq('k'))
    .send({});
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('REFERENCE_RATE_MISSING');
  expect(await h.db.interestNote.count({ where: { customerId } })).toBe(0);
});
