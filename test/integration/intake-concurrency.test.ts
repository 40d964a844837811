/**
 * The front door under concurrency and outages (issue 12): fifty concurrent first posts of one invoice, concurrent
 * payments, imports and ERP webhook deliveries naming one invoice, a Temporal outage at creation time repaired by the
 * intake-repair Schedule, updates that never erase, refused requests that write nothing, payment reference conflicts.
 * Real API, real worker, real PostgreSQL, real Temporal dev server.
 */
import { clientInterceptors } from '../../infra/temporal';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { signErpPayload } from '../../contexts/erp/signature';
import { createApp } from '../../api/app';
import { systemActor } from '../../contexts/access/audit';
import { bulkIntake, type BulkRow } from '../../contexts/intake/bulk';
import { newIntakeCache } from '../../contexts/intake/invoices';
import { ensureIntakeRepairSchedule } from '../../contexts/intake/schedule';
import { createLogger } from '../../infra/logger';
import { as, invoiceBody, quietSegment } from './api-helpers';
import { eventually, KEYS, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(300_000);

const ERP_SECRET = 'intake-test-secret';
let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness({ env: { ERP_INBOUND_SECRET: ERP_SECRET, TEMPORAL_CALL_TIMEOUT_MS: '1500' } });
  segment = await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

/** Every run of a workflow id in Temporal's visibility (closed and open). */
const runsOf = async (workflowId: string): Promise<number> => {
  let n = 0;
  for await (const _ of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n += 1;
  return n;
};
const auditsOf = (action: string, entityId: string) =>
  h.db.auditEvent.count({ where: { action, entityType: 'Invoice', entityId } });

function erpPost(app: Parameters<typeof request>[0], body: unknown) {
  const raw = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000);
  return request(app)
    .post('/v1/webhooks/erp')
    .set('content-type', 'application/json')
    .set('x-segugio-timestamp', String(ts))
    .set('x-segugio-signature', signErpPayload(ERP_SECRET, ts, raw))
    .send(raw);
}

describe('intake under concurrency', () => {
  it('fifty concurrent first posts of one invoice: one 201, forty-nine 200 with the same ids, one row, workflow and audit', async () => {
    const body = invoiceBody(segment);
    const answers = await Promise.all(Array.from({ length: 50 }, () => as(h, 'erp').post('/v1/invoices').send(body)));
    const statuses = answers.map((r) => r.status);
    console.log(
      '50 concurrent first posts:',
      JSON.stringify(statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {})),
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const created = answers.find((r) => r.status === 201)!.body;
    expect(created).toMatchObject({ created: true });
    for (const r of answers.filter((a) => a.status === 200)) {
      expect(r.body).toMatchObject({ created: false, invoiceId: created.invoiceId, workflowId: created.workflowId });
    }
    // Exactly one call started the workflow and says so: usually the creator, but a repeat that reads the committed
    // row before the creator's start may win it (each answer is truthful about what that call did).
    expect(answers.filter((r) => r.body.workflow === 'started')).toHaveLength(1);
    expect(await h.db.invoice.count({ where: { externalNumber: body.number } })).toBe(1);
    expect(await h.db.customer.count({ where: { externalId: body.customer.externalId } })).toBe(1);
    expect(await auditsOf('invoice.create', created.invoiceId)).toBe(1);
    await eventually(async () => (await runsOf(created.workflowId)) === 1);
    expect(await runsOf(created.workflowId)).toBe(1);
  });

  it('twenty concurrent posts of one payment: one 201, the rest 200 duplicates, one row and one audit event', async () => {
    const inv = await as(h, 'erp').post('/v1/invoices').send(invoiceBody(segment));
    const payment = { reference: uniq('BON'), amountMinor: 10_000, paidOn: '2026-11-20' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => as(h, 'erp').post(`/v1/invoices/${inv.body.invoiceId}/payments`).send(payment)),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(200)].map((s, i) => (i === 0 ? 201 : s)).sort());
    expect(await h.db.payment.count({ where: { invoiceId: inv.body.invoiceId, reference: payment.reference } })).toBe(
      1,
    );
    expect(await auditsOf('invoice.payment', inv.body.invoiceId)).toBe(1);
  });

  it('the same payment reference with another amount or date is a 409 naming the fields; the identical repeat 200', async () => {
    const inv = await as(h, 'erp').post('/v1/invoices').send(invoiceBody(segment));
    const url = `/v1/invoices/${inv.body.invoiceId}/payments`;
    const payment = { reference: uniq('BON'), amountMinor: 20_000, paidOn: '2026-11-20' };
    expect((await as(h, 'erp').post(url).send(payment)).status).toBe(201);
    const same = await as(h, 'erp').post(url).send(payment);
    expect(same.status).toBe(200);
    expect(same.body.duplicate).toBe(true);
    const other = await as(h, 'erp')
      .post(url)
      .send({ ...payment, amountMinor: 30_000, paidOn: '2026-11-21' });
    expect(other.status).toBe(409);
    expect(other.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['amountMinor', 'paidOn']);
    const row = await h.db.payment.findFirstOrThrow({ where: { reference: payment.reference } });
    expect(Number(row.amountMinor)).toBe(20_000);
  });

  it('concurrent ERP webhook deliveries of one payment record it once, audited as the ERP webhook', async () => {
    const inv = await as(h, 'erp').post('/v1/invoices').send(invoiceBody(segment));
    const event = {
      type: 'payment',
      invoiceId: inv.body.invoiceId,
      reference: uniq('WH'),
      amountMinor: 5_000,
      paidOn: '2026-11-19',
    };
    const answers = await Promise.all(Array.from({ length: 10 }, () => erpPost(h.app, { events: [event] })));
    expect(answers.map((r) => r.status).filter((s) => s !== 202)).toEqual([]);
    expect(await h.db.payment.count({ where: { reference: event.reference } })).toBe(1);
    const audits = await h.db.auditEvent.findMany({
      where: { action: 'invoice.payment', entityId: inv.body.invoiceId },
    });
    expect(audits).toHaveLength(1);
    expect(audits[0].actorId).toBe('erp-webhook');
  });

  it('two imports naming the same invoice, uploaded at once, create it once with one audit event', async () => {
    const number = uniq('IMP');
    const customer = uniq('IMPC');
    const header = 'Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento';
    const row = `${number};${customer};Rossi S.r.l.;100,00;01/09/2026;01/10/2026;${segment}`;
    const files = [
      `${header}\n${row}\n`,
      `${header}\n${row}\n${uniq('IMP')};${customer};Rossi S.r.l.;5,00;01/09/2026;01/10/2026;${segment}\n`,
    ];
    const uploads = await Promise.all(
      files.map((csv, i) => as(h, 'erp').post('/v1/imports').attach('file', Buffer.from(csv), `f${i}.csv`)),
    );
    for (const u of uploads) expect(u.status).toBeLessThan(300);
    for (const u of uploads)
      await eventually(
        async () => (await as(h, 'erp').get(`/v1/imports/${u.body.importId}`)).body.status === 'COMPLETED',
        60_000,
      );
    const rows = await h.db.invoice.findMany({ where: { externalNumber: number } });
    expect(rows).toHaveLength(1);
    expect(await auditsOf('invoice.create', rows[0].id)).toBe(1);
    await eventually(async () => (await runsOf(rows[0].workflowId)) === 1);
  });
});

