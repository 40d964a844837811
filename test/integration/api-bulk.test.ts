/**
 * Bulk actions on real invoice workflows (POST /v1/invoices/bulk): pause and resume send each invoice's own workflow
 * update and answer one outcome per invoice (a closed one says CONFLICT, the others go on); one promise covers
 * several invoices of a customer, split oldest first, each workflow holding its share, audited once with the list;
 * reassign moves the customers and the open tasks to another collector (credit managers only); statements go once
 * per customer; export answers an Italian CSV; the same Idempotency-Key answers the first results again; a refused
 * request (shape, size, unknown invoice, another collector's invoice, a promise over two customers) writes nothing.
 * The stack is shared with other files: every assertion looks at this file's own invoices and audit rows only.
 */
import { invoiceStateQuery, type InvoiceState, type Stage } from '../../workflows/contract';
import { BULK_MAX } from '../../contexts/collections/bulk';
import { STAGE_NAMES } from '../../contexts/stage-names';
import { as, newInvoice, quietSegment } from './api-helpers';
import { eventually, isoDaysFromToday, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(180_000);

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

const live = (workflowId: string): Promise<InvoiceState> =>
  h.client.workflow.getHandle(workflowId).query(invoiceStateQuery);

const bulk = (role: 'collector' | 'collector2' | 'manager', body: unknown, key?: string) => {
  const r = as(h, role).post('/v1/invoices/bulk');
  return (key ? r.set('Idempotency-Key', key) : r).send(body as object);
};

/**
 * What a bulk request could have written about these invoices: their audit rows and their customers', every bulk
 * audit row, their open tasks and their customers' collectors, and each workflow's promise and pause. Rows of other
 * files (the stack is shared) and the stack's own background work are left out.
 */
async function writesAbout(invoices: Array<{ invoiceId: string; customerId: string; workflowId: string }>) {
  const ids = invoices.map((i) => i.invoiceId);
  const customers = [...new Set(invoices.map((i) => i.customerId))];
  const [audits, bulks, tasks, collectors, states] = await Promise.all([
    h.db.auditEvent.count({ where: { entityId: { in: [...ids, ...customers] } } }),
    h.db.auditEvent.count({ where: { action: 'invoice.bulk' } }),
    h.db.task.count({ where: { invoiceId: { in: ids }, status: 'OPEN' } }),
    h.db.customer.findMany({ where: { id: { in: customers } }, select: { id: true, collectorId: true } }),
    Promise.all(
      invoices.map(async (i) => {
        const s = await live(i.workflowId);
        return { promise: s.promise, paused: s.paused };
      }),
    ),
  ]);
  return { audits, bulks, tasks, collectors, states };
}

const bulkAudits = (requestKeyPart: string) =>
  h.db.auditEvent.count({
    where: { action: 'invoice.bulk', after: { path: ['requestKey'], string_ends_with: requestKeyPart } },
  });

describe('POST /v1/invoices/bulk', () => {
  it('pauses several invoices through their workflows, one outcome each; a closed invoice says so and the rest go on', async () => {
    const a = await newInvoice(h, segment);
    const b = await newInvoice(h, segment);
    const closed = await newInvoice(h, segment, { amountMinor: 10_000 });
    const paid = await as(h, 'erp')
      .post(`/v1/invoices/${closed.invoiceId}/payments`)
      .send({ reference: uniq('BON'), amountMinor: 10_000, paidOn: isoDaysFromToday(0) });
    expect(paid.status).toBe(201);
    await eventually(async () =>
      (await h.db.invoice.findUniqueOrThrow({ where: { id: closed.invoiceId } })).stage === 'PAID' ? true : null,
    );

    const key = uniq('bulk-pause');
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const res = await bulk(
      'collector',
      { action: 'pause', invoiceIds: [a.invoiceId, b.number, closed.invoiceId], reason: 'Chiusura aziendale', until },
      key,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'pause', total: 3, succeeded: 2, failed: 1, replayed: false });
    expect(res.body.results.map((r: { invoiceId: string }) => r.invoiceId)).toEqual([
      a.invoiceId,
      b.invoiceId,
      closed.invoiceId,
    ]);
    expect(res.body.results[2]).toMatchObject({ ok: false, error: { status: 409, code: 'CONFLICT' } });
    for (const inv of [a, b])
      expect((await live(inv.workflowId)).paused).toMatchObject({ reason: 'Chiusura aziendale' });
    expect(await bulkAudits(key)).toBe(1);

    // The same key again: the first answer, not a second round of updates or audit rows.
    const again = await bulk(
      'collector',
      { action: 'pause', invoiceIds: [a.invoiceId, b.number, closed.invoiceId], reason: 'Chiusura aziendale', until },
      key,
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ succeeded: 2, failed: 1, replayed: true });
    expect(await bulkAudits(key)).toBe(1);
    // … and the same key for another request is refused.
    const reused = await bulk('collector', { action: 'resume', invoiceIds: [a.invoiceId] }, key);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const resumed = await bulk('collector', { action: 'resume', invoiceIds: [a.invoiceId, b.invoiceId] }, uniq('k'));
    expect(resumed.body).toMatchObject({ succeeded: 2, failed: 0 });
    expect((await live(a.workflowId)).paused).toBeNull();
  });

  it('one promise for several invoices of a customer: the total split oldest first, each workflow holds its share, audited once', async () => {
    const customerId = uniq('CUST');
    const newer = await newInvoice(h, segment, { customerId, amountMinor: 300_000, dueInDays: -5 });
    const oldest = await newInvoice(h, segment, { customerId, amountMinor: 200_000, dueInDays: -40 });
    const middle = await newInvoice(h, segment, { customerId, amountMinor: 250_000, dueInDays: -20 });
    const ids = [newer.invoiceId, oldest.invoiceId, middle.invoiceId];
    const promisedDate = isoDaysFromToday(10);

    // A total that does not reach the newest invoice is refused before anything is sent.
    const before = await writesAbout([newer, oldest, middle]);
    const short = await bulk(
      'collector',
      { action: 'promise', invoiceIds: ids, promisedDate, amountMinor: 400_000 },
      uniq('k'),
    );
    expect(short.status).toBe(400);
    expect(short.body.error.fields[0]).toMatchObject({ path: 'amountMinor', code: 'promise_short' });
    const tooMuch = await bulk(
      'collector',
      { action: 'promise', invoiceIds: ids, promisedDate, amountMinor: 750_001 },
      uniq('k'),
    );
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.fields[0]).toMatchObject({ path: 'amountMinor', code: 'too_big' });
    expect(await writesAbout([newer, oldest, middle])).toEqual(before);
    for (const id of [newer, oldest, middle]) expect((await live(id.workflowId)).promise).toBeNull();

    const key = uniq('bulk-promise');
    const res = await bulk(
      'collector',
      { action: 'promise', invoiceIds: ids, promisedDate, amountMinor: 600_000, note: 'bonifico unico a fine mese' },
      key,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'promise', succeeded: 3, failed: 0 });
    // Oldest due date first, each up to its balance: 200,000 + 250,000, and what is left (150,000) on the newest.
    const share = Object.fromEntries(
      res.body.results.map((r: { invoiceId: string; amountMinor: number }) => [r.invoiceId, r.amountMinor]),
    );
    expect(share).toEqual({ [oldest.invoiceId]: 200_000, [middle.invoiceId]: 250_000, [newer.invoiceId]: 150_000 });
    for (const [inv, amount] of [
      [oldest, 200_000],
      [middle, 250_000],
      [newer, 150_000],
    ] as const) {
      const state = await live(inv.workflowId);
      expect(state.stage).toBe('PROMISE_WAIT');
      expect(state.promise).toMatchObject({ promisedDate, amountMinor: amount, status: 'OPEN' });
    }
    const audits = await h.db.auditEvent.findMany({
      where: { action: 'decision.promise.multi', entityType: 'Customer', entityId: newer.customerId },
    });
    expect(audits).toHaveLength(1);
    expect(
      (audits[0].after as { invoices: Array<{ invoiceId: string }> }).invoices.map((i) => i.invoiceId).sort(),
    ).toEqual([...ids].sort());

    // Without a total, each invoice is promised in full.
    const other = uniq('CUST');
    const x = await newInvoice(h, segment, { customerId: other, amountMinor: 120_000 });
    const y = await newInvoice(h, segment, { customerId: other, amountMinor: 80_000 });
    const full = await bulk(
      'manager',
      { action: 'promise', invoiceIds: [x.invoiceId, y.invoiceId], promisedDate },
      uniq('k'),
    );
    expect(full.body).toMatchObject({ succeeded: 2 });
    expect((await live(x.workflowId)).promise?.amountMinor).toBe(120_000);
    expect((await live(y.workflowId)).promise?.amountMinor).toBe(80_000);
  });

  it('refuses the whole request, writing nothing, for a promise over two customers, an unknown or foreign invoice, a bad shape', async () => {
    const mine = await newInvoice(h, segment);
    const alsoMine = await newInvoice(h, segment);
    const marcos = await newInvoice(h, segment, { collectorId: 'u-marco' });
    const before = await writesAbout([mine, alsoMine, marcos]);
    const promisedDate = isoDaysFromToday(7);

    const mixed = await bulk(
      'collector',
      { action: 'promise', invoiceIds: [mine.invoiceId, alsoMine.invoiceId], promisedDate },
      uniq('k'),
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.fields[0]).toMatchObject({ path: 'invoiceIds', code: 'mixed_customers' });

    const unknown = await bulk(
      'collector',
      { action: 'pause', invoiceIds: [mine.invoiceId, 'FT-NOPE-0000'], reason: 'x' },
      uniq('k'),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.fields).toEqual([
      expect.objectContaining({ path: 'invoiceIds.1', code: 'unknown_invoice', params: { id: 'FT-NOPE-0000' } }),
    ]);

    const foreign = await bulk(
      'collector',
      { action: 'pause', invoiceIds: [mine.invoiceId, marcos.invoiceId], reason: 'x' },
      uniq('k'),
    );
    expect(foreign.status).toBe(403);

    const reassign = await bulk(
      'collector',
      { action: 'reassign', invoiceIds: [mine.invoiceId], collectorId: 'u-marco' },
      uniq('k'),
    );
    expect(reassign.status).toBe(403);

    const noKey = await bulk('collector', { action: 'pause', invoiceIds: [mine.invoiceId], reason: 'x' });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.fields[0]).toMatchObject({ path: 'Idempotency-Key', code: 'required' });

    const shapes: Array<[unknown, string]> = [
      [{ action: 'pause', invoiceIds: [mine.invoiceId], reason: 'x', actorId: 'someone' }, 'actorId'],
      [{ action: 'pause', invoiceIds: [], reason: 'x' }, 'invoiceIds'],
      [
        { action: 'pause', invoiceIds: Array.from({ length: BULK_MAX + 1 }, (_, i) => `FT-${i}`), reason: 'x' },
        'invoiceIds',
      ],
      [{ action: 'pause', invoiceIds: [mine.invoiceId, mine.invoiceId], reason: 'x' }, 'invoiceIds.1'],
      [{ action: 'launch', invoiceIds: [mine.invoiceId] }, 'action'],
      [{ action: 'promise', invoiceIds: [mine.invoiceId], promisedDate: '31/12/2026' }, 'promisedDate'],
    ];
    for (const [body, path] of shapes) {
      const res = await bulk('collector', body, uniq('k'));
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
    }
    expect(await writesAbout([mine, alsoMine, marcos])).toEqual(before);
    expect((await live(mine.workflowId)).paused).toBeNull();
  });

  it('reassigns the customers and the open tasks of the selection to another collector (credit manager)', async () => {
    const inv = await newInvoice(h, segment, { collectorId: 'u-giulia' });
    const task = await h.db.task.create({
      data: {
        idempotencyKey: uniq('bulk-test-task'),
        kind: 'CALL',
        status: 'OPEN',
        customerId: inv.customerId,
        invoiceId: inv.invoiceId,
        assigneeId: 'u-giulia',
        dueAt: new Date(),
      },
    });
    const notCollector = await bulk(
      'manager',
      { action: 'reassign', invoiceIds: [inv.invoiceId], collectorId: 'u-paolo' },
      uniq('k'),
    );
    expect(notCollector.status).toBe(400);
    expect(notCollector.body.error.fields[0]).toMatchObject({ path: 'collectorId', code: 'not_collector' });

    const res = await bulk(
      'manager',
      { action: 'reassign', invoiceIds: [inv.invoiceId], collectorId: 'u-marco' },
      uniq('k'),
    );
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ ok: true, tasksMoved: 1 });
    expect((await h.db.customer.findUniqueOrThrow({ where: { id: inv.customerId } })).collectorId).toBe('u-marco');
    expect((await h.db.task.findUniqueOrThrow({ where: { id: task.id } })).assigneeId).toBe('u-marco');
    // Giulia no longer reaches it; Marco does.
    expect((await bulk('collector', { action: 'export', invoiceIds: [inv.invoiceId], format: 'csv' })).status).toBe(
      403,
    );
    expect((await bulk('collector2', { action: 'export', invoiceIds: [inv.invoiceId], format: 'csv' })).status).toBe(
      200,
    );
  });

  it('sends one statement per customer however many of its invoices are selected', async () => {
    const customerId = uniq('CUST');
    const a = await newInvoice(h, segment, { customerId });
    const b = await newInvoice(h, segment, { customerId });
    const key = uniq('bulk-stmt');
    const res = await bulk('collector', { action: 'statement', invoiceIds: [a.invoiceId, b.invoiceId] }, key);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 0 });
    expect(res.body.results[0].requestKey).toBe(res.body.results[1].requestKey);
    const sends = () => h.db.auditEvent.count({ where: { action: 'customer.statement.send', entityId: a.customerId } });
    expect(await sends()).toBe(1);
    // The statement goes out through the customer workflow, once.
    await eventually(
      async () =>
        (await h.db.contactEvent.count({ where: { customerId: a.customerId, template: 'statement' } })) === 1 || null,
      60_000,
    );
  });

  it('exports the selection as an Italian CSV (; and decimal comma) and as XLSX', async () => {
    const inv = await newInvoice(h, segment, { amountMinor: 1_234_567 });
    const csv = await bulk('collector', { action: 'export', invoiceIds: [inv.invoiceId], format: 'csv', lang: 'it' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/fatture-\d{4}-\d{2}-\d{2}\.csv/);
    const lines = csv.text
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('Fattura;Codice cliente;Cliente;Fase;Valuta;Importo;Residuo;Scadenza;Giorni di ritardo');
    expect(lines[1]).toContain(`${inv.number};`);
    expect(lines[1]).toContain(';12345,67;12345,67;');
    // The stage in Italian words, not its code.
    const stage = (await h.db.invoice.findUniqueOrThrow({ where: { id: inv.invoiceId } })).stage as Stage;
    expect(lines[1]).toContain(`;${STAGE_NAMES.it[stage]};EUR;`);
    const xlsx = await bulk('manager', { action: 'export', invoiceIds: [inv.invoiceId], format: 'xlsx', lang: 'en' })
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(xlsx.status).toBe(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
  });
});
