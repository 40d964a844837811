/**
 * The interest debit note card of the customer page in a real browser (Debian's Chromium via playwright-core) against
 * the real app, a worker, PostgreSQL and Temporal: a credit manager sees what a note would claim (the worked example
 * of docs/interest-notes.md: €10,000.00 due Sunday 2026-03-01, paid 2026-04-01 → €83.42 + €40.00), issues it with
 * one click, and finds it listed; a collector does not see the card. Italian, then English.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { eventually, KEYS, uniq, type Harness } from '../integration/harness';
import { quietSegment } from '../integration/api-helpers';
import { SCREENSHOTS, type Browser } from './browser';
import { describeBrowser, signIn, startStack, type Stack } from './setup';

jest.setTimeout(240_000);

let stack: Stack;
let h: Harness;
let base: string;
let browser: Browser;

describeBrowser('interest debit notes in the console', () => {
  beforeAll(async () => {
    stack = await startStack();
    ({ h, base, browser } = stack);
    await h.startWorker();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a manager previews and issues the note; a collector sees no card', async () => {
    const segment = await quietSegment(h);
    const customer = uniq('OMB');
    const number = uniq('FT');
    const created = await request(h.app)
      .post('/v1/invoices')
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .send({
        number,
        customer: {
          externalId: customer,
          name: 'Officine Meccaniche Brianza S.r.l.',
          vatNumber: 'IT01234560969',
          email: 'amministrazione@cliente.example',
          language: 'it',
          segment,
          area: 'Nord',
          collectorId: 'u-giulia',
          salespersonId: 'u-paolo',
        },
        currency: 'EUR',
        amountMinor: 1_000_000,
        issueDate: '2026-02-01',
        dueDate: '2026-03-01',
      });
    expect(created.status).toBe(201);
    const invoiceId = created.body.invoiceId as string;
    const pay = await request(h.app)
      .post(`/v1/invoices/${invoiceId}/payments`)
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .send({ reference: uniq('PAY'), amountMinor: 1_000_000, paidOn: '2026-04-01' });
    expect(pay.status).toBeLessThan(300);
    await eventually(
      async () => (await h.db.invoice.findUniqueOrThrow({ where: { id: invoiceId } })).stage === 'PAID',
      120_000,
    );
    const { id: customerId } = await h.db.customer.findUniqueOrThrow({ where: { externalId: customer } });

    const page = await browser.context.newPage();
    await signIn(page, base, KEYS.manager);
    await page.locator('nav.mainnav').waitFor();
    await page.goto(`${base}/console/#/customer/${customerId}`);
    const card = page.locator('#interest-notes');
    await card.getByRole('heading', { name: 'Note di debito per interessi' }).waitFor();
    const summary = card.locator('[data-role="note-preview"]');
    await eventually(async () => (await summary.textContent())?.startsWith('Da addebitare'), 30_000).catch(async () => {
      throw new Error(`preview: ${await summary.textContent()}`);
    });
    // Money as the console writes it (it-IT, the currency's digits); spaces normalised.
    expect((await summary.textContent())?.replace(/\s/g, ' ')).toBe(
      'Da addebitare oggi: 123,42 € (83,42 € di interessi moratori e 40,00 € di importi forfettari) su 1 fattura.',
    );
    await card.getByText('Nessuna nota di debito emessa.').waitFor();
    await card.getByRole('button', { name: 'Emetti nota di debito' }).click();
    const row = card.locator('li[data-note]');
    await row.waitFor();
    const note = await h.db.interestNote.findFirstOrThrow({ where: { customerId } });
    expect(Number(note.totalMinor)).toBe(12_342);
    expect(await row.textContent()).toContain(`N. ${note.number} del`);
    expect((await row.textContent())?.replace(/\s/g, ' ')).toContain('123,42 €');
    // Everything is claimed now: the card says so and the button is off.
    await card.locator('[data-refusal="NOTHING_TO_CLAIM"]').waitFor();
    expect(await card.getByRole('button', { name: 'Emetti nota di debito' }).isDisabled()).toBe(true);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await card.screenshot({ path: path.join(SCREENSHOTS, 'interest-notes.png') });
    await page.close();

    // A collector reads the customer page without the card (issuing is the manager's decision).
    const coll = await browser.context.newPage();
    await signIn(coll, base, KEYS.collector);
    await coll.locator('nav.mainnav').waitFor();
    await coll.goto(`${base}/console/#/customer/${customerId}`);
    await coll.getByRole('heading', { name: 'Officine Meccaniche Brianza S.r.l.' }).waitFor();
    expect(await coll.locator('#interest-notes').count()).toBe(0);
    await coll.close();
    expect(await h.db.interestNote.count({ where: { customerId } })).toBe(1);
  });
});
