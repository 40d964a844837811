/**
 * Honest rates (docs/channels.md, "Reference rates"): the ECB rate of H2 2026 is not in the bundled table and is never
 * invented. The API says the half-year is provisional and names the rate used; a manager task opens on the 5th
 * working day of the half-year (Tuesday 7 July 2026) and only once; a rate is entered through the API or the CLI
 * with its source, validated (bad input → 400 naming the field, nothing written) and audited, and entering it closes
 * the task. The schedule runs the check on a real worker.
 */
import { Client, Connection } from '@temporalio/client';
import { ensureReferenceRateTask, rateTaskKey } from '../../contexts/rates/service';
import { REFERENCE_RATE_SCHEDULE_ID, reportScheduleOptions } from '../../contexts/reports/schedules';
import { ratesCommand, RatesUsageError } from '../../scripts/rates-command';
import { as, snapshot } from './api-helpers';
import { startHarness, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  // The test-only H2 2026 row must not outlive this file: the shared database would then hold an invented rate.
  await h?.db.referenceRate.deleteMany({ where: { source: { startsWith: 'TEST ONLY' } } });
  await h?.db.task.deleteMany({ where: { idempotencyKey: rateTaskKey('2026-07-01') } });
  await h?.close();
});

test('the API says H2 2026 is provisional and names the rate used', async () => {
  const res = await as(h, 'collector').get('/v1/reference-rates');
  expect(res.status).toBe(200);
  if (res.body.today >= '2026-07-01' && res.body.today < '2027-01-01') {
    expect(res.body.current).toEqual({
      periodStart: '2026-07-01',
      published: false,
      rateBp: 215,
      usedFrom: '2026-01-01',
      statutoryRateBp: 1015,
    });
    expect(res.body.provisional).toBe(true);
  }
  expect(res.body.missing).toContain('2026-07-01');
  expect(res.body.rates.find((r: { validFrom: string }) => r.validFrom === '2026-07-01')).toBeUndefined();
});