describe('updates never erase, refusals write nothing', () => {
  it('a customer block with only externalId and name keeps the stored contact data; null clears', async () => {
    const first = invoiceBody(segment, { area: 'Nord' });
    expect((await as(h, 'erp').post('/v1/invoices').send(first)).status).toBe(201);
    const minimal = {
      ...invoiceBody(segment),
      customer: { externalId: first.customer.externalId, name: first.customer.name },
    };
    expect((await as(h, 'erp').post('/v1/invoices').send(minimal)).status).toBe(201);
    const c = await h.db.customer.findUniqueOrThrow({ where: { externalId: first.customer.externalId } });
    expect(c).toMatchObject({
      email: first.customer.email,
      vatNumber: first.customer.vatNumber,
      area: 'Nord',
      collectorId: 'u-giulia',
      segment,
    });
    const clear = { ...invoiceBody(segment), customer: { externalId: c.externalId, name: c.name, email: null } };
    expect((await as(h, 'erp').post('/v1/invoices').send(clear)).status).toBe(201);
    const after = await h.db.customer.findUniqueOrThrow({ where: { id: c.id } });
    expect(after.email).toBeNull();
    expect(after.vatNumber).toBe(first.customer.vatNumber);
  });

  it('a 409 on a number of another customer does not create the new customer', async () => {
    const first = invoiceBody(segment);
    expect((await as(h, 'erp').post('/v1/invoices').send(first)).status).toBe(201);
    const intruder = invoiceBody(segment, { number: first.number });
    const res = await as(h, 'erp').post('/v1/invoices').send(intruder);
    expect(res.status).toBe(409);
    expect(await h.db.customer.count({ where: { externalId: intruder.customer.externalId } })).toBe(0);
  });

  it('two imports racing for one number with two customers: one owns it, the other row is refused and leaves no customer', async () => {
    const deps = {
      db: h.db,
      temporal: h.client,
      taskQueue: h.taskQueue,
      timeZone: h.config.SEGUGIO_TZ,
      extraHolidays: [],
    };
    const row = (line: number, number: string, customer: string, area: string): BulkRow => ({
      line,
      invoice: {
        ...invoiceBody(segment, { number, customerId: customer, area }),
        currency: 'EUR',
      } as unknown as BulkRow['invoice'],
    });
    // Each round: two chunks reach the intake at the same moment, one number, a new customer on each side (before
    // the fix the loser's customer row stayed behind, created for a row the import then refused).
    for (let round = 0; round < 8; round++) {
      const number = uniq('RACE');
      const [x, y] = [uniq('RACEX'), uniq('RACEY')];
      const results = await Promise.all([
        bulkIntake(deps, [row(2, number, x, 'Nord')], newIntakeCache(), systemActor('import:race-x')),
        bulkIntake(deps, [row(2, number, y, 'Sud')], newIntakeCache(), systemActor('import:race-y')),
      ]);
      const invoice = await h.db.invoice.findUniqueOrThrow({
        where: { externalNumber: number },
        include: { customer: true },
      });
      const winner = invoice.customer.externalId === x ? 0 : 1;
      const loser = [x, y][1 - winner];
      expect(results[winner]).toMatchObject({ accepted: 1, rejections: [] });
      expect(results[1 - winner].accepted).toBe(0);
      expect(results[1 - winner].rejections).toEqual([
        {
          line: 2,
          reason: `number: invoice ${number} already belongs to another customer`,
          problems: [{ column: 'number', code: 'number_taken', params: { value: number } }],
        },
      ]);
      expect(await h.db.customer.count({ where: { externalId: loser } })).toBe(0);
      expect(await auditsOf('invoice.create', invoice.id)).toBe(1);
    }
  });

  it('a refused import row does not update its known customer, even when another intake takes its number meanwhile', async () => {
    const deps = {
      db: h.db,
      temporal: h.client,
      taskQueue: h.taskQueue,
      timeZone: h.config.SEGUGIO_TZ,
      extraHolidays: [],
    };
    const known = invoiceBody(segment, { area: 'Centro' });
    expect((await as(h, 'erp').post('/v1/invoices').send(known)).status).toBe(201);
    for (let round = 0; round < 4; round++) {
      const number = uniq('RACE');
      const rival = invoiceBody(segment, { number });
      const mine = {
        line: 2,
        invoice: {
          ...invoiceBody(segment, { number, customerId: known.customer.externalId, area: 'Isole' }),
          currency: 'EUR',
        },
      } as unknown as BulkRow;
      const [post, result] = await Promise.all([
        as(h, 'erp').post('/v1/invoices').send(rival),
        bulkIntake(deps, [mine], newIntakeCache(), systemActor('import:race')),
      ]);
      const owner = (
        await h.db.invoice.findUniqueOrThrow({ where: { externalNumber: number }, include: { customer: true } })
      ).customer.externalId;
      const stored = await h.db.customer.findUniqueOrThrow({ where: { externalId: known.customer.externalId } });
      if (owner === rival.customer.externalId) {
        expect(post.status).toBe(201);
        expect(result.accepted).toBe(0);
        expect(stored.area).not.toBe('Isole');
      } else {
        expect(post.status).toBe(409);
        expect(result.accepted).toBe(1);
        expect(await h.db.customer.count({ where: { externalId: rival.customer.externalId } })).toBe(0);
      }
      // Put the area back for the next round.
      await h.db.customer.update({ where: { id: stored.id }, data: { area: 'Centro' } });
    }
  });

  it('an unknown collector is a 400 and writes nothing', async () => {
    const body = invoiceBody(segment, { collectorId: 'u-nobody' });
    const res = await as(h, 'erp').post('/v1/invoices').send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].path).toBe('customer.collectorId');
    expect(await h.db.customer.count({ where: { externalId: body.customer.externalId } })).toBe(0);
  });
});

