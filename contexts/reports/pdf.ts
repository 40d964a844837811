/**
 * The monthly credit report as PDF (pdfmake 0.2, standard Helvetica fonts, charts as vector SVG): the KPI summary a
 * credit manager sends the CFO, aging, the DSO trend from the monthly snapshots, pipeline by stage, the segments
 * side by side, why customers do not pay, and the legal cases with their recommendation. In English or Italian:
 * every visible string comes from one table per language and every number, amount and date from Intl in that
 * language's locale.
 */
import type { Content, CustomTableLayout, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Db } from '../../infra/db';
import { printPdf } from '../../infra/pdf';
import { barChart, hbarChart, lineChart, PALETTE } from './charts';
import type { Grouped, ReportFilter } from './filters';
import { addDays, AGING_BUCKETS, AGING_LABELS, type AgingBucket } from './formulas';
import {
  agingReport,
  disputeReport,
  dsoReport,
  pipelineReport,
  promiseReport,
  reasonReport,
  type AgingFigures,
  type DisputeFigures,
  type DsoFigures,
  type PromiseFigures,
  type ReasonFigures,
  type StageRow,
} from './kpis';
import {
  DEFAULT_LEGAL_ASSUMPTIONS,
  legalAssumptionsInForce,
  legalReport,
  type LegalCaseReport,
  type LegalPosition,
} from './legal';
import { monthBounds, trend, type TrendPoint } from './snapshots';
import { STAGE_NAMES } from '../stage-names';

