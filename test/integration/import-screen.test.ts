/**
 * The import as a person does it, on the real stack: a preview that reads the whole file and writes nothing (the
 * column mapping, the first rows as they would be stored, the refused rows as codes, the stored customers the file
 * would change, field by field); an upload made once per Idempotency-Key; progress that says QUEUED while the import
 * waits behind other work and then the real rate; and the rejected rows as a CSV with the file's own columns plus the
 * problem in the user's language, which imports once fixed. The stack is shared: every check filters to this file's
 * own rows (its prefix, its import ids).
 */
import crypto from 'node:crypto';
import { as, quietSegment } from './api-helpers';
import { eventually, startHarness, uniq, type Harness } from './harness';

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

const HEADER = 'Numero Fattura;Codice Cliente;Ragione Sociale;Partita IVA;Email;Importo;Scadenza;Segmento;Operatore';

/** A stored customer (through the API, as an ERP would), then a file that changes its name and e-mail. */
async function storedCustomer(prefix: string): Promise<string> {
  const externalId = `${prefix}-C1`;
  const res = await as(h, 'erp')
    .post('/v1/invoices')
    .send({
      number: `${prefix}-0`,
      customer: {
        externalId,
        name: 'Rossi S.r.l.',
        vatNumber: 'IT01234560969',
        email: 'amministrazione@rossi.example',
        segment,
      },
      currency: 'EUR',
      amountMinor: 10_000,
      issueDate: '2026-11-30',
      dueDate: '2026-12-31',
    });
  expect(res.status).toBe(201);
  return externalId;
}

function fileFor(prefix: string): string {
  return [
    HEADER,
    // line 2: the stored customer, with a new name and a new e-mail (the VAT number is the same)
    `${prefix}-1;${prefix}-C1;Rossi & Figli S.r.l.;IT01234560969;contabilita@rossi.example;1.220,00;31/12/2026;${segment};`,
    // line 3: a new customer
    `${prefix}-2;${prefix}-C2;Bianchi S.n.c.;;;350,50;15/01/2027;${segment};u-giulia`,
    // line 4: a negative amount
    `${prefix}-3;${prefix}-C3;Verdi S.p.A.;;;-10,00;15/01/2027;${segment};`,
    // line 5: an impossible date
    `${prefix}-4;${prefix}-C4;Neri S.r.l.;;;100,00;31/02/2026;${segment};`,
    // line 6: an unknown collector
    `${prefix}-5;${prefix}-C5;Gialli S.r.l.;;;100,00;15/01/2027;${segment};u-nobody`,
  ].join('\r\n');
}

const waitDone = (importId: string) =>
  eventually(async () => {
    const r = await as(h, 'manager').get(`/v1/imports/${importId}`);
    return r.body.status === 'COMPLETED' ? r : null;
  }, 90_000);

