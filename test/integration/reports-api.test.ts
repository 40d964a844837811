/**
 * The reports router mounted on a small express app (real authentication, real PostgreSQL): JSON, CSV and XLSX
 * exports, validation errors naming the field, roles, the monthly PDF, the simulation endpoint, and the Temporal
 * Schedules created idempotently on the test stack's dev server.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createReportActivities } from '../../activities/reports';
import ExcelJS from 'exceljs';
import express, { type Express } from 'express';
import request from 'supertest';
import { authenticate } from '../../contexts/access/auth';
import { errorHandler, notFoundHandler } from '../../api/errors';
import { reportsRouter } from '../../api/routes/reports';
import { createDb, type Db } from '../../infra/db';
import { createLogger } from '../../infra/logger';
import {
  ensureNightlySchedules,
  MONTHLY_SNAPSHOT_SCHEDULE_ID,
  NIGHTLY_RATINGS_SCHEDULE_ID,
  REFERENCE_RATE_SCHEDULE_ID,
} from '../../contexts/reports/schedules';
import { writeMonthlySnapshot } from '../../contexts/reports/snapshots';
import { addDays } from '../../contexts/reports/formulas';
import { todayIn } from '../../domain/time';
import { KEYS, quietLogger, uniq } from './harness';
import { seedWorkedExample, type Fixture } from './reports-fixture';

jest.setTimeout(120_000);

let db: Db;
let app: Express;
let fx: Fixture;
const auth = { Authorization: `Bearer ${KEYS.manager}` };

beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL ?? '', 4);
  fx = await seedWorkedExample(db);
  app = express();
  app.use(express.json());
  app.use('/v1', authenticate(db));
  app.use(reportsRouter({ db }));
  app.use(notFoundHandler);
  app.use(errorHandler(createLogger('silent', 'reports-test')));
});
afterAll(async () => {
  await db?.$disconnect();
});

/** supertest parser that keeps a binary answer (XLSX, PDF) as a Buffer. */
const binaryBody = (r: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

const march = (extra = '') => `from=2025-03-01&to=2025-03-31&segment=${fx.segment}${extra}`;

test('DSO as JSON, grouped by area', async () => {
  const res = await request(app)
    .get(`/v1/reports/dso?${march('&groupBy=area')}`)
    .set(auth)
    .expect(200);
  expect(res.body.period).toEqual({ from: '2025-03-01', to: '2025-03-31' });
  expect(res.body.total).toMatchObject({ dso: 40.3, cei: 44.4, add: 15.5, countBackDso: 52 });
  expect(res.body.groups.map((g: { key: string }) => g.key)).toEqual(['Nord', 'Sud']);
});

test("default periods end on the business's today (SEGUGIO_TZ), not UTC's", async () => {
  // UTC+14 and UTC−11 are always on different calendar days.
  const periods: Record<string, unknown> = {};
  for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
    const zoned = express();
    zoned.use(express.json());
    zoned.use('/v1', authenticate(db));
    zoned.use(reportsRouter({ db, timeZone }));
    const res = await request(zoned).get(`/v1/reports/dso?segment=${fx.segment}`).set(auth).expect(200);
    const to = todayIn(timeZone);
    expect(res.body.period).toEqual({ from: addDays(to, -89), to });
    periods[timeZone] = res.body.period;
  }
  expect(periods['Pacific/Kiritimati']).not.toEqual(periods['Pacific/Pago_Pago']);
});

test('legal assumptions stored by a manager apply to every reader; {} restores the defaults', async () => {
  const put = (body: object) => request(app).put('/v1/reports/legal/assumptions').set(auth).send(body);
  const legalCase = async () =>
    (await request(app).get(`/v1/reports/legal?segment=${fx.segment}&asOf=2025-03-31`).set(auth).expect(200)).body
      .cases[0];
  try {
    const initial = (await request(app).get('/v1/reports/legal/assumptions').set(auth).expect(200)).body;
    expect(initial.overrides).toEqual({});
    expect(initial.assumptions).toEqual(initial.defaults);
    expect(await legalCase()).toMatchObject({ invoiceId: fx.inv.I2, recommendation: 'STOP' });

    const bad = await put({ recoveryByPosition: { DIFFIDA: 2 }, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'colour',
      'recoveryByPosition.DIFFIDA',
    ]);

    // The firm's lawyer settles cheaply: the advice on I2 turns to going on, for the report and the 360 alike.
    const cheap = { stepCostMinor: { DECRETO_INGIUNTIVO: 10_000, PRECETTO: 5_000, PIGNORAMENTO: 10_000 } };
    const stored = await put(cheap).expect(200);
    expect(stored.body.changed).toBe(true);
    // The same again (a retry) changes nothing and audits nothing more.
    const audits = () => db.auditEvent.count({ where: { action: 'legal-assumptions.change' } });
    const audited = await audits();
    expect((await put(cheap).expect(200)).body.changed).toBe(false);
    expect(await audits()).toBe(audited);
    expect(stored.body.assumptions.stepCostMinor).toEqual({
      DIFFIDA: 15_000,
      DECRETO_INGIUNTIVO: 10_000,
      PRECETTO: 5_000,
      PIGNORAMENTO: 10_000,
    });
    expect(await legalCase()).toMatchObject({ expectedCostsMinor: 24_800, recommendation: 'GO_ON' });
    const after = (await request(app).get('/v1/reports/legal/assumptions').set(auth).expect(200)).body;
    expect(after).toMatchObject({ overrides: cheap, updatedBy: expect.any(String) });
    expect(
      await db.auditEvent.count({ where: { action: 'legal-assumptions.change', entityId: 'legal-assumptions' } }),
    ).toBeGreaterThanOrEqual(1);
  } finally {
    await put({}).expect(200);
  }
  expect(await legalCase()).toMatchObject({ recommendation: 'STOP' });
});