/** Languages the monthly report is written in. */
export const REPORT_LANGUAGES = ['en', 'it'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/**
 * Every string a reader sees, per language. Functions take figures already formatted for the locale, so the
 * sentences stay whole for the translator and the numbers stay out of the table.
 */
interface ReportStrings {
  /** BCP 47 locale for Intl (numbers, money, dates, month names). */
  locale: string;
  title: string;
  /** Abbreviation after a number of days (a no-break space before it): `40.3 d`, `40,3 gg`. */
  daysUnit: string;
  /** The unit in the trend chart's legend. */
  daysWord: string;
  generated: (date: string) => string;
  allCustomers: string;
  filters: Record<'segment' | 'area' | 'collectorId' | 'salespersonId', string>;
  footer: (company: string, currency: string) => string;
  page: (page: number, pages: number) => string;
  tiles: {
    dso: string;
    countBack: (days: string) => string;
    bestDso: string;
    bestDsoNote: string;
    add: string;
    addNote: string;
    cei: string;
    ceiNote: string;
    receivables: string;
    pastDue: (amount: string) => string;
    sales: string;
    salesDays: (days: string) => string;
    promisesKept: string;
    promisesJudged: (kept: string, judged: string) => string;
    disputeRate: string;
    noneResolved: string;
    resolvedIn: (days: string) => string;
  };
  aging: { heading: (date: string) => string; buckets: Record<AgingBucket, string> };
  agingRows: { balance: string; share: string; invoices: string; total: string };
  bySegment: (month: string) => string;
  segmentHeaders: [string, string, string, string, string, string];
  noSegment: string;
  trendHeading: string;
  trendSeries: { dso: string; best: string; add: string };
  trendTooFew: string;
  pipelineHeading: string;
  noOpenInvoices: string;
  /** Stage codes of the workflow (workflows/contract.ts); an unknown code is shown as it is. */
  stages: Record<string, string>;
  reasonsHeading: string;
  noReasons: string;
  /** Non-payment reason codes collectors record (workflows/contract.ts). */
  reasons: Record<string, string>;
  legalHeading: string;
  legalIntro: (cases: number, shown: number) => string;
  legalAdvice: (ratio: string) => string;
  legalHeaders: [string, string, string, string, string, string, string, string, string];
  positions: Record<LegalPosition, string>;
  goOn: string;
  stop: string;
  noLegal: string;
  /** Some case's decreto ingiuntivo uses the flat lawyer-fee estimate (no DM 55/2014 figure entered). */
  legalUnverified: string;
  definitions: string;
}

const STRINGS: Record<ReportLanguage, ReportStrings> = {
  en: {
    locale: 'en-GB',
    title: 'Monthly credit report',
    daysUnit: 'd',
    daysWord: 'days',
    generated: (date) => `Generated ${date}`,
    allCustomers: 'all customers',
    filters: { segment: 'segment', area: 'area', collectorId: 'collector', salespersonId: 'salesperson' },
    footer: (company, currency) => `${company} · amounts in ${currency} · definitions in docs/reports.md`,
    page: (page, pages) => `page ${page} of ${pages}`,
    tiles: {
      dso: 'DSO (standard)',
      countBack: (days) => `count-back ${days}`,
      bestDso: 'Best possible DSO',
      bestDsoNote: 'current receivables only',
      add: 'Avg days delinquent',
      addNote: 'DSO - best possible',
      cei: 'CEI',
      ceiNote: 'collected of collectable',
      receivables: 'Receivables at month end',
      pastDue: (amount) => `${amount} past due`,
      sales: 'Credit sales in month',
      salesDays: (days) => `${days} days`,
      promisesKept: 'Promises kept',
      promisesJudged: (kept, judged) => `${kept} of ${judged} judged`,
      disputeRate: 'Dispute rate',
      noneResolved: 'none resolved',
      resolvedIn: (days) => `resolved in ${days} avg`,
    },
    aging: { heading: (date) => `Aging of receivables at ${date}`, buckets: AGING_LABELS },
    agingRows: { balance: 'Balance', share: 'Share', invoices: 'Invoices', total: 'Total' },
    bySegment: (month) => `By segment, ${month}`,
    segmentHeaders: ['Segment', 'Receivables', 'Past due', 'DSO', 'ADD', 'CEI'],
    noSegment: '(none)',
    trendHeading: 'DSO trend (monthly snapshots)',
    trendSeries: { dso: 'DSO', best: 'Best possible DSO', add: 'Avg days delinquent' },
    trendTooFew: 'Not enough monthly snapshots yet for a trend (the monthly schedule writes one per month).',
    pipelineHeading: 'Open pipeline by stage (balance, today)',
    noOpenInvoices: 'No open invoices.',
    stages: STAGE_NAMES.en,
    reasonsHeading: 'Why customers do not pay (reasons recorded this month)',
    noReasons: 'No non-payment reasons were recorded this month.',
    reasons: {
      LIQUIDITY: 'Cash shortage',
      FORGOT: 'Forgot',
      DISPUTE: 'Dispute',
      WAITING_APPROVAL: 'Awaiting approval',
      INVOICE_NOT_RECEIVED: 'Invoice not received',
      WRONG_DATA: 'Wrong data',
      INSOLVENCY: 'Insolvency',
      UNREACHABLE: 'Unreachable',
      OTHER: 'Other',
    },
    legalHeading: 'Legal cases: cost-benefit',
    legalIntro: (cases, shown) =>
      `${cases} invoice${cases === 1 ? '' : 's'} in formal notice or legal` +
      (shown < cases ? `; the ${shown} largest by balance.` : '.'),
    legalAdvice: (ratio) =>
      `Advice is to stop when the net expected value is not positive or the expected recovery is under ${ratio} ` +
      'times the costs still ahead (costs already spent do not count). Rtg: the internal rating of the customer.',
    legalHeaders: [
      'Invoice',
      'Customer',
      'Rtg',
      'Position',
      'Balance',
      'Expected recovery',
      'Costs ahead',
      'Net expected',
      'Advice',
    ],
    positions: {
      NOT_STARTED: 'not started',
      DIFFIDA: 'diffida',
      DECRETO_INGIUNTIVO: 'decreto ingiuntivo',
      PRECETTO: 'precetto',
      PIGNORAMENTO: 'pignoramento',
    },
    goOn: 'go on',
    stop: 'stop',
    noLegal: 'No invoice is in formal notice or legal.',
    legalUnverified:
      'Not verified: the lawyer’s fee of the decreto ingiuntivo is a flat estimate, not the DM 55/2014 (DM 147/2022) ' +
      'figure for the claim value — enter it from your lawyer’s quote or the DM table (legal assumptions).',
    definitions:
      'DSO = receivables at month end ÷ credit sales of the month × days. Count-back DSO exhausts month-end receivables ' +
      'against the sales of the latest months. CEI = (opening receivables + sales - closing receivables) ÷ (opening ' +
      'receivables + sales - closing current receivables). ADD = DSO - best possible DSO. Promises kept = kept ÷ (kept + broken).',
  },
  it: {
    locale: 'it-IT',
    title: 'Report mensile sui crediti',
    daysUnit: 'gg',
    daysWord: 'giorni',
    generated: (date) => `Generato il ${date}`,
    allCustomers: 'tutti i clienti',
    filters: { segment: 'segmento', area: 'area', collectorId: 'operatore', salespersonId: 'commerciale' },
    footer: (company, currency) => `${company} · importi in ${currency} · definizioni in docs/reports.md`,
    page: (page, pages) => `pagina ${page} di ${pages}`,
    tiles: {
      dso: 'DSO (standard)',
      countBack: (days) => `count-back ${days}`,
      bestDso: 'DSO ottimale',
      bestDsoNote: 'solo crediti non scaduti',
      add: 'Giorni medi di ritardo',
      addNote: 'DSO - DSO ottimale',
      cei: 'CEI',
      ceiNote: 'incassato sull’incassabile',
      receivables: 'Crediti a fine mese',
      pastDue: (amount) => `di cui ${amount} scaduti`,
      sales: 'Fatturato a credito del mese',
      salesDays: (days) => `${days} giorni`,
      promisesKept: 'Promesse mantenute',
      promisesJudged: (kept, judged) => `${kept} su ${judged} verificate`,
      disputeRate: 'Contestazioni',
      noneResolved: 'nessuna risolta',
      resolvedIn: (days) => `risolte in ${days} in media`,
    },
    aging: {
      heading: (date) => `Fasce di scaduto al ${date}`,
      buckets: {
        not_due: 'A scadere',
        d1_30: '1–30 gg',
        d31_60: '31–60 gg',
        d61_90: '61–90 gg',
        d91_180: '91–180 gg',
        over_180: 'Oltre 180 gg',
      },
    },
    agingRows: { balance: 'Importo', share: 'Incidenza', invoices: 'Fatture', total: 'Totale' },
    bySegment: (month) => `Per segmento, ${month}`,
    segmentHeaders: ['Segmento', 'Crediti', 'Scaduto', 'DSO', 'ADD', 'CEI'],
    noSegment: '(nessuno)',
    trendHeading: 'Andamento del DSO (rilevazioni mensili)',
    trendSeries: { dso: 'DSO', best: 'DSO ottimale', add: 'Giorni medi di ritardo' },
    trendTooFew:
      'Rilevazioni mensili ancora insufficienti per un andamento (la pianificazione mensile ne registra una al mese).',
    pipelineHeading: 'Crediti aperti per fase di recupero (saldo a oggi)',
    noOpenInvoices: 'Nessuna fattura aperta.',
    stages: STAGE_NAMES.it,
    reasonsHeading: 'Perché i clienti non pagano (motivi registrati nel mese)',
    noReasons: 'Nel mese non sono stati registrati motivi di mancato pagamento.',
    reasons: {
      LIQUIDITY: 'Mancanza di liquidità',
      FORGOT: 'Dimenticanza',
      DISPUTE: 'Contestazione',
      WAITING_APPROVAL: 'In attesa di approvazione',
      INVOICE_NOT_RECEIVED: 'Fattura non ricevuta',
      WRONG_DATA: 'Dati errati',
      INSOLVENCY: 'Insolvenza',
      UNREACHABLE: 'Irreperibile',
      OTHER: 'Altro',
    },
    legalHeading: 'Azioni legali: costi e benefici',
    legalIntro: (cases, shown) =>
      `${cases === 1 ? '1 fattura' : `${cases} fatture`} in diffida o in fase legale` +
      (shown < cases ? `; le ${shown} con il saldo più alto.` : '.'),
    legalAdvice: (ratio) =>
      'Si consiglia di fermarsi quando il valore netto atteso non è positivo o il recupero atteso è inferiore a ' +
      `${ratio} volte i costi ancora da sostenere (i costi già sostenuti non contano). Rating: rating interno del cliente.`,
    legalHeaders: [
      'Fattura',
      'Cliente',
      'Rating',
      'Stato pratica',
      'Saldo',
      'Recupero atteso',
      'Costi da sostenere',
      'Valore netto atteso',
      'Consiglio',
    ],
    positions: {
      NOT_STARTED: 'non avviata',
      DIFFIDA: 'diffida',
      DECRETO_INGIUNTIVO: 'decreto ingiuntivo',
      PRECETTO: 'precetto',
      PIGNORAMENTO: 'pignoramento',
    },
    goOn: 'procedere',
    stop: 'fermarsi',
    noLegal: 'Nessuna fattura in diffida o in fase legale.',
    legalUnverified:
      'Dato non verificato: il compenso dell’avvocato per il decreto ingiuntivo è una stima forfettaria, non il valore ' +
      'del DM 55/2014 (DM 147/2022) per lo scaglione del credito — inseritelo dal preventivo del vostro legale o dalla ' +
      'tabella del DM (parametri delle azioni legali).',
    definitions:
      'DSO = crediti a fine mese ÷ fatturato a credito del mese × giorni. Il DSO count-back scala i crediti di fine ' +
      'mese sul fatturato dei mesi più recenti, a ritroso. CEI = (crediti iniziali + fatturato - crediti finali) ÷ ' +
      '(crediti iniziali + fatturato - crediti finali non scaduti). ADD = DSO - DSO ottimale. Promesse di pagamento ' +
      'mantenute = mantenute ÷ (mantenute + non mantenute).',
  },
};

/** pdfkit's standard fonts are WinAnsi: narrow and thin spaces some locales use become ordinary no-break spaces. */
const winAnsi = (s: string): string => s.replace(/[\u2009\u202f]/g, '\u00a0');
const NBSP = '\u00a0';
const utcDay = (iso: string): Date => new Date(`${iso.slice(0, 10)}T00:00:00Z`);

/** Number, money and date formatting in the report's locale (Intl), amounts in whole major units. */
function formatters(locale: string, currency: string, daysUnit: string) {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  // Italian CLDR data leaves 4-digit amounts ungrouped (6500 €) while 5-digit ones are grouped; columns of figures
  // read better grouped always. The cast: TypeScript's lib does not know 'always' yet.
  const always = { useGrouping: 'always' } as unknown as Intl.NumberFormatOptions;
  const moneyFmt = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0, ...always });
  const oneDecimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, ...always });
  const percentFmt = new Intl.NumberFormat(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  const intFmt = new Intl.NumberFormat(locale, always);
  const compactFmt = new Intl.NumberFormat(locale, { notation: 'compact' });
  const longDateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  const monthFmt = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const shortMonthFmt = new Intl.DateTimeFormat(locale, { month: 'short', year: '2-digit', timeZone: 'UTC' });
  const major = (minor: number): number => minor / 10 ** digits;
  return {
    major,
    money: (minor: number): string => winAnsi(moneyFmt.format(major(minor))),
    days: (v: number | null): string => (v === null ? '–' : `${winAnsi(oneDecimal.format(v))}${NBSP}${daysUnit}`),
    /** `v` in percent (44.4 for 44.4 %). */
    pc: (v: number | null): string => (v === null ? '–' : winAnsi(percentFmt.format(v / 100))),
    int: (v: number): string => winAnsi(intFmt.format(v)),
    num: (v: number): string => winAnsi(oneDecimal.format(v)),
    compact: (v: number): string => winAnsi(compactFmt.format(v)),
    longDate: (iso: string): string => winAnsi(longDateFmt.format(utcDay(iso))),
    /** "March 2025" / "marzo 2025" from YYYY-MM. */
    month: (m: string): string => winAnsi(monthFmt.format(utcDay(`${m}-01`))),
    /** "Mar 25" / "mar 25" from YYYY-MM. */
    shortMonth: (m: string): string => winAnsi(shortMonthFmt.format(utcDay(`${m}-01`))),
  };
}

