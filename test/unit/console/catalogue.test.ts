/**
 * The console's message catalogue and formats, run as the browser runs them: web/i18n.js and web/messages.js are
 * loaded as ES modules in a child Node process, with intl-messageformat's single-file module where the API serves
 * it (/console/vendor/intl-messageformat.js). Every language has every key, every message parses and formats with
 * sample values, plurals agree ("1 risultato", never "1 risultati"), money keeps the currency's own digits, and amount
 * fields read what Italians, English and French people type.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(__dirname, '../../..');

/** Runs `body` (an async ES module snippet with `i18n` and `MESSAGES` in scope) and returns what it prints as JSON. */
function runInConsole(body: string): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-console-'));
  try {
    fs.mkdirSync(path.join(dir, 'vendor'));
    for (const f of ['i18n.js', 'messages.js']) fs.copyFileSync(path.join(root, 'web', f), path.join(dir, f));
    const pkg = path.dirname(require.resolve('intl-messageformat'));
    fs.copyFileSync(path.join(pkg, 'intl-messageformat.iife.js'), path.join(dir, 'vendor', 'intl-messageformat.js'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    const script = `
      import * as i18n from ${JSON.stringify(pathToFileURL(path.join(dir, 'i18n.js')).href)};
      import { MESSAGES } from ${JSON.stringify(pathToFileURL(path.join(dir, 'messages.js')).href)};
      const out = await (async () => { ${body} })();
      process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the console message catalogue', () => {
  it('has every key in it, en and fr, and every message formats in its language', () => {
    const report = runInConsole(`
      const keys = (l) => Object.keys(MESSAGES[l]).sort();
      const sample = { n: 1, page: 1, pages: 2, minimum: 3, maximum: 5, origin: 'string', count: 2, max: 1,
        version: 2, notified: 1, r: 'STOP', role: 'manager', lang: 'it', kind: 'CREDIT_NOTE', direction: 'OUT',
        hasTemplate: 'yes', hasOutcome: 'no', hasUntil: 'yes', hasAmount: 'yes' };
      const failures = [];
      for (const l of ['it', 'en', 'fr']) {
        i18n.setLang(l);
        for (const k of keys(l)) {
          try {
            // Every argument the message names gets a value: the samples above, or a word.
            const names = [...MESSAGES[l][k].matchAll(/\\{(\\w+)/g)].map((m) => m[1]);
            const values = Object.fromEntries(names.map((name) => [name, name in sample ? sample[name] : 'X']));
            const text = i18n.t(k, values);
            if (!text.trim()) failures.push(l + ' ' + k + ': empty');
          } catch (e) { failures.push(l + ' ' + k + ': ' + e.message); }
        }
      }
      return { it: keys('it'), en: keys('en'), fr: keys('fr'), failures };
    `) as { it: string[]; en: string[]; fr: string[]; failures: string[] };
    expect(report.failures).toEqual([]);
    expect(report.en).toEqual(report.it);
    expect(report.fr).toEqual(report.it);
    expect(report.it.length).toBeGreaterThan(300);
  });

  it('agrees in number: 1 risultato, 2 risultati; 1 result; 0 résultat is "aucun résultat"', () => {
    expect(
      runInConsole(`
        const r = {};
        for (const l of ['it', 'en', 'fr']) {
          i18n.setLang(l);
          r[l] = [0, 1, 2, 12345].map((n) => i18n.t('results', { n }));
          r[l + 'Days'] = i18n.t('days', { n: 1 });
        }
        return r;
      `),
    ).toEqual({
      it: ['nessun risultato', '1 risultato', '2 risultati', '12.345 risultati'],
      itDays: '1 giorno',
      en: ['no results', '1 result', '2 results', '12,345 results'],
      enDays: '1 day',
      fr: ['aucun résultat', '1 résultat', '2 résultats', '12\u202f345 résultats'],
      frDays: '1 jour',
    });
  });

  it("shows money in the currency's own digits, thousands always grouped", () => {
    expect(
      runInConsole(`
        const r = {};
        for (const l of ['it', 'en']) {
          i18n.setLang(l);
          r[l] = [i18n.money(780000), i18n.money(1210000), i18n.money(125000, 'JPY'), i18n.money(1234567, 'KWD')];
        }
        return r;
      `),
    ).toEqual({
      it: ['7.800,00\u00a0€', '12.100,00\u00a0€', '125.000\u00a0JPY', '1.234,567\u00a0KWD'],
      en: ['€7,800.00', '€12,100.00', 'JP¥125,000', 'KWD\u00a01,234.567'],
    });
  });

  it('reads amounts as people type them, never asking for cents', () => {
    expect(
      runInConsole(`
        const p = (text, l, c = 'EUR') => { const v = i18n.parseAmount(text, c, l); return Number.isNaN(v) ? 'NaN' : v ?? null; };
        return {
          it: ['12.500', '12.500,00', '12500', '12500,5', '1.234.567,89', '€ 12.500,00', '12,50', ''].map((x) => p(x, 'it')),
          en: ['12,500.00', '12,500', '12500.5', '12.50', '1,234,567.89'].map((x) => p(x, 'en')),
          fr: ['12 500,00', '12\u202f500', '12500,5'].map((x) => p(x, 'fr')),
          jpy: [p('125.000', 'it', 'JPY'), p('125,5', 'it', 'JPY')],
          kwd: [p('1.234,567', 'it', 'KWD')],
          junk: ['12,5,5', 'abc', '12.5.5,00,1', '1,2345'].map((x) => p(x, 'it')),
        };
      `),
    ).toEqual({
      it: [1_250_000, 1_250_000, 1_250_000, 1_250_050, 123_456_789, 1_250_000, 1250, null],
      en: [1_250_000, 1_250_000, 1_250_050, 1250, 123_456_789],
      fr: [1_250_000, 1_250_000, 1_250_050],
      jpy: [125_000, 'NaN'],
      kwd: [1_234_567],
      junk: ['NaN', 'NaN', 'NaN', 'NaN'],
    });
  });

  it('shows and reads dates in the user’s order (gg/mm/aaaa), refusing dates that do not exist', () => {
    expect(
      runInConsole(`
        return {
          shown: ['it', 'en', 'fr'].map((l) => i18n.formatDateInput('2026-12-01', l)),
          none: i18n.formatDateInput('', 'it'),
          it: ['01/12/2026', '1/12/2026', '1.12.2026', '01-12-26', '2026-12-01', '', '  '].map((x) => i18n.parseDate(x, 'it') ?? 'none'),
          en: ['01/12/2026', '29/02/2028'].map((x) => i18n.parseDate(x, 'en') ?? 'none'),
          bad: ['12/31/2026', '31/02/2026', '29/02/2027', '12/2026', 'ieri', '00/01/2026', '2026-13-01'].map((x) => i18n.parseDate(x, 'it')),
          formats: ['it', 'en', 'fr'].map((l) => MESSAGES[l].dateInputFormat),
        };
      `),
    ).toEqual({
      shown: ['01/12/2026', '01/12/2026', '01/12/2026'],
      none: '',
      it: ['2026-12-01', '2026-12-01', '2026-12-01', '2026-12-01', '2026-12-01', 'none', 'none'],
      en: ['2026-12-01', '2028-02-29'],
      bad: [null, null, null, null, null, null, null],
      formats: ['gg/mm/aaaa', 'dd/mm/yyyy', 'jj/mm/aaaa'],
    });
  });

  it('reads a date and time in Rome’s clock whatever the machine’s zone, across the change of the clocks', () => {
    expect(
      runInConsole(`
        return {
          // Winter (UTC+1), summer (UTC+2), the night of 29 March 2026 (02:00 → 03:00) and of 25 October 2026.
          it: ['11/12/2026 10:30', '11/12/2026 9.05', '2026-12-11T10:30', '15/07/2026 10:30', '29/03/2026 03:30',
            '25/10/2026 12:00', '', ' '].map((x) => i18n.parseDateTime(x, 'it') ?? 'none'),
          bad: ['11/12/2026', '11/12/2026 24:00', '11/12/2026 10:60', '31/02/2026 10:00', 'domani 10:00', '10:30']
            .map((x) => i18n.parseDateTime(x, 'it')),
          shown: ['it', 'en', 'fr'].map((l) => i18n.formatDateTimeInput('2026-12-11T09:30:00.000Z', l)),
          summer: i18n.formatDateTimeInput('2026-07-15T08:30:00Z', 'it'),
          none: [i18n.formatDateTimeInput('', 'it'), i18n.formatDateTimeInput(null, 'it')],
          today: /^\\d{4}-\\d{2}-\\d{2}$/.test(i18n.todayIso()) && i18n.todayIso(1) > i18n.todayIso(),
        };
      `),
    ).toEqual({
      it: [
        '2026-12-11T09:30:00.000Z',
        '2026-12-11T08:05:00.000Z',
        '2026-12-11T09:30:00.000Z',
        '2026-07-15T08:30:00.000Z',
        '2026-03-29T01:30:00.000Z',
        '2026-10-25T11:00:00.000Z',
        'none',
        'none',
      ],
      bad: [null, null, null, null, null, null],
      shown: ['11/12/2026 10:30', '11/12/2026 10:30', '11/12/2026 10:30'],
      summer: '15/07/2026 10:30',
      none: ['', ''],
      today: true,
    });
  });
});