test('the manager task opens on the 5th working day of July 2026, once, and closes when the rate is entered', async () => {
  await h.db.task.deleteMany({ where: { idempotencyKey: rateTaskKey('2026-07-01') } });
  // 1, 2, 3, 6 July are working days 1–4; Tuesday 7 July is the 5th.
  expect(await ensureReferenceRateTask(h.db, '2026-07-06')).toMatchObject({ opensOn: '2026-07-07', opened: false });
  expect(await ensureReferenceRateTask(h.db, '2026-07-07')).toMatchObject({ published: false, opened: true });
  expect(await ensureReferenceRateTask(h.db, '2026-07-20')).toMatchObject({ opened: false });
  const tasks = await h.db.task.findMany({ where: { idempotencyKey: rateTaskKey('2026-07-01') } });
  expect(tasks).toHaveLength(1);
  expect(tasks[0]).toMatchObject({ kind: 'ENTER_REFERENCE_RATE', status: 'OPEN', customerId: null });
  expect(tasks[0].note).toContain('PUT /v1/reference-rates/2026-07-01');

  // The managers' agenda lists it (a task about no customer).
  const agenda = await as(h, 'manager').get('/v1/agenda?collector=unassigned&pageSize=200');
  expect(agenda.status).toBe(200);
  const item = agenda.body.items.find((i: { taskId: string }) => i.taskId === tasks[0].id);
  expect(item).toMatchObject({ kind: 'ENTER_REFERENCE_RATE', customer: null, invoice: null });

  // Refused requests name the field and write nothing.
  const before = await snapshot(h);
  const cases: Array<[string, unknown, string]> = [
    ['2026-07-01', { rateBp: 2.15, source: 'G.U. Serie Generale n. 1' }, 'rateBp'],
    ['2026-07-01', { rateBp: 215 }, 'source'],
    ['2026-07-01', { rateBp: 215, source: 'G.U. Serie Generale n. 1', verified: true }, ''],
    ['2026-03-01', { rateBp: 215, source: 'G.U. Serie Generale n. 1' }, 'validFrom'],
    ['2027-07-01', { rateBp: 215, source: 'G.U. Serie Generale n. 1' }, 'validFrom'],
  ];
  for (const [validFrom, body, field] of cases) {
    const bad = await as(h, 'admin')
      .put(`/v1/reference-rates/${validFrom}`)
      .send(body as object);
    expect(bad.status).toBe(400);
    if (field) expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
  }
  expect(
    (
      await as(h, 'collector')
        .put('/v1/reference-rates/2026-07-01')
        .send({ rateBp: 1, source: 'x'.repeat(9) })
    ).status,
  ).toBe(403);
  expect(await snapshot(h)).toEqual(before);
  await expect(
    ratesCommand(h.db, ['set', '2026-07-01'], { bp: 'abc', source: 'short' }, '2026-07-20'),
  ).rejects.toMatchObject({
    fields: expect.arrayContaining([
      expect.objectContaining({ path: '--bp' }),
      expect.objectContaining({ path: '--source' }),
    ]),
  });
  await expect(ratesCommand(h.db, ['set', '2026-07-01'], {}, '2026-07-20')).rejects.toBeInstanceOf(RatesUsageError);
  expect(await snapshot(h)).toEqual(before);

  // A test-only figure (not the published rate, which this project does not know) entered through the CLI.
  const printed: string[] = [];
  await ratesCommand(
    h.db,
    ['set', '2026-07-01'],
    { bp: '999', source: 'TEST ONLY: not the published figure' },
    '2026-07-20',
    (l) => printed.push(l),
  );
  expect(printed[0]).toBe('entered 2026-07-01: 9.99% (TEST ONLY: not the published figure); closed 1 open task');
  const closed = await h.db.task.findUniqueOrThrow({ where: { idempotencyKey: rateTaskKey('2026-07-01') } });
  expect(closed).toMatchObject({ status: 'DONE', outcome: expect.objectContaining({ rateBp: 999, enteredBy: 'cli' }) });
  const audited = await h.db.auditEvent.findFirst({
    where: { action: 'reference-rate.put', entityId: '2026-07-01' },
    orderBy: { at: 'desc' },
  });
  expect(audited).toMatchObject({ actorId: 'cli', after: expect.objectContaining({ rateBp: 999 }) });
  expect(await ensureReferenceRateTask(h.db, '2026-07-21')).toMatchObject({ published: true, opened: false });

  // A correction through the API: 200, audited with before and after.
  const fixed = await as(h, 'admin')
    .put('/v1/reference-rates/2026-07-01')
    .send({ rateBp: 998, source: 'TEST ONLY: corrected, still not the published figure' });
  expect(fixed.status).toBe(200);
  expect(fixed.body).toMatchObject({
    created: false,
    before: { rateBp: 999 },
    after: { rateBp: 998, origin: 'entered' },
  });
  const apiAudit = await h.db.auditEvent.findFirst({
    where: { action: 'reference-rate.put', entityId: '2026-07-01', role: 'admin' },
    orderBy: { at: 'desc' },
  });
  expect(apiAudit).toMatchObject({
    before: expect.objectContaining({ rateBp: 999 }),
    after: expect.objectContaining({ rateBp: 998 }),
  });
  await h.db.referenceRate.deleteMany({ where: { source: { startsWith: 'TEST ONLY' } } });
});

test('the schedule starts the daily check on a worker', async () => {
  const options = reportScheduleOptions(h.taskQueue).find((o) => o.scheduleId === REFERENCE_RATE_SCHEDULE_ID)!;
  expect(options.spec.calendars).toEqual([{ hour: 8, minute: 0 }]);
  await h.startWorker();
  const connection = await Connection.connect({ address: h.config.TEMPORAL_ADDRESS });
  const client = new Client({ connection });
  try {
    const result = await client.workflow.execute('referenceRateReminderWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: `rate-check-${Date.now()}`,
    });
    expect(result).toMatchObject({ periodStart: expect.stringMatching(/^\d{4}-(01|07)-01$/) });
  } finally {
    await connection.close();
  }
});
