/**
 * Decisions and ERP facts on a real invoice workflow: every decision route answers 200 with the new state, 422 with
 * the workflow validator's reason, 409 once the invoice is closed; collectors act on their own customers only;
 * every accepted decision is audited; credit notes are counted once; reading returns the timeline.
 */
import { invoiceStateQuery } from '../../workflows/contract';
import { as, newInvoice, quietSegment } from './api-helpers';
import { eventually, isoDaysFromToday, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness();
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

const auditCount = (invoiceId: string, action: string) =>
  h.db.auditEvent.count({ where: { entityType: 'Invoice', entityId: invoiceId, action } });

describe('decisions', () => {
  it('records a promise (200 with state), refuses one in the past (422 with the reason), audits only the accepted one', async () => {
    const inv = await newInvoice(h, segment);
    const ok = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(5), note: 'bonifico venerdì' });
    expect(ok.status).toBe(200);
    expect(ok.body.decision).toBe('promise');
    expect(ok.body.state.promise).toMatchObject({ promisedDate: isoDaysFromToday(5), status: 'OPEN' });
    expect(await auditCount(inv.invoiceId, 'decision.promise')).toBe(1);

    const past = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(-3) });
    expect(past.status).toBe(422);
    expect(past.body.error.code).toBe('DECISION_REJECTED');
    expect(past.body.error.message).toMatch(/past/);
    expect(await auditCount(inv.invoiceId, 'decision.promise')).toBe(1);
  });

  it('validates the body before anything reaches the workflow (400 with field paths)', async () => {
    const inv = await newInvoice(h, segment);
    const res = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: '31/12/2026', amountMinor: -5, actorId: 'someone-else' });
    expect(res.status).toBe(400);
    const paths = (res.body.error.fields as Array<{ path: string }>).map((f) => f.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['promisedDate', 'amountMinor']));
  });

  it('keeps collectors to their own customers (403) and decisions to their roles (403)', async () => {
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia' });
    const other = await as(h, 'collector2')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(3) });
    expect(other.status).toBe(403);
    const writeOff = await as(h, 'collector').post(`/v1/invoices/${inv.invoiceId}/write-off`).send({ reason: 'x' });
    expect(writeOff.status).toBe(403);
    const erp = await as(h, 'erp').post(`/v1/invoices/${inv.invoiceId}/pause`).send({ reason: 'x' });
    expect(erp.status).toBe(403);
    const seen = await as(h, 'collector2').get(`/v1/invoices/${inv.invoiceId}`);
    expect(seen.status).toBe(403);
  });

  it('opens a dispute, refuses a second one (422), resolves it as rejected (200)', async () => {
    const inv = await newInvoice(h, segment);
    const open = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/dispute`)
      .send({ reasonCode: 'DEFECTIVE_GOODS', note: 'merce difettosa, lotto 42' });
    expect(open.status).toBe(200);
    expect(open.body.state.dispute).toMatchObject({ reasonCode: 'DEFECTIVE_GOODS' });
    const again = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/dispute`)
      .send({ reasonCode: 'OTHER', note: 'again' });
    expect(again.status).toBe(422);
    const promise = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(3) });
    expect(promise.status).toBe(422);
    expect(promise.body.error.message).toMatch(/dispute/);
    const byCollector = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/dispute/resolve`)
      .send({ outcome: 'REJECTED' });
    expect(byCollector.status).toBe(403);
    const partialNoBalance = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/dispute/resolve`)
      .send({ outcome: 'PARTIAL' });
    expect(partialNoBalance.status).toBe(400);
    expect(partialNoBalance.body.error.fields[0].path).toBe('newBalanceMinor');
    const resolved = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/dispute/resolve`)
      .send({ outcome: 'REJECTED', note: 'foto non conformi' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.state.dispute).toBeNull();
    const none = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/dispute/resolve`)
      .send({ outcome: 'REJECTED' });
    expect(none.status).toBe(422);
  });

  it('pauses and resumes; a plan that does not sum to the balance is rejected, one that does is accepted', async () => {
    const inv = await newInvoice(h, segment, { amountMinor: 300_000 });
    const pause = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/pause`)
      .send({ reason: 'cliente in ferie' });
    expect(pause.status).toBe(200);
    expect(pause.body.state.paused).toMatchObject({ reason: 'cliente in ferie' });
    const resume = await as(h, 'collector').post(`/v1/invoices/${inv.invoiceId}/resume`).send({});
    expect(resume.status).toBe(200);
    expect(resume.body.state.paused).toBeNull();

    const wrongSum = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/repayment-plan`)
      .send({
        instalments: [
          { dueDate: isoDaysFromToday(10), amountMinor: 100_000 },
          { dueDate: isoDaysFromToday(40), amountMinor: 100_000 },
        ],
      });
    expect(wrongSum.status).toBe(422);
    expect(wrongSum.body.error.message).toMatch(/sum/);
    const plan = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/repayment-plan`)
      .send({
        instalments: [
          { dueDate: isoDaysFromToday(10), amountMinor: 100_000 },
          { dueDate: isoDaysFromToday(40), amountMinor: 200_000 },
        ],
      });
    expect(plan.status).toBe(200);
    expect(plan.body.state.plan.status).toBe('ACTIVE');
  });

  it('legal approval with nothing pending → 422; a legal event without a case → 422', async () => {
    const inv = await newInvoice(h, segment);
    const approve = await as(h, 'manager').post(`/v1/invoices/${inv.invoiceId}/legal/approve`).send({});
    expect(approve.status).toBe(422);
    expect(approve.body.error.message).toMatch(/no legal approval/);
    const decline = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/legal/decline`)
      .send({ writeOff: false });
    expect(decline.status).toBe(422);
    const event = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/legal/events`)
      .send({ step: 'DIFFIDA', date: isoDaysFromToday(0), costMinor: 15_000 });
    expect(event.status).toBe(422);
  });

  it('writes off (manager), then every decision answers 409 and nothing more is audited', async () => {
    const inv = await newInvoice(h, segment);
    const wo = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/write-off`)
      .send({ reason: 'cliente fallito' });
    expect(wo.status).toBe(200);
    expect(wo.body.state.stage).toBe('WRITTEN_OFF');
    await eventually(
      async () => (await h.db.invoice.findUnique({ where: { id: inv.invoiceId } }))?.stage === 'WRITTEN_OFF',
    );
    const after = await as(h, 'manager')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(3) });
    expect(after.status).toBe(409);
    expect(after.body.error.code).toBe('CONFLICT');
    // Only what callers did counts: the worker audits its own ERP requests (e.g. "no ERP configured") meanwhile.
    const callerAudits = { entityId: inv.invoiceId, apiKeyId: { not: null } };
    const audits = await h.db.auditEvent.count({ where: callerAudits });
    const again = await as(h, 'manager').post(`/v1/invoices/${inv.invoiceId}/pause`).send({ reason: 'x' });
    expect(again.status).toBe(409);
    expect(await h.db.auditEvent.count({ where: callerAudits })).toBe(audits);
  });

  it('the same Idempotency-Key makes a retried decision one update', async () => {
    const inv = await newInvoice(h, segment);
    const send = () =>
      as(h, 'collector')
        .post(`/v1/invoices/${inv.invoiceId}/promise`)
        .set('Idempotency-Key', 'call-2026-11-22-001')
        .send({ promisedDate: isoDaysFromToday(7) });
    const a = await send();
    const b = await send();
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    // The second call is answered with the first update's result: nothing new happened in the workflow.
    expect(b.body.state.history).toEqual(a.body.state.history);
    const now = await h.client.workflow.getHandle(inv.workflowId).query(invoiceStateQuery);
    expect(now.history.length).toBe(a.body.state.history.length);
  });
});

