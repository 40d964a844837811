/** The bulk-import row format: column names, amounts, dates, rows. Pure functions, no I/O. */
import {
  detectDelimiter,
  mapHeader,
  normalizeHeader,
  parseAmount,
  parseDate,
  parseRow,
} from '../../../contexts/erp/import-format';

describe('column names', () => {
  it('normalises accents, case and punctuation', () => {
    expect(normalizeHeader('Città')).toBe('citta');
    expect(normalizeHeader(' Data Scadenza ')).toBe('data_scadenza');
    expect(normalizeHeader('P.IVA')).toBe('p_iva');
    expect(normalizeHeader('Due-Date')).toBe('due_date');
  });

  it('maps Italian and English headers to the same fields', () => {
    const it = mapHeader([
      'Numero Fattura',
      'Codice Cliente',
      'Ragione Sociale',
      'Importo',
      'Scadenza',
      'Data Emissione',
    ]);
    const en = mapHeader(['invoice_number', 'customer_code', 'customer_name', 'amount', 'due_date', 'issue_date']);
    expect(it.problems).toEqual([]);
    expect(en.problems).toEqual([]);
    expect(it.map.index).toEqual(en.map.index);
  });

  it('names missing required columns and duplicated meanings', () => {
    const { problems } = mapHeader(['numero', 'invoice', 'cliente', 'importo']);
    expect(problems.join('\n')).toMatch(/both mean number/);
    expect(problems.join('\n')).toMatch(/missing column for customerId/);
    expect(problems.join('\n')).toMatch(/missing column for dueDate/);
  });

  it('detects the delimiter of the header line', () => {
    expect(detectDelimiter('numero;cliente;importo')).toBe(';');
    expect(detectDelimiter('number,customer,amount')).toBe(',');
    expect(detectDelimiter('number\tcustomer\tamount')).toBe('\t');
    expect(detectDelimiter('"a;b",c,d')).toBe(',');
  });
});

describe('amounts', () => {
  const ok = (raw: string, minor: number, currency?: string) =>
    expect(parseAmount(raw, currency)).toEqual({ ok: true, minor });
  const bad = (raw: string, reason: RegExp) => {
    const r = parseAmount(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  };

  it('reads decimal comma and decimal point, with thousands separators', () => {
    ok('1.234,56', 123456);
    ok('1,234.56', 123456);
    ok('1234,5', 123450);
    ok('1234.50', 123450);
    ok('1.234.567,89', 123456789);
    ok('1,234,567', 123456700);
    ok('€ 99', 9900);
    ok("1'234.50", 123450);
    ok('0,01', 1);
    ok('12.50 EUR', 1250);
    ok('1500', 150000);
    ok('1500', 1500, 'JPY');
    ok('10,5000', 1050); // zeros beyond two decimals are harmless
  });

  it('never goes through floating point', () => {
    ok('0,29', 29);
    ok('1.005,07', 100507);
    ok('90071992547409,91', 9007199254740991);
  });

  it('refuses negatives, ambiguity, garbage and excess precision', () => {
    bad('-10,00', /negative/);
    bad('(10.00)', /negative/);
    bad('1.234', /ambiguous/);
    bad('1,234', /ambiguous/);
    bad('12,345,6', /not an amount/);
    bad('1.2.3,4', /not an amount|mixes/);
    bad('abc', /not an amount/);
    bad('', /empty/);
    bad('1,2345', /more than 2 decimals/);
    bad('99999999999999999999', /too large/);
  });
});

describe('dates', () => {
  it('reads dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy and ISO (with or without a time)', () => {
    expect(parseDate('31/01/2026')).toEqual({ ok: true, iso: '2026-01-31' });
    expect(parseDate('1-2-2026')).toEqual({ ok: true, iso: '2026-02-01' });
    expect(parseDate('05.03.2026')).toEqual({ ok: true, iso: '2026-03-05' });
    expect(parseDate('2026-03-05')).toEqual({ ok: true, iso: '2026-03-05' });
    expect(parseDate('2026-03-05T00:00:00Z')).toEqual({ ok: true, iso: '2026-03-05' });
  });

  it('refuses impossible dates and other formats', () => {
    expect(parseDate('31/02/2026').ok).toBe(false);
    expect(parseDate('2026-13-01').ok).toBe(false);
    expect(parseDate('01/31/26').ok).toBe(false);
    expect(parseDate('tomorrow').ok).toBe(false);
  });
});

describe('rows', () => {
  const header = mapHeader([
    'Numero',
    'Codice Cliente',
    'Ragione Sociale',
    'Importo',
    'Saldo',
    'Data',
    'Scadenza',
    'Email',
    'Segmento',
    'Valuta',
  ]).map;
  const defaults = { currency: 'EUR', segment: 'standard' };

  it('turns a valid Italian row into the same invoice the API accepts', () => {
    const r = parseRow(
      ['FT-1', 'C-1', 'Rossi S.r.l.', '1.220,00', '220,00', '01/10/2026', '31/10/2026', 'a@b.it', 'Standard', ''],
      header,
      defaults,
    );
    expect(r).toEqual({
      ok: true,
      invoice: expect.objectContaining({
        number: 'FT-1',
        currency: 'EUR',
        amountMinor: 122000,
        balanceMinor: 22000,
        issueDate: '2026-10-01',
        dueDate: '2026-10-31',
        customer: expect.objectContaining({
          externalId: 'C-1',
          name: 'Rossi S.r.l.',
          email: 'a@b.it',
          segment: 'standard',
        }),
      }),
    });
  });

  it('gives every problem of a bad row, naming the file’s own columns', () => {
    const r = parseRow(
      ['FT-2', 'C-1', 'Rossi', '-5', '', '32/01/2026', '31/12/2026', 'not-mail', '', 'XYZ'],
      header,
      defaults,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/Valuta: 'XYZ'/);
      expect(r.reason).toMatch(/Importo: must not be negative/);
      expect(r.reason).toMatch(/Data: '32\/01\/2026' is not a real calendar date/);
    }
  });

  it('reports schema problems (missing name, bad e-mail, balance above amount) by column', () => {
    const r = parseRow(['FT-3', 'C-1', '', '100,00', '200,00', '', '31/12/2026', 'not-mail', '', ''], header, defaults);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(/Ragione Sociale/);
      expect(r.reason).toMatch(/Email/);
    }
  });

  it('defaults the issue date to the due date and the currency to the configured one', () => {
    const r = parseRow(['FT-4', 'C-1', 'Rossi', '10', '', '', '2026-12-31', '', '', ''], header, {
      currency: 'CHF',
      segment: 'standard',
    });
    expect(r.ok && r.invoice.issueDate).toBe('2026-12-31');
    expect(r.ok && r.invoice.currency).toBe('CHF');
  });
});
