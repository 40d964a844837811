/**
 * The imported backlog in a real browser (issue 15, "the backlog is work, not silence"): a credit manager's policy has
 * entry bands (shown in days in the policy editor), a CSV backlog is imported through the API, and the collector's
 * agenda shows the resulting CALL and triage tasks ranked, in Italian and in English; the collector opens the triage
 * invoice, chooses where it enters, and sees it at CALL. Screenshots in .segugio/screenshots/ (docs/screenshots/ with
 * UPDATE_SCREENSHOTS=1), each checked with axe.
 */
import request from 'supertest';
import { eventually, isoDaysFromToday, KEYS, secondsSettings, uniq, type Harness } from '../integration/harness';
import { devUserOfKey } from '../../contexts/access/dev-keys';
import type { Browser } from './browser';
import { describeBrowser, screenshots, signIn, startStack, type Stack } from './setup';

jest.setTimeout(240_000);

let stack: Stack;
let h: Harness;
let base: string;
let browser: Browser;
let segment: string;
let prefix: string;

const { shot } = screenshots('assert');

/** dd/mm/yyyy of the business day `days` from today in Europe/Rome, as the console shows it. */
const dayMonthYear = (days: number): string => {
  const [y, m, d] = isoDaysFromToday(days).split('-');
  return `${d}/${m}/${y}`;
};