/** Horizontal rules like pdfmake's lightHorizontalLines, with half its cell padding so wide tables fit A4. */
const compactLines: CustomTableLayout = {
  hLineWidth: (i, node) => (i === 0 || i === node.table.body.length ? 0 : i === node.table.headerRows ? 1.5 : 0.7),
  vLineWidth: () => 0,
  hLineColor: (i) => (i === 1 ? '#37474f' : '#b0bec5'),
  paddingLeft: (i) => (i === 0 ? 0 : 4),
  paddingRight: (i, node) => (i === (node.table.widths?.length ?? 1) - 1 ? 0 : 4),
};

export interface MonthlyReportOptions {
  /** YYYY-MM. */
  month: string;
  filter?: ReportFilter;
  /** Shown in the header; the report's "today" for the pipeline. */
  generatedAt?: Date;
  companyName?: string;
  /** Language of every string, number, amount and date; default `en`. */
  lang?: ReportLanguage;
}

/** Everything the report shows, read from the database once (see `loadMonthlyReportData`). */
export interface MonthlyReportData {
  dso: Grouped<DsoFigures>;
  dsoBySegment: Grouped<DsoFigures>;
  aging: Grouped<AgingFigures>;
  promises: Grouped<PromiseFigures>;
  disputes: Grouped<DisputeFigures>;
  reasons: Grouped<ReasonFigures>;
  pipeline: Grouped<{ stages: StageRow[] }>;
  legal: LegalCaseReport[];
  /** Monthly snapshots of the 12 months up to the report's month, oldest first. */
  trend: TrendPoint[];
}

