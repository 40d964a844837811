/**
 * Reports as flat tables, and those tables as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read accents)
 * or XLSX (exceljs: typed numeric cells, money in major units with a number format, frozen header). Money columns
 * stay integer minor units in JSON and in the plain CSV (exact, machine-readable); XLSX shows them in major units.
 * With a language (`lang=it|en|fr`, what the console sends) the export is for a person: headers in that language,
 * money in major units with the currency's digits, and for Italian and French Excel a `;` separator and a decimal
 * comma (their Excel reads `,` as the decimal mark, so a comma-separated file would land in one column).
 */
import ExcelJS from 'exceljs';
import { currencyDigits } from '../../domain/money';
import type { Grouped } from './filters';
import { AGING_BUCKETS, AGING_LABELS } from './formulas';
import type {
  AgingFigures,
  DisputeFigures,
  DsoFigures,
  PromiseFigures,
  ReasonFigures,
  RecoveryRow,
  StageRow,
} from './kpis';
import type { LegalCaseReport } from './legal';
import type { TrendPoint } from './snapshots';

export type ColumnKind = 'text' | 'int' | 'money' | 'pct' | 'days' | 'number';
export interface Column {
  key: string;
  header: string;
  kind: ColumnKind;
}
export interface Table {
  title: string;
  columns: Column[];
  rows: Array<Record<string, string | number | null>>;
}

export type ExportLanguage = 'it' | 'en' | 'fr';

