/**
 * The monthly credit report rendered from the worked example's figures (no database) in both languages: the text
 * pdftotext reads back carries the Italian headings, labels, stage and bucket names and Italian-formatted figures in
 * `it`, and the English ones in `en`, which stays the default.
 */
import { hbarChart, textWidth } from '../../../contexts/reports/charts';
import { monthlyReportDocument, renderMonthlyReport, type MonthlyReportOptions } from '../../../contexts/reports/pdf';
import { hasPoppler, pdfText } from '../../fakes/pdf';
import { SAMPLE_SEGMENT, workedExampleReport } from './monthly-sample';

const opts: MonthlyReportOptions = {
  month: '2025-03',
  filter: { segment: [SAMPLE_SEGMENT] },
  generatedAt: new Date('2026-11-23T09:00:00Z'),
};

beforeAll(() => {
  if (!hasPoppler()) throw new Error('pdftotext missing: run scripts/setup.sh (installs poppler-utils)');
});

test('Italian: every heading, label and name in Italian, figures formatted the Italian way', async () => {
  const pdf = await renderMonthlyReport(workedExampleReport(), { ...opts, lang: 'it' });
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const text = pdfText(pdf);
  for (const s of [
    // title, period, filters, running header and footer
    'Report mensile sui crediti',
    `1–31 marzo 2025 · segmento ${SAMPLE_SEGMENT}`,
    'Generato il 23 novembre 2026',
    'Report mensile sui crediti · marzo 2025',
    'importi in EUR',
    'pagina 1 di 3',
    'pagina 3 di 3',
    // KPI tiles: 40.3 days, count-back 52.0, 6,500.00 receivables of which 2,500.00 past due, 44.4 % CEI
    'DSO (standard) DSO ottimale Giorni medi di ritardo CEI 40,3 gg 24,8 gg 15,5 gg 44,4%',
    'count-back 52,0 gg',
    'solo crediti non scaduti',
    'Crediti a fine mese',
    'Fatturato a credito del mese',
    'Promesse mantenute',
    'Contestazioni',
    '6.500 €',
    '5.000 €',
    'di cui 2.500 € scaduti',
    '31 giorni',
    '33,3%',
    '1 su 3 verificate',
    '66,7%',
    'risolte in 7,8 gg in media',
    // aging: heading, bucket names, rows, shares, chart ticks
    'Fasce di scaduto al 31 marzo 2025',
    'A scadere',
    '1–30 gg',
    'Oltre 180 gg',
    'Importo',
    'Incidenza',
    'Fatture',
    'Totale',
    '4.000 €',
    '61,5%',
    '100,0%',
    '2,5K',
    // segments, trend, pipeline, reasons
    'Per segmento, marzo 2025',
    'Segmento Crediti Scaduto DSO ADD CEI',
    'Andamento del DSO (rilevazioni mensili)',
    'DSO ottimale (giorni)',
    'Giorni medi di ritardo (giorni)',
    'feb 25',
    'mar 25',
    'Crediti aperti per fase di recupero (saldo a oggi)',
    'Aperta (2)',
    'Sollecito (1)',
    '1,5K',
    'Perché i clienti non pagano (motivi registrati nel mese)',
    'Mancanza di liquidità',
    'Fattura non ricevuta',
    '2 (66,7%)',
    // legal cases: 1,500.00 balance, 862.50 expected, 3,100.00 ahead, -2,237.50 net (whole euros in the report)
    'Azioni legali: costi e benefici',
    '1 fattura in diffida o in fase legale.',
    'inferiore a 1,5 volte i costi ancora da sostenere',
    'rating interno del cliente',
    'Fattura Cliente Rating Stato pratica Saldo Recupero atteso Costi da sostenere',
    '1.500 € 863 € 3.100 €',
    'Officine Nord S.r.l. diffida',
    '-2.238 € fermarsi',
    'Dato non verificato: il compenso dell’avvocato per il decreto ingiuntivo è una stima forfettaria',
    'Promesse di pagamento mantenute = mantenute ÷ (mantenute + non mantenute)',
  ])
    expect(text).toContain(s);
  for (const english of [
    'Monthly',
    'Aging',
    'Not due',
    'Receivables',
    'Promises',
    'Dispute',
    'Best possible',
    'delinquent',
    'page',
    'March',
    'Mar 25',
    'Reminder',
    'Cash shortage',
    'stop',
    'Advice',
    '€6,500',
    '40.3',
  ])
    expect(text).not.toContain(english);
});