test('every KPI route answers for the worked example', async () => {
  const get = (path: string) => request(app).get(path).set(auth).expect(200);
  expect((await get(`/v1/reports/cei?${march()}`)).body.total.cei).toBe(44.4);
  expect((await get(`/v1/reports/aging?asOf=2025-03-31&segment=${fx.segment}`)).body.total.totalMinor).toBe(650_000);
  expect((await get(`/v1/reports/promises?${march()}`)).body.total.keptRate).toBe(33.3);
  expect((await get(`/v1/reports/disputes?${march()}`)).body.total.meanDaysToResolve).toBe(7.8);
  expect((await get(`/v1/reports/reasons?${march()}`)).body.total.recorded).toBe(3);
  expect((await get(`/v1/reports/pipeline?asOf=2025-03-31&segment=${fx.segment}`)).body.total.stages).toHaveLength(2);
  expect((await get(`/v1/reports/recovery?${march()}`)).body.total.stages[1].recoveryRate).toBe(50);
  const legal = (await get(`/v1/reports/legal?segment=${fx.segment}&asOf=2025-03-31`)).body;
  expect(legal.cases[0]).toMatchObject({ invoiceId: fx.inv.I2, recommendation: 'STOP' });
  // a lawyer who expects to settle cheaply: overriding the costs turns the advice around
  const cheap = encodeURIComponent(
    JSON.stringify({ stepCostMinor: { DECRETO_INGIUNTIVO: 10_000, PRECETTO: 5_000, PIGNORAMENTO: 10_000 } }),
  );
  const cheapCase = (await get(`/v1/reports/legal?segment=${fx.segment}&asOf=2025-03-31&assumptions=${cheap}`)).body
    .cases[0];
  expect(cheapCase).toMatchObject({ expectedCostsMinor: 24_800, recommendation: 'GO_ON' });
  const rating = (await request(app).post(`/v1/reports/ratings/${fx.c2}/recompute`).set(auth).send({}).expect(200))
    .body;
  expect(rating.rating).toMatch(/^[A-E]$/);
  expect(rating.factors.map((f: { factor: string }) => f.factor)).toEqual([
    'lateness',
    'promises',
    'disputes',
    'exposure',
    'trend',
  ]);
  expect((await get('/v1/reports/ratings')).body.grades).toBeDefined();
});

test('CSV export: header, total row first, money in minor units', async () => {
  const res = await request(app)
    .get(`/v1/reports/aging?asOf=2025-03-31&segment=${fx.segment}&groupBy=area&format=csv`)
    .set(auth)
    .expect(200);
  expect(res.headers['content-type']).toMatch(/text\/csv/);
  expect(res.headers['content-disposition']).toMatch(/aging\.csv/);
  const lines = res.text
    .replace(/^\ufeff/, '')
    .trim()
    .split('\r\n');
  expect(lines[0].split(',').slice(0, 3)).toEqual(['area', 'Not due balance', 'Not due invoices']);
  expect(lines[1].split(',').slice(0, 3)).toEqual(['TOTAL', '400000', '2']);
  expect(lines.slice(2).map((l) => l.split(',')[0])).toEqual(['Nord', 'Sud']);
});