/** Column headers in Italian and French, by column key (English is each column's own header). */
const HEADERS: Record<string, { it: string; fr: string }> = {
  group: { it: 'Gruppo', fr: 'Groupe' },
  days: { it: 'Giorni del periodo', fr: 'Jours de la période' },
  creditSalesMinor: { it: 'Vendite a credito', fr: 'Ventes à crédit' },
  receivablesBeginMinor: { it: 'Crediti a inizio periodo', fr: 'Créances en début de période' },
  receivablesEndMinor: { it: 'Crediti a fine periodo', fr: 'Créances en fin de période' },
  currentEndMinor: { it: 'A scadere a fine periodo', fr: 'Non échu en fin de période' },
  pastDueEndMinor: { it: 'Scaduto a fine periodo', fr: 'Échu en fin de période' },
  dso: { it: 'DSO (standard)', fr: 'DSO (standard)' },
  countBackDso: { it: 'DSO (count-back)', fr: 'DSO (count-back)' },
  bestPossibleDso: { it: 'Miglior DSO possibile', fr: 'Meilleur DSO possible' },
  add: { it: 'Giorni medi di ritardo', fr: 'Retard moyen (jours)' },
  cei: { it: 'CEI %', fr: 'CEI %' },
  totalMinor: { it: 'Residuo totale', fr: 'Solde total' },
  totalCount: { it: 'Fatture', fr: 'Factures' },
  promises: { it: 'Promesse in scadenza', fr: 'Promesses échues' },
  kept: { it: 'Mantenute', fr: 'Tenues' },
  broken: { it: 'Non mantenute', fr: 'Non tenues' },
  open: { it: 'Aperte', fr: 'Ouvertes' },
  cancelled: { it: 'Annullate', fr: 'Annulées' },
  keptMinor: { it: 'Importo mantenuto', fr: 'Montant tenu' },
  brokenMinor: { it: 'Importo non mantenuto', fr: 'Montant non tenu' },
  keptRate: { it: 'Mantenute %', fr: 'Tenues %' },
  keptRateByAmount: { it: 'Mantenute per importo %', fr: 'Tenues en montant %' },
  invoicesIssued: { it: 'Fatture emesse', fr: 'Factures émises' },
  invoicesDisputed: { it: 'Contestate', fr: 'En litige' },
  disputeRate: { it: 'Tasso di contestazione %', fr: 'Taux de litige %' },
  amountIssuedMinor: { it: 'Importo emesso', fr: 'Montant émis' },
  amountDisputedMinor: { it: 'Importo contestato', fr: 'Montant en litige' },
  disputeRateByAmount: { it: 'Contestazione per importo %', fr: 'Litige en montant %' },
  resolved: { it: 'Risolte', fr: 'Résolus' },
  accepted: { it: 'Accolte', fr: 'Acceptés' },
  rejected: { it: 'Respinte', fr: 'Rejetés' },
  partial: { it: 'Accolte in parte', fr: 'Acceptés en partie' },
  meanDaysToResolve: { it: 'Giorni medi di risoluzione', fr: 'Jours moyens de résolution' },
  openAtEnd: { it: 'Aperte a fine periodo', fr: 'Ouverts en fin de période' },
  reason: { it: 'Motivo', fr: 'Motif' },
  count: { it: 'Volte registrato', fr: 'Fois enregistré' },
  share: { it: 'Quota %', fr: 'Part %' },
  invoices: { it: 'Fatture', fr: 'Factures' },
  stage: { it: 'Fase', fr: 'Étape' },
  balanceMinor: { it: 'Residuo', fr: 'Solde' },
  avgDaysPastDue: { it: 'Giorni medi di ritardo', fr: 'Retard moyen (jours)' },
  entered: { it: 'Ingressi', fr: 'Entrées' },
  exposureMinor: { it: "Residuo all'ingresso", fr: "Solde à l'entrée" },
  recoveredMinor: { it: 'Recuperato nella fase', fr: "Recouvré dans l'étape" },
  recoveryRate: { it: 'Tasso di recupero %', fr: 'Taux de recouvrement %' },
  invoiceNumber: { it: 'Fattura', fr: 'Facture' },
  customerName: { it: 'Cliente', fr: 'Client' },
  rating: { it: 'Rating', fr: 'Notation' },
  position: { it: 'Posizione legale', fr: 'Position contentieuse' },
  recoveryProbability: { it: 'Probabilità di recupero', fr: 'Probabilité de recouvrement' },
  expectedRecoveryMinor: { it: 'Recupero atteso', fr: 'Recouvrement attendu' },
  costsSoFarMinor: { it: 'Costi sostenuti', fr: 'Frais engagés' },
  expectedCostsMinor: { it: 'Costi ancora attesi', fr: 'Frais encore attendus' },
  netExpectedValueMinor: { it: 'Valore netto atteso', fr: 'Valeur nette attendue' },
  recommendation: { it: 'Raccomandazione', fr: 'Recommandation' },
  month: { it: 'Mese', fr: 'Mois' },
  key: { it: 'Gruppo', fr: 'Groupe' },
  promiseKeptRate: { it: 'Promesse mantenute %', fr: 'Promesses tenues %' },
  // The invoice list's export (a selection of invoices, contexts/collections/bulk.ts).
  customerCode: { it: 'Codice cliente', fr: 'Code client' },
  currency: { it: 'Valuta', fr: 'Devise' },
  amountMinor: { it: 'Importo', fr: 'Montant' },
  dueDate: { it: 'Scadenza', fr: 'Échéance' },
  daysOverdue: { it: 'Giorni di ritardo', fr: 'Jours de retard' },
};
const BUCKET_WORDS: Record<ExportLanguage, { notDue: string; balance: string; invoices: string; days: string }> = {
  it: { notDue: 'A scadere', balance: 'residuo', invoices: 'fatture', days: 'gg' },
  en: { notDue: 'Not due', balance: 'balance', invoices: 'invoices', days: '' },
  fr: { notDue: 'Non échu', balance: 'solde', invoices: 'factures', days: 'j' },
};
const TOTAL: Record<ExportLanguage, string> = { it: 'TOTALE', en: 'TOTAL', fr: 'TOTAL' };