/** Reads the figures of the monthly report: the month's KPIs, aging at month end, today's pipeline, the trend. */
export async function loadMonthlyReportData(db: Db, opts: MonthlyReportOptions): Promise<MonthlyReportData> {
  const filter: ReportFilter = { ...opts.filter, groupBy: undefined };
  const currency = filter.currency ?? 'EUR';
  const period = monthBounds(opts.month);
  const generated = opts.generatedAt ?? new Date();
  let trendStart = opts.month;
  for (let i = 0; i < 11; i++) trendStart = addDays(`${trendStart}-01`, -1).slice(0, 7);
  const [dso, dsoBySegment, aging, promises, disputes, reasons, pipeline, legal, points] = await Promise.all([
    dsoReport(db, period, filter),
    dsoReport(db, period, { ...filter, groupBy: 'segment' }),
    agingReport(db, period.to, filter),
    promiseReport(db, period, filter),
    disputeReport(db, period, filter),
    reasonReport(db, period, filter),
    pipelineReport(db, generated.toISOString().slice(0, 10), filter),
    legalAssumptionsInForce(db).then((a) => legalReport(db, filter, a)),
    trend(db, { fromMonth: trendStart, toMonth: opts.month, currency }),
  ]);
  return { dso, dsoBySegment, aging, promises, disputes, reasons, pipeline, legal, trend: points };
}

