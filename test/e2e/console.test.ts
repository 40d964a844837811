/**
 * The web console in a real browser (Debian's Chromium via playwright-core) against the real app, a real worker,
 * PostgreSQL and the Temporal dev server. A collector signs in, sees an overdue call on the agenda, is refused an
 * out-of-range promise inline, records a valid one and sees the stage change; a credit manager reads the control
 * tower, changes a policy (a bad offset is shown beside its field first) and approves a legal action. Screenshots of
 * each main page are written to .segugio/screenshots/ (docs/screenshots/ with UPDATE_SCREENSHOTS=1).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import type { Page } from 'playwright-core';
import { createConsoleRouter } from '../../api/console';
import { writeMonthlySnapshot } from '../../contexts/reports/snapshots';
import { seedDemoInvoices } from '../../prisma/seed';
import {
  createTestPolicy,
  eventually,
  isoDaysFromToday,
  KEYS,
  secondsSettings,
  startHarness,
  uniq,
  type Harness,
} from '../integration/harness';
import { a11yViolations } from './a11y';
import { chromiumMissing, launchBrowser, SCREENSHOTS, type Browser } from './browser';

jest.setTimeout(240_000);

const skip = chromiumMissing();
if (skip) console.warn(skip);
const describeBrowser = skip ? describe.skip : describe;

let h: Harness;
let server: Server;
let base: string;
let browser: Browser;
let callSegment: string;
let legalSegment: string;

// Invoice numbers as an ERP would write them, unique within the run.
let seq = 1000 + Math.floor(Math.random() * 8000);
const nextNumber = (): string => `FT-2026-${seq++}`;

const NAMES: Record<string, string> = {
  OMB: 'Officine Meccaniche Brianza S.r.l.',
  FLA: 'Ferramenta Lariana S.n.c.',
  TVP: 'Trasporti Val Padana S.p.A.',
  CAS: 'Caseificio Monte Baldo Soc. Coop.',
  EDL: 'Edilizia Lombarda S.r.l.',
  VIN: 'Cantine Colli Euganei S.r.l.',
};

async function createInvoice(
  number: string,
  segment: string,
  dueInDays: number,
  amountMinor: number,
  customer: string,
) {
  const res = await request(h.app)
    .post('/v1/invoices')
    .set('Authorization', `Bearer ${KEYS.erp}`)
    .send({
      number,
      customer: {
        externalId: customer,
        name: NAMES[customer.slice(0, 3)] ?? customer,
        vatNumber: 'IT01234560969',
        email: 'amministrazione@cliente.example',
        phone: '+390392345678',
        address: { line: 'Via Milano 12', city: 'Monza', postalCode: '20900', province: 'MB', country: 'IT' },
        language: 'it',
        segment,
        area: 'Nord',
        collectorId: 'u-giulia',
        salespersonId: 'u-paolo',
      },
      currency: 'EUR',
      amountMinor,
      issueDate: isoDaysFromToday(dueInDays - 30),
      dueDate: isoDaysFromToday(dueInDays),
    });
  expect([200, 201]).toContain(res.status);
  return res.body as { invoiceId: string };
}

/** Every main page is screenshotted and checked for accessibility at the same moment. */
const a11y: Record<string, string[]> = {};

async function shot(page: Page, name: string): Promise<void> {
  a11y[name] = await a11yViolations(page);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  // The confirmation toast is fixed to the viewport and would float mid-page in a full-page capture.
  await page.evaluate(() => document.getElementById('toast')?.classList.remove('show'));
  await page.waitForTimeout(300); // its fade-out
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
}

async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel(/Chiave API|API key/).fill(key);
  await page.getByRole('button', { name: /Accedi|Sign in/ }).click();
}

