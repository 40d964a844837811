/**
 * Reads do not depend on the worker: the state and the detail come from the database mirror the workflow keeps
 * (ordered by its transition counter), the workflow is asked only with `live=true`, and a live read that cannot reach
 * it answers 503 instead of quietly serving the mirror. Real API, real worker, real Temporal and PostgreSQL.
 */
import { as, newInvoice, quietSegment } from './api-helpers';
import { eventually, isoDaysFromToday, startHarness, type Harness } from './harness';

// Real Temporal and PostgreSQL on a shared machine: each test waits on real workflows.
jest.setTimeout(60_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
  segment = await quietSegment(h);
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('invoice reads', () => {
  it('answer from the mirror by default and from the workflow with live=true, saying which', async () => {
    const inv = await newInvoice(h, segment);
    // The mirror follows the workflow: its first record (the invoice is overdue) lands with a counter.
    const first = await eventually(async () => {
      const r = await as(h, 'manager').get(`/v1/invoices/${inv.number}/state`);
      return r.status === 200 && r.body.mirror.seq !== null ? r : null;
    });
    expect(first.body).toMatchObject({ invoiceId: inv.invoiceId, source: 'database', state: null, currency: 'EUR' });
    expect(first.body.sourceNote).toBeUndefined();

    const live = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}/state?live=true`);
    expect(live.status).toBe(200);
    expect(live.body.source).toBe('workflow');
    expect(live.body.state).toMatchObject({ invoiceId: inv.invoiceId, stage: live.body.stage });
    // Both sources agree once the mirror caught up.
    expect([first.body.stage, first.body.balanceMinor]).toEqual([live.body.stage, live.body.balanceMinor]);

    // A decision moves the mirror forward: a newer counter, the decision's stage.
    const promise = await as(h, 'collector')
      .post(`/v1/invoices/${inv.invoiceId}/promise`)
      .send({ promisedDate: isoDaysFromToday(6) });
    expect(promise.status).toBe(200);
    const after = await as(h, 'collector').get(`/v1/invoices/${inv.invoiceId}/state`);
    expect(after.body.stage).toBe('PROMISE_WAIT');
    expect(after.body.mirror.seq).toBeGreaterThan(first.body.mirror.seq);

    // The detail page carries the same state block (mirror unless asked) and the timeline.
    const detail = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}`);
    expect(detail.body).toMatchObject({ source: 'database', stage: 'PROMISE_WAIT', state: null });
    expect((detail.body.timeline as unknown[]).length).toBeGreaterThan(0);
    const liveDetail = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}?live=true`);
    expect(liveDetail.body.source).toBe('workflow');
    expect(liveDetail.body.state.promise).toMatchObject({ promisedDate: isoDaysFromToday(6), status: 'OPEN' });
  });

  it('refuses an unknown or malformed read option, naming it', async () => {
    const inv = await newInvoice(h, segment);
    const bad = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}/state?live=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('live');
    const unknown = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}?fresh=true`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields[0].path).toBe('fresh');
    const other = await as(h, 'collector2').get(`/v1/invoices/${inv.invoiceId}/state`);
    expect(other.status).toBe(403);
  });

  it('keep answering from the mirror with no worker running, 50 at once; a live read says the workflow is silent', async () => {
    const invs = await Promise.all([1, 2, 3, 4, 5].map(() => newInvoice(h, segment)));
    await eventually(async () => {
      const rows = await h.db.invoice.findMany({ where: { id: { in: invs.map((i) => i.invoiceId) } } });
      return rows.every((r) => r.mirrorSeq !== null);
    });
    await h.stopWorker();
    try {
      const started = Date.now();
      const reads = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          as(h, 'manager').get(`/v1/invoices/${invs[i % invs.length].number}/state`),
        ),
      );
      const elapsed = Date.now() - started;
      expect(reads.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(new Set(reads.map((r) => r.body.source))).toEqual(new Set(['database']));
      // Nothing waited on a query deadline (5 s): the workflow was never asked.
      expect(elapsed).toBeLessThan(5_000);

      const live = await as(h, 'manager').get(`/v1/invoices/${invs[0].invoiceId}/state?live=true`);
      expect(live.status).toBe(503);
      expect(live.headers['retry-after']).toBe('5');
      expect(live.body.error.code).toBe('UNAVAILABLE');
    } finally {
      await h.startWorker();
    }
  }, 60_000);

  it('a closed invoice read live is answered by the mirror, which says why', async () => {
    const inv = await newInvoice(h, segment, { amountMinor: 10_000 });
    const paid = await as(h, 'erp')
      .post(`/v1/invoices/${inv.invoiceId}/payments`)
      .send({ reference: 'BON-READ', amountMinor: 10_000, paidOn: isoDaysFromToday(0) });
    expect(paid.status).toBe(201);
    const closed = await eventually(async () => {
      const r = await as(h, 'manager').get(`/v1/invoices/${inv.invoiceId}/state?live=true`);
      return r.body.stage === 'PAID' && r.body.source === 'database' ? r : null;
    });
    expect(closed.body.sourceNote).toMatch(/closed \(PAID\)/);
    expect(closed.body.closedAt).not.toBeNull();
    expect(closed.body.balanceMinor).toBe(0);
  });
});