/** A column's header in a language (aging columns are built from their bucket). */
export function headerIn(c: Column, lang: ExportLanguage): string {
  if (lang === 'en') return c.header;
  const bucket = /^(\w+?)_(balance|count)$/.exec(c.key);
  if (bucket && (AGING_BUCKETS as readonly string[]).includes(bucket[1])) {
    const w = BUCKET_WORDS[lang];
    const b = bucket[1] as (typeof AGING_BUCKETS)[number];
    const label = b === 'not_due' ? w.notDue : `${AGING_LABELS[b]} ${w.days}`.trim();
    return `${label} ${bucket[2] === 'balance' ? w.balance : w.invoices}`;
  }
  return HEADERS[c.key]?.[lang] ?? c.header;
}

const groupCol = (label: string): Column => ({ key: 'group', header: label, kind: 'text' });
/** Columns written as `[key, English header, kind]`, one per line: the tables below are mostly these lists. */
const cols = (...spec: Array<Column | [string, string, ColumnKind]>): Column[] =>
  spec.map((c) => (Array.isArray(c) ? { key: c[0], header: c[1], kind: c[2] } : c));
const groupName = (key: string | null | undefined, total: boolean): string => (total ? 'TOTAL' : (key ?? '(none)'));

function withGroups<T>(g: Grouped<T>, row: (t: T) => Array<Record<string, string | number | null>>) {
  const rows: Array<Record<string, string | number | null>> = [];
  for (const r of row(g.total)) rows.push({ group: groupName(null, true), ...r });
  for (const grp of g.groups) for (const r of row(grp)) rows.push({ group: groupName(grp.key, false), ...r });
  return rows;
}

export function dsoTable(g: Grouped<DsoFigures>, dimension = 'group'): Table {
  return {
    title: 'DSO, CEI and average days delinquent',
    columns: cols(
      groupCol(dimension),
      ['days', 'Days in period', 'int'],
      ['creditSalesMinor', 'Credit sales', 'money'],
      ['receivablesBeginMinor', 'Receivables at start', 'money'],
      ['receivablesEndMinor', 'Receivables at end', 'money'],
      ['currentEndMinor', 'Current at end', 'money'],
      ['pastDueEndMinor', 'Past due at end', 'money'],
      ['dso', 'DSO (standard)', 'days'],
      ['countBackDso', 'DSO (count-back)', 'days'],
      ['bestPossibleDso', 'Best possible DSO', 'days'],
      ['add', 'Average days delinquent', 'days'],
      ['cei', 'CEI %', 'pct'],
      ['cashCollectedMinor', 'Cash collected', 'money'],
      ['ceiCash', 'CEI on cash %', 'pct'],
    ),
    rows: withGroups(g, (t) => [{ ...t, countBackExhausted: t.countBackExhausted ? 'yes' : 'no' }]),
  };
}

export function agingTable(g: Grouped<AgingFigures>, dimension = 'group'): Table {
  const columns = cols(
    groupCol(dimension),
    ...AGING_BUCKETS.flatMap((b): Array<[string, string, ColumnKind]> => [
      [`${b}_balance`, `${AGING_LABELS[b]} balance`, 'money'],
      [`${b}_count`, `${AGING_LABELS[b]} invoices`, 'int'],
    ]),
    ['totalMinor', 'Total balance', 'money'],
    ['totalCount', 'Invoices', 'int'],
  );
  return {
    title: 'Aging of receivables',
    columns,
    rows: withGroups(g, (t) => {
      const r: Record<string, number> = { totalMinor: t.totalMinor, totalCount: t.totalCount };
      for (const b of AGING_BUCKETS) {
        r[`${b}_balance`] = t[b].balanceMinor;
        r[`${b}_count`] = t[b].count;
      }
      return [r];
    }),
  };
}

export function promiseTable(g: Grouped<PromiseFigures>, dimension = 'group'): Table {
  return {
    title: 'Promises to pay',
    columns: cols(
      groupCol(dimension),
      ['promises', 'Promises due', 'int'],
      ['kept', 'Kept', 'int'],
      ['broken', 'Broken', 'int'],
      ['open', 'Open', 'int'],
      ['cancelled', 'Cancelled', 'int'],
      ['keptMinor', 'Kept amount', 'money'],
      ['brokenMinor', 'Broken amount', 'money'],
      ['keptRate', 'Kept rate %', 'pct'],
      ['keptRateByAmount', 'Kept rate by amount %', 'pct'],
    ),
    rows: withGroups(g, (t) => [{ ...t }]),
  };
}