describeBrowser('web console', () => {
  beforeAll(async () => {
    h = await startHarness();
    // The console is mounted by api/app.ts; mount it here too only if this build of the app does not serve it yet.
    const mounted = (await request(h.app).get('/console/')).status === 200;
    const app = mounted
      ? h.app
      : express()
          .use(createConsoleRouter({ db: h.db, timeZone: h.config.SEGUGIO_TZ }))
          .use(h.app);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    callSegment = await createTestPolicy(h.db, {
      name: 'e2e: a reminder, then a call whose outcome is due a second later',
      steps: [
        {
          stage: 'REMINDER',
          offset: 'PT1S',
          channels: ['EMAIL', 'LETTER'],
          template: 'reminder-2',
          attachLetter: true,
        },
        { stage: 'CALL', offset: 'PT1S', channels: ['TASK'], template: 'call' },
      ],
      settings: { ...secondsSettings, callOutcomeDeadline: 'PT1S' },
    });
    legalSegment = await createTestPolicy(h.db, {
      name: 'e2e: straight to legal, with approval',
      steps: [{ stage: 'LEGAL', offset: 'PT1S', channels: ['TASK'], template: 'legal', requiresApproval: true }],
      settings: secondsSettings,
    });
    await h.startWorker();
    // Realistic data around the test invoices, so the screenshots show a working day: the demo invoices, other
    // overdue calls on Giulia's agenda, and the monthly snapshots the reports' Schedule would have written.
    await seedDemoInvoices(h.db, h.client, h.taskQueue, h.config.SEGUGIO_TZ);
    const others: Array<[string, number, number]> = [
      ['TVP', -34, 2_275_000],
      ['CAS', -9, 386_420],
      ['EDL', -62, 5_120_000],
      ['VIN', -13, 912_300],
    ];
    const created: Record<string, string> = {};
    for (const [prefix, due, amount] of others) {
      created[prefix] = (await createInvoice(nextNumber(), callSegment, due, amount, uniq(prefix))).invoiceId;
    }
    // One of them disputed, so the control tower has a dispute to show.
    await eventually(async () => h.db.task.findFirst({ where: { invoiceId: created.CAS, kind: 'CALL' } }));
    const dispute = await request(h.app)
      .post(`/v1/invoices/${created.CAS}/dispute`)
      .set('Authorization', `Bearer ${KEYS.collector}`)
      .send({ reasonCode: 'DEFECTIVE_GOODS', note: 'Forme di formaggio arrivate rotte, chiesto il reso' });
    expect(dispute.status).toBe(200);
    for (let back = 5; back >= 1; back--) {
      const d = new Date();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() - back);
      await writeMonthlySnapshot(h.db, d.toISOString().slice(0, 7));
    }
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await h?.close();
  });

  it('a collector sees an overdue call, is refused a bad promise inline, records one and sees the stage change', async () => {
    const number = nextNumber();
    const { invoiceId } = await createInvoice(number, callSegment, -45, 1_250_000, uniq('OMB'));
    // The CALL step fires at once (the invoice is 45 days overdue) and its outcome was due a second later.
    await eventually(async () =>
      h.db.task.findFirst({ where: { invoiceId, kind: 'CALL', status: 'OPEN', dueAt: { lt: new Date() } } }),
    );

    const page = await browser.context.newPage();
    await signIn(page, KEYS.collector);
    await page.waitForURL(/#\/agenda/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Agenda di oggi');

    await page.locator('#agenda-table').waitFor();
    // Other suites sharing the stack may put more urgent tasks on Giulia's agenda: page on until the row shows.
    const row = page.locator('#agenda-table tbody tr', { hasText: number });
    for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
      await page.getByRole('button', { name: 'Successiva' }).click();
      await page.locator('#agenda-table').waitFor();
    }
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    expect(cells.join(' ')).toContain('Officine Meccaniche Brianza');
    expect(cells.join(' ')).toContain('12.500,00');
    expect(cells.join(' ')).toContain('scaduta');
    expect(cells.join(' ')).toContain('Chiamata');
    await page.mouse.move(0, 0);
    await shot(page, 'agenda.png');

    // One click opens the invoice.
    await row.getByRole('link', { name: number }).click();
    await page.waitForURL(new RegExp(`#/invoice/${invoiceId}`));
    await page.locator('#stage[data-stage="CALL"]').waitFor();

    // A promise beyond the policy's horizon (60 days) is refused by the workflow's validator, shown inline.
    // Repayment plans are the credit manager's decision: the collector sees the button disabled.
    expect(await page.getByRole('button', { name: 'Proponi piano' }).isDisabled()).toBe(true);

    // Keyboard only: Enter on the action opens its form and puts the focus on its first field.
    await page.getByRole('button', { name: 'Registra promessa' }).focus();
    await page.keyboard.press('Enter');
    const form = page.locator('form[data-form="promise"]');
    await form.waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('promisedDate');
    await form.getByLabel('Data promessa').fill(isoDaysFromToday(120));
    await form.getByRole('button', { name: 'Invia' }).click();
    const refusal = form.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/Rifiutato/);
    await page.locator('#stage[data-stage="CALL"]').waitFor();

    // A valid promise moves the invoice to PROMISE_WAIT.
    await form.getByLabel('Data promessa').fill(isoDaysFromToday(7));
    await form.getByLabel(/Importo/).fill('12500');
    await form.getByRole('button', { name: 'Invia' }).click();
    await page.locator('#stage[data-stage="PROMISE_WAIT"]').waitFor();
    expect(await page.locator('#stage').textContent()).toBe('Promessa');
    await page
      .locator('ol.timeline li', { hasText: /promise|promessa/i })
      .first()
      .waitFor();

    // The UI speaks English too.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: `Invoice ${number}` }).waitFor();
    expect(await page.locator('#stage').textContent()).toBe('Promise');
    await page.getByRole('button', { name: 'Italiano' }).click();
    await page.getByRole('heading', { name: `Fattura ${number}` }).waitFor();
    // The reminder letter opens as a PDF in a new tab.
    const letter = page.locator('#letters-title + ul button').first();
    await letter.waitFor();
    const [popup] = await Promise.all([page.waitForEvent('popup'), letter.click()]);
    await popup.close();
    // The letter goes out as a raccomandata: the collector records its number in the notices card.
    const notice = page.locator('[data-card="notices"] li[data-notice]').first();
    const registered = notice.locator('form.decision');
    await registered.getByLabel('Esito').selectOption('POSTED');
    await registered.getByLabel('N. raccomandata').fill('RR 1234 5678 9012');
    await registered.getByRole('button', { name: 'Invia' }).click();
    await page.locator('[data-card="notices"] [data-status="ACCEPTED"]').waitFor();
    expect(await page.locator('[data-card="notices"]').textContent()).toContain('N. raccomandata RR 1234 5678 9012');
    await page.mouse.move(0, 0);
    await shot(page, 'invoice.png');

    // Tablet: the page stacks into one column and stays usable.
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.locator('#stage[data-stage="PROMISE_WAIT"]').waitFor();
    await shot(page, 'invoice-tablet.png');
    await page.setViewportSize({ width: 1366, height: 900 });

    const state = await request(h.app)
      .get(`/v1/invoices/${invoiceId}`)
      .set('Authorization', `Bearer ${KEYS.collector}`);
    expect(state.body.stage).toBe('PROMISE_WAIT');
    await page.close();
  });

  it('a manager reads the control tower, changes a policy with inline validation and approves a legal action', async () => {
    const number = nextNumber();
    const { invoiceId } = await createInvoice(number, legalSegment, -95, 4_800_000, uniq('FLA'));
    await eventually(async () => h.db.task.findFirst({ where: { invoiceId, kind: 'APPROVE_LEGAL', status: 'OPEN' } }));

    const page = await browser.context.newPage();
    await signIn(page, KEYS.manager);
    await page.waitForURL(/#\/tower/);
    await page.locator('#pipeline tr[data-stage="LEGAL"]').waitFor();
    const legalCount = await page.locator('#pipeline tr[data-stage="LEGAL"] td.count').textContent();
    expect(Number(legalCount)).toBeGreaterThanOrEqual(1);
    await page.locator('#aging .column').first().waitFor();
    await shot(page, 'control-tower.png');

    // The invoice list filters and pages on the server: the LEGAL filter finds the invoice.
    await page.getByRole('link', { name: 'Fatture' }).click();
    await page.locator('#invoices-table').waitFor();
    await page.getByLabel('Fase').selectOption('LEGAL');
    await page.getByRole('button', { name: 'Applica' }).click();
    await page.waitForURL(/stage=LEGAL/);
    await page.locator('#invoices-table tbody tr', { hasText: number }).waitFor();
    await shot(page, 'invoices.png');

    // Policies: a malformed offset is refused and shown beside its field; a valid one becomes version 2.
    await page.getByRole('link', { name: 'Politiche' }).click();
    await page.getByRole('link', { name: `Modifica ${legalSegment}` }).click();
    const offset = page.locator('input[name="offset0"]');
    await offset.fill('5 giorni');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.locator('input[name="offset0"][aria-invalid="true"]').waitFor();
    expect(await page.locator('.field-error').first().textContent()).toMatch(/ISO-8601/);
    await shot(page, 'policy-editor.png');
    await page.locator('input[name="offset0"]').fill('PT2S');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page
      .getByText(/Politica salvata: versione 2/)
      .first()
      .waitFor();
    const v2 = await h.db.dunningPolicy.findFirst({ where: { segment: legalSegment, version: 2 } });
    expect((v2?.steps as Array<{ offset: string }>)[0].offset).toBe('PT2S');

    // Approvals: the legal action waiting on the invoice, with its figures; approving it clears the task.
    await page.getByRole('link', { name: 'Approvazioni' }).click();
    const card = page.locator(`article.approval[data-invoice="${number}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('48.000,00');
    await shot(page, 'approvals.png');
    await card.getByRole('button', { name: 'Approva' }).click();
    await card.waitFor({ state: 'detached' });
    await eventually(async () => h.db.task.findFirst({ where: { invoiceId, kind: 'APPROVE_LEGAL', status: 'DONE' } }));
    const state = await request(h.app).get(`/v1/invoices/${invoiceId}`).set('Authorization', `Bearer ${KEYS.manager}`);
    expect(state.body.state.legal.approved).toBe(true);

    // The manager's invoice page offers the manager's decisions too; the approval is in the timeline.
    await page.goto(`${base}/console/#/invoice/${invoiceId}`);
    await page.locator('#stage[data-stage="LEGAL"]').waitFor();
    await page.getByRole('button', { name: 'Passa a perdita' }).waitFor();
    expect(await page.getByRole('button', { name: 'Proponi piano' }).isEnabled()).toBe(true);
    await page.locator('ol.timeline li', { hasText: /legal action approved/ }).waitFor();

    // Cadence by rating: E customers of the segment follow the standard policy from version 3 on.
    await page.goto(`${base}/console/#/policies/${legalSegment}`);
    await page.getByLabel('Rating E').selectOption('standard');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page
      .getByText(/Politica salvata: versione 3/)
      .first()
      .waitFor();
    const v3 = await h.db.dunningPolicy.findFirst({ where: { segment: legalSegment, version: 3 } });
    expect((v3?.settings as { ratingRoutes?: unknown }).ratingRoutes).toEqual({ E: 'standard' });
    await page.goto(`${base}/console/#/policies`);
    await page.locator(`tr[data-segment="${legalSegment}"]`, { hasText: 'E → standard' }).waitFor();
    await page.close();
  });

  it('has no serious or critical WCAG 2.1 AA violation on the pages screenshotted above (axe-core)', () => {
    expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(6);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  });

  it('serves the console with a strict content security policy and answers its helpers only with a key', async () => {
    const page = await request(base).get('/console/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await request(base).get('/console/api/me')).status).toBe(401);
    const me = await request(base).get('/console/api/me').set('Authorization', `Bearer ${KEYS.collector}`);
    expect(me.body).toMatchObject({ role: 'collector', userId: 'u-giulia', name: 'Giulia Rossi' });
    const tower = await request(base).get('/console/api/tower').set('Authorization', `Bearer ${KEYS.collector}`);
    expect(tower.status).toBe(403);
  });
});
