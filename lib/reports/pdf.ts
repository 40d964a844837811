/**
 * The monthly credit report as PDF (pdfmake 0.2, standard Helvetica fonts, charts as vector SVG): the KPI summary a
 * credit manager sends the CFO, aging, the DSO trend from the monthly snapshots, pipeline by stage, the segments
 * side by side, why customers do not pay, and the legal cases with their recommendation.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Db } from '../db';
import { barChart, hbarChart, lineChart, PALETTE } from './charts';
import type { ReportFilter } from './filters';
import { addDays, AGING_BUCKETS, AGING_LABELS } from './formulas';
import { agingReport, disputeReport, dsoReport, pipelineReport, promiseReport, reasonReport } from './kpis';
import { legalReport } from './legal';
import { monthBounds, trend } from './snapshots';

interface PdfKitDoc extends NodeJS.EventEmitter {
  end(): void;
}
interface PdfPrinterCtor {
  new (fonts: Record<string, Record<string, string>>): {
    createPdfKitDocument(def: TDocumentDefinitions, options?: Record<string, unknown>): PdfKitDoc;
  };
}
// pdfmake 0.2's server entry point (the installed version); its document types match @types/pdfmake.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PdfPrinter = require('pdfmake') as PdfPrinterCtor;
const printer = new PdfPrinter({
  Helvetica: {
    normal: 'Helvetica',
    bold: 'Helvetica-Bold',
    italics: 'Helvetica-Oblique',
    bolditalics: 'Helvetica-BoldOblique',
  },
});

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const monthName = (m: string): string => `${MONTHS[Number(m.slice(5, 7)) - 1]} ${m.slice(0, 4)}`;
const shortMonth = (m: string): string => `${MONTHS[Number(m.slice(5, 7)) - 1].slice(0, 3)} ${m.slice(2, 4)}`;
const longDate = (iso: string): string =>
  `${Number(iso.slice(8, 10))} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;

export interface MonthlyReportOptions {
  /** YYYY-MM. */
  month: string;
  filter?: ReportFilter;
  /** Shown in the header; the report's "today" for the pipeline. */
  generatedAt?: Date;
  companyName?: string;
}

