/**
 * The intake on the real servers: the due date moved by the law's calendar (arts. 1187 and 2963 c.c.; holidays of
 * L. 260/1949; local holidays from SEGUGIO_EXTRA_HOLIDAYS) decides when the invoice is overdue, and the workflow
 * starts with what an operator reads in the Temporal UI (summary, details, InvoiceNumber).
 *
 * Worked example: due Sunday 1 November 2026 (also All Saints, a public holiday); Monday 2 November is configured as
 * a local holiday (`SEGUGIO_EXTRA_HOLIDAYS=11-02`), so the term ends on Tuesday 3 November and the invoice is overdue
 * from Wednesday 4 November 00:00 in Rome (2026-11-03T23:00:00Z) — not from 2 November as the raw date said.
 */
import request from 'supertest';
import { SA, invoiceWorkflowId } from '../../workflows/contract';
import { daysOverdue, todayIn } from '../../domain/time';
import { createTestPolicy, eventually, KEYS, secondsSettings, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
let segment: string;

beforeAll(async () => {
  h = await startHarness({ env: { SEGUGIO_EXTRA_HOLIDAYS: '11-02' } });
  segment = await createTestPolicy(h.db, {
    name: 'calendar',
    steps: [{ stage: 'CALL', offset: 'P30D', channels: ['TASK'], template: 'call' }],
    settings: secondsSettings,
  });
  await h.startWorker();
});

afterAll(async () => {
  await h?.close();
});

it('a due date on a Sunday, a holiday and a local holiday: overdue from the next business day', async () => {
  const number = uniq('FT-2026');
  const created = await request(h.app)
    .post('/v1/invoices')
    .set('Authorization', `Bearer ${KEYS.erp}`)
    .send({
      number,
      customer: { externalId: uniq('CUST'), name: 'Ferramenta Lombarda S.r.l.', language: 'it', segment },
      currency: 'EUR',
      amountMinor: 1_530_000,
      issueDate: '2026-10-02',
      dueDate: '2026-11-01',
    });
  expect(created.status).toBe(201);
  // Written with the row, in the intake's transaction, and the outbox marked once the workflow exists.
  const row = await h.db.invoice.findUniqueOrThrow({ where: { id: created.body.invoiceId } });
  expect(row.effectiveDueDate?.toISOString().slice(0, 10)).toBe('2026-11-03');
  expect(row.workflowStartedAt).not.toBeNull();
  const handle = h.client.workflow.getHandle(invoiceWorkflowId(created.body.invoiceId));
  const d = await handle.describe();
  expect(await d.staticSummary()).toBe(`${number} · OPEN · 15.300,00\u00a0€`);
  const details = await d.staticDetails();
  expect(details).toContain('due 2026-11-01, overdue from 2026-11-03T23:00:00.000Z');
  // Days overdue count from the moved date (3 November), not from the contractual one.
  expect(d.typedSearchAttributes.get(SA.daysOverdue)).toBe(daysOverdue('2026-11-03', todayIn('Europe/Rome')));
  expect(d.typedSearchAttributes.get(SA.invoiceNumber)).toBe(number);
  expect(d.typedSearchAttributes.get(SA.balance)).toBe(15_300);
  const found = await eventually(async () => {
    const n = await h.client.workflow.count(`InvoiceNumber = '${number}'`);
    return n.count === 1 ? n : null;
  }, 30_000);
  expect(found.count).toBe(1);
});

it('a CSV import writes each row with its term end and marks every started workflow', async () => {
  const prefix = uniq('FT-IMP');
  const customer = uniq('CUST');
  // Sunday 1 November (and All Saints) with the local holiday on Monday 2: 3 November. Friday 6 November stays.
  const dues = ['01/11/2026', '06/11/2026', '25/12/2026'];
  const lines = ['Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento'];
  dues.forEach((due, i) =>
    lines.push(`${prefix}-${i};${customer};Ferramenta Lombarda S.r.l.;100,00;02/10/2026;${due};${segment}`),
  );
  const res = await request(h.app)
    .post('/v1/imports?filename=calendar.csv')
    .set('Authorization', `Bearer ${KEYS.erp}`)
    .set('Content-Type', 'text/csv')
    .send(`${lines.join('\n')}\n`);
  expect(res.status).toBe(202);
  const done = await eventually(async () => {
    const r = await request(h.app).get(`/v1/imports/${res.body.importId}`).set('Authorization', `Bearer ${KEYS.erp}`);
    return r.body.status === 'COMPLETED' ? r.body : null;
  }, 60_000);
  expect(done).toMatchObject({ acceptedRows: 3, startedWorkflows: 3 });
  const rows = await h.db.invoice.findMany({
    where: { externalNumber: { startsWith: `${prefix}-` } },
    orderBy: { externalNumber: 'asc' },
  });
  expect(rows.map((r) => r.effectiveDueDate?.toISOString().slice(0, 10))).toEqual([
    '2026-11-03',
    '2026-11-06',
    // Christmas (Friday) and St Stephen (Saturday), then Sunday: Monday 28 December.
    '2026-12-28',
  ]);
  expect(rows.every((r) => r.workflowStartedAt !== null)).toBe(true);
  // The workflow was started with the very date the row holds.
  const details = await (await h.client.workflow.getHandle(invoiceWorkflowId(rows[0].id)).describe()).staticDetails();
  expect(details).toContain('due 2026-11-01, overdue from 2026-11-03T23:00:00.000Z');
});