describeBrowser('the imported backlog in the console', () => {
  beforeAll(async () => {
    stack = await startStack();
    ({ h, base, browser } = stack);
    await h.startWorker();
    segment = uniq('arretrato').toLowerCase();
    const put = await request(h.app)
      .put(`/v1/policies/${segment}`)
      .set('Authorization', `Bearer ${KEYS.manager}`)
      .send({
        name: 'Arretrato importato',
        steps: [
          { stage: 'REMINDER', offset: 'P3D', channels: ['EMAIL'], template: 'reminder-1' },
          { stage: 'REMINDER', offset: 'P10D', channels: ['EMAIL'], template: 'reminder-2' },
          { stage: 'CALL', offset: 'P7D', channels: ['TASK'], template: 'call' },
          { stage: 'FORMAL_NOTICE', offset: 'P7D', channels: ['EMAIL'], template: 'formal-notice' },
          { stage: 'LEGAL', offset: 'P15D', channels: ['TASK'], template: 'legal', requiresApproval: true },
        ],
        settings: {
          ...secondsSettings,
          callOutcomeDeadline: 'PT1H',
          contactBudget: { max: 50, window: 'P1D' },
          entryBands: [
            { minDaysOverdue: 60, enterAt: 'CALL' },
            { minDaysOverdue: 120, enterAt: 'FORMAL_NOTICE' },
            { minDaysOverdue: 365, enterAt: 'TRIAGE' },
          ],
        },
      });
    expect(put.status).toBe(201);
    prefix = `FT-2025-${Math.floor(1000 + Math.random() * 8000)}`;
    const rows: Array<[string, string, string, number]> = [
      ['1', 'Officine Meccaniche Brianza S.r.l.', '12.500,00', -75],
      ['2', 'Trasporti Val Padana S.p.A.', '3.400,00', -95],
      ['3', 'Edilizia Lombarda S.r.l.', '8.900,00', -410],
      ['4', 'Cantine Colli Euganei S.r.l.', '900,00', -12],
    ];
    const csv = [
      'Numero Fattura;Codice Cliente;Ragione Sociale;Importo;Data Emissione;Scadenza;Segmento;Area;Operatore;Email',
      ...rows.map(
        ([n, name, amount, due]) =>
          `${prefix}-${n};${prefix}-C${n};${name};${amount};${dayMonthYear(due - 30)};${dayMonthYear(due)};${segment};` +
          `Nord;u-giulia;amministrazione@cliente${n}.example`,
      ),
    ].join('\r\n');
    const upload = await request(h.app)
      .post('/v1/imports?filename=arretrato.csv')
      .set('Authorization', `Bearer ${KEYS.erp}`)
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect(upload.status).toBe(202);
    await eventually(async () => {
      const tasks = await h.db.task.findMany({
        where: { invoice: { externalNumber: { startsWith: prefix } }, kind: { in: ['CALL', 'TRIAGE'] } },
      });
      return tasks.length === 3 ? tasks : null;
    }, 90_000);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('the agenda ranks the backlog’s work; the collector triages an invoice to CALL (Italian, then English)', async () => {
    const page = await browser.context.newPage();
    await signIn(page, base, KEYS.collector);
    await page.waitForURL(/#\/agenda/);
    await page.locator('#agenda-table').waitFor();
    const rows = page.locator('#agenda-table tbody tr', { hasText: prefix });
    await eventually(async () => ((await rows.count()) === 3 ? true : null), 10_000);
    const texts = await rows.allTextContents();
    // 8.900 € × ~410 days, then 12.500 € × ~75, then 3.400 € × ~95: amount × days overdue × risk.
    expect(texts[0]).toContain('Smistare fattura arretrata');
    expect(texts[0]).toContain(`${prefix}-3`);
    expect(texts[1]).toContain('Chiamata');
    expect(texts[1]).toContain(`${prefix}-1`);
    expect(texts[2]).toContain(`${prefix}-2`);
    expect(texts.join(' ')).not.toContain(`${prefix}-4`);
    await page.mouse.move(0, 0);
    await shot(page, 'agenda-backlog.png');

    // The triage invoice: nothing was sent; the collector chooses where it enters.
    await rows
      .first()
      .getByRole('link', { name: `${prefix}-3` })
      .click();
    await page.locator('#stage[data-stage="OPEN"]').waitFor();
    await page.getByRole('button', { name: 'Decidi da dove partire' }).click();
    const form = page.locator('form[data-form="triage"]');
    await form.waitFor();
    expect(await form.textContent()).toMatch(/già scaduta da 4\d\d giorni \(fascia della policy da 365 giorni\)/);
    // The timeline says why in Italian, from the workflow's structured entry.
    expect(await page.locator('body').innerText()).toMatch(
      /Da smistare: scaduta da 4\d\d giorni all’arrivo \(fascia della policy da 365 giorni\)/,
    );
    await form.getByLabel('Inizia da').selectOption('CALL');
    await form.getByLabel('Nota').fill('Cliente storico: prima una telefonata');
    await shot(page, 'invoice-triage.png');
    await form.getByRole('button', { name: 'Invia' }).click();
    // The update answers with the choice made; the CALL step fires right after it, in the workflow's loop, and
    // reaches the page's mirror a moment later: reload until it shows.
    await page.locator('form[data-form="triage"]').waitFor({ state: 'detached' });
    await eventually(async () => {
      await page.reload();
      await page.locator('#stage').waitFor();
      return (await page.locator('#stage[data-stage="CALL"]').count()) === 1 ? true : null;
    }, 20_000);

    // In English: the same agenda, the task kinds in English.
    await page.context().clearCookies();
    await page.goto(`${base}/console/`);
    await page.getByRole('button', { name: 'English' }).click();
    const giulia = devUserOfKey(KEYS.collector)!;
    await page.getByLabel('E-mail').fill(giulia.email);
    await page.getByLabel('Password').fill(giulia.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/#\/agenda/);
    await page.locator('#agenda-table').waitFor();
    const english = (await page.locator('#agenda-table tbody tr', { hasText: prefix }).allTextContents()).join(' ');
    expect(english).toContain('Call');
    expect(english).not.toMatch(/Chiamata|Smistare/);
    await page.close();
  });

  it('the policy editor shows the entry bands in days and names a refused band as the form reads', async () => {
    const page = await browser.context.newPage();
    // The previous test left English in this browser profile: back to Italian before signing in.
    await page.goto(`${base}/console/`);
    await page.evaluate(() => localStorage.setItem('segugio.lang', 'it'));
    await signIn(page, base, KEYS.manager);
    await page.waitForURL(/#\/tower/);
    await page.goto(`${base}/console/#/policies/${segment}`);
    await page.locator('form.policy-form').waitFor();
    expect(await page.locator('input[name="bandDays1"]').inputValue()).toBe('120');
    expect(await page.locator('select[name="bandAt2"]').inputValue()).toBe('TRIAGE');
    // A band not older than the one before it is refused beside its field, in Italian.
    await page.locator('input[name="bandDays1"]').fill('30');
    await page.getByRole('button', { name: 'Salva' }).click();
    await page.locator('input[name="bandDays1"][aria-invalid="true"]').waitFor();
    const alert = (await page.locator('form.policy-form div.alert').textContent()) ?? '';
    expect(alert).toContain(
      'Fascia 2 · Da quanti giorni di ritardo: deve superare i 60 giorni della fascia precedente',
    );
    await shot(page, 'policy-editor-bands.png');
    await page.close();
  });
});