/** Builds the document definition (exported so tests can inspect it without rendering). */
export async function monthlyReportDefinition(db: Db, opts: MonthlyReportOptions): Promise<TDocumentDefinitions> {
  const filter: ReportFilter = { ...opts.filter, groupBy: undefined };
  const currency = filter.currency ?? 'EUR';
  const period = monthBounds(opts.month);
  const generated = opts.generatedAt ?? new Date();
  const fmt = new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 0 });
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const major = (minor: number): number => minor / 10 ** digits;
  const money = (minor: number): string => fmt.format(major(minor));
  const days = (v: number | null): string => (v === null ? '–' : `${v.toFixed(1)} d`);
  const pc = (v: number | null): string => (v === null ? '–' : `${v.toFixed(1)}%`);

  const trendStart = (() => {
    let m = opts.month;
    for (let i = 0; i < 11; i++) m = addDays(`${m}-01`, -1).slice(0, 7);
    return m;
  })();
  const [dso, dsoBySeg, aging, promises, disputes, reasons, pipeline, legal, points] = await Promise.all([
    dsoReport(db, period, filter),
    dsoReport(db, period, { ...filter, groupBy: 'segment' }),
    agingReport(db, period.to, filter),
    promiseReport(db, period, filter),
    disputeReport(db, period, filter),
    reasonReport(db, period, filter),
    pipelineReport(db, generated.toISOString().slice(0, 10), filter),
    legalReport(db, filter),
    trend(db, { fromMonth: trendStart, toMonth: opts.month, currency }),
  ]);
  const d = dso.total;

  const tile = (label: string, value: string, note: string): TableCell => ({
    stack: [
      { text: label, style: 'tileLabel' },
      { text: value, style: 'tileValue' },
      { text: note, style: 'tileNote' },
    ],
    margin: [6, 5, 6, 5],
  });
  const tiles: Content = {
    table: {
      widths: ['*', '*', '*', '*'],
      body: [
        [
          tile('DSO (standard)', days(d.dso), `count-back ${days(d.countBackDso)}`),
          tile('Best possible DSO', days(d.bestPossibleDso), 'current receivables only'),
          tile('Avg days delinquent', days(d.add), 'DSO - best possible'),
          tile('CEI', pc(d.cei), 'collected of collectable'),
        ],
        [
          tile('Receivables at month end', money(d.receivablesEndMinor), `${money(d.pastDueEndMinor)} past due`),
          tile('Credit sales in month', money(d.creditSalesMinor), `${d.days} days`),
          tile(
            'Promises kept',
            pc(promises.total.keptRate),
            `${promises.total.kept} of ${promises.total.kept + promises.total.broken} judged`,
          ),
          tile(
            'Dispute rate',
            pc(disputes.total.disputeRate),
            disputes.total.meanDaysToResolve === null
              ? 'none resolved'
              : `resolved in ${days(disputes.total.meanDaysToResolve)} avg`,
          ),
        ],
      ],
    },
    layout: {
      hLineColor: () => '#ffffff',
      vLineColor: () => '#ffffff',
      hLineWidth: () => 3,
      vLineWidth: () => 3,
      fillColor: () => '#f1f4f8',
    },
  };

  const agingColors = [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4], PALETTE[5]];
  const agingChart = barChart({
    labels: AGING_BUCKETS.map((b) => AGING_LABELS[b]),
    values: AGING_BUCKETS.map((b) => major(aging.total[b].balanceMinor)),
    colors: agingColors,
    width: 515,
    height: 180,
  });
  const agingTable: Content = {
    table: {
      headerRows: 1,
      widths: ['*', ...AGING_BUCKETS.map(() => 58), 64],
      body: [
        [
          '',
          ...AGING_BUCKETS.map((b) => ({ text: AGING_LABELS[b], style: 'th', alignment: 'right' as const })),
          { text: 'Total', style: 'th', alignment: 'right' },
        ],
        [
          'Balance',
          ...AGING_BUCKETS.map((b) => ({ text: money(aging.total[b].balanceMinor), alignment: 'right' as const })),
          { text: money(aging.total.totalMinor), alignment: 'right', bold: true },
        ],
        [
          'Share',
          ...AGING_BUCKETS.map((b) => ({
            text: pc(
              aging.total.totalMinor
                ? Math.round((aging.total[b].balanceMinor / aging.total.totalMinor) * 1000) / 10
                : null,
            ),
            alignment: 'right' as const,
          })),
          { text: '100.0%', alignment: 'right' },
        ],
        [
          'Invoices',
          ...AGING_BUCKETS.map((b) => ({ text: String(aging.total[b].count), alignment: 'right' as const })),
          { text: String(aging.total.totalCount), alignment: 'right' },
        ],
      ],
    },
    layout: 'lightHorizontalLines',
    style: 'small',
  };

  const trendLabels = points.map((p) => shortMonth(p.month));
  const trendContent: Content =
    points.length >= 2
      ? {
          svg: lineChart({
            labels: trendLabels,
            series: [
              { name: 'DSO', values: points.map((p) => p.metrics.dso), color: PALETTE[6] },
              { name: 'Best possible DSO', values: points.map((p) => p.metrics.bestPossibleDso), color: PALETTE[0] },
              { name: 'Avg days delinquent', values: points.map((p) => p.metrics.add), color: PALETTE[4] },
            ],
            width: 515,
            height: 190,
            unit: 'days',
          }),
        }
      : {
          text: 'Not enough monthly snapshots yet for a trend (the monthly schedule writes one per month).',
          style: 'note',
        };

  const stages = pipeline.total.stages;
  const pipelineChart: Content = stages.length
    ? {
        svg: hbarChart({
          labels: stages.map((s) => `${s.stage} (${s.invoices})`),
          values: stages.map((s) => major(s.balanceMinor)),
          width: 515,
        }),
      }
    : { text: 'No open invoices.', style: 'note' };

  const segRows: TableCell[][] = dsoBySeg.groups.map((g) => [
    g.key ?? '(none)',
    { text: money(g.receivablesEndMinor), alignment: 'right' },
    { text: money(g.pastDueEndMinor), alignment: 'right' },
    { text: days(g.dso), alignment: 'right' },
    { text: days(g.add), alignment: 'right' },
    { text: pc(g.cei), alignment: 'right' },
  ]);
  const segTable: Content = {
    table: {
      headerRows: 1,
      widths: ['*', 80, 80, 55, 55, 50],
      body: [
        ['Segment', 'Receivables', 'Past due', 'DSO', 'ADD', 'CEI'].map((t, i) => ({
          text: t,
          style: 'th',
          alignment: i ? ('right' as const) : ('left' as const),
        })),
        ...segRows,
      ],
    },
    layout: 'lightHorizontalLines',
    style: 'small',
  };

  const topReasons = reasons.total.reasons.slice(0, 8);
  const reasonsContent: Content = topReasons.length
    ? {
        svg: hbarChart({
          labels: topReasons.map((r) => r.reason.replace(/_/g, ' ').toLowerCase()),
          values: topReasons.map((r) => r.count),
          width: 515,
          color: PALETTE[3],
          valueLabel: (v) => `${v} (${topReasons.find((r) => r.count === v)?.share?.toFixed(1) ?? '0'}%)`,
        }),
      }
    : { text: 'No non-payment reasons were recorded this month.', style: 'note' };

  const legalTop = legal.slice(0, 10);
  const legalContent: Content = legalTop.length
    ? {
        stack: [
          {
            text:
              `${legal.length} invoice${legal.length === 1 ? '' : 's'} in formal notice or legal; the ${legalTop.length} largest by balance. ` +
              'Advice is to stop when the net expected value is not positive or the expected recovery is under ' +
              '1.5 times the costs still ahead (costs already spent do not count).',
            style: 'note',
            margin: [0, 0, 0, 4],
          },
          {
            table: {
              headerRows: 1,
              widths: [40, '*', 16, 68, 44, 46, 40, 44, 32],
              body: [
                [
                  'Invoice',
                  'Customer',
                  'Rtg',
                  'Position',
                  'Balance',
                  'Expected recovery',
                  'Costs ahead',
                  'Net expected',
                  'Advice',
                ].map((t, i) => ({
                  text: t,
                  style: 'th',
                  alignment: i >= 4 && i < 8 ? ('right' as const) : ('left' as const),
                })),
                ...legalTop.map((c) => [
                  c.invoiceNumber,
                  c.customerName,
                  c.rating,
                  c.position.replace(/_/g, ' ').toLowerCase(),
                  { text: money(c.balanceMinor), alignment: 'right' as const },
                  { text: money(c.expectedRecoveryMinor), alignment: 'right' as const },
                  { text: money(c.expectedCostsMinor), alignment: 'right' as const },
                  {
                    text: money(c.netExpectedValueMinor),
                    alignment: 'right' as const,
                    color: c.netExpectedValueMinor < 0 ? '#c62828' : '#222222',
                  },
                  {
                    text: c.recommendation === 'GO_ON' ? 'go on' : 'stop',
                    bold: true,
                    color: c.recommendation === 'GO_ON' ? '#2e7d32' : '#c62828',
                  },
                ]),
              ],
            },
            layout: 'lightHorizontalLines',
            fontSize: 7.5,
          },
        ],
      }
    : { text: 'No invoice is in formal notice or legal.', style: 'note' };

  const filters = [
    filter.segment?.length ? `segment ${filter.segment.join(', ')}` : null,
    filter.area?.length ? `area ${filter.area.join(', ')}` : null,
    filter.collectorId?.length ? `collector ${filter.collectorId.join(', ')}` : null,
    filter.salespersonId?.length ? `salesperson ${filter.salespersonId.join(', ')}` : null,
  ].filter(Boolean);

  return {
    pageSize: 'A4',
    pageMargins: [40, 60, 40, 50],
    info: { title: `Monthly credit report ${opts.month}`, author: opts.companyName ?? 'Segugio', creator: 'Segugio' },
    defaultStyle: { font: 'Helvetica', fontSize: 9.5, color: '#222222' },
    header: (page) =>
      page === 1
        ? { text: '' }
        : { text: `Monthly credit report · ${monthName(opts.month)}`, margin: [40, 28, 40, 0], style: 'running' },
    footer: (page, pages) => ({
      columns: [
        {
          text: `${opts.companyName ?? 'Segugio'} · amounts in ${currency} · definitions in docs/reports.md`,
          style: 'running',
        },
        { text: `page ${page} of ${pages}`, alignment: 'right', style: 'running' },
      ],
      margin: [40, 18, 40, 0],
    }),
    content: [
      { text: 'Monthly credit report', style: 'title' },
      {
        text: `${Number(period.from.slice(8))}–${longDate(period.to)}${filters.length ? ` · ${filters.join(' · ')}` : ' · all customers'}`,
        style: 'subtitle',
      },
      { text: `Generated ${longDate(generated.toISOString().slice(0, 10))}`, style: 'note', margin: [0, 0, 0, 10] },
      tiles,
      { text: `Aging of receivables at ${longDate(period.to)}`, style: 'h2' },
      { svg: agingChart },
      agingTable,
      { text: `By segment, ${monthName(opts.month)}`, style: 'h2' },
      segTable,
      { text: 'DSO trend (monthly snapshots)', style: 'h2', pageBreak: 'before' },
      trendContent,
      { text: 'Open pipeline by stage (balance, today)', style: 'h2' },
      pipelineChart,
      { text: 'Why customers do not pay (reasons recorded this month)', style: 'h2' },
      reasonsContent,
      { text: 'Legal cases: cost-benefit', style: 'h2', pageBreak: 'before' },
      legalContent,
      {
        text:
          'DSO = receivables at month end ÷ credit sales of the month × days. Count-back DSO exhausts month-end receivables ' +
          'against the sales of the latest months. CEI = (opening receivables + sales - closing receivables) ÷ (opening ' +
          'receivables + sales - closing current receivables). ADD = DSO - best possible DSO. Promises kept = kept ÷ (kept + broken).',
        style: 'note',
        margin: [0, 14, 0, 0],
      },
    ],
    styles: {
      title: { fontSize: 20, bold: true, color: '#0d2b4e' },
      subtitle: { fontSize: 11, color: '#37474f', margin: [0, 2, 0, 0] },
      h2: { fontSize: 12.5, bold: true, color: '#0d2b4e', margin: [0, 14, 0, 6] },
      tileLabel: { fontSize: 8, color: '#546e7a' },
      tileValue: { fontSize: 16, bold: true, color: '#0d2b4e', margin: [0, 2, 0, 1] },
      tileNote: { fontSize: 7.5, color: '#607d8b' },
      th: { bold: true, fontSize: 8.5, color: '#37474f' },
      small: { fontSize: 8.5 },
      note: { fontSize: 8, color: '#607d8b', italics: true, lineHeight: 1.2 },
      running: { fontSize: 7.5, color: '#78909c' },
    },
  };
}

/** Renders the monthly credit report to a PDF buffer. */
export async function monthlyReportPdf(db: Db, opts: MonthlyReportOptions): Promise<Buffer> {
  const def = await monthlyReportDefinition(db, opts);
  const doc = printer.createPdfKitDocument(def);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
