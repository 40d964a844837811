/**
 * Bulk import end to end: a CSV with Italian headers, decimal commas and dd/mm/yyyy dates is uploaded, an import
 * workflow validates it row by row, starts the invoice workflows and records rejected rows with line and reason;
 * the same file again starts nothing; a refused header writes nothing; XLSX works too; a worker restart mid-import
 * loses and duplicates nothing.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { as, quietSegment, snapshot } from './api-helpers';
import { eventually, KEYS, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(300_000);

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

const future = (days: number): string => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
};

function italianCsv(prefix: string): { csv: string; numbers: string[] } {
  const numbers = [1, 2, 3, 4, 5, 6].map((i) => `${prefix}-${i}`);
  const lines = [
    'Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento;Operatore;Email',
    `${numbers[0]};${prefix}-C1;Rossi S.r.l.;1.220,00;01/09/2026;${future(-5)};${segment};u-giulia;amm@rossi.example`,
    `${numbers[1]};${prefix}-C1;Rossi S.r.l.;350,50;01/09/2026;${future(10)};${segment};u-giulia;amm@rossi.example`,
    `${numbers[2]};${prefix}-C2;"Bianchi; Figli S.n.c.";99;02/09/2026;${future(-1)};${segment};u-marco;`,
    `${numbers[3]};${prefix}-C3;Verdi S.p.A.;-10,00;01/09/2026;${future(3)};${segment};;`, // line 5: negative
    '',
    `${numbers[4]};${prefix}-C4;Neri S.r.l.;100,00;01/09/2026;31/02/2026;${segment};;`, // line 7: impossible date
    `${numbers[5]};${prefix}-C5;Gialli S.r.l.;100,00;01/09/2026;${future(3)};${segment};u-nobody;`, // line 8: unknown collector
  ];
  return { csv: `${lines.join('\r\n')}\r\n`, numbers };
}

const workflowsOf = (numbers: string[]) =>
  h.db.invoice.findMany({ where: { externalNumber: { in: numbers } } }).then((rows) => rows.map((r) => r.workflowId));

async function waitDone(importId: string, timeoutMs = 60_000) {
  return eventually(async () => {
    const r = await as(h, 'erp').get(`/v1/imports/${importId}`);
    return r.body.status === 'COMPLETED' ? r : null;
  }, timeoutMs);
}

describe('bulk import', () => {
  it('imports a CSV, records rejected rows with line and reason, and starts each workflow once', async () => {
    const prefix = uniq('IMP');
    const { csv, numbers } = italianCsv(prefix);
    const res = await as(h, 'erp').post('/v1/imports?filename=export.csv').set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/v1/imports/${res.body.importId}`);
    const done = await waitDone(res.body.importId as string);
    expect(done.body).toMatchObject({
      totalRows: 6,
      acceptedRows: 3,
      rejectedRows: 3,
      startedWorkflows: 3,
      filename: 'export.csv',
    });
    expect(done.body.rejections.map((r: { line: number }) => r.line)).toEqual([5, 7, 8]);
    expect(done.body.rejections[0].reason).toMatch(/Importo: must not be negative/);
    expect(done.body.rejections[1].reason).toMatch(/Scadenza: '31\/02\/2026' is not a real calendar date/);
    expect(done.body.rejections[2].reason).toMatch(/unknown user 'u-nobody'/);

    const rows = await h.db.invoice.findMany({
      where: { externalNumber: { in: numbers } },
      include: { customer: true },
    });
    expect(rows.map((r) => r.externalNumber).sort()).toEqual(numbers.slice(0, 3).sort());
    const bianchi = rows.find((r) => r.externalNumber === numbers[2]);
    expect(bianchi?.customer.name).toBe('Bianchi; Figli S.n.c.');
    expect(Number(rows.find((r) => r.externalNumber === numbers[0])?.amountMinor)).toBe(122_000);
    for (const wf of await workflowsOf(numbers)) {
      const d = await h.client.workflow.getHandle(wf).describe();
      expect(d.status.name).toBe('RUNNING');
    }

    // The same bytes again: the existing import, nothing new started.
    const before = await snapshot(h);
    const again = await as(h, 'erp').post('/v1/imports').attach('file', Buffer.from(csv), 'copy.csv');
    expect(again.status).toBe(200);
    expect(again.body.importId).toBe(res.body.importId);
    expect(await snapshot(h)).toEqual(before);

    // The same invoices in a different file: accepted, but no workflow starts twice.
    const reordered = csv.replace('\r\n', '\r\n\r\n');
    const second = await as(h, 'manager').post('/v1/imports').attach('file', Buffer.from(reordered), 'reordered.csv');
    expect(second.status).toBe(202);
    const secondDone = await waitDone(second.body.importId as string);
    expect(secondDone.body).toMatchObject({ acceptedRows: 3, rejectedRows: 3, startedWorkflows: 0 });
    expect((await snapshot(h)).workflows).toBe(before.workflows + 1); // only the import workflow itself
  });

  it('refuses a file whose header lacks required columns (400 naming them) and writes nothing', async () => {
    const before = await snapshot(h);
    const res = await as(h, 'erp')
      .post('/v1/imports')
      .set('Content-Type', 'text/csv')
      .send('numero;cliente\nFT-1;Rossi\n');
    expect(res.status).toBe(400);
    const messages = (res.body.error.fields as Array<{ path: string; message: string }>)
      .map((f) => f.message)
      .join('\n');
    expect(messages).toMatch(/missing column for customerId/);
    expect(messages).toMatch(/missing column for amount/);
    expect(await snapshot(h)).toEqual(before);
    const empty = await as(h, 'erp').post('/v1/imports').set('Content-Type', 'text/csv').send('');
    expect(empty.status).toBe(400);
    const json = await as(h, 'erp').post('/v1/imports').send({ file: 'x' });
    expect(json.status).toBe(400);
    const noFile = await as(h, 'erp').post('/v1/imports').field('other', 'x');
    expect(noFile.status).toBe(400);
    expect(await snapshot(h)).toEqual(before);
    expect((await as(h, 'collector').post('/v1/imports').set('Content-Type', 'text/csv').send('a')).status).toBe(403);
    expect((await as(h, 'erp').get('/v1/imports/not-an-id')).status).toBe(404);
  });

  it('imports an XLSX workbook with English headers and Excel dates', async () => {
    const prefix = uniq('XLS');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Invoices');
    ws.addRow(['invoice_number', 'customer_code', 'customer_name', 'amount', 'issue_date', 'due_date', 'segment']);
    const due = new Date();
    due.setUTCDate(due.getUTCDate() + 20);
    ws.addRow([`${prefix}-1`, `${prefix}-C`, 'Acme Ltd', 1234.5, new Date(Date.UTC(2026, 8, 1)), due, segment]);
    ws.addRow([`${prefix}-2`, `${prefix}-C`, 'Acme Ltd', 'abc', new Date(Date.UTC(2026, 8, 1)), due, segment]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await as(h, 'erp').post('/v1/imports').attach('file', buf, 'invoices.xlsx');
    expect(res.status).toBe(202);
    const done = await waitDone(res.body.importId as string);
    expect(done.body).toMatchObject({ totalRows: 2, acceptedRows: 1, rejectedRows: 1 });
    expect(done.body.rejections[0]).toMatchObject({ line: 3 });
    const row = await h.db.invoice.findUniqueOrThrow({ where: { externalNumber: `${prefix}-1` } });
    expect(Number(row.amountMinor)).toBe(123_450);
    expect(row.issueDate.toISOString().slice(0, 10)).toBe('2026-09-01');
  });

  it('resumes after a worker restart in the middle and starts nothing twice', async () => {
    const prefix = uniq('BIG');
    const n = 300;
    // Chunks of 40 rows: the worker restart falls after the first chunk and before the last.
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: h.config,
      log: createLogger('silent', 'test'),
      importChunkSize: 40,
    });
    const lines = ['invoice_number,customer_code,customer_name,amount,due_date,segment'];
    for (let i = 0; i < n; i++)
      lines.push(`${prefix}-${i},${prefix}-C${i % 40},Customer ${i % 40},${100 + i}.00,2026-12-31,${segment}`);
    const res = await request(app)
      .post('/v1/imports')
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .set('Content-Type', 'text/csv')
      .send(`${lines.join('\n')}\n`);
    expect(res.status).toBe(202);
    await eventually(
      async () => {
        const r = await h.db.import.findUnique({ where: { id: res.body.importId as string } });
        return r && r.totalRows > 0 ? r : null;
      },
      60_000,
      50,
    );
    await h.stopWorker();
    await h.startWorker();
    const done = await waitDone(res.body.importId as string, 150_000);
    expect(done.body).toMatchObject({ totalRows: n, acceptedRows: n, rejectedRows: 0 });
    expect(await h.db.invoice.count({ where: { externalNumber: { startsWith: `${prefix}-` } } })).toBe(n);
    const prefixed = `TaskQueue = '${h.taskQueue}' AND WorkflowType = 'invoiceWorkflow' AND Segment = '${segment}'`;
    // Visibility is eventually consistent: wait until it has caught up with every start.
    await eventually(async () => (await h.client.workflow.count(prefixed)).count >= n, 60_000, 500);
    const ids = new Set<string>();
    for await (const wf of h.client.workflow.list({
      query: `TaskQueue = '${h.taskQueue}' AND WorkflowType = 'invoiceWorkflow'`,
    })) {
      expect(ids.has(wf.workflowId)).toBe(false);
      ids.add(wf.workflowId);
    }
  });
});