describe('a Temporal outage at creation time', () => {
  let down: { app: ReturnType<typeof createApp>; client: Client };
  beforeAll(async () => {
    // An API whose Temporal is unreachable (nothing listens on that port), the same database.
    const connection = Connection.lazy({ address: '127.0.0.1:1', interceptors: clientInterceptors() });
    const client = new Client({ connection, namespace: h.config.TEMPORAL_NAMESPACE });
    down = {
      client,
      app: createApp({ db: h.db, temporal: client, config: h.config, log: createLogger('silent', 'down') }),
    };
  });

  it('answers 202 pending within the deadline, audits once; the retry starts the workflow and says so', async () => {
    const body = invoiceBody(segment);
    const t0 = Date.now();
    const first = await request(down.app).post('/v1/invoices').set('Authorization', `Bearer ${KEYS.erp}`).send(body);
    const elapsed = Date.now() - t0;
    console.log(`creation with Temporal down: ${first.status} ${JSON.stringify(first.body)} in ${elapsed} ms`);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ created: true, workflow: 'pending' });
    expect(elapsed).toBeLessThan(5000);
    const payment = { reference: uniq('BON'), amountMinor: 1_000, paidOn: '2026-11-20' };
    const paid = await request(down.app)
      .post(`/v1/invoices/${first.body.invoiceId}/payments`)
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .send(payment);
    expect(paid.status).toBe(202);
    expect(paid.body).toMatchObject({ duplicate: false, pending: true });
    expect(await auditsOf('invoice.create', first.body.invoiceId)).toBe(1);
    expect(await auditsOf('invoice.payment', first.body.invoiceId)).toBe(1);
    expect(await runsOf(first.body.workflowId)).toBe(0);

    // Temporal is back: the ERP's retry is told it was not created now, but that this call started the workflow.
    const retry = await as(h, 'erp').post('/v1/invoices').send(body);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ created: false, workflow: 'started', invoiceId: first.body.invoiceId });
    const again = await as(h, 'erp').post(`/v1/invoices/${first.body.invoiceId}/payments`).send(payment);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, applied: true });
    expect(await auditsOf('invoice.create', first.body.invoiceId)).toBe(1);
    expect(await auditsOf('invoice.payment', first.body.invoiceId)).toBe(1);
    await eventually(async () => {
      const r = await as(h, 'erp').get(`/v1/invoices/${first.body.invoiceId}?live=true`);
      return r.body.source === 'workflow' && r.body.balanceMinor === body.amountMinor - 1_000;
    });
  });

  it('with no retry at all, the intake-repair Schedule starts the workflow and delivers the payment', async () => {
    const body = invoiceBody(segment);
    const first = await request(down.app).post('/v1/invoices').set('Authorization', `Bearer ${KEYS.erp}`).send(body);
    expect(first.status).toBe(202);
    const payment = { reference: uniq('BON'), amountMinor: 2_500, paidOn: '2026-11-20' };
    await request(down.app)
      .post(`/v1/invoices/${first.body.invoiceId}/payments`)
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .send(payment)
      .expect(202);
    const scheduleId = uniq('intake-repair');
    await ensureIntakeRepairSchedule(h.client, h.taskQueue, { everySeconds: 3600, graceSeconds: 0, scheduleId });
    try {
      await h.client.schedule.getHandle(scheduleId).trigger();
      const t0 = Date.now();
      await eventually(async () => {
        const p = await h.db.payment.findFirstOrThrow({ where: { reference: payment.reference } });
        return p.signalledAt !== null;
      }, 60_000);
      console.log(`repaired by the schedule in ${Date.now() - t0} ms`);
      const row = await h.db.invoice.findUniqueOrThrow({ where: { id: first.body.invoiceId } });
      expect(row.workflowStartedAt).not.toBeNull();
      await eventually(async () => {
        const r = await as(h, 'erp').get(`/v1/invoices/${first.body.invoiceId}?live=true`);
        return r.body.source === 'workflow' && r.body.balanceMinor === body.amountMinor - 2_500;
      });
      expect(await runsOf(first.body.workflowId)).toBe(1);
      expect(await auditsOf('invoice.create', first.body.invoiceId)).toBe(1);
    } finally {
      await h.client.schedule.getHandle(scheduleId).delete();
    }
  });

  it('reads fall back to the mirror and say so', async () => {
    const inv = await as(h, 'erp').post('/v1/invoices').send(invoiceBody(segment));
    const t0 = Date.now();
    const r = await request(down.app)
      .get(`/v1/invoices/${inv.body.invoiceId}`)
      .set('Authorization', `Bearer ${KEYS.manager}`);
    console.log(`read with Temporal down: ${r.status} source=${r.body.source} in ${Date.now() - t0} ms`);
    expect(r.status).toBe(200);
    expect(r.body.source).toBe('database');
  });
});