/** The document definition of the report from its figures; pure, so tests render it without a database. */
export function monthlyReportDocument(data: MonthlyReportData, opts: MonthlyReportOptions): TDocumentDefinitions {
  const t = STRINGS[opts.lang ?? 'en'];
  const filter: ReportFilter = { ...opts.filter, groupBy: undefined };
  const currency = filter.currency ?? 'EUR';
  const period = monthBounds(opts.month);
  const generated = opts.generatedAt ?? new Date();
  const f = formatters(t.locale, currency, t.daysUnit);
  const { money, days, pc } = f;
  const { aging, promises, disputes, reasons, pipeline, legal, trend: points } = data;
  const d = data.dso.total;

  const tile = (label: string, value: string, note: string): TableCell => ({
    stack: [
      { text: label, style: 'tileLabel' },
      { text: value, style: 'tileValue' },
      { text: note, style: 'tileNote' },
    ],
    margin: [6, 5, 6, 5],
  });
  const judged = promises.total.kept + promises.total.broken;
  const tiles: Content = {
    table: {
      widths: ['*', '*', '*', '*'],
      body: [
        [
          tile(t.tiles.dso, days(d.dso), t.tiles.countBack(days(d.countBackDso))),
          tile(t.tiles.bestDso, days(d.bestPossibleDso), t.tiles.bestDsoNote),
          tile(t.tiles.add, days(d.add), t.tiles.addNote),
          tile(t.tiles.cei, pc(d.cei), t.tiles.ceiNote),
        ],
        [
          tile(t.tiles.receivables, money(d.receivablesEndMinor), t.tiles.pastDue(money(d.pastDueEndMinor))),
          tile(t.tiles.sales, money(d.creditSalesMinor), t.tiles.salesDays(f.int(d.days))),
          tile(
            t.tiles.promisesKept,
            pc(promises.total.keptRate),
            t.tiles.promisesJudged(f.int(promises.total.kept), f.int(judged)),
          ),
          tile(
            t.tiles.disputeRate,
            pc(disputes.total.disputeRate),
            disputes.total.meanDaysToResolve === null
              ? t.tiles.noneResolved
              : t.tiles.resolvedIn(days(disputes.total.meanDaysToResolve)),
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
    labels: AGING_BUCKETS.map((b) => t.aging.buckets[b]),
    values: AGING_BUCKETS.map((b) => f.major(aging.total[b].balanceMinor)),
    colors: agingColors,
    width: 515,
    height: 180,
    tick: f.compact,
    valueLabel: f.compact,
  });
  const right = { alignment: 'right' as const };
  const agingTable: Content = {
    table: {
      headerRows: 1,
      widths: ['*', ...AGING_BUCKETS.map(() => 56), 62],
      body: [
        [
          '',
          ...AGING_BUCKETS.map((b) => ({ text: t.aging.buckets[b], style: 'th', ...right })),
          { text: t.agingRows.total, style: 'th', ...right },
        ],
        [
          t.agingRows.balance,
          ...AGING_BUCKETS.map((b) => ({ text: money(aging.total[b].balanceMinor), ...right })),
          { text: money(aging.total.totalMinor), bold: true, ...right },
        ],
        [
          t.agingRows.share,
          ...AGING_BUCKETS.map((b) => ({
            text: pc(
              aging.total.totalMinor
                ? Math.round((aging.total[b].balanceMinor / aging.total.totalMinor) * 1000) / 10
                : null,
            ),
            ...right,
          })),
          { text: pc(100), ...right },
        ],
        [
          t.agingRows.invoices,
          ...AGING_BUCKETS.map((b) => ({ text: f.int(aging.total[b].count), ...right })),
          { text: f.int(aging.total.totalCount), ...right },
        ],
      ],
    },
    layout: compactLines,
    style: 'small',
  };

  const trendContent: Content =
    points.length >= 2
      ? {
          svg: lineChart({
            labels: points.map((p) => f.shortMonth(p.month)),
            series: [
              { name: t.trendSeries.dso, values: points.map((p) => p.metrics.dso), color: PALETTE[6] },
              { name: t.trendSeries.best, values: points.map((p) => p.metrics.bestPossibleDso), color: PALETTE[0] },
              { name: t.trendSeries.add, values: points.map((p) => p.metrics.add), color: PALETTE[4] },
            ],
            width: 515,
            height: 190,
            unit: t.daysWord,
            tick: f.compact,
          }),
        }
      : { text: t.trendTooFew, style: 'note' };

  const stages = pipeline.total.stages;
  const pipelineChart: Content = stages.length
    ? {
        svg: hbarChart({
          labels: stages.map((s) => `${t.stages[s.stage] ?? s.stage} (${f.int(s.invoices)})`),
          values: stages.map((s) => f.major(s.balanceMinor)),
          width: 515,
          valueLabel: f.compact,
        }),
      }
    : { text: t.noOpenInvoices, style: 'note' };

  const segTable: Content = {
    table: {
      headerRows: 1,
      widths: ['*', 80, 80, 55, 55, 50],
      body: [
        t.segmentHeaders.map((text, i) => ({
          text,
          style: 'th',
          alignment: i ? ('right' as const) : ('left' as const),
        })),
        ...data.dsoBySegment.groups.map((g): TableCell[] => [
          g.key ?? t.noSegment,
          { text: money(g.receivablesEndMinor), ...right },
          { text: money(g.pastDueEndMinor), ...right },
          { text: days(g.dso), ...right },
          { text: days(g.add), ...right },
          { text: pc(g.cei), ...right },
        ]),
      ],
    },
    layout: compactLines,
    style: 'small',
  };

  const topReasons = reasons.total.reasons.slice(0, 8);
  const reasonsContent: Content = topReasons.length
    ? {
        svg: hbarChart({
          labels: topReasons.map((r) => t.reasons[r.reason] ?? r.reason),
          values: topReasons.map((r) => r.count),
          width: 515,
          color: PALETTE[3],
          valueLabel: (v, i) => `${f.int(v)} (${pc(topReasons[i].share)})`,
        }),
      }
    : { text: t.noReasons, style: 'note' };

  const legalTop = legal.slice(0, 10);
  const legalContent: Content = legalTop.length
    ? {
        stack: [
          {
            text: `${t.legalIntro(legal.length, legalTop.length)} ${t.legalAdvice(f.num(DEFAULT_LEGAL_ASSUMPTIONS.minBenefitCostRatio))}`,
            style: 'note',
            margin: [0, 0, 0, 4],
          },
          {
            table: {
              headerRows: 1,
              // invoice numbers, grades and advice never wrap; the customer's name takes what is left
              widths: ['auto', '*', 'auto', 62, 46, 48, 48, 48, 'auto'],
              body: [
                t.legalHeaders.map((text, i) => ({
                  text,
                  style: 'th',
                  alignment: i >= 4 && i < 8 ? ('right' as const) : ('left' as const),
                })),
                ...legalTop.map((c): TableCell[] => [
                  c.invoiceNumber,
                  c.customerName,
                  c.rating,
                  t.positions[c.position] ?? c.position,
                  { text: money(c.balanceMinor), ...right },
                  { text: money(c.expectedRecoveryMinor), ...right },
                  { text: money(c.expectedCostsMinor), ...right },
                  {
                    text: money(c.netExpectedValueMinor),
                    color: c.netExpectedValueMinor < 0 ? '#c62828' : '#222222',
                    ...right,
                  },
                  {
                    text: c.recommendation === 'GO_ON' ? t.goOn : t.stop,
                    bold: true,
                    color: c.recommendation === 'GO_ON' ? '#2e7d32' : '#c62828',
                  },
                ]),
              ],
            },
            layout: compactLines,
            fontSize: 7.5,
          },
          // A figure resting on an estimate that stands in for a figure of law says so (docs/reports.md).
          ...(legalTop.some((c) => c.unverified.includes('LAWYER_FEE_NOT_VERIFIED'))
            ? [{ text: t.legalUnverified, style: 'note', bold: true, margin: [0, 4, 0, 0] } as Content]
            : []),
        ],
      }
    : { text: t.noLegal, style: 'note' };

  const filters = (['segment', 'area', 'collectorId', 'salespersonId'] as const)
    .filter((k) => filter[k]?.length)
    .map((k) => `${t.filters[k]} ${filter[k]!.join(', ')}`);
  const company = opts.companyName ?? 'Segugio';
  const monthName = f.month(opts.month);

  return {
    pageSize: 'A4',
    pageMargins: [40, 60, 40, 50],
    info: { title: `${t.title} ${opts.month}`, author: company, creator: 'Segugio' },
    language: t.locale,
    defaultStyle: { font: 'Helvetica', fontSize: 9.5, color: '#222222' },
    header: (page) =>
      page === 1 ? { text: '' } : { text: `${t.title} · ${monthName}`, margin: [40, 28, 40, 0], style: 'running' },
    footer: (page, pages) => ({
      columns: [
        { text: t.footer(company, currency), style: 'running' },
        { text: t.page(page, pages), alignment: 'right', style: 'running', width: 'auto' },
      ],
      margin: [40, 18, 40, 0],
    }),
    content: [
      { text: t.title, style: 'title' },
      {
        text: `${Number(period.from.slice(8))}–${f.longDate(period.to)} · ${filters.length ? filters.join(' · ') : t.allCustomers}`,
        style: 'subtitle',
      },
      { text: t.generated(f.longDate(generated.toISOString())), style: 'note', margin: [0, 0, 0, 10] },
      tiles,
      { text: t.aging.heading(f.longDate(period.to)), style: 'h2' },
      { svg: agingChart },
      agingTable,
      { text: t.bySegment(monthName), style: 'h2' },
      segTable,
      { text: t.trendHeading, style: 'h2', pageBreak: 'before' },
      trendContent,
      { text: t.pipelineHeading, style: 'h2' },
      pipelineChart,
      { text: t.reasonsHeading, style: 'h2' },
      reasonsContent,
      { text: t.legalHeading, style: 'h2', pageBreak: 'before' },
      legalContent,
      { text: t.definitions, style: 'note', margin: [0, 14, 0, 0] },
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

/** Builds the document definition from the database (the figures, then `monthlyReportDocument`). */
export async function monthlyReportDefinition(db: Db, opts: MonthlyReportOptions): Promise<TDocumentDefinitions> {
  const at = { ...opts, generatedAt: opts.generatedAt ?? new Date() };
  return monthlyReportDocument(await loadMonthlyReportData(db, at), at);
}

/** Renders the report's figures to a PDF buffer (no database: tests and previews call it directly). */
export function renderMonthlyReport(data: MonthlyReportData, opts: MonthlyReportOptions): Promise<Buffer> {
  return printPdf(monthlyReportDocument(data, opts));
}

/** Renders the monthly credit report to a PDF buffer. */
export async function monthlyReportPdf(db: Db, opts: MonthlyReportOptions): Promise<Buffer> {
  const at = { ...opts, generatedAt: opts.generatedAt ?? new Date() };
  return renderMonthlyReport(await loadMonthlyReportData(db, at), at);
}
