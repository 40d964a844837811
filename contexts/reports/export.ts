/**
 * Reports as flat tables, and those tables as CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read accents)
 * or XLSX (exceljs: typed numeric cells, money in major units with a number format, frozen header). Money columns
 * stay integer minor units in JSON and CSV (exact, machine-readable); XLSX shows them in major units for people.
 */
import ExcelJS from 'exceljs';
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

const groupCol = (label: string): Column => ({ key: 'group', header: label, kind: 'text' });
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
    columns: [
      groupCol(dimension),
      { key: 'days', header: 'Days in period', kind: 'int' },
      { key: 'creditSalesMinor', header: 'Credit sales', kind: 'money' },
      { key: 'receivablesBeginMinor', header: 'Receivables at start', kind: 'money' },
      { key: 'receivablesEndMinor', header: 'Receivables at end', kind: 'money' },
      { key: 'currentEndMinor', header: 'Current at end', kind: 'money' },
      { key: 'pastDueEndMinor', header: 'Past due at end', kind: 'money' },
      { key: 'dso', header: 'DSO (standard)', kind: 'days' },
      { key: 'countBackDso', header: 'DSO (count-back)', kind: 'days' },
      { key: 'bestPossibleDso', header: 'Best possible DSO', kind: 'days' },
      { key: 'add', header: 'Average days delinquent', kind: 'days' },
      { key: 'cei', header: 'CEI %', kind: 'pct' },
    ],
    rows: withGroups(g, (t) => [{ ...t, countBackExhausted: t.countBackExhausted ? 'yes' : 'no' }]),
  };
}

export function agingTable(g: Grouped<AgingFigures>, dimension = 'group'): Table {
  const columns: Column[] = [groupCol(dimension)];
  for (const b of AGING_BUCKETS) {
    columns.push({ key: `${b}_balance`, header: `${AGING_LABELS[b]} balance`, kind: 'money' });
    columns.push({ key: `${b}_count`, header: `${AGING_LABELS[b]} invoices`, kind: 'int' });
  }
  columns.push(
    { key: 'totalMinor', header: 'Total balance', kind: 'money' },
    { key: 'totalCount', header: 'Invoices', kind: 'int' },
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
    columns: [
      groupCol(dimension),
      { key: 'promises', header: 'Promises due', kind: 'int' },
      { key: 'kept', header: 'Kept', kind: 'int' },
      { key: 'broken', header: 'Broken', kind: 'int' },
      { key: 'open', header: 'Open', kind: 'int' },
      { key: 'cancelled', header: 'Cancelled', kind: 'int' },
      { key: 'keptMinor', header: 'Kept amount', kind: 'money' },
      { key: 'brokenMinor', header: 'Broken amount', kind: 'money' },
      { key: 'keptRate', header: 'Kept rate %', kind: 'pct' },
      { key: 'keptRateByAmount', header: 'Kept rate by amount %', kind: 'pct' },
    ],
    rows: withGroups(g, (t) => [{ ...t }]),
  };
}

export function disputeTable(g: Grouped<DisputeFigures>, dimension = 'group'): Table {
  return {
    title: 'Disputes',
    columns: [
      groupCol(dimension),
      { key: 'invoicesIssued', header: 'Invoices issued', kind: 'int' },
      { key: 'invoicesDisputed', header: 'Disputed', kind: 'int' },
      { key: 'disputeRate', header: 'Dispute rate %', kind: 'pct' },
      { key: 'amountIssuedMinor', header: 'Amount issued', kind: 'money' },
      { key: 'amountDisputedMinor', header: 'Amount disputed', kind: 'money' },
      { key: 'disputeRateByAmount', header: 'Dispute rate by amount %', kind: 'pct' },
      { key: 'resolved', header: 'Resolved', kind: 'int' },
      { key: 'accepted', header: 'Accepted', kind: 'int' },
      { key: 'rejected', header: 'Rejected', kind: 'int' },
      { key: 'partial', header: 'Partial', kind: 'int' },
      { key: 'meanDaysToResolve', header: 'Mean days to resolve', kind: 'days' },
      { key: 'openAtEnd', header: 'Open at end', kind: 'int' },
    ],
    rows: withGroups(g, (t) => [{ ...t }]),
  };
}

export function reasonTable(g: Grouped<ReasonFigures>, dimension = 'group'): Table {
  return {
    title: 'Non-payment reasons',
    columns: [
      groupCol(dimension),
      { key: 'reason', header: 'Reason', kind: 'text' },
      { key: 'count', header: 'Times recorded', kind: 'int' },
      { key: 'share', header: 'Share %', kind: 'pct' },
      { key: 'invoices', header: 'Invoices', kind: 'int' },
    ],
    rows: withGroups(g, (t) => t.reasons.map((r) => ({ ...r }))),
  };
}

