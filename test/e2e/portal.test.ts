/**
 * The debtor's portal in a real browser (Debian's Chromium via playwright-core) against the real app, a real worker,
 * PostgreSQL and the Temporal dev server. A reminder goes out to the local outbox; the link is read from that e-mail
 * and opened on a phone-sized screen; the debtor is refused a promise beyond the policy's horizon in Italian, records
 * a valid one, disputes a second invoice with an attachment and asks for a plan on a third, which a credit manager
 * approves in the console; the workflow's state is read after each. The page passes axe-core at phone and desktop
 * widths in Italian and English, the payment QR decodes to the right IBAN, amount and reference, a letter downloads,
 * the statement of account downloads, and expired, revoked, wrong and foreign tokens all get the same neutral page. The token is never in the API's log,
 * the workflows' histories or their search attributes. Screenshots: portal-it.png, portal-en.png (docs/screenshots
 * with UPDATE_SCREENSHOTS=1).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { devUserOfKey } from '../../contexts/access/dev-keys';
import { hashToken } from '../../contexts/portal/links';
import { termEndOfRow } from '../../contexts/intake/term-end';
import { daysOverdue, todayIn } from '../../domain/time';
import { invoiceStateQuery, invoiceWorkflowId, customerWorkflowId, type InvoiceState } from '../../workflows/contract';
import {
  createTestPolicy,
  eventually,
  isoDaysFromToday,
  KEYS,
  secondsSettings,
  uniq,
  type Harness,
} from '../integration/harness';
import { a11yViolations } from './a11y';
import { launchBrowser, type Browser } from './browser';
import { describeBrowser, screenshots, startStack, type Stack } from './setup';

jest.setTimeout(300_000);

const PORTAL = 'https://pay.segugio.example';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let stack: Stack;
let h: Harness;
let base: string;
let browser: Browser;
let segment: string;
const logLines: string[] = [];

let seq = 5000 + Math.floor(Math.random() * 4000);
const nextNumber = (): string => `FT-2026-${seq++}`;

async function createInvoice(number: string, customer: string, dueInDays: number, amountMinor: number) {
  const res = await request(h.app)
    .post('/v1/invoices')
    .set('Authorization', `Bearer ${KEYS.erp}`)
    .send({
      number,
      customer: {
        externalId: customer,
        name: 'Officine Meccaniche Brianza S.r.l.',
        vatNumber: 'IT01234560969',
        email: 'amministrazione@omb.example',
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

const liveState = (invoiceId: string): Promise<InvoiceState> =>
  h.client.workflow.getHandle(invoiceWorkflowId(invoiceId)).query(invoiceStateQuery);

/** The text parts of an outbox .eml (base64 bodies, as activities/channels/outbox.ts writes them). */
function emlText(file: string): string {
  const eml = fs.readFileSync(file, 'utf8');
  const parts = [...eml.matchAll(/Content-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/g)];
  return parts.map((m) => Buffer.from(m[1].replace(/\r\n/g, ''), 'base64').toString('utf8')).join('\n');
}

/** Every string inside a workflow's history, payloads decoded (the test stack has no payload key). */
async function historyText(workflowId: string): Promise<string> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('utf8'));
    else if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(history);
  return out.join('\n');
}

const { shot } = screenshots('none');