export function disputeTable(g: Grouped<DisputeFigures>, dimension = 'group'): Table {
  return {
    title: 'Disputes',
    columns: cols(
      groupCol(dimension),
      ['invoicesIssued', 'Invoices issued', 'int'],
      ['invoicesDisputed', 'Disputed', 'int'],
      ['disputeRate', 'Dispute rate %', 'pct'],
      ['amountIssuedMinor', 'Amount issued', 'money'],
      ['amountDisputedMinor', 'Amount disputed', 'money'],
      ['disputeRateByAmount', 'Dispute rate by amount %', 'pct'],
      ['resolved', 'Resolved', 'int'],
      ['accepted', 'Accepted', 'int'],
      ['rejected', 'Rejected', 'int'],
      ['partial', 'Partial', 'int'],
      ['meanDaysToResolve', 'Mean days to resolve', 'days'],
      ['openAtEnd', 'Open at end', 'int'],
    ),
    rows: withGroups(g, (t) => [{ ...t }]),
  };
}

export function reasonTable(g: Grouped<ReasonFigures>, dimension = 'group'): Table {
  return {
    title: 'Non-payment reasons',
    columns: cols(
      groupCol(dimension),
      ['reason', 'Reason', 'text'],
      ['count', 'Times recorded', 'int'],
      ['share', 'Share %', 'pct'],
      ['invoices', 'Invoices', 'int'],
    ),
    rows: withGroups(g, (t) => t.reasons.map((r) => ({ ...r }))),
  };
}

export function pipelineTable(g: Grouped<{ stages: StageRow[] }>, dimension = 'group'): Table {
  return {
    title: 'Pipeline by stage',
    columns: cols(
      groupCol(dimension),
      ['stage', 'Stage', 'text'],
      ['invoices', 'Invoices', 'int'],
      ['balanceMinor', 'Balance', 'money'],
      ['share', 'Share %', 'pct'],
      ['avgDaysPastDue', 'Avg days past due', 'days'],
    ),
    rows: withGroups(g, (t) => t.stages.map((s) => ({ ...s }))),
  };
}

export function recoveryTable(g: Grouped<{ stages: RecoveryRow[] }>, dimension = 'group'): Table {
  return {
    title: 'Recovery by stage',
    columns: cols(
      groupCol(dimension),
      ['stage', 'Stage', 'text'],
      ['entered', 'Entries', 'int'],
      ['exposureMinor', 'Balance at entry', 'money'],
      ['recoveredMinor', 'Recovered in stage', 'money'],
      ['recoveryRate', 'Recovery rate %', 'pct'],
    ),
    rows: withGroups(g, (t) => t.stages.map((s) => ({ ...s }))),
  };
}

export function legalTable(cases: LegalCaseReport[]): Table {
  return {
    title: 'Legal cost-benefit',
    columns: cols(
      ['invoiceNumber', 'Invoice', 'text'],
      ['customerName', 'Customer', 'text'],
      ['rating', 'Rating', 'text'],
      ['position', 'Legal position', 'text'],
      ['balanceMinor', 'Balance', 'money'],
      ['recoveryProbability', 'Recovery probability', 'number'],
      ['expectedRecoveryMinor', 'Expected recovery', 'money'],
      ['costsSoFarMinor', 'Costs so far', 'money'],
      ['expectedCostsMinor', 'Costs still expected', 'money'],
      ['netExpectedValueMinor', 'Net expected value', 'money'],
      ['recommendation', 'Recommendation', 'text'],
      ['reason', 'Why', 'text'],
    ),
    rows: cases.map((c) => ({ ...c }) as unknown as Record<string, string | number | null>),
  };
}

