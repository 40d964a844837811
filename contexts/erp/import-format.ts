/**
 * The bulk-import file format, pure and unit-tested: Italian or English column names, decimal comma or point, dates
 * dd/mm/yyyy or ISO. A row becomes the same `CreateInvoice` the API accepts, or a reason naming the column.
 */
import { zodFields } from '../errors';
import { createInvoiceSchema, CURRENCIES, type CreateInvoice } from '../schemas';

/**
 * One problem of a row as a stable code, so a person reads it in their language (contexts/intake/import-messages.ts):
 * the column as the file names it, the code, and its values (the cell as written, a limit).
 */
export interface RowProblem {
  column: string;
  code: string;
  params?: Record<string, string | number>;
}

/** A cell that is not a value, in English for logs and developers plus its stable code. */
export type CellFailure = { ok: false; reason: string; code: string; params?: Record<string, string | number> };

export const IMPORT_FIELDS = {
  number: [
    'numero',
    'numero_fattura',
    'n_fattura',
    'nr_fattura',
    'fattura',
    'numero_documento',
    'invoice',
    'invoice_number',
    'invoice_no',
    'number',
  ],
  customerId: [
    'codice_cliente',
    'cod_cliente',
    'cliente_codice',
    'id_cliente',
    'customer_id',
    'customer_code',
    'customer_external_id',
    'customer_number',
  ],
  customerName: ['ragione_sociale', 'cliente', 'nome_cliente', 'denominazione', 'customer', 'customer_name', 'name'],
  vatNumber: ['partita_iva', 'p_iva', 'piva', 'vat', 'vat_number', 'vat_id'],
  fiscalCode: ['codice_fiscale', 'cf', 'fiscal_code', 'tax_code'],
  email: ['email', 'e_mail', 'mail', 'indirizzo_email'],
  pec: ['pec', 'email_pec'],
  phone: ['telefono', 'tel', 'cellulare', 'phone', 'mobile', 'phone_number'],
  addressLine: ['indirizzo', 'via', 'address', 'street', 'address_line'],
  city: ['citta', 'comune', 'localita', 'city', 'town'],
  postalCode: ['cap', 'postal_code', 'zip', 'zip_code', 'postcode'],
  province: ['provincia', 'prov', 'province'],
  country: ['nazione', 'paese', 'country'],
  language: ['lingua', 'language'],
  segment: ['segmento', 'segment'],
  area: ['area', 'zona', 'region'],
  collectorId: ['operatore', 'incaricato', 'collector', 'collector_id'],
  salespersonId: ['venditore', 'agente', 'commerciale', 'salesperson', 'sales_rep'],
  currency: ['valuta', 'divisa', 'currency'],
  amount: ['importo', 'importo_totale', 'totale', 'totale_documento', 'amount', 'total', 'invoice_amount'],
  balance: ['saldo', 'residuo', 'importo_residuo', 'da_pagare', 'balance', 'open_amount', 'outstanding', 'amount_due'],
  issueDate: ['data_emissione', 'data_fattura', 'data_documento', 'data', 'issue_date', 'invoice_date', 'date'],
  dueDate: ['scadenza', 'data_scadenza', 'due_date', 'due', 'payment_due'],
} as const;
export type ImportField = keyof typeof IMPORT_FIELDS;

const REQUIRED: ImportField[] = ['number', 'customerId', 'customerName', 'amount', 'dueDate'];

/** Lower case, no accents, words joined by `_`: "Città" → "citta", "Data Scadenza" → "data_scadenza". */
export function normalizeHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export interface HeaderMap {
  /** Column index of each recognised field. */
  index: Partial<Record<ImportField, number>>;
  /** Original header names, for messages. */
  names: string[];
}

/**
 * Maps the header row to fields; the problems name missing required columns and duplicates (in English, and as
 * stable codes in `issues`: `missing_column` { field, accepted }, `duplicate_column` { field, first, second }).
 */
export function mapHeader(header: string[]): { map: HeaderMap; problems: string[]; issues: RowProblem[] } {
  const index: Partial<Record<ImportField, number>> = {};
  const problems: string[] = [];
  const issues: RowProblem[] = [];
  header.forEach((raw, i) => {
    const n = normalizeHeader(raw);
    for (const [field, aliases] of Object.entries(IMPORT_FIELDS) as Array<[ImportField, readonly string[]]>) {
      if (!aliases.includes(n)) continue;
      if (index[field] !== undefined) {
        problems.push(`columns '${header[index[field]]}' and '${raw}' both mean ${field}`);
        issues.push({
          column: raw,
          code: 'duplicate_column',
          params: { field, first: header[index[field]], second: raw },
        });
      } else index[field] = i;
      return;
    }
  });
  for (const f of REQUIRED) {
    if (index[f] === undefined) {
      problems.push(`missing column for ${f} (accepted names: ${IMPORT_FIELDS[f].join(', ')})`);
      issues.push({ column: '', code: 'missing_column', params: { field: f, accepted: IMPORT_FIELDS[f].join(', ') } });
    }
  }
  return { map: { index, names: header }, problems, issues };
}