export function pipelineTable(g: Grouped<{ stages: StageRow[] }>, dimension = 'group'): Table {
  return {
    title: 'Pipeline by stage',
    columns: [
      groupCol(dimension),
      { key: 'stage', header: 'Stage', kind: 'text' },
      { key: 'invoices', header: 'Invoices', kind: 'int' },
      { key: 'balanceMinor', header: 'Balance', kind: 'money' },
      { key: 'share', header: 'Share %', kind: 'pct' },
      { key: 'avgDaysPastDue', header: 'Avg days past due', kind: 'days' },
    ],
    rows: withGroups(g, (t) => t.stages.map((s) => ({ ...s }))),
  };
}

export function recoveryTable(g: Grouped<{ stages: RecoveryRow[] }>, dimension = 'group'): Table {
  return {
    title: 'Recovery by stage',
    columns: [
      groupCol(dimension),
      { key: 'stage', header: 'Stage', kind: 'text' },
      { key: 'entered', header: 'Entries', kind: 'int' },
      { key: 'exposureMinor', header: 'Balance at entry', kind: 'money' },
      { key: 'recoveredMinor', header: 'Recovered in stage', kind: 'money' },
      { key: 'recoveryRate', header: 'Recovery rate %', kind: 'pct' },
    ],
    rows: withGroups(g, (t) => t.stages.map((s) => ({ ...s }))),
  };
}

export function legalTable(cases: LegalCaseReport[]): Table {
  return {
    title: 'Legal cost-benefit',
    columns: [
      { key: 'invoiceNumber', header: 'Invoice', kind: 'text' },
      { key: 'customerName', header: 'Customer', kind: 'text' },
      { key: 'rating', header: 'Rating', kind: 'text' },
      { key: 'position', header: 'Legal position', kind: 'text' },
      { key: 'balanceMinor', header: 'Balance', kind: 'money' },
      { key: 'recoveryProbability', header: 'Recovery probability', kind: 'number' },
      { key: 'expectedRecoveryMinor', header: 'Expected recovery', kind: 'money' },
      { key: 'costsSoFarMinor', header: 'Costs so far', kind: 'money' },
      { key: 'expectedCostsMinor', header: 'Costs still expected', kind: 'money' },
      { key: 'netExpectedValueMinor', header: 'Net expected value', kind: 'money' },
      { key: 'recommendation', header: 'Recommendation', kind: 'text' },
      { key: 'reason', header: 'Why', kind: 'text' },
    ],
    rows: cases.map((c) => ({ ...c }) as unknown as Record<string, string | number | null>),
  };
}

export function trendTable(points: TrendPoint[]): Table {
  return {
    title: 'Monthly trend',
    columns: [
      { key: 'month', header: 'Month', kind: 'text' },
      { key: 'key', header: 'Group', kind: 'text' },
      { key: 'dso', header: 'DSO', kind: 'days' },
      { key: 'countBackDso', header: 'DSO (count-back)', kind: 'days' },
      { key: 'add', header: 'ADD', kind: 'days' },
      { key: 'cei', header: 'CEI %', kind: 'pct' },
      { key: 'receivablesEndMinor', header: 'Receivables', kind: 'money' },
      { key: 'pastDueEndMinor', header: 'Past due', kind: 'money' },
      { key: 'promiseKeptRate', header: 'Promises kept %', kind: 'pct' },
      { key: 'disputeRate', header: 'Dispute rate %', kind: 'pct' },
    ],
    rows: points.map((p) => ({
      month: p.month,
      key: p.key,
      ...(p.metrics as unknown as Record<string, number | null>),
    })),
  };
}

function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote when needed; a leading = + - @ is prefixed with ' so a spreadsheet never runs it as a formula.
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV with a header row; money in minor units, rates and days as decimals with a dot. */
export function toCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvCell(c.header)).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c.key])).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** One-sheet XLSX workbook of the table. */
export async function toXlsx(t: Table, currency = 'EUR'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Segugio';
  wb.created = new Date(0); // deterministic output for the same data
  const ws = wb.addWorksheet(t.title.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  ws.columns = t.columns.map((c) => ({
    header: c.kind === 'money' ? `${c.header} (${currency})` : c.header,
    key: c.key,
    width: Math.max(12, c.header.length + 6),
    style: {
      numFmt:
        c.kind === 'money'
          ? '#,##0.00'
          : c.kind === 'pct' || c.kind === 'days'
            ? '0.0'
            : c.kind === 'number'
              ? '0.000'
              : undefined,
    },
  }));
  ws.getRow(1).font = { bold: true };
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  for (const r of t.rows) {
    const out: Record<string, string | number | null> = {};
    for (const c of t.columns) {
      const v = r[c.key];
      out[c.key] = c.kind === 'money' && typeof v === 'number' ? v / 10 ** digits : (v ?? null);
    }
    ws.addRow(out);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