describe('import preview', () => {
  it('answers the mapping, the first rows, the refused rows and the customer changes, and writes nothing', async () => {
    const prefix = uniq('PRV');
    const customerId = await storedCustomer(prefix);
    const before = await h.db.customer.findUniqueOrThrow({ where: { externalId: customerId } });
    const csv = fileFor(prefix);
    const res = await as(h, 'manager')
      .post('/v1/imports/preview?rows=3')
      .attach('file', Buffer.from(csv), 'export.csv');
    expect(res.status).toBe(200);
    const p = res.body;
    expect(p).toMatchObject({
      filename: 'export.csv',
      delimiter: ';',
      totalRows: 5,
      acceptedRows: 2,
      rejectedRows: 3,
      newCustomers: 1,
      changedCustomers: 1,
      alreadyImported: false,
    });
    expect(p.columns.map((c: { name: string; field: string | null }) => [c.name, c.field])).toEqual([
      ['Numero Fattura', 'number'],
      ['Codice Cliente', 'customerId'],
      ['Ragione Sociale', 'customerName'],
      ['Partita IVA', 'vatNumber'],
      ['Email', 'email'],
      ['Importo', 'amount'],
      ['Scadenza', 'dueDate'],
      ['Segmento', 'segment'],
      ['Operatore', 'collectorId'],
    ]);
    // The first rows as they would be stored: money in minor units, ISO dates; a refused row carries its codes.
    expect(p.rows).toHaveLength(3);
    expect(p.rows[0]).toMatchObject({
      line: 2,
      ok: true,
      invoice: { number: `${prefix}-1`, amountMinor: 122_000, currency: 'EUR', dueDate: '2026-12-31' },
    });
    expect(p.rows[2]).toMatchObject({
      line: 4,
      ok: false,
      problems: [{ column: 'Importo', code: 'negative_amount', params: { value: '-10,00' } }],
    });
    // Every refused row of the file, with the same checks the import makes against what is stored.
    expect(
      p.errors.map((e: { line: number; problems: Array<{ code: string }> }) => [e.line, e.problems[0].code]),
    ).toEqual([
      [4, 'negative_amount'],
      [5, 'not_calendar_date'],
      [6, 'unknown_user'],
    ]);
    // The stored customer the file would change, field by field; the unchanged VAT number is not listed.
    expect(p.changes).toEqual([
      {
        customerId,
        storedName: 'Rossi S.r.l.',
        firstLine: 2,
        fields: [
          { field: 'name', column: 'Ragione Sociale', stored: 'Rossi S.r.l.', incoming: 'Rossi & Figli S.r.l.' },
          {
            field: 'email',
            column: 'Email',
            stored: 'amministrazione@rossi.example',
            incoming: 'contabilita@rossi.example',
          },
        ],
      },
    ]);

    // Nothing written: no import, no invoice, no customer of this file; the stored customer as it was.
    const sha256 = crypto.createHash('sha256').update(csv).digest('hex');
    expect(await h.db.import.findUnique({ where: { sha256 } })).toBeNull();
    expect(await h.db.invoice.count({ where: { externalNumber: { startsWith: `${prefix}-` } } })).toBe(1);
    expect(await h.db.customer.count({ where: { externalId: { startsWith: `${prefix}-` } } })).toBe(1);
    expect(await h.db.customer.findUniqueOrThrow({ where: { externalId: customerId } })).toEqual(before);
  });

  it('refuses a header without the required columns, naming them with a code', async () => {
    const res = await as(h, 'manager')
      .post('/v1/imports/preview')
      .set('Content-Type', 'text/csv')
      .send('numero;cliente\nFT-1;Rossi\n');
    expect(res.status).toBe(400);
    const fields = res.body.error.fields as Array<{ path: string; code: string; params: { field: string } }>;
    expect(fields.every((f) => f.path === 'file.header' && f.code === 'missing_column')).toBe(true);
    expect(fields.map((f) => f.params.field)).toEqual(expect.arrayContaining(['customerId', 'amount', 'dueDate']));
    expect(
      (await as(h, 'manager').post('/v1/imports/preview?rows=0').set('Content-Type', 'text/csv').send('a')).status,
    ).toBe(400);
    expect(
      (await as(h, 'manager').post('/v1/imports/preview?bogus=1').set('Content-Type', 'text/csv').send('a')).status,
    ).toBe(400);
    expect(
      (await as(h, 'collector').post('/v1/imports/preview').set('Content-Type', 'text/csv').send('a')).status,
    ).toBe(403);
  });
});

