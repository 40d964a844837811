/**
 * The backlog is work (issue 15): a CSV import through the real API, on a policy with entry bands, of invoices at
 * various ages. Each lands where its band says — 10 days overdue at the first reminder, 70 and 90 days at CALL, 150
 * days at the formal notice, 400 days in triage, a consumer's 150 days at the first reminder — with no skipped
 * reminder ever sent, and the collector's agenda lists the CALL and TRIAGE tasks ranked by amount × days overdue ×
 * risk. The triage is decided through the API (audited), refused twice, and the policy's bands are validated.
 * Real PostgreSQL, real Temporal dev server, real worker.
 */
import { invoiceStateQuery, type DunningPolicy } from '../../workflows/contract';
import { as, quietSegment } from './api-helpers';
import { eventually, isoDaysFromToday, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(300_000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await quietSegment(h);
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

const STEPS: DunningPolicy['steps'] = [
  { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
  { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL'], template: 'reminder-2' },
  { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
  { stage: 'FORMAL_NOTICE', offset: 'P7D', channels: ['EMAIL'], template: 'formal-notice' },
  { stage: 'LEGAL', offset: 'P15D', channels: ['TASK'], template: 'legal', requiresApproval: true },
];

const policyBody = (entryBands: unknown) => ({
  name: 'Backlog policy',
  steps: STEPS,
  // The CALL task is due when its outcome deadline ends: an hour, so it is on today's agenda (a run in the last hour
  // before midnight, Rome time, would see it tomorrow).
  settings: { ...secondsSettings, callOutcomeDeadline: 'PT1H', contactBudget: { max: 50, window: 'P1D' }, entryBands },
});

const BANDS = [
  { minDaysOverdue: 60, enterAt: 'CALL' },
  { minDaysOverdue: 120, enterAt: 'FORMAL_NOTICE' },
  { minDaysOverdue: 365, enterAt: 'TRIAGE' },
];

/** dd/mm/yyyy, `days` from today (negative: past), as an Italian ERP exports it. */
const dayMonthYear = (days: number): string => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
};

test('a CSV backlog enters the cadence by age band and the agenda ranks the resulting work', async () => {
  const segment = uniq('backlog').toLowerCase();
  const area = uniq('Area');

  // The policy through the API: a band at a stage the policy lacks is refused, naming it; then the real one.
  const refused = await as(h, 'manager')
    .put(`/v1/policies/${segment}`)
    .send(policyBody([{ minDaysOverdue: 60, enterAt: 'ORDER_BLOCK' }]));
  expect(refused.status).toBe(400);
  expect(refused.body.error.fields).toEqual([
    expect.objectContaining({
      path: 'settings.entryBands.0.enterAt',
      code: 'band_stage_missing',
      params: { stage: 'ORDER_BLOCK' },
    }),
  ]);
  const put = await as(h, 'manager').put(`/v1/policies/${segment}`).send(policyBody(BANDS));
  expect(put.status).toBe(201);
  expect(put.body.policy.settings.entryBands).toEqual(BANDS);

  // A consumer customer, known before the import (the CSV has no consumer column; the stored flag counts).
  const prefix = uniq('BKL');
  const consumerCode = `${prefix}-PRIV`;
  const first = await as(h, 'erp')
    .post('/v1/invoices')
    .send({
      number: `${prefix}-P0`,
      customer: {
        externalId: consumerCode,
        name: 'Mario Rossi',
        email: 'mario.rossi@example.it',
        language: 'it',
        segment,
        area,
        collectorId: 'u-giulia',
        consumer: true,
      },
      currency: 'EUR',
      amountMinor: 10_000,
      issueDate: isoDaysFromToday(0),
      dueDate: isoDaysFromToday(30),
    });
  expect(first.status).toBe(201);

  const rows: Array<{ n: string; customer: string; amount: string; dueInDays: number }> = [
    { n: 'A10', customer: 'C1', amount: '800,00', dueInDays: -10 },
    { n: 'B70', customer: 'C2', amount: '1.000,00', dueInDays: -70 },
    { n: 'C90', customer: 'C3', amount: '5.000,00', dueInDays: -90 },
    { n: 'D150', customer: 'C4', amount: '2.000,00', dueInDays: -150 },
    { n: 'E400', customer: 'C5', amount: '1.500,00', dueInDays: -400 },
    { n: 'F150', customer: 'PRIV', amount: '300,00', dueInDays: -150 },
  ];
  const header =
    'Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento;Area;Operatore;Email';
  const csv = [
    header,
    ...rows.map(
      (r) =>
        `${prefix}-${r.n};${prefix}-${r.customer};Cliente ${r.customer};${r.amount};${dayMonthYear(r.dueInDays - 30)};` +
        `${dayMonthYear(r.dueInDays)};${segment};${area};u-giulia;amm@${r.customer.toLowerCase()}.example`,
    ),
  ].join('\r\n');
  const upload = await as(h, 'erp').post('/v1/imports?filename=backlog.csv').set('Content-Type', 'text/csv').send(csv);
  expect(upload.status).toBe(202);
  const done = await eventually(async () => {
    const r = await as(h, 'erp').get(`/v1/imports/${upload.body.importId}`);
    return r.body.status === 'COMPLETED' ? r.body : null;
  }, 90_000);
  expect(done).toMatchObject({ acceptedRows: 6, rejectedRows: 0, startedWorkflows: 6 });

  const invoices = await h.db.invoice.findMany({ where: { externalNumber: { startsWith: `${prefix}-` } } });
  const byName = (n: string) => invoices.find((i) => i.externalNumber === `${prefix}-${n}`)!;
  const stateOf = (n: string) => h.client.workflow.getHandle(byName(n).workflowId).query(invoiceStateQuery);

  // Each lands at its band's stage (the mirror row, written by the workflow's records).
  const expected: Record<string, string> = {
    A10: 'REMINDER',
    B70: 'CALL',
    C90: 'CALL',
    D150: 'FORMAL_NOTICE',
    E400: 'OPEN',
    F150: 'REMINDER',
  };
  await eventually(async () => {
    const now = await h.db.invoice.findMany({ where: { externalNumber: { startsWith: `${prefix}-` } } });
    const stages = Object.fromEntries(
      Object.keys(expected).map((n) => [n, now.find((i) => i.externalNumber === `${prefix}-${n}`)?.stage]),
    );
    return JSON.stringify(stages) === JSON.stringify(expected) ? stages : null;
  }, 60_000);

  // Why, on the timeline (the mirror), and nothing skipped was ever sent.
  const timeline = async (n: string) =>
    (await h.db.timelineEntry.findMany({ where: { invoiceId: byName(n).id }, orderBy: { at: 'asc' } })).map(
      (e) => e.summary,
    );
  expect(await timeline('D150')).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^entered at FORMAL_NOTICE: 1[45]\d days overdue at intake \(policy band ≥ 120\); not sent: reminder-1, reminder-2, call$/,
      ),
    ]),
  );
  expect(await timeline('F150')).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^consumer invoice 1[45]\d days overdue at intake: the policy band ≥ 120 does not apply to consumers/,
      ),
    ]),
  );
  const templates = async (n: string) =>
    (await h.db.contactEvent.findMany({ where: { invoiceIds: { has: byName(n).id } } })).map((c) => c.template);
  await eventually(async () => ((await templates('D150')).includes('formal-notice') ? true : null), 30_000);
  expect(await templates('D150')).toEqual(['formal-notice']);
  expect(await templates('B70')).toEqual([]);
  expect(await templates('E400')).toEqual([]);
  expect((await stateOf('E400')).triage).toMatchObject({ minDaysOverdue: 365 });

  // The collector's agenda: the triage and the two calls, ranked by amount × days overdue × risk.
  const agenda = await eventually(async () => {
    const r = await as(h, 'collector').get(`/v1/agenda?area=${area}`);
    return r.status === 200 && r.body.items.length >= 3 ? r.body : null;
  }, 30_000);
  const items = agenda.items as Array<{ kind: string; priority: number; invoice: { number: string } | null }>;
  expect(items.map((i) => [i.kind, i.invoice?.number])).toEqual([
    ['TRIAGE', `${prefix}-E400`], // 1,500 × ~400
    ['CALL', `${prefix}-C90`], // 5,000 × ~90
    ['CALL', `${prefix}-B70`], // 1,000 × ~70
  ]);
  expect(items.map((i) => i.priority)).toEqual([...items.map((i) => i.priority)].sort((a, b) => b - a));

  // A call outcome cannot close the triage task: a person chooses where the invoice enters.
  const triageTask = (agenda.items as Array<{ taskId: string; kind: string }>).find((i) => i.kind === 'TRIAGE')!;
  const wrong = await as(h, 'collector').post(`/v1/tasks/${triageTask.taskId}/complete`).send({ outcome: 'REACHED' });
  expect(wrong.status).toBe(422);
  expect(wrong.body.error.reason).toBe('TRIAGE_NEEDS_CHOICE');

  // The triage decision: refused when the body is wrong (400), accepted and audited, refused a second time (422).
  const e400 = byName('E400');
  const bad = await as(h, 'collector').post(`/v1/invoices/${e400.id}/triage`).send({ enterAt: 'LEGAL' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields[0].path).toBe('enterAt');
  const chosen = await as(h, 'collector')
    .post(`/v1/invoices/${e400.id}/triage`)
    .send({ enterAt: 'FORMAL_NOTICE', note: 'no answer for a year' });
  expect(chosen.status).toBe(200);
  expect(chosen.body.state.triage).toBeNull();
  expect(
    await h.db.auditEvent.count({ where: { entityType: 'Invoice', entityId: e400.id, action: 'decision.triage' } }),
  ).toBe(1);
  const again = await as(h, 'collector').post(`/v1/invoices/${e400.id}/triage`).send({ enterAt: 'CALL' });
  expect(again.status).toBe(422);
  expect(again.body.error.reason).toBe('NO_TRIAGE_PENDING');
  await eventually(async () => {
    const [row, task] = await Promise.all([
      h.db.invoice.findUniqueOrThrow({ where: { id: e400.id } }),
      h.db.task.findUniqueOrThrow({ where: { id: triageTask.taskId } }),
    ]);
    return row.stage === 'FORMAL_NOTICE' && task.status === 'DONE' ? true : null;
  }, 30_000);
  expect(await timeline('E400')).toEqual(
    expect.arrayContaining([
      expect.stringMatching(
        /^entered at FORMAL_NOTICE: chosen in triage \(\d+ days overdue at intake\) — no answer for a year/,
      ),
    ]),
  );
});
