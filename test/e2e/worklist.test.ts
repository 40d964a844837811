/**
 * A collector's day in Chromium against the real app, worker, PostgreSQL and Temporal dev server: the call outcome,
 * a note and the next callback recorded from the agenda row itself (keyboard only, the row updated in place, the
 * workflow opening the callback task), and actions on a selection of the invoice list — one promise covering three
 * invoices of a customer, split oldest first; a pause; an Italian CSV export — in Italian and English, each new UI
 * screenshotted and checked with axe. The stack is shared with the other e2e file: each test finds its own rows.
 */
import fs from 'node:fs';
import request from 'supertest';
import type { Page } from 'playwright-core';
import { invoiceStateQuery, type InvoiceState } from '../../workflows/contract';
import { zonedMidnight } from '../../domain/time';
import {
  createTestPolicy,
  eventually,
  isoDaysFromToday,
  KEYS,
  secondsSettings,
  uniq,
  type Harness,
} from '../integration/harness';
import { quietSegment } from '../integration/api-helpers';
import type { Browser } from './browser';
import { describeBrowser, screenshots, signIn, startStack, type Stack } from './setup';

jest.setTimeout(240_000);

let stack: Stack;
let h: Harness;
let base: string;
let browser: Browser;
let callSegment: string;
let quiet: string;

let seq = 5000 + Math.floor(Math.random() * 4000);
const nextNumber = (): string => `FT-2026-W${seq++}`;

async function createInvoice(opts: {
  segment: string;
  customer: string;
  name: string;
  dueInDays: number;
  amountMinor: number;
}): Promise<{ invoiceId: string; number: string; workflowId: string }> {
  const number = nextNumber();
  const res = await request(h.app)
    .post('/v1/invoices')
    .set('Authorization', `Bearer ${KEYS.erp}`)
    .send({
      number,
      customer: {
        externalId: opts.customer,
        name: opts.name,
        vatNumber: 'IT01234560969',
        email: 'amministrazione@cliente.example',
        phone: '+390392345678',
        language: 'it',
        segment: opts.segment,
        area: 'Nord',
        collectorId: 'u-giulia',
        salespersonId: 'u-paolo',
      },
      currency: 'EUR',
      amountMinor: opts.amountMinor,
      issueDate: isoDaysFromToday(opts.dueInDays - 30),
      dueDate: isoDaysFromToday(opts.dueInDays),
    });
  expect([200, 201]).toContain(res.status);
  return { invoiceId: res.body.invoiceId, number, workflowId: res.body.workflowId };
}

const live = (workflowId: string): Promise<InvoiceState> =>
  h.client.workflow.getHandle(workflowId).query(invoiceStateQuery);

const { shot, a11y } = screenshots();

/** The agenda row of `number`, paging on while more urgent tasks of other files come first. */
async function agendaRow(page: Page, number: string, next: RegExp) {
  await page.locator('#agenda-table').waitFor();
  const row = page.locator('#agenda-table tbody tr[data-task]', { hasText: number });
  for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
    await page.getByRole('button', { name: next }).click();
    await page.locator('#agenda-table').waitFor();
  }
  await row.waitFor();
  return row;
}