describeBrowser('the debtor portal', () => {
  let token: string;
  let invoices: { promise: string; dispute: string; plan: string };
  let numbers: { promise: string; dispute: string; plan: string };
  let customerId: string;

  beforeAll(async () => {
    // The app the browser talks to writes its log here, to show that the token never reaches it.
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    });
    stack = await startStack({
      harness: { env: { PORTAL_BASE_URL: PORTAL, PORTAL_RATE_LIMIT_PER_MINUTE: '600' } },
      app: (harness) =>
        createApp({
          db: harness.db,
          temporal: harness.client,
          config: harness.config,
          log: createLogger('info', 'portal-e2e', sink),
        }),
      viewport: PHONE,
    });
    ({ h, base, browser } = stack);
    segment = await createTestPolicy(h.db, {
      name: 'e2e portal: one reminder by e-mail and letter, then nothing for a month',
      steps: [
        {
          stage: 'REMINDER',
          offset: 'PT1S',
          channels: ['EMAIL', 'LETTER'],
          template: 'reminder-1',
          attachLetter: true,
        },
        { stage: 'CALL', offset: 'P30D', channels: ['TASK'], template: 'call' },
      ],
      settings: { ...secondsSettings, promiseMaxHorizon: 'P60D', planMaxInstalments: 6, consolidationWindow: 'PT2S' },
    });
    await h.startWorker();
    const customer = uniq('OMB');
    numbers = { promise: nextNumber(), dispute: nextNumber(), plan: nextNumber() };
    invoices = {
      promise: (await createInvoice(numbers.promise, customer, -40, 1_250_000)).invoiceId,
      dispute: (await createInvoice(numbers.dispute, customer, -25, 386_420)).invoiceId,
      plan: (await createInvoice(numbers.plan, customer, -12, 912_300)).invoiceId,
    };
    customerId = (await h.db.invoice.findUniqueOrThrow({ where: { id: invoices.promise } })).customerId;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('the reminder e-mail and letter carry the personal link, stored only hashed', async () => {
    const email = await eventually(
      () =>
        h.db.contactEvent.findFirst({
          where: { customerId, channel: 'EMAIL', status: 'QUEUED', filePath: { not: null } },
        }),
      60_000,
    );
    const text = emlText(email.filePath!);
    const m = new RegExp(`${PORTAL.replace(/\./g, '\\.')}/p/([a-z2-7]{26})`).exec(text);
    expect(m).not.toBeNull();
    token = m![1];
    expect(text).toContain('La sua pagina personale');
    // One live link for the customer, stored as the token's SHA-256, and the e-mail records which.
    const links = await h.db.portalLink.findMany({ where: { customerId } });
    expect(links).toHaveLength(1);
    expect(links[0].tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(links[0])).not.toContain(token);
    expect(email.portalLinkId).toBe(links[0].id);
    // The letter carries the same link (a QR code and the short address): the other contact reused it.
    const letter = await eventually(() =>
      h.db.contactEvent.findFirst({ where: { customerId, channel: 'LETTER', status: 'QUEUED' } }),
    );
    expect(letter.portalLinkId).toBe(links[0].id);
    // Expiry counts from the last message: PORTAL_LINK_TTL_DAYS (60) from now.
    const days = (links[0].expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(59.9);
    expect(days).toBeLessThanOrEqual(60);
  });

  it('opens on a phone in Italian, and the payment QR decodes to the IBAN, amount and reference', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/p/${token}`);
    // The token leaves the address bar at once.
    await page.waitForURL(`${base}/portal/`);
    expect(page.url()).not.toContain(token);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Estratto della sua posizione');
    for (const n of Object.values(numbers)) await page.locator(`[data-invoice="${n}"]`).waitFor();
    const first = page.locator(`[data-invoice="${numbers.promise}"]`);
    const facts = (await first.textContent()) ?? '';
    expect(facts).toContain('12.500,00');
    // Days overdue from the term end (a due date on a Sunday or holiday moves it, art. 1187 c.c.), in Rome's today.
    const row = await h.db.invoice.findUniqueOrThrow({ where: { id: invoices.promise } });
    const days = daysOverdue(termEndOfRow(row), todayIn('Europe/Rome'));
    expect(days).toBeGreaterThanOrEqual(38);
    expect(facts).toContain(`Giorni di ritardo${days}`);
    // B2B: statutory interest and the EUR 40 as of today, from domain/interest.ts.
    expect(facts).toContain('Interessi di mora (D.Lgs. 231/2002) a oggi');
    expect(facts).toContain('40,00');
    expect(await page.locator('.note').count()).toBeGreaterThanOrEqual(0);

    const total = 1_250_000 + 386_420 + 912_300;
    const src = (await page.locator('#epc-qr').getAttribute('src')) ?? '';
    const png = PNG.sync.read(Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? '';
    const lines = decoded.split('\n');
    expect(lines.slice(0, 4)).toEqual(['BCD', '002', '1', 'SCT']);
    expect(lines[6]).toBe(h.config.LETTERHEAD_IBAN);
    expect(lines[7]).toBe(`EUR${Math.floor(total / 100)}.${String(total % 100).padStart(2, '0')}`);
    expect(lines[10]).toBe(`Fatt. ${numbers.promise} ${numbers.dispute} ${numbers.plan}`);
    expect(await page.locator('.pay').textContent()).toContain(lines[10]);

    expect(await a11yViolations(page)).toEqual([]);
    await shot(page, 'portal-it.png');
    // Opening the page is a contact event of the invoices it shows.
    await eventually(() =>
      h.db.contactEvent.findFirst({
        where: { customerId, channel: 'PORTAL', direction: 'IN', template: 'portal-open' },
      }),
    );
    await page.close();
  });

  it('records a promise (the workflow refuses one beyond the horizon, in Italian)', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/p/${token}`);
    const card = page.locator(`[data-invoice="${numbers.promise}"]`);
    await card.locator('[data-action="promise"] summary').click();
    await card.getByLabel('Data di pagamento').fill(isoDaysFromToday(90));
    await card.getByRole('button', { name: 'Invia' }).first().click();
    const refusal = page.locator(`[data-invoice="${numbers.promise}"] .alert`);
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      /^La data è troppo lontana: può indicare al massimo il \d+ \S+ \d{4}\.$/,
    );
    expect((await liveState(invoices.promise)).promise).toBeNull();

    const promised = isoDaysFromToday(10);
    await page.locator(`[data-invoice="${numbers.promise}"]`).getByLabel('Data di pagamento').fill(promised);
    await page.locator(`[data-invoice="${numbers.promise}"]`).getByRole('button', { name: 'Invia' }).first().click();
    await page.locator('#flash.ok').waitFor();
    expect(await page.locator('#flash').textContent()).toContain('abbiamo registrato la sua promessa');
    const state = await liveState(invoices.promise);
    expect(state.stage).toBe('PROMISE_WAIT');
    expect(state.promise).toMatchObject({ promisedDate: promised, status: 'OPEN' });
    // The debtor is the actor, in the workflow and in the audit trail.
    expect(state.history.some((e) => e.actorId === `debtor:${customerId}` && /promise/.test(e.summary))).toBe(true);
    expect(
      await h.db.auditEvent.count({
        where: { action: 'decision.promise', entityId: invoices.promise, role: 'debtor' },
      }),
    ).toBe(1);
    await page.close();
  });

  it('opens a dispute with an attachment', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/p/${token}`);
    const card = page.locator(`[data-invoice="${numbers.dispute}"]`);
    await card.locator('[data-action="dispute"] summary').click();
    await card.getByLabel('Motivo').selectOption('DEFECTIVE_GOODS');
    await card.getByLabel('Descrizione').fill('Due pezzi arrivati piegati: foto del DDT allegata.');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await card.getByLabel(/^Allegato/).setInputFiles({ name: 'ddt.pdf', mimeType: 'application/pdf', buffer: pdf });
    await card.locator('[data-action="dispute"] button[type="submit"]').click();
    await page.locator('#flash.ok').waitFor();
    const state = await liveState(invoices.dispute);
    expect(state.dispute).toMatchObject({ reasonCode: 'DEFECTIVE_GOODS' });
    // The note is the debtor's words alone; the file is the invoice's document, linked beside the dispute.
    const dispute = await eventually(() => h.db.dispute.findFirst({ where: { invoiceId: invoices.dispute } }));
    expect(dispute.note).toBe('Due pezzi arrivati piegati: foto del DDT allegata.');
    const doc = await h.db.document.findFirstOrThrow({ where: { invoiceId: invoices.dispute } });
    expect(doc).toMatchObject({ filename: 'ddt.pdf', mimeType: 'application/pdf', uploadedBy: `debtor:${customerId}` });
    expect(doc.sha256).toBe(crypto.createHash('sha256').update(pdf).digest('hex'));
    // The page now says the dispute is open, and offers the file back.
    expect(await page.locator(`[data-invoice="${numbers.dispute}"] .status`).first().textContent()).toContain(
      'Contestazione aperta',
    );
    await page.close();
  });

  it('a file that is not a PDF or an image is refused, and nothing is opened', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/p/${token}`);
    const card = page.locator(`[data-invoice="${numbers.plan}"]`);
    await card.locator('[data-action="paid"] summary').click();
    await card
      .getByLabel(/^Contabile/)
      .setInputFiles({ name: 'virus.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ not a pdf') });
    await card.locator('[data-action="paid"] button[type="submit"]').click();
    await page.locator(`[data-invoice="${numbers.plan}"] .alert`).waitFor();
    expect(await page.locator(`[data-invoice="${numbers.plan}"] .alert`).textContent()).toContain(
      'solo PDF, JPEG o PNG',
    );
    expect(await h.db.portalRequest.count({ where: { invoiceId: invoices.plan, kind: 'PAYMENT_CLAIM' } })).toBe(0);
    await page.close();
  });

  it('asks for a plan that a credit manager approves in the console; the page then shows it', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/p/${token}`);
    const card = page.locator(`[data-invoice="${numbers.plan}"]`);
    await card.locator('[data-action="plan"] summary').click();
    await card.getByLabel(/^Numero di rate/).fill('3');
    await card.getByLabel('Data della prima rata').fill(isoDaysFromToday(7));
    await card.locator('[data-action="plan"] button[type="submit"]').click();
    await page.locator('#flash.ok').waitFor();
    const req = await h.db.portalRequest.findFirstOrThrow({ where: { invoiceId: invoices.plan, kind: 'PLAN' } });
    expect(req.status).toBe('PENDING');
    expect(await h.db.task.findUniqueOrThrow({ where: { id: req.taskId! } })).toMatchObject({
      kind: 'APPROVE_PLAN',
      status: 'OPEN',
    });
    expect((await liveState(invoices.plan)).plan).toBeNull();

    // The credit manager, in the console, in a browser of their own (the console has its own session cookie).
    const managerBrowser = await launchBrowser({ viewport: DESKTOP });
    const consolePage = await managerBrowser.context.newPage();
    const manager = devUserOfKey(KEYS.manager)!;
    await consolePage.goto(`${base}/console/`);
    await consolePage.getByLabel(/^(E-mail)$/).fill(manager.email);
    await consolePage.getByLabel(/^(Password|Mot de passe)$/).fill(manager.password);
    await consolePage.getByRole('button', { name: /^(Accedi|Sign in|Se connecter)$/ }).click();
    await consolePage.waitForURL(/#\/(?!login)/);
    await consolePage.getByRole('link', { name: 'Approvazioni' }).click();
    const request_ = consolePage.locator(`[data-portal-request="${req.id}"]`);
    await request_.waitFor();
    expect(await request_.textContent()).toContain('Il cliente chiede 3 rate');
    await request_.locator('[data-decide="approve"]').click();
    await request_.waitFor({ state: 'detached' });
    await managerBrowser.close();

    const state = await liveState(invoices.plan);
    expect(state.stage).toBe('REPAYMENT_PLAN');
    expect(state.plan?.instalments).toHaveLength(3);
    expect(state.plan?.instalments.reduce((s, i) => s + i.amountMinor, 0)).toBe(912_300);
    expect((await h.db.portalRequest.findUniqueOrThrow({ where: { id: req.id } })).status).toBe('APPROVED');

    await eventually(() => h.db.repaymentPlan.findFirst({ where: { invoiceId: invoices.plan, status: 'ACTIVE' } }));
    await page.goto(`${base}/portal/`);
    expect(await page.locator(`[data-invoice="${numbers.plan}"]`).textContent()).toContain('Piano di rientro attivo');
    await page.close();
  });

  it('downloads a letter already sent (a contact event) and reads in English at desktop width', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize(DESKTOP);
    await page.goto(`${base}/p/${token}`);
    const link = page.locator('[data-letter]').first();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = await download.path();
    expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await eventually(() => h.db.contactEvent.findFirst({ where: { customerId, template: 'portal-letter' } }));

    // The statement of account (contexts/statements), in the customer's language, as of today.
    const [statement] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Scarica l’estratto conto (PDF)' }).click(),
    ]);
    expect(statement.suggestedFilename()).toMatch(/^estratto-conto-.+\.pdf$/);
    const statementPdf = fs.readFileSync(await statement.path());
    expect(statementPdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await eventually(() => h.db.contactEvent.findFirst({ where: { customerId, template: 'portal-statement' } }));

    await page.goto(`${base}/portal/?lang=en`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.locator(`[data-invoice="${numbers.plan}"]`).textContent()).toContain('Payment plan in force');
    expect(await a11yViolations(page)).toEqual([]);
    await shot(page, 'portal-en.png');
    await page.setViewportSize(PHONE);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('refuses expired, revoked, wrong and foreign tokens with one neutral page', async () => {
    const neutral = async (url: string, cookie?: string) => {
      const res = await request(base)
        .get(url)
        .set('Accept-Language', 'it')
        .set(cookie ? { Cookie: `sg_portal=${cookie}` } : {});
      return { status: res.status, body: res.text };
    };
    const wrong = await neutral(`/p/${'a'.repeat(26)}`);
    expect(wrong.status).toBe(404);
    expect(wrong.body).toContain('Collegamento non valido');
    expect(await neutral('/p/not-even-a-token')).toEqual(wrong);

    // A second customer with a link of their own (minted as a message would).
    const other = await createInvoice(nextNumber(), uniq('FLA'), -20, 100_000);
    const otherCustomer = (await h.db.invoice.findUniqueOrThrow({ where: { id: other.invoiceId } })).customerId;
    const otherEmail = await eventually(
      () =>
        h.db.contactEvent.findFirst({
          where: { customerId: otherCustomer, channel: 'EMAIL', filePath: { not: null } },
        }),
      60_000,
    );
    const otherToken = /\/p\/([a-z2-7]{26})/.exec(emlText(otherEmail.filePath!))![1];
    expect((await request(base).get(`/p/${otherToken}`)).status).toBe(303);
    // Foreign: with the other customer's link, this customer's letters and documents do not exist.
    const ourLetter = await h.db.letter.findFirstOrThrow({ where: { customerId } });
    expect(await neutral(`/portal/letters/${ourLetter.id}`, otherToken)).toEqual(wrong);
    const foreignPage = await request(base).get('/portal/').set('Cookie', `sg_portal=${otherToken}`);
    expect(foreignPage.status).toBe(200);
    for (const n of Object.values(numbers)) expect(foreignPage.text).not.toContain(n);

    // Expired: the same page as a wrong token.
    await h.db.portalLink.updateMany({
      where: { customerId: otherCustomer },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await neutral(`/p/${otherToken}`)).toEqual(wrong);
    expect(await neutral('/portal/', otherToken)).toEqual(wrong);

    // Revoked in the console by the customer's collector, on the customer page: the same page again.
    const { body } = await request(h.app)
      .get(`/v1/customers/${customerId}/portal-links`)
      .set('Authorization', `Bearer ${KEYS.collector}`);
    expect(body.items[0]).toMatchObject({ status: 'LIVE' });
    expect(JSON.stringify(body)).not.toContain(token);
    const collectorBrowser = await launchBrowser({ viewport: DESKTOP });
    const cpage = await collectorBrowser.context.newPage();
    const giulia = devUserOfKey(KEYS.collector)!;
    await cpage.goto(`${base}/console/`);
    await cpage.getByLabel(/^(E-mail)$/).fill(giulia.email);
    await cpage.getByLabel(/^(Password|Mot de passe)$/).fill(giulia.password);
    await cpage.getByRole('button', { name: /^(Accedi|Sign in|Se connecter)$/ }).click();
    await cpage.waitForURL(/#\/(?!login)/);
    await cpage.goto(`${base}/console/#/customer/${customerId}`);
    const live = cpage.locator(`#portal-links [data-link="${body.items[0].id}"][data-status="LIVE"]`);
    await live.waitFor();
    expect(await live.textContent()).toContain('Attivo');
    await live.locator('[data-revoke]').click();
    await cpage.locator(`#portal-links [data-link="${body.items[0].id}"][data-status="REVOKED"]`).waitFor();
    await collectorBrowser.close();
    expect(await h.db.auditEvent.count({ where: { action: 'portal.link.revoke', entityId: body.items[0].id } })).toBe(
      1,
    );
    expect(await neutral(`/p/${token}`)).toEqual(wrong);
  });

  it('never lets the token reach the logs, the workflow histories or their search attributes', async () => {
    const log = logLines.join('');
    expect(log).toContain('/p/[token]');
    expect(log).not.toContain(token);
    for (const id of [...Object.values(invoices).map(invoiceWorkflowId), customerWorkflowId(customerId)]) {
      const text = await historyText(id);
      expect(text).toContain(customerId); // the decoding works: the history names its customer
      expect(text).not.toContain(token);
      const described = await h.client.workflow.getHandle(id).describe();
      expect(JSON.stringify(described.typedSearchAttributes)).not.toContain(token);
    }
  });
});