test('XLSX export: typed cells, money in major units', async () => {
  const res = await request(app)
    .get(`/v1/reports/dso?${march('&format=xlsx')}`)
    .set(auth)
    .buffer(true)
    .parse(binaryBody)
    .expect(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  const headers = (ws.getRow(1).values as unknown[]).slice(1);
  expect(headers).toContain('DSO (standard)');
  expect(headers).toContain('Receivables at end (EUR)');
  const row = ws.getRow(2);
  expect(row.getCell(1).value).toBe('TOTAL');
  expect(row.getCell(headers.indexOf('Receivables at end (EUR)') + 1).value).toBe(6500);
  expect(row.getCell(headers.indexOf('DSO (standard)') + 1).value).toBe(40.3);
});

test('bad filters are a 400 naming the field; unknown parameters too', async () => {
  const bad = await request(app).get('/v1/reports/dso?from=2025-02-30').set(auth).expect(400);
  expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  expect(bad.body.error.fields[0].path).toBe('from');
  const order = await request(app).get('/v1/reports/dso?from=2025-04-01&to=2025-03-01').set(auth).expect(400);
  expect(order.body.error.fields[0].path).toBe('from');
  const group = await request(app).get('/v1/reports/aging?groupBy=planet').set(auth).expect(400);
  expect(group.body.error.fields[0].path).toBe('groupBy');
  const unknown = await request(app).get('/v1/reports/aging?colour=red').set(auth).expect(400);
  expect(JSON.stringify(unknown.body.error.fields)).toMatch(/colour/);
  const assumptions = await request(app)
    .get('/v1/reports/legal?assumptions=%7B%22maxProbability%22%3A2%7D')
    .set(auth)
    .expect(400);
  expect(assumptions.body.error.fields[0].path).toBe('assumptions.maxProbability');
});

test('managers and admins only', async () => {
  await request(app).get('/v1/reports/aging').expect(401);
  await request(app)
    .get('/v1/reports/aging')
    .set({ Authorization: `Bearer ${KEYS.collector}` })
    .expect(403);
  await request(app)
    .get('/v1/reports/aging')
    .set({ Authorization: `Bearer ${KEYS.erp}` })
    .expect(403);
  await request(app)
    .get(`/v1/reports/aging?segment=${fx.segment}`)
    .set({ Authorization: `Bearer ${KEYS.admin}` })
    .expect(200);
});

test('monthly PDF', async () => {
  await writeMonthlySnapshot(db, '2025-02');
  await writeMonthlySnapshot(db, '2025-03');
  const res = await request(app)
    .get(`/v1/reports/monthly.pdf?month=2025-03&segment=${fx.segment}`)
    .set(auth)
    .buffer(true)
    .parse(binaryBody)
    .expect(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  const pdf = res.body as Buffer;
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(5_000);
  await request(app).get('/v1/reports/monthly.pdf?month=2025-13').set(auth).expect(400);
});

test('what-if simulation over the API', async () => {
  const res = await request(app)
    .post('/v1/reports/simulate')
    .set(auth)
    .send({
      segment: fx.segment,
      months: 3,
      asOf: '2025-03-31',
      policy: {
        name: 'faster',
        steps: [{ stage: 'REMINDER', offset: 'P1D', channels: ['EMAIL', 'SMS'], template: 'reminder-1' }],
      },
    })
    .expect(200);
  expect(res.body).toMatchObject({ invoices: 5, baseline: { contacts: 3 } });
  const bad = await request(app)
    .post('/v1/reports/simulate')
    .set(auth)
    .send({
      months: 30,
      policy: { name: 'x', steps: [{ stage: 'REMINDER', offset: 'soon', channels: ['EMAIL'], template: 't' }] },
    })
    .expect(400);
  const paths = bad.body.error.fields.map((f: { path: string }) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['months', 'policy.steps.0.offset']));
});

test('nightly and monthly schedules are created once and updated after', async () => {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  const queue = uniq('reports-queue');
  try {
    const first = await ensureNightlySchedules(client, queue);
    const second = await ensureNightlySchedules(client, queue);
    expect(first.map((s) => s.scheduleId)).toEqual([
      NIGHTLY_RATINGS_SCHEDULE_ID,
      MONTHLY_SNAPSHOT_SCHEDULE_ID,
      REFERENCE_RATE_SCHEDULE_ID,
    ]);
    expect(second.every((s) => s.action === 'updated')).toBe(true);
    const nightly = await client.schedule.getHandle(NIGHTLY_RATINGS_SCHEDULE_ID).describe();
    expect(nightly.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'nightlyRatingsWorkflow',
      taskQueue: queue,
    });
    expect(nightly.spec.timezone).toBe('Europe/Rome');
  } finally {
    for (const id of [NIGHTLY_RATINGS_SCHEDULE_ID, MONTHLY_SNAPSHOT_SCHEDULE_ID, REFERENCE_RATE_SCHEDULE_ID]) {
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await connection.close();
  }
});

test('the scheduled workflows run on a worker: nightly ratings and the monthly snapshot', async () => {
  const queue = uniq('reports-wf');
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection: native,
    taskQueue: queue,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows/reports'),
      logger: quietLogger,
    }),
    activities: createReportActivities({ db, temporal: client }),
  });
  try {
    await worker.runUntil(async () => {
      const nightly = await client.workflow.execute('nightlyRatingsWorkflow', {
        taskQueue: queue,
        workflowId: uniq('wf-ratings'),
      });
      expect(nightly.customers).toBeGreaterThanOrEqual(2);
      const snap = await client.workflow.execute('monthlySnapshotWorkflow', {
        taskQueue: queue,
        workflowId: uniq('wf-snapshot'),
        args: [{ month: '2025-01' }],
      });
      expect(snap).toMatchObject({ month: '2025-01' });
      const one = await client.workflow.execute('recomputeRatingWorkflow', {
        taskQueue: queue,
        workflowId: uniq('wf-one'),
        args: [{ customerId: fx.c2 }],
      });
      expect(one.rating).toMatch(/^[A-E]$/);
    });
  } finally {
    await native.close();
    await connection.close();
  }
});
