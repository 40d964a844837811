/**
 * The statement of account as PDF (pdfmake through infra/pdf.ts, the letters' letterhead): recipient, the ledger of
 * each currency with its running balance, the B2B interest table (or, where a reference rate is missing, the
 * sentence that says so instead of a figure), payment instructions and page numbers. Every text from the
 * statement's catalogue, every amount in the currency's own digits and every date in the language's locale.
 */
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces';
import { colon, longDate, money, percent, shortDate } from '../../domain/format';
import { loadConfig } from '../../infra/config';
import {
  addresseeBlock,
  LETTERHEAD_ACCENT,
  LETTERHEAD_GREY,
  headerCell as th,
  letterDocument,
  rightCell as right,
  paymentBox,
  letterheadBlocks,
  letterheadFromConfig,
  printPdf,
  type Letterhead,
} from '../../infra/pdf';
import type { Language } from '../../workflows/contract';
import { STATEMENT_TEXTS } from './messages';
import type { Statement, StatementSection } from './statement';

function sectionBlocks(s: StatementSection, lang: Language, showCurrency: boolean): Content[] {
  const T = STATEMENT_TEXTS[lang];
  const m = (minor: number): string => money(minor, s.currency, lang);
  const eur = (minor: number): string => money(minor, 'EUR', lang);
  const sd = (iso: string): string => shortDate(iso, lang);
  const blocks: Content[] = [];
  if (showCurrency) blocks.push({ text: T.currency(s.currency), bold: true, margin: [0, 4, 0, 4] });
  const C = T.columns;
  blocks.push({
    table: {
      headerRows: 1,
      widths: ['auto', '*', 'auto', 'auto', 'auto', 'auto', 'auto'],
      body: [
        [
          th(C.date),
          th(C.document),
          th(C.dueDate),
          th(C.daysOverdue, 'right'),
          th(C.debit, 'right'),
          th(C.credit, 'right'),
          th(C.balance, 'right'),
        ],
        ...s.lines.map((l) => {
          const doc = l.kind === 'INVOICE' ? `${T.kinds.INVOICE} ${l.reference}` : `${T.kinds[l.kind]} ${l.reference}`;
          const sub =
            l.kind === 'INVOICE' || l.kind === 'INTEREST_NOTE' ? '' : ` (${T.kinds.INVOICE} ${l.invoiceNumber})`;
          return [
            sd(l.date),
            { text: l.kind === 'CREDIT' || l.kind === 'ADJUSTMENT' ? `${T.kinds[l.kind]}${sub}` : `${doc}${sub}` },
            l.dueDate ? sd(l.dueDate) : '',
            right(l.daysOverdue === undefined ? '' : l.daysOverdue > 0 ? String(l.daysOverdue) : T.notDue),
            right(l.debitMinor ? m(l.debitMinor) : ''),
            right(l.creditMinor ? m(l.creditMinor) : ''),
            right(m(l.balanceMinor)),
          ];
        }),
      ],
    },
    layout: 'lightHorizontalLines',
    fontSize: 8,
    margin: [0, 0, 0, 6],
  });
  const owed = s.totals.balanceMinor >= 0;
  blocks.push({
    table: {
      widths: ['*', 'auto'],
      body: [
        [
          { text: owed ? T.closingBalance : T.inYourFavour, bold: true },
          right(m(Math.abs(s.totals.balanceMinor)), { bold: true }),
        ],
        [{ text: T.overdue }, right(m(s.totals.overdueMinor))],
        [{ text: T.notYetDue }, right(m(s.totals.notDueMinor))],
      ],
    },
    layout: 'noBorders',
    fontSize: 9,
    margin: [250, 0, 0, 12],
  });

  const i = s.interest;
  if (i && i.lines.length) {
    const fixedCell = (c: { compensationMinor: number; compensationEurMinor: number }): string =>
      c.compensationMinor > 0 ? m(c.compensationMinor) : c.compensationEurMinor > 0 ? eur(c.compensationEurMinor) : '—';
    const eurOnly = i.compensationEurMinor > 0 && i.compensationMinor === 0 ? i.compensationEurMinor : 0;
    blocks.push(
      { text: T.interestTitle, bold: true, margin: [0, 0, 0, 4] },
      {
        table: {
          headerRows: 1,
          widths: ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
          body: [
            [
              th(T.invoice),
              th(T.period),
              th(T.days, 'right'),
              th(T.rate, 'right'),
              th(T.interest, 'right'),
              th(T.fixedSum, 'right'),
            ],
            ...i.lines.map((l) => [
              l.invoiceNumber,
              l.days > 0 ? `${sd(l.from)} – ${sd(l.to)}` : '—',
              right(String(l.days)),
              right(l.ratesBp.map((r) => percent(r, lang)).join(' / ') || '—'),
              right(l.interestMinor === null ? T.notComputed : m(l.interestMinor)),
              right(fixedCell(l)),
            ]),
            [
              { text: T.totalInterest, bold: true, colSpan: 4 },
              '',
              '',
              '',
              right(i.interestMinor === null ? T.notComputed : m(i.interestMinor), { bold: true }),
              right(i.compensationMinor ? m(i.compensationMinor) : eurOnly ? eur(eurOnly) : '—', { bold: true }),
            ],
            ...(i.totalDueMinor !== null
              ? [
                  [
                    { text: T.totalDue, bold: true, colSpan: 5 },
                    '',
                    '',
                    '',
                    '',
                    right(m(i.totalDueMinor) + (eurOnly ? ` + ${eur(eurOnly)}` : ''), { bold: true }),
                  ],
                ]
              : []),
          ],
        },
        layout: 'lightHorizontalLines',
        fontSize: 8,
        margin: [0, 0, 0, 2],
      },
    );
    if (i.missingRates.length) {
      blocks.push({
        text: T.missingRatesNote(i.missingRates.map((h) => longDate(h, lang)).join(', ')),
        bold: true,
        fontSize: 8,
        margin: [0, 2, 0, 2],
      });
    }
    blocks.push({
      text: `${T.ratesNote} ${i.compensationEurMinor ? T.compensationNote : ''}`.trim(),
      fontSize: 7,
      color: LETTERHEAD_GREY,
      margin: [0, 0, 0, 12],
    });
  }
  return blocks;
}