describe('ERP facts and reading', () => {
  it('a credit note is signalled once per reference; different content under the same reference is 409', async () => {
    const inv = await newInvoice(h, segment, { amountMinor: 400_000 });
    const first = await as(h, 'erp')
      .post(`/v1/invoices/${inv.number}/adjustments`)
      .send({ reference: 'NC-1', kind: 'CREDIT_NOTE', amountMinor: 100_000, note: 'reso parziale' });
    expect(first.status).toBe(201);
    const dup = await as(h, 'erp')
      .post(`/v1/invoices/${inv.number}/adjustments`)
      .send({ reference: 'NC-1', kind: 'CREDIT_NOTE', amountMinor: 100_000 });
    expect(dup.status).toBe(200);
    expect(dup.body.duplicate).toBe(true);
    const clash = await as(h, 'erp')
      .post(`/v1/invoices/${inv.number}/adjustments`)
      .send({ reference: 'NC-1', kind: 'CREDIT_NOTE', amountMinor: 5 });
    expect(clash.status).toBe(409);
    const missingAmount = await as(h, 'erp')
      .post(`/v1/invoices/${inv.number}/adjustments`)
      .send({ reference: 'NC-2', kind: 'CREDIT_NOTE' });
    expect(missingAmount.status).toBe(400);
    expect(missingAmount.body.error.fields[0].path).toBe('amountMinor');
    const tooMuch = await as(h, 'erp')
      .post(`/v1/invoices/${inv.number}/adjustments`)
      .send({ reference: 'NC-3', kind: 'CREDIT_NOTE', amountMinor: 400_001 });
    expect(tooMuch.status).toBe(400);
    expect(await h.db.adjustment.count({ where: { invoiceId: inv.invoiceId } })).toBe(1);
    const state = await eventually(async () => {
      const s = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}?live=true`);
      return s.body.balanceMinor === 300_000 ? s : null;
    });
    expect(state.body.state.creditMinor).toBe(100_000);
    const collectorTries = await as(h, 'collector')
      .post(`/v1/invoices/${inv.number}/adjustments`)
      .send({ reference: 'NC-9', kind: 'CANCEL' });
    expect(collectorTries.status).toBe(403);
  });

  it('GET /v1/invoices/:id returns the state and a timeline of payments, adjustments and decisions', async () => {
    const inv = await newInvoice(h, segment);
    await as(h, 'erp')
      .post(`/v1/invoices/${inv.invoiceId}/payments`)
      .send({ reference: 'BON-1', amountMinor: 1000, paidOn: isoDaysFromToday(0) });
    await as(h, 'erp')
      .post(`/v1/invoices/${inv.invoiceId}/adjustments`)
      .send({ reference: 'NC-1', kind: 'CREDIT_NOTE', amountMinor: 2000 });
    await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(4) });
    const res = await as(h, 'collector').get(`/v1/invoices/${inv.invoiceId}`);
    expect(res.status).toBe(200);
    expect(res.body.invoiceId).toBe(inv.invoiceId);
    const kinds = (res.body.timeline as Array<{ kind: string }>).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['PAYMENT', 'ADJUSTMENT']));
    const sorted = [...(res.body.timeline as Array<{ at: string }>)].map((e) => e.at);
    expect(sorted).toEqual([...sorted].sort());
    const missing = await as(h, 'manager').get(`/v1/invoices/${uniq('NOPE')}`);
    expect(missing.status).toBe(404);
  });

  it('GET /v1/invoices filters by stage, customer, collector, area and overdue range, and paginates', async () => {
    const customerId = uniq('CUST');
    const a = await newInvoice(h, segment, { customerId, dueInDays: -20, area: 'Centro' });
    const b = await newInvoice(h, segment, { customerId, dueInDays: -2, area: 'Centro' });
    await newInvoice(h, segment, { collectorId: 'u-marco', dueInDays: -20 });

    const byCustomer = await as(h, 'manager').get(`/v1/invoices?customer=${customerId}&pageSize=1`);
    expect(byCustomer.status).toBe(200);
    expect(byCustomer.body.total).toBe(2);
    expect(byCustomer.body.items).toHaveLength(1);
    expect(byCustomer.body.items[0].invoiceId).toBe(a.invoiceId); // oldest due first
    const page2 = await as(h, 'manager').get(`/v1/invoices?customer=${customerId}&pageSize=1&page=2`);
    expect(page2.body.items[0].invoiceId).toBe(b.invoiceId);

    const overdue = await as(h, 'manager').get(`/v1/invoices?customer=${customerId}&overdueMin=10&overdueMax=30`);
    expect(overdue.body.items.map((i: { invoiceId: string }) => i.invoiceId)).toEqual([a.invoiceId]);

    const mine = await as(h, 'collector').get(`/v1/invoices?segment=${segment}&pageSize=200`);
    expect(mine.body.items.every((i: { collectorId: string }) => i.collectorId === 'u-giulia')).toBe(true);
    const spoof = await as(h, 'collector').get(`/v1/invoices?segment=${segment}&collector=u-marco&pageSize=200`);
    expect(spoof.body.items.every((i: { collectorId: string }) => i.collectorId === 'u-giulia')).toBe(true);

    const stage = await as(h, 'manager').get(`/v1/invoices?segment=${segment}&stage=OPEN,REMINDER&area=Centro`);
    expect(stage.body.total).toBe(2);
    const bad = await as(h, 'manager').get('/v1/invoices?stage=NOPE&overdueMin=x&page=0&unknown=1');
    expect(bad.status).toBe(400);
    const fields = (bad.body.error.fields as Array<{ path: string }>).map((f) => f.path);
    expect(fields).toEqual(expect.arrayContaining(['stage.0', 'overdueMin', 'page', 'unknown']));
    const erp = await as(h, 'erp').get('/v1/invoices');
    expect(erp.status).toBe(403);
  });
});
