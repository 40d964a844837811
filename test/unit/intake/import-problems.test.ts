/**
 * Import row problems as stable codes (contexts/erp/import-format.ts) and their words in it/en/fr, server side
 * (contexts/intake/import-messages.ts) and in the console's catalogue (web/messages.js `importProblem.*`): every
 * code the format can give is worded in each language, so no person reads a code or an English sentence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mapHeader, parseAmount, parseDate, parseRow } from '../../../contexts/erp/import-format';
import { IMPORT_TEXTS, problemText } from '../../../contexts/intake/import-messages';

const header = mapHeader(['Numero', 'Codice Cliente', 'Ragione Sociale', 'Importo', 'Scadenza', 'Email', 'Valuta']).map;
const defaults = { currency: 'EUR' };

/** Every code the format and the batch intake produce. */
const CODES = [
  'required',
  'negative_amount',
  'not_amount',
  'ambiguous_amount',
  'too_many_decimals',
  'amount_too_large',
  'not_date',
  'not_calendar_date',
  'unknown_currency',
  'nul',
  'unknown_user',
  'number_taken',
  'not_recorded',
  'missing_column',
  'duplicate_column',
];

describe('import problems', () => {
  it('gives each cell problem a code and the cell as written', () => {
    expect(parseAmount('-5')).toMatchObject({ ok: false, code: 'negative_amount', params: { value: '-5' } });
    expect(parseAmount('1.234')).toMatchObject({ ok: false, code: 'ambiguous_amount', params: { whole: '1234' } });
    expect(parseAmount('12,345')).toMatchObject({ ok: false, code: 'ambiguous_amount' });
    expect(parseAmount('1,2,3')).toMatchObject({ ok: false, code: 'not_amount' });
    expect(parseAmount('1.234,567')).toMatchObject({ ok: false, code: 'too_many_decimals', params: { digits: 2 } });
    expect(parseAmount('abc')).toMatchObject({ ok: false, code: 'not_amount', params: { value: 'abc' } });
    expect(parseDate('31/02/2026')).toMatchObject({
      ok: false,
      code: 'not_calendar_date',
      params: { value: '31/02/2026' },
    });
    expect(parseDate('domani')).toMatchObject({ ok: false, code: 'not_date' });
  });

  it('names the file column of each problem of a row, schema problems included', () => {
    const r = parseRow(['FT-1', 'C-1', '', '-5', '31/02/2026', 'not-mail', 'XYZ'], header, defaults);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { column: 'Valuta', code: 'unknown_currency', params: { value: 'XYZ' } },
      { column: 'Importo', code: 'negative_amount', params: { value: '-5' } },
      { column: 'Scadenza', code: 'not_calendar_date', params: { value: '31/02/2026' } },
    ]);
    const schema = parseRow(['FT-1', 'C-1', '', '5,00', '31/12/2026', 'not-mail', ''], header, defaults);
    expect(schema.ok).toBe(false);
    if (!schema.ok)
      expect(schema.problems.map((p) => [p.column, p.code])).toEqual([
        ['Ragione Sociale', 'required'],
        ['Email', 'invalid_format'],
      ]);
    const { issues } = mapHeader(['Numero', 'Numero Fattura', 'Ragione Sociale']);
    expect(issues.map((i) => i.code)).toEqual([
      'duplicate_column',
      'missing_column',
      'missing_column',
      'missing_column',
    ]);
  });

  it('words every code in Italian, English and French', () => {
    // The console catalogue is an ES module for the browser (its own test loads it in a child process): here its
    // text is enough to see that each language words each code.
    const catalogue = fs.readFileSync(path.join(__dirname, '../../../web/messages.js'), 'utf8');
    for (const lang of ['it', 'en', 'fr'] as const) {
      expect(Object.keys(IMPORT_TEXTS[lang]).sort()).toEqual(Object.keys(IMPORT_TEXTS.it).sort());
      for (const code of CODES) {
        expect(IMPORT_TEXTS[lang][code]).toBeDefined();
        expect(catalogue.split(`'importProblem.${code}':`).length - 1).toBe(3);
      }
    }
    expect(problemText({ column: 'Scadenza', code: 'not_calendar_date', params: { value: '31/02/2026' } }, 'it')).toBe(
      "Scadenza: '31/02/2026' non è una data del calendario",
    );
    expect(problemText({ column: '', code: 'not_recorded' }, 'fr')).toBe("la facture n'a pas pu être enregistrée");
  });
});