describe('import upload, progress and rejected rows', () => {
  it('is made once per Idempotency-Key, and refuses the key with another file', async () => {
    const prefix = uniq('IDK');
    const key = `upload-${prefix}`;
    const csv = fileFor(prefix);
    const first = await as(h, 'manager')
      .post('/v1/imports')
      .set('Idempotency-Key', key)
      .attach('file', Buffer.from(csv), 'a.csv');
    expect(first.status).toBe(202);
    const again = await as(h, 'manager')
      .post('/v1/imports')
      .set('Idempotency-Key', key)
      .attach('file', Buffer.from(csv), 'a.csv');
    expect(again.status).toBe(200);
    expect(again.body.importId).toBe(first.body.importId);
    const other = `${csv}\r\n${prefix}-9;${prefix}-C9;Blu S.r.l.;;;5,00;15/01/2027;${segment};`;
    const refused = await as(h, 'manager')
      .post('/v1/imports')
      .set('Idempotency-Key', key)
      .attach('file', Buffer.from(other), 'b.csv');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', fields: [{ path: 'Idempotency-Key' }] });
    const otherSha = crypto.createHash('sha256').update(other).digest('hex');
    expect(await h.db.import.findUnique({ where: { sha256: otherSha } })).toBeNull();
    const bad = await as(h, 'manager')
      .post('/v1/imports')
      .set('Idempotency-Key', 'not a key!')
      .attach('file', Buffer.from(other), 'b.csv');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('Idempotency-Key');
    await waitDone(first.body.importId as string);
  });

  it('says QUEUED behind the earlier import while no worker takes it, then reports the real rate', async () => {
    await h.stopWorker();
    const a = uniq('QA');
    const b = uniq('QB');
    const rows = (prefix: string, n: number) =>
      [
        'invoice_number,customer_code,customer_name,amount,due_date,segment',
        ...Array.from(
          { length: n },
          (_, i) => `${prefix}-${i},${prefix}-C${i % 7},Customer ${i % 7},${100 + i}.00,2026-12-31,${segment}`,
        ),
      ].join('\n');
    let first: string;
    let second: string;
    try {
      first = (await as(h, 'erp').post('/v1/imports?filename=a.csv').set('Content-Type', 'text/csv').send(rows(a, 60)))
        .body.importId as string;
      second = (await as(h, 'erp').post('/v1/imports?filename=b.csv').set('Content-Type', 'text/csv').send(rows(b, 40)))
        .body.importId as string;
      await new Promise((r) => setTimeout(r, 1500));
      const queued = await as(h, 'manager').get(`/v1/imports/${second}`);
      expect(queued.status).toBe(200);
      expect(queued.body.progress).toMatchObject({
        state: 'QUEUED',
        processedRows: 0,
        expectedRows: 40,
        ratePerSecond: null,
      });
      expect(queued.body.progress.queuedSeconds).toBeGreaterThanOrEqual(1);
      const ahead = queued.body.progress.queuedBehind.imports as Array<{ importId: string; remainingRows: number }>;
      expect(ahead).toContainEqual(expect.objectContaining({ importId: first, filename: 'a.csv', remainingRows: 60 }));
      expect(ahead.map((i) => i.importId)).not.toContain(second);
      // The tasks waiting on the queue, as the server reports them (its count is approximate, and may lag).
      expect(typeof queued.body.progress.queuedBehind.backlogTasks).toBe('number');
    } finally {
      await h.startWorker();
    }
    const done = await waitDone(second);
    const p = done.body.progress;
    expect(p).toMatchObject({
      state: 'COMPLETED',
      processedRows: 40,
      expectedRows: 40,
      percent: 100,
      queuedBehind: null,
    });
    // Queued at least the 1.5 s the worker was away; the rate counts only the time spent processing rows.
    expect(p.queuedSeconds).toBeGreaterThanOrEqual(1);
    expect(p.ratePerSecond).toBeGreaterThan(0);
    expect(p.processingSeconds).toBeGreaterThan(0);
    expect(p.ratePerSecond).toBeCloseTo(40 / p.processingSeconds, -1);
    await waitDone(first);
  });

  it('gives the rejected rows as a CSV in the user language, which imports once fixed', async () => {
    const prefix = uniq('REJ');
    await storedCustomer(prefix);
    const csv = fileFor(prefix);
    const res = await as(h, 'manager').post('/v1/imports').attach('file', Buffer.from(csv), 'export.csv');
    expect(res.status).toBe(202);
    const done = await waitDone(res.body.importId as string);
    expect(done.body).toMatchObject({ acceptedRows: 2, rejectedRows: 3 });
    expect(done.body.rejections[0]).toMatchObject({
      line: 4,
      problems: [{ column: 'Importo', code: 'negative_amount' }],
      record: [`${prefix}-3`, `${prefix}-C3`, 'Verdi S.p.A.', '', '', '-10,00', '15/01/2027', segment, ''],
    });

    const it = await as(h, 'manager').get(`/v1/imports/${res.body.importId}/rejections?lang=it`);
    expect(it.status).toBe(200);
    expect(it.headers['content-type']).toMatch(/text\/csv/);
    expect(it.headers['content-disposition']).toMatch(/export-rejected\.csv/);
    const itLines = it.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(itLines[0]).toBe(`${HEADER};Errore`);
    expect(itLines.slice(1)).toEqual([
      `${prefix}-3;${prefix}-C3;Verdi S.p.A.;;;-10,00;15/01/2027;${segment};;Importo: l'importo non può essere negativo (-10,00)`,
      `${prefix}-4;${prefix}-C4;Neri S.r.l.;;;100,00;31/02/2026;${segment};;Scadenza: '31/02/2026' non è una data del calendario`,
      `${prefix}-5;${prefix}-C5;Gialli S.r.l.;;;100,00;15/01/2027;${segment};u-nobody;Operatore: utente sconosciuto 'u-nobody'`,
    ]);
    const en = await as(h, 'manager').get(`/v1/imports/${res.body.importId}/rejections?lang=en`);
    const enLines = en.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(enLines[0]).toBe(`${HEADER.split(';').join(',')},Error`);
    expect(enLines[2]).toContain("Scadenza: '31/02/2026' is not a real calendar date");
    expect((await as(h, 'manager').get(`/v1/imports/${res.body.importId}/rejections?lang=de`)).status).toBe(400);

    // The person fixes the three rows in the file they downloaded and uploads it as it is (the error column too).
    const fixed = itLines
      .map((l, i) =>
        i === 0
          ? l
          : l.replace('-10,00', '10,00').replace('31/02/2026', '28/02/2027').replace(';u-nobody;', ';u-giulia;'),
      )
      .join('\r\n');
    const again = await as(h, 'manager').post('/v1/imports').attach('file', Buffer.from(fixed), 'export-rejected.csv');
    expect(again.status).toBe(202);
    const fixedDone = await waitDone(again.body.importId as string);
    expect(fixedDone.body).toMatchObject({ totalRows: 3, acceptedRows: 3, rejectedRows: 0 });
    expect(await h.db.invoice.count({ where: { externalNumber: { startsWith: `${prefix}-` } } })).toBe(6);
  });
});