describeBrowser('the collector’s worklist', () => {
  beforeAll(async () => {
    stack = await startStack();
    ({ h, base, browser } = stack);
    callSegment = await createTestPolicy(h.db, {
      name: 'e2e worklist: a call at once, its outcome due a second later',
      steps: [{ stage: 'CALL', offset: 'PT1S', channels: ['TASK'], template: 'call' }],
      settings: { ...secondsSettings, callOutcomeDeadline: 'PT1S' },
    });
    quiet = await quietSegment(h);
    await h.startWorker();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('records a call outcome, a note and the next callback from the agenda row, in Italian and English', async () => {
    // Large and long overdue, so they rank near the top of Giulia's agenda.
    const it1 = await createInvoice({
      segment: callSegment,
      customer: uniq('AGD'),
      name: 'Autotrasporti Brembo S.r.l.',
      dueInDays: -95,
      amountMinor: 8_450_000,
    });
    const en1 = await createInvoice({
      segment: callSegment,
      customer: uniq('AGD'),
      name: 'Lavanderie Orobiche S.n.c.',
      dueInDays: -92,
      amountMinor: 7_980_000,
    });
    for (const inv of [it1, en1])
      await eventually(() =>
        h.db.task.findFirst({
          where: { invoiceId: inv.invoiceId, kind: 'CALL', status: 'OPEN', dueAt: { lt: new Date() } },
        }),
      );

    const page = await browser.context.newPage();
    await signIn(page, base, KEYS.collector);
    await page.waitForURL(/#\/agenda/);
    const row = await agendaRow(page, it1.number, /^Successiva$/);

    // Keyboard only: the row's button opens the form under it, the focus on its first field.
    await row.getByRole('button', { name: 'Registra esito' }).focus();
    await page.keyboard.press('Enter');
    const form = page.locator(`form[data-form="outcome"]`);
    await form.waitFor();
    expect(await row.getByRole('button', { name: 'Registra esito' }).getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('outcome');
    // Escape closes it and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('outcome');
    await page.keyboard.press('Enter');
    await form.waitFor();

    // CALLBACK asks for the next callback's date and time; a time in the past is refused in Italian, beside nothing
    // the server wrote.
    // Only what the outcome needs is shown: no callback, promise or dispute field for "Raggiunto".
    expect(await form.getByLabel('Prossima richiamata').isHidden()).toBe(true);
    expect(await form.getByLabel('Data promessa').isHidden()).toBe(true);
    await form.getByLabel('Esito').selectOption('CALLBACK');
    const callback = form.getByLabel('Prossima richiamata');
    await callback.waitFor();
    await form.getByLabel('Motivo del mancato pagamento').selectOption('LIQUIDITY');
    await form.getByLabel('Nota').fill('Il titolare richiama dopo il giro in banca');
    // 10:30 in two days where the browser is (Europe/Rome), whatever the zone of the machine running the test.
    const day = isoDaysFromToday(2);
    const when = new Date(zonedMidnight(day, 'Europe/Rome').getTime() + 10.5 * 3_600_000);
    // The field speaks Italian, not the browser's picker: gg/mm/aaaa hh:mm, tomorrow at this hour by default.
    expect(await callback.getAttribute('placeholder')).toBe('gg/mm/aaaa hh:mm');
    expect(await callback.inputValue()).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:00$/);
    // A date that does not exist is refused beside the field, in Italian, and nothing is sent.
    await callback.fill('31/02/2027 10:30');
    await form.getByRole('button', { name: 'Salva esito' }).click();
    expect(await form.locator('.field-error').textContent()).toBe('data non valida: scrivila come gg/mm/aaaa hh:mm');
    expect(await callback.getAttribute('aria-invalid')).toBe('true');
    expect((await h.db.task.findFirstOrThrow({ where: { invoiceId: it1.invoiceId, kind: 'CALL' } })).status).toBe(
      'OPEN',
    );
    const [y, mo, d] = day.split('-');
    await callback.fill(`${d}/${mo}/${y} 10:30`);
    await page.mouse.move(0, 0);
    await shot(page, 'agenda-outcome.png');
    await form.getByRole('button', { name: 'Salva esito' }).click();

    // The row updates in place: done, the outcome and the callback said where the button was; no navigation.
    await row.locator('.outcome-done').waitFor();
    expect(page.url()).toMatch(/#\/agenda/);
    expect(await row.locator('.outcome-done').textContent()).toMatch(
      /^Fatto: Richiamare prossima richiamata \d{2}\/\d{2}\/\d{2}, 10:30$/,
    );
    expect(await form.count()).toBe(0);
    // The workflow closed the call and opened the callback at that time, for Giulia.
    const done = await h.db.task.findFirstOrThrow({ where: { invoiceId: it1.invoiceId, kind: 'CALL' } });
    expect(done.status).toBe('DONE');
    expect(done.outcome).toMatchObject({ outcome: 'CALLBACK', reasonCode: 'LIQUIDITY' });
    const next = await eventually(() =>
      h.db.task.findFirst({ where: { invoiceId: it1.invoiceId, kind: 'CALLBACK', status: 'OPEN' } }),
    );
    expect(next.dueAt.toISOString()).toBe(when.toISOString());
    expect(next.assigneeId).toBe('u-giulia');
    const log = await h.db.contactEvent.findFirstOrThrow({ where: { idempotencyKey: `task:${done.id}:outcome` } });
    expect(log).toMatchObject({
      channel: 'CALL_LOG',
      outcome: 'CALLBACK',
      body: 'Il titolare richiama dopo il giro in banca',
    });

    // The same in English: the customer did not answer.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: "Today's agenda" }).waitFor();
    const rowEn = await agendaRow(page, en1.number, /^Next$/);
    await rowEn.getByRole('button', { name: 'Record outcome' }).click();
    const formEn = page.locator('form[data-form="outcome"]');
    await formEn.getByLabel('Outcome').selectOption('NO_ANSWER');
    expect(await formEn.getByLabel('Next callback').isHidden()).toBe(true);
    expect(await formEn.getByLabel('Next callback').getAttribute('placeholder')).toBe('dd/mm/yyyy hh:mm');
    await formEn.getByLabel('Note').fill('Voicemail, left a message');
    await page.mouse.move(0, 0);
    await shot(page, 'agenda-outcome-en.png');
    await formEn.getByRole('button', { name: 'Save outcome' }).click();
    await rowEn.locator('.outcome-done').waitFor();
    expect(await rowEn.locator('.outcome-done').textContent()).toBe('Done: No answer');
    expect((await h.db.task.findFirstOrThrow({ where: { invoiceId: en1.invoiceId, kind: 'CALL' } })).status).toBe(
      'DONE',
    );
    await shot(page, 'agenda-outcome-done-en.png');
    await page.getByRole('button', { name: 'Italiano' }).click();
    await page.close();
  });

  it('selects invoices of the list and acts on them: one promise for three, a pause, an Italian CSV', async () => {
    const code = uniq('BLK');
    const name = 'Officine Bergamasche Riunite S.p.A.';
    const newest = await createInvoice({ segment: quiet, customer: code, name, dueInDays: -5, amountMinor: 300_000 });
    const oldest = await createInvoice({ segment: quiet, customer: code, name, dueInDays: -40, amountMinor: 200_000 });
    const middle = await createInvoice({ segment: quiet, customer: code, name, dueInDays: -20, amountMinor: 250_000 });

    const page = await browser.context.newPage();
    await signIn(page, base, KEYS.collector);
    await page.waitForURL(/#\/agenda/);
    await page.goto(`${base}/console/#/invoices?q=${encodeURIComponent(code)}`);
    const rows = page.locator('#invoices-table tbody tr');
    await page.locator('nav.pager', { hasText: '3 risultati' }).waitFor();

    // Nothing selected: the actions wait; the page's checkbox selects the three.
    expect(await page.locator('.bulk-count').textContent()).toBe('Nessuna fattura selezionata');
    expect(await page.getByRole('button', { name: 'Promessa unica' }).isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: 'Seleziona tutte le fatture della pagina' }).check();
    expect(await page.locator('.bulk-count').textContent()).toBe('3 fatture selezionate');
    expect(await rows.locator('input[type=checkbox]:checked').count()).toBe(3);

    // One promise for the three, with a total typed as an Italian writes it: split from the oldest.
    await page.getByRole('button', { name: 'Promessa unica' }).click();
    const form = page.locator('form[data-form="bulk-promise"]');
    await form.waitFor();
    expect(await form.textContent()).toContain('Vale per 3 fatture.');
    await form.getByLabel('Data promessa').fill(isoDaysFromToday(12));
    await form.getByLabel(/Totale promesso/).fill('6.000,00');
    await page.mouse.move(0, 0);
    await shot(page, 'invoices-bulk.png');
    await form.getByRole('button', { name: 'Invia' }).click();
    const results = page.locator('.bulk-results');
    await results.locator('li').nth(2).waitFor();
    expect(await results.locator('h3').textContent()).toBe('Riuscite: 3 · Non riuscite: 0');
    expect(await results.locator(`li[data-invoice="${oldest.invoiceId}"]`).textContent()).toMatch(
      /promessa di 2\.000,00\s€$/,
    );
    expect(await results.locator(`li[data-invoice="${newest.invoiceId}"]`).textContent()).toMatch(
      /promessa di 1\.500,00\s€$/,
    );
    expect((await live(oldest.workflowId)).promise).toMatchObject({ amountMinor: 200_000, status: 'OPEN' });
    expect((await live(middle.workflowId)).promise).toMatchObject({ amountMinor: 250_000 });
    expect((await live(newest.workflowId)).promise).toMatchObject({ amountMinor: 150_000 });
    await shot(page, 'invoices-bulk-done.png');

    // Export the selection: Italian CSV, `;` and decimal commas.
    await page.getByRole('checkbox', { name: 'Seleziona tutte le fatture della pagina' }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Esporta CSV' }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
    expect(csv.split('\r\n')[0]).toBe(
      'Fattura;Codice cliente;Cliente;Fase;Valuta;Importo;Residuo;Scadenza;Giorni di ritardo',
    );
    expect(csv).toContain(`${oldest.number};${code};${name};`);
    expect(csv).toContain(';2000,00;2000,00;');

    // In English: pause two of them with a reason.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Invoices', exact: true }).waitFor();
    await page.locator('nav.pager', { hasText: '3 results' }).waitFor();
    await page.getByRole('checkbox', { name: `Select ${oldest.number}` }).check();
    await page.getByRole('checkbox', { name: `Select ${middle.number}` }).check();
    expect(await page.locator('.bulk-count').textContent()).toBe('2 invoices selected');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const pause = page.locator('form[data-form="bulk-pause"]');
    await pause.getByLabel('Reason').fill('Customer closed for the holidays');
    await page.mouse.move(0, 0);
    await shot(page, 'invoices-bulk-en.png');
    await pause.getByRole('button', { name: 'Submit' }).click();
    await page.locator('.bulk-results h3', { hasText: 'Succeeded: 2 · Failed: 0' }).waitFor();
    expect((await live(oldest.workflowId)).paused).toMatchObject({ reason: 'Customer closed for the holidays' });
    expect((await live(newest.workflowId)).paused).toBeNull();

    // Send a reminder now to the three: the paused two are refused with the workflow's reason, in words.
    await page.locator('.bulk-results h3').waitFor();
    await page.getByRole('checkbox', { name: 'Select every invoice on this page' }).check();
    await page.getByRole('button', { name: 'Send reminder now' }).click();
    const remind = page.locator('form[data-form="bulk-remind"]');
    await remind.getByLabel('Note').fill('Asked for on the phone');
    await remind.getByRole('button', { name: 'Submit' }).click();
    const reminded = page.locator('.bulk-results');
    await reminded.locator('h3', { hasText: 'Succeeded: 1 · Failed: 2' }).waitFor();
    expect(await reminded.locator(`li[data-invoice="${newest.invoiceId}"]`).textContent()).toBe(
      `${newest.number}: reminder reminder-1 sent (1 channel)`,
    );
    expect(await reminded.locator(`li[data-invoice="${oldest.invoiceId}"]`).textContent()).toBe(
      `${oldest.number}: Dunning is paused: resume it before sending a reminder.`,
    );
    await page.mouse.move(0, 0);
    await shot(page, 'invoices-bulk-remind-en.png');
    expect((await live(newest.workflowId)).lastReminder).toMatchObject({ template: 'reminder-1', manual: true });
    await page.getByRole('button', { name: 'Italiano' }).click();
    await page.close();
  });

  it('has no serious or critical WCAG 2.1 AA violation on the new views (axe-core)', () => {
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(6);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  });
});