export function trendTable(points: TrendPoint[]): Table {
  return {
    title: 'Monthly trend',
    columns: cols(
      ['month', 'Month', 'text'],
      ['key', 'Group', 'text'],
      ['dso', 'DSO', 'days'],
      ['countBackDso', 'DSO (count-back)', 'days'],
      ['add', 'ADD', 'days'],
      ['cei', 'CEI %', 'pct'],
      ['receivablesEndMinor', 'Receivables', 'money'],
      ['pastDueEndMinor', 'Past due', 'money'],
      ['promiseKeptRate', 'Promises kept %', 'pct'],
      ['disputeRate', 'Dispute rate %', 'pct'],
    ),
    rows: points.map((p) => ({
      month: p.month,
      key: p.key,
      ...(p.metrics as unknown as Record<string, number | null>),
    })),
  };
}

function csvCell(v: string | number | null | undefined, sep = ','): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote when needed; a leading = + - @ is prefixed with ' so a spreadsheet never runs it as a formula (a negative
  // number written by us is a number, not a formula).
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-\d+([.,]\d+)?$/.test(s) ? `'${s}` : s;
  // With `;` between cells (Italian and French Excel) a decimal comma needs no quotes; with `,` a `;` still gets them.
  const special = sep === ';' ? /[";\r\n]/ : /[",\r\n;]/;
  return special.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * CSV with a header row. Without a language: money in minor units, rates and days as decimals with a dot, `,`
 * between cells (for programs). With one: headers in that language, money in major units with the currency's
 * digits (no raw cents), and for `it`/`fr` `;` between cells and a decimal comma, as their Excel expects.
 */
export function toCsv(t: Table, opts: { lang?: ExportLanguage; currency?: string } = {}): string {
  const { lang } = opts;
  const sep = lang === 'it' || lang === 'fr' ? ';' : ',';
  const digits = currencyDigits(opts.currency ?? 'EUR');
  const cell = (c: Column, v: string | number | null | undefined): string => {
    if (!lang || typeof v !== 'number') {
      if (lang && c.key === 'group' && v === 'TOTAL') return csvCell(TOTAL[lang], sep);
      return csvCell(v, sep);
    }
    const n = c.kind === 'money' ? (v / 10 ** digits).toFixed(digits) : String(v);
    return csvCell(sep === ';' ? n.replace('.', ',') : n, sep);
  };
  const lines = [t.columns.map((c) => csvCell(lang ? headerIn(c, lang) : c.header, sep)).join(sep)];
  for (const r of t.rows) lines.push(t.columns.map((c) => cell(c, r[c.key])).join(sep));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** One-sheet XLSX workbook of the table. */
export async function toXlsx(t: Table, currency = 'EUR', lang?: ExportLanguage): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Segugio';
  wb.created = new Date(0); // deterministic output for the same data
  const ws = wb.addWorksheet(t.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  // The currency's own digits: a yen column has no decimals, a dinar column three.
  const digits = currencyDigits(currency);
  ws.columns = t.columns.map((c) => ({
    header:
      c.kind === 'money' ? `${lang ? headerIn(c, lang) : c.header} (${currency})` : lang ? headerIn(c, lang) : c.header,
    key: c.key,
    width: Math.max(12, c.header.length + 6),
    style: {
      numFmt:
        c.kind === 'money'
          ? digits > 0
            ? `#,##0.${'0'.repeat(digits)}`
            : '#,##0'
          : c.kind === 'pct' || c.kind === 'days'
            ? '0.0'
            : c.kind === 'number'
              ? '0.000'
              : undefined,
    },
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of t.rows) {
    const out: Record<string, string | number | null> = {};
    for (const c of t.columns) {
      const v = r[c.key];
      out[c.key] =
        c.kind === 'money' && typeof v === 'number'
          ? v / 10 ** digits
          : lang && c.key === 'group' && v === 'TOTAL'
            ? TOTAL[lang]
            : (v ?? null);
    }
    ws.addRow(out);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