test('English stays the default, with English names and figures', async () => {
  const text = pdfText(await renderMonthlyReport(workedExampleReport(), opts));
  for (const s of [
    'Monthly credit report',
    `1–31 March 2025 · segment ${SAMPLE_SEGMENT}`,
    'Generated 23 November 2026',
    'amounts in EUR',
    'page 1 of 3',
    'DSO (standard) Best possible DSO Avg days delinquent CEI 40.3 d 24.8 d 15.5 d 44.4%',
    'count-back 52.0 d',
    '€6,500',
    '€2,500 past due',
    'Promises kept',
    '1 of 3 judged',
    'Aging of receivables at 31 March 2025',
    'Not due',
    'Balance',
    'Share',
    '61.5%',
    'By segment, March 2025',
    'DSO trend (monthly snapshots)',
    'Best possible DSO (days)',
    'Mar 25',
    'Open (2)',
    'Reminder (1)',
    'Cash shortage',
    '2 (66.7%)',
    'Legal cases: cost-benefit',
    '1 invoice in formal notice or legal.',
    'Invoice Customer Rtg Position',
    '€1,500 €863 €3,100',
    '-€2,238 stop',
    // The case's decreto ingiuntivo rests on the flat lawyer-fee estimate: the report says it is not verified.
    'Not verified: the lawyer’s fee of the decreto ingiuntivo is a flat estimate, not the DM 55/2014 (DM 147/2022)',
  ])
    expect(text).toContain(s);
  for (const italian of ['marzo', 'Scaduto', 'Fasce', 'pagina', 'fermarsi', '40,3', '6.500 €'])
    expect(text).not.toContain(italian);
});

test('the document definition carries the language for PDF readers', () => {
  expect(monthlyReportDocument(workedExampleReport(), { ...opts, lang: 'it' })).toMatchObject({
    language: 'it-IT',
    info: { title: 'Report mensile sui crediti 2025-03' },
  });
  expect(monthlyReportDocument(workedExampleReport(), opts)).toMatchObject({
    language: 'en-GB',
    info: { title: 'Monthly credit report 2025-03' },
  });
});

test('empty sections explain themselves in the language of the report', async () => {
  const empty = workedExampleReport();
  empty.trend = [];
  empty.pipeline.total.stages = [];
  empty.reasons.total.reasons = [];
  empty.legal = [];
  const it = pdfText(await renderMonthlyReport(empty, { ...opts, lang: 'it' }));
  expect(it).toContain('Rilevazioni mensili ancora insufficienti per un andamento');
  expect(it).toContain('Nessuna fattura aperta.');
  expect(it).toContain('Nel mese non sono stati registrati motivi di mancato pagamento.');
  expect(it).toContain('Nessuna fattura in diffida o in fase legale.');
  const en = pdfText(await renderMonthlyReport(empty, { ...opts, lang: 'en' }));
  expect(en).toContain('Not enough monthly snapshots yet for a trend');
  expect(en).toContain('No invoice is in formal notice or legal.');
});

test('chart labels in either language stay on the page and values keep their own label', () => {
  // an unknown reason code is shown as it is: a long one widens the label column up to 40 % of the chart, then is cut
  const labels = [
    'IN_ATTESA_DI_APPROVAZIONE',
    'IN_ATTESA_DI_APPROVAZIONE_DEL_RESPONSABILE_AMMINISTRATIVO',
    'Dati errati',
  ];
  const svg = hbarChart({ labels, values: [5, 5, 2], width: 515, valueLabel: (v, i) => `${v} (${'abc'[i]})` });
  const drawn = [...svg.matchAll(/<text x="([\d.]+)"[^>]*text-anchor="end">([^<]*)</g)].map((m) => ({
    edge: Number(m[1]),
    text: m[2],
  }));
  expect(drawn.map((l) => l.text)).toEqual([
    labels[0],
    expect.stringMatching(/^IN_ATTESA_DI_APPROVAZIONE_DEL_.*…$/),
    labels[2],
  ]);
  for (const l of drawn) {
    expect(l.edge).toBeGreaterThan(110);
    expect(l.edge - textWidth(l.text, 8)).toBeGreaterThanOrEqual(0);
  }
  // equal values, each with its own label (the reasons chart shows each reason's share)
  expect(svg).toContain('>5 (a)<');
  expect(svg).toContain('>5 (b)<');
  expect(svg).toContain('>2 (c)<');
});

test('the label width estimate is close to Helvetica', () => {
  // pdfkit's widthOfString at 8 pt: 89.1, 101.9 and 70.6
  expect(textWidth('In attesa di approvazione', 8)).toBeCloseTo(89.1, -1);
  expect(textWidth('Giorni medi di ritardo (giorni)', 8)).toBeCloseTo(101.9, -1);
  expect(textWidth('Invoice not received', 8)).toBeCloseTo(70.6, -1);
});