/** The delimiter of a CSV header line: the most frequent of `;` `,` tab `|` outside quotes. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>([
    [';', 0],
    [',', 0],
    ['\t', 0],
    ['|', 0],
  ]);
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let max = 0;
  for (const [d, n] of counts) {
    if (n > max) {
      best = d;
      max = n;
    }
  }
  return best;
}

const MINOR_DIGITS: Record<string, number> = { JPY: 0, HUF: 2 };

/**
 * A money amount in major units as written by an ERP ("1.234,56", "1234.56", "1,234.56", "€ 99", "1'234.50") to
 * integer minor units, without ever going through a float. Ambiguous forms such as "1.234" are refused.
 */
export function parseAmount(raw: string, currency = 'EUR'): { ok: true; minor: number } | CellFailure {
  let s = raw
    .trim()
    .replace(/[\s\u00a0\u202f€$£]|EUR|CHF|USD|GBP/g, '')
    .replace(/'/g, '');
  const value = raw.trim();
  if (s === '') return { ok: false, reason: 'is empty', code: 'required' };
  if (s.startsWith('-') || (s.startsWith('(') && s.endsWith(')')))
    return { ok: false, reason: 'must not be negative', code: 'negative_amount', params: { value } };
  if (s.startsWith('+')) s = s.slice(1);
  const notAmount: CellFailure = {
    ok: false,
    reason: `'${raw}' is not an amount`,
    code: 'not_amount',
    params: { value },
  };
  if (!/^[\d.,]+$/.test(s)) return notAmount;
  const dots = (s.match(/\./g) ?? []).length;
  const commas = (s.match(/,/g) ?? []).length;
  let intPart: string;
  let frac = '';
  const split = (sep: string, thousands: string): { ok: boolean } => {
    const at = s.lastIndexOf(sep);
    intPart = s.slice(0, at);
    frac = s.slice(at + 1);
    if (thousands && intPart.includes(thousands)) {
      const groups = intPart.split(thousands);
      if (!/^\d{1,3}$/.test(groups[0]) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return { ok: false };
      intPart = groups.join('');
    }
    return { ok: true };
  };
  intPart = s;
  if (dots > 0 && commas > 0) {
    const decimal = s.lastIndexOf(',') > s.lastIndexOf('.') ? ',' : '.';
    const thousands = decimal === ',' ? '.' : ',';
    if ((decimal === ',' ? commas : dots) !== 1 || !split(decimal, thousands).ok) {
      return {
        ok: false,
        reason: `'${raw}' mixes separators in a way that is not an amount`,
        code: 'not_amount',
        params: { value },
      };
    }
  } else if (dots + commas === 1) {
    const sep = dots ? '.' : ',';
    const after = s.length - s.indexOf(sep) - 1;
    if (after === 3) {
      return {
        ok: false,
        reason: `'${raw}' is ambiguous (thousands or decimals?); write it as ${s.replace(sep, '')},00 or with two decimals`,
        code: 'ambiguous_amount',
        params: { value, whole: s.replace(sep, '') },
      };
    }
    split(sep, '');
  } else if (dots + commas > 1) {
    const sep = dots ? '.' : ',';
    const groups = s.split(sep);
    if (!/^\d{1,3}$/.test(groups[0]) || groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return notAmount;
    intPart = groups.join('');
  }
  if (!/^\d+$/.test(intPart || '0') || !/^\d*$/.test(frac)) return notAmount;
  const digits = MINOR_DIGITS[currency] ?? 2;
  if (frac.length > digits) {
    if (/^0*$/.test(frac.slice(digits))) frac = frac.slice(0, digits);
    else
      return {
        ok: false,
        reason: `'${raw}' has more than ${digits} decimals`,
        code: 'too_many_decimals',
        params: { value, digits },
      };
  }
  const minorStr = `${(intPart || '0').replace(/^0+(?=\d)/, '')}${frac.padEnd(digits, '0')}`;
  const minor = Number(minorStr);
  if (!Number.isSafeInteger(minor))
    return { ok: false, reason: `'${raw}' is too large`, code: 'amount_too_large', params: { value } };
  return { ok: true, minor };
}

/** dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd (optionally with a time) → ISO date, checked on the calendar. */
export function parseDate(raw: string): { ok: true; iso: string } | CellFailure {
  const s = raw.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    if (!match)
      return {
        ok: false,
        reason: `'${raw}' is not a date (use dd/mm/yyyy or yyyy-mm-dd)`,
        code: 'not_date',
        params: { value: s },
      };
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const dt = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(dt.getTime()) || dt.toISOString().slice(0, 10) !== iso) {
    return {
      ok: false,
      reason: `'${raw}' is not a real calendar date`,
      code: 'not_calendar_date',
      params: { value: s },
    };
  }
  return { ok: true, iso };
}

export type RowResult = { ok: true; invoice: CreateInvoice } | { ok: false; reason: string; problems: RowProblem[] };

/** One CSV record to an invoice, or the first problems found, naming the file's own column names. */
export function parseRow(
  record: string[],
  map: HeaderMap,
  defaults: { currency: string; segment?: string },
): RowResult {
  const get = (f: ImportField): string | undefined => {
    const i = map.index[f];
    if (i === undefined) return undefined;
    const v = record[i]?.trim();
    return v === '' ? undefined : v;
  };
  const col = (f: ImportField): string => {
    const i = map.index[f];
    return i === undefined ? f : map.names[i];
  };
  const problems: string[] = [];
  const coded: RowProblem[] = [];
  if (record.some((v) => v.includes('\u0000')))
    return { ok: false, reason: 'the row contains NUL characters', problems: [{ column: '', code: 'nul' }] };
  const currency = (get('currency') ?? defaults.currency).toUpperCase();
  if (!(CURRENCIES as readonly string[]).includes(currency)) {
    problems.push(`${col('currency')}: '${currency}' is not an accepted currency`);
    coded.push({ column: col('currency'), code: 'unknown_currency', params: { value: currency } });
  }
  const fail = (f: ImportField, r: CellFailure): void => {
    problems.push(`${col(f)}: ${r.reason}`);
    coded.push({ column: col(f), code: r.code, ...(r.params ? { params: r.params } : {}) });
  };
  const money = (f: 'amount' | 'balance'): number | undefined => {
    const v = get(f);
    if (v === undefined) return undefined;
    const r = parseAmount(v, currency);
    if (!r.ok) fail(f, r);
    return r.ok ? r.minor : undefined;
  };
  const date = (f: 'issueDate' | 'dueDate'): string | undefined => {
    const v = get(f);
    if (v === undefined) return undefined;
    const r = parseDate(v);
    if (!r.ok) fail(f, r);
    return r.ok ? r.iso : undefined;
  };
  const amountMinor = money('amount');
  const balanceMinor = money('balance');
  const dueDate = date('dueDate');
  const issueDate = date('issueDate') ?? dueDate;
  if (problems.length > 0) return { ok: false, reason: problems.join('; '), problems: coded };
  const address =
    get('addressLine') && get('city') && get('postalCode')
      ? {
          line: get('addressLine'),
          city: get('city'),
          postalCode: get('postalCode'),
          province: get('province'),
          country: get('country')?.toUpperCase(),
        }
      : undefined;
  const candidate = {
    number: get('number'),
    customer: {
      externalId: get('customerId'),
      name: get('customerName'),
      vatNumber: get('vatNumber'),
      fiscalCode: get('fiscalCode'),
      email: get('email'),
      pec: get('pec'),
      phone: get('phone')
        ?.replace(/[\s.()-]/g, '')
        .replace(/^00/, '+'),
      address,
      language: get('language')?.toLowerCase(),
      // An empty cell keeps a known customer's segment; a new customer gets `standard` (customerInsertOf).
      segment: get('segment')?.toLowerCase(),
      area: get('area'),
      collectorId: get('collectorId'),
      salespersonId: get('salespersonId'),
    },
    currency,
    amountMinor,
    balanceMinor,
    issueDate,
    dueDate,
  };
  const parsed = createInvoiceSchema.safeParse(candidate);
  if (!parsed.success) {
    const reasons = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${columnOfPath(i.path.map(String), map)}: ${i.message}`);
    // The same issues as the API's field codes (required, too_big, invalid_format…), named by the file's column.
    const fields = zodFields(parsed.error, '', candidate).slice(0, 5);
    return {
      ok: false,
      reason: reasons.join('; '),
      problems: fields.map((f) => ({
        column: columnOfPath(f.path.split('.'), map),
        code: f.code ?? 'invalid',
        ...(f.params ? { params: plainParams(f.params) } : {}),
      })),
    };
  }
  return { ok: true, invoice: parsed.data };
}

const PATH_FIELD: Record<string, ImportField> = {
  number: 'number',
  'customer.externalId': 'customerId',
  'customer.name': 'customerName',
  'customer.vatNumber': 'vatNumber',
  'customer.fiscalCode': 'fiscalCode',
  'customer.email': 'email',
  'customer.pec': 'pec',
  'customer.phone': 'phone',
  'customer.language': 'language',
  'customer.segment': 'segment',
  'customer.area': 'area',
  'customer.collectorId': 'collectorId',
  'customer.salespersonId': 'salespersonId',
  amountMinor: 'amount',
  balanceMinor: 'balance',
  issueDate: 'issueDate',
  dueDate: 'dueDate',
  currency: 'currency',
};

/** The file's own name of the column behind an API path (`customer.collectorId` → "Operatore"). */
export function columnOfPath(p: string[], map: HeaderMap): string {
  const key = p.join('.');
  const f = PATH_FIELD[key];
  const i = f ? map.index[f] : undefined;
  return i === undefined ? key || 'row' : map.names[i];
}

/** Field params as plain strings and numbers (a list of accepted values joined), for a sentence. */
function plainParams(p: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'number' || typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.join(', ');
    else if (typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** The field each recognised column maps to, by column index (null: the column is not read). */
export function columnFields(map: HeaderMap): Array<ImportField | null> {
  const byIndex: Array<ImportField | null> = map.names.map(() => null);
  for (const [field, i] of Object.entries(map.index) as Array<[ImportField, number]>) byIndex[i] = field;
  return byIndex;
}
