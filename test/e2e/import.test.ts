/**
 * The import screen in a real browser (Debian's Chromium via playwright-core) against the real app, worker,
 * PostgreSQL and Temporal: a credit manager chooses a CSV, reads the preview (the column mapping, the first rows in
 * euro and in their locale's dates, the refused rows and the warning listing the stored customer the file would
 * change), must confirm those changes, imports, sees the import queued while no worker takes it and then finished,
 * and downloads the refused rows in their language. In Italian and English; axe-clean; screenshots as in
 * console.test.ts (.segugio/screenshots/, docs/screenshots/ with UPDATE_SCREENSHOTS=1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { quietSegment } from '../integration/api-helpers';
import { KEYS, uniq, type Harness } from '../integration/harness';
import type { Browser } from './browser';
import { describeBrowser, screenshots, signIn, startStack, type Stack } from './setup';

jest.setTimeout(240_000);

let stack: Stack;
let h: Harness;
let base: string;
let browser: Browser;
let segment: string;
let tmp: string;
const { shot, a11y } = screenshots();

/** A stored customer, then an export from the ERP that renames it and changes its e-mail, with two bad rows. */
async function exportFile(prefix: string): Promise<string> {
  const res = await request(h.app)
    .post('/v1/invoices')
    .set('Authorization', `Bearer ${KEYS.erp}`)
    .send({
      number: `${prefix}-0`,
      customer: {
        externalId: `${prefix}-OMB`,
        name: 'Officine Meccaniche Brianza S.r.l.',
        email: 'amministrazione@omb.example',
        segment,
      },
      currency: 'EUR',
      amountMinor: 500_000,
      issueDate: '2026-10-01',
      dueDate: '2026-12-31',
    });
  expect(res.status).toBe(201);
  const lines = [
    'Numero Fattura;Codice Cliente;Ragione Sociale;Email;Importo;Data Emissione;Scadenza;Segmento;Note',
    `${prefix}-1;${prefix}-OMB;OMB Officine Meccaniche S.p.A.;contabilita@omb.example;1.220,00;01/11/2026;31/12/2026;${segment};ordine 88`,
    `${prefix}-2;${prefix}-FLA;Ferramenta Lariana S.n.c.;;12.500,00;02/11/2026;15/01/2027;${segment};`,
    `${prefix}-3;${prefix}-TVP;Trasporti Val Padana S.p.A.;;7.800,00;03/11/2026;20/01/2027;${segment};`,
    `${prefix}-4;${prefix}-CAS;Caseificio Monte Baldo Soc. Coop.;;-40,00;03/11/2026;20/01/2027;${segment};nota di credito?`,
    `${prefix}-5;${prefix}-EDL;Edilizia Lombarda S.r.l.;;3.100,00;04/11/2026;31/02/2027;${segment};`,
  ];
  const file = path.join(tmp, `export-${prefix}.csv`);
  fs.writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

describeBrowser('import screen', () => {
  beforeAll(async () => {
    stack = await startStack();
    ({ h, base, browser } = stack);
    segment = await quietSegment(h);
    await h.startWorker();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-e2e-import-'));
  });

  afterAll(async () => {
    await stack?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('in Italian: preview with the customer-changes warning, confirm, queued, done, the refused rows to download', async () => {
    const prefix = uniq('IMPIT');
    const file = await exportFile(prefix);
    const page = await browser.context.newPage();
    await signIn(page, base, KEYS.manager);
    await page.waitForURL(/#\/tower/);
    await page.getByRole('link', { name: 'Importa' }).click();
    await page.waitForURL(/#\/import/);
    await page.getByLabel('File da importare (CSV o XLSX)').setInputFiles(file);
    await page.getByRole('button', { name: 'Mostra anteprima' }).click();
    await page.locator('#import-summary').waitFor();
    expect(await page.locator('#import-summary').textContent()).toBe(
      '5 righe: 3 da importare, 2 scartate · 2 clienti nuovi',
    );
    // The warning names the stored customer and each changed field, stored value and the file's.
    expect(await page.locator('#import-changes h3').textContent()).toBe(
      'Attenzione: questo file modifica i dati di 1 cliente già registrato',
    );
    const changes = await page.locator('#import-changes tbody tr').allTextContents();
    expect(changes[0]).toContain('Officine Meccaniche Brianza S.r.l.');
    expect(changes[0]).toContain('OMB Officine Meccaniche S.p.A.');
    expect(changes[1]).toBe('E-mailamministrazione@omb.examplecontabilita@omb.example');
    // The mapping: each column and what it is read as; a column the import does not read says so.
    const mapping = await page.locator('#import-mapping tbody tr').allTextContents();
    expect(mapping).toContain('ImportoImporto');
    expect(mapping).toContain('Data EmissioneData emissione');
    expect(mapping).toContain('Notenon letta');
    // The first rows as they will be stored: euro with Italian grouping, Italian dates; refused rows say why.
    const first = page.locator('#import-rows tr[data-line="3"] td');
    expect(await first.nth(3).textContent()).toBe('12.500,00\u00a0€');
    expect(await first.nth(4).textContent()).toBe('15 gen 2027');
    expect(await page.locator('#import-rows tr[data-line="5"] td').nth(5).textContent()).toBe(
      "Importo: l'importo non può essere negativo (-40,00)",
    );
    expect(await page.locator('#import-errors tr[data-line="6"] td').nth(1).textContent()).toBe(
      'Scadenza: «31/02/2027» non è una data del calendario',
    );
    await shot(page, 'import-preview.png');

    // Importing asks first for the changes to be confirmed.
    await page.getByRole('button', { name: 'Importa 3 righe' }).click();
    await page.getByText('Conferma di aver controllato le modifiche ai clienti prima di importare.').waitFor();
    await page.getByLabel('Ho controllato le modifiche ai clienti').check();
    // No worker for a moment: the import waits in the queue, and the screen says so instead of a bar at 0%.
    await h.stopWorker();
    try {
      await page.getByRole('button', { name: 'Importa 3 righe' }).click();
      await page.locator('#import-status', { hasText: 'In coda' }).waitFor();
      await page.waitForTimeout(1200);
      await shot(page, 'import-queued.png');
    } finally {
      await h.startWorker();
    }
    await page.locator('#import-status', { hasText: 'Importazione completata' }).waitFor({ timeout: 90_000 });
    expect(await page.locator('#import-status p').first().textContent()).toBe(
      'Importazione completata: 3 importate, 2 scartate, 3 fatture avviate.',
    );
    expect(await page.locator('#import-status p').nth(1).textContent()).toMatch(
      /^5 righe in [\d,]+ s di lavoro \([\d.]+ righe\/s\), dopo \d+ s in coda\.$/,
    );
    await shot(page, 'import-done.png');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Scarica le righe scartate (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`export-${prefix}-rejected.csv`);
    const text = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    const rows = text.trim().split('\r\n');
    expect(rows[0]).toBe(
      'Numero Fattura;Codice Cliente;Ragione Sociale;Email;Importo;Data Emissione;Scadenza;Segmento;Note;Errore',
    );
    expect(rows[1]).toBe(
      `${prefix}-4;${prefix}-CAS;Caseificio Monte Baldo Soc. Coop.;;-40,00;03/11/2026;20/01/2027;${segment};nota di credito?;Importo: l'importo non può essere negativo (-40,00)`,
    );
    expect(rows[2]).toContain("Scadenza: '31/02/2027' non è una data del calendario");
    // The stored customer now carries the file's data, as the warning said.
    const omb = await h.db.customer.findUniqueOrThrow({ where: { externalId: `${prefix}-OMB` } });
    expect(omb).toMatchObject({ name: 'OMB Officine Meccaniche S.p.A.', email: 'contabilita@omb.example' });
    await page.close();
  });

  it('in English: the same screen speaks English, with English money and dates', async () => {
    const prefix = uniq('IMPEN');
    const file = await exportFile(prefix);
    const page = await browser.context.newPage();
    await signIn(page, base, KEYS.manager);
    await page.waitForURL(/#\/tower/);
    await page.getByRole('button', { name: /^EN/ }).click();
    await page.goto(`${base}/console/#/import`);
    await page.getByLabel('File to import (CSV or XLSX)').setInputFiles(file);
    await page.getByRole('button', { name: 'Show preview' }).click();
    await page.locator('#import-summary').waitFor();
    expect(await page.locator('#import-summary').textContent()).toBe(
      '5 rows: 3 to import, 2 refused · 2 new customers',
    );
    expect(await page.locator('#import-changes h3').textContent()).toBe(
      'Warning: this file changes the data of 1 stored customer',
    );
    const first = page.locator('#import-rows tr[data-line="3"] td');
    expect(await first.nth(3).textContent()).toBe('€12,500.00');
    expect(await first.nth(4).textContent()).toBe('15 Jan 2027');
    expect(await page.locator('#import-errors tr[data-line="6"] td').nth(1).textContent()).toBe(
      'Scadenza: “31/02/2027” is not a real calendar date',
    );
    await shot(page, 'import-preview-en.png');
    await page.getByLabel('I have checked the changes to customers').check();
    await page.getByRole('button', { name: 'Import 3 rows' }).click();
    await page.locator('#import-status', { hasText: 'Import finished' }).waitFor({ timeout: 90_000 });
    expect(await page.locator('#import-status p').first().textContent()).toBe(
      'Import finished: 3 imported, 2 refused, 3 invoices started.',
    );
    await shot(page, 'import-done-en.png');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the refused rows (CSV)' }).click(),
    ]);
    const rows = fs
      .readFileSync((await download.path())!, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(rows[0].endsWith(',Error')).toBe(true);
    expect(rows[2]).toContain("Scadenza: '31/02/2027' is not a real calendar date");
    await page.close();
  });

  it('has no serious or critical WCAG 2.1 AA violation on the import screen (axe-core)', () => {
    expect(Object.keys(a11y).sort()).toEqual([
      'import-done-en.png',
      'import-done.png',
      'import-preview-en.png',
      'import-preview.png',
      'import-queued.png',
    ]);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  });
});