/** The debtor's personal portal link printed on a statement sent to them (contexts/portal/links.ts). */
export interface StatementPortalLink {
  /** `<base>/p/<token>`: what the QR code holds. */
  url: string;
  /** The same without the scheme, to type. */
  shortUrl: string;
}

/** The pdfmake document definition of a statement (exported for tests). */
export function statementDefinition(
  st: Statement,
  lang: Language,
  lh: Letterhead,
  portal?: StatementPortalLink,
): TDocumentDefinitions {
  const T = STATEMENT_TEXTS[lang];
  const C = colon(lang);
  const date = longDate(st.asOf, lang);
  const [header, rule] = letterheadBlocks(lh, T.vat);
  const c = st.customer;
  const toLabel = c.consumer ? T.toPerson : T.to;
  const blocks: Content[] = [
    header,
    rule,
    {
      columns: [
        {
          width: '*',
          stack: [{ text: T.asOf(date), bold: true }, { text: `${T.customerCode}${C} ${c.externalId}` }],
          fontSize: 9,
        },
        addresseeBlock(c, toLabel, T.vat),
      ],
      margin: [0, 0, 0, 18],
    },
    { text: T.subject(date), bold: true, fontSize: 12, color: LETTERHEAD_ACCENT, margin: [0, 0, 0, 10] },
    { text: T.salutation, margin: [0, 0, 0, 6] },
    { text: T.intro(date), margin: [0, 0, 0, 10] },
  ];
  if (!st.sections.length) blocks.push({ text: T.nothingOpen, margin: [0, 0, 0, 12] });
  for (const s of st.sections) blocks.push(...sectionBlocks(s, lang, st.sections.length > 1));

  if (st.sections.some((s) => s.totals.balanceMinor > 0)) {
    blocks.push(paymentBox(T, C, st.creditor, st.invoiceNumbers.join(', '), [0, 6, 0, 14]));
  }
  if (portal) {
    // As on the letters: a QR code to scan from the paper and the short address to type, side by side and never
    // split over two pages (a QR cut in half reads as nothing).
    blocks.push({
      columns: [
        { qr: portal.url, fit: 80, eccLevel: 'M', width: 90 },
        {
          width: '*',
          stack: [
            { text: T.portalTitle, bold: true, margin: [0, 0, 0, 2] },
            { text: T.portalText, fontSize: 8 },
            { text: T.portalScan, fontSize: 8, margin: [0, 4, 0, 0] },
            { text: portal.shortUrl, bold: true, fontSize: 9 },
          ],
        },
      ],
      columnGap: 10,
      fontSize: 9,
      margin: [0, 0, 0, 14],
      unbreakable: true,
    });
  }
  blocks.push(
    { text: T.contactUs(st.creditor.email), margin: [0, 0, 0, 10] },
    { text: T.closing, margin: [0, 0, 0, 12] },
    { text: lh.name, bold: true },
  );
  return letterDocument(lh, T, {
    title: `${T.title} – ${c.name} – ${st.asOf}`,
    subject: T.subject(date),
    footer: `${T.title} ${shortDate(st.asOf, lang)}`,
    content: blocks,
  });
}

/**
 * Renders a statement to PDF in `language` (it, en, fr) with the letters' letterhead (LETTERHEAD_* settings unless
 * one is given). A statement sent to the debtor carries their portal link (`portal`) as a QR code and a short address.
 */
export function renderStatementPdf(
  statement: Statement,
  language: Language,
  letterhead?: Letterhead,
  portal?: StatementPortalLink,
): Promise<Buffer> {
  return printPdf(statementDefinition(statement, language, letterhead ?? letterheadFromConfig(loadConfig()), portal));
}

/** A file name for the statement's PDF: `estratto-conto-<customer code>-<date>.pdf` in the language. */
export function statementFilename(statement: Statement, language: Language): string {
  const stem = { it: 'estratto-conto', en: 'statement', fr: 'releve-de-compte' }[language];
  return `${stem}-${statement.customer.externalId.replace(/[^A-Za-z0-9._-]/g, '_')}-${statement.asOf}.pdf`;
}
