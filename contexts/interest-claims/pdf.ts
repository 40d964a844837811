/**
 * The interest debit note as PDF (pdfmake through infra/pdf.ts, the letters' letterhead): number and date, recipient,
 * one row per invoice (due date and the moved one, days late, each half-year's period, rate and interest, the EUR
 * 40), the totals, the legal source, payment instructions. Every text from the note's catalogue (it/en/fr), money in
 * the currency's own digits, dates in the language's locale.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import { colon, longDate, money, percent, shortDate } from '../../domain/format';
import {
  addresseeBlock,
  LETTERHEAD_ACCENT,
  LETTERHEAD_GREY,
  headerCell as th,
  letterDocument,
  rightCell as right,
  paymentBox,
  letterheadBlocks,
  printPdf,
  type Letterhead,
} from '../../infra/pdf';
import type { Language } from '../../workflows/contract';
import { INTEREST_NOTE_TEXTS } from './messages';
import type { NoteComputation } from './note';

/** What an issued note (or a preview) prints: the computation plus who, when and under which number. */
export interface NoteDocument {
  /** Null on a preview. */
  number: string | null;
  issueDate: string;
  language: Language;
  customer: {
    id: string;
    externalId: string;
    name: string;
    vatNumber: string | null;
    pec: string | null;
    addressLines: string[];
    consumer: boolean;
  };
  creditor: { name: string; iban: string; bic?: string; email: string };
  note: NoteComputation;
}

/** The pdfmake document definition (exported for tests). */
export function noteDefinition(d: NoteDocument, lh: Letterhead): TDocumentDefinitions {
  const lang = d.language;
  const T = INTEREST_NOTE_TEXTS[lang];
  const C = colon(lang);
  const n = d.note;
  const m = (minor: number): string => money(minor, n.currency, lang);
  const eur = (minor: number): string => money(minor, 'EUR', lang);
  const sd = (iso: string): string => shortDate(iso, lang);
  const [header, rule] = letterheadBlocks(lh, T.vat);
  const c = d.customer;
  const toLabel = c.consumer ? '' : T.to;
  const asOf = longDate(n.asOf, lang);
  const K = T.columns;
  const body: TableCell[][] = [
    [
      th(K.invoice),
      th(K.dueDate),
      th(K.daysLate, 'right'),
      th(K.period),
      th(K.rate, 'right'),
      th(K.interest, 'right'),
      ...(n.consumer ? [] : [th(K.fixedSum, 'right')]),
    ],
  ];
  for (const l of n.lines) {
    const notes = [
      l.state === 'OPEN' ? T.open : T.paidLate,
      l.effectiveDueDate !== l.dueDate ? T.movedDue(sd(l.effectiveDueDate)) : null,
      l.priorInterestMinor > 0 ? T.alreadyClaimed(m(l.priorInterestMinor)) : null,
    ].filter(Boolean);
    const fixed =
      l.compensationMinor > 0 ? m(l.compensationMinor) : l.compensationEurMinor > 0 ? eur(l.compensationEurMinor) : '—';
    const periods = l.periods.length ? l.periods : [null];
    periods.forEach((p, i) => {
      const first = i === 0;
      body.push([
        first
          ? {
              stack: [
                { text: l.invoiceNumber, bold: true },
                // French puts a (no-break) space before the semicolon; Helvetica has no narrow one.
                { text: notes.join(lang === 'fr' ? '\u00a0; ' : '; '), fontSize: 7, color: LETTERHEAD_GREY },
              ],
            }
          : '',
        first ? sd(l.dueDate) : '',
        right(first ? String(l.daysLate) : ''),
        p ? `${sd(p.from)} – ${sd(p.to)} (${p.days})` : '—',
        right(p && p.rateBp !== null ? percent(p.rateBp, lang) : '—'),
        right(p ? (p.interestMinor === null ? '—' : m(p.interestMinor)) : '—'),
        ...(n.consumer ? [] : [right(first ? fixed : '')]),
      ]);
    });
    if (l.periods.length > 1 || l.priorInterestMinor > 0) {
      body.push([
        { text: '', colSpan: 5 },
        '',
        '',
        '',
        '',
        right(l.interestMinor === null ? '—' : m(l.interestMinor), { bold: true }),
        ...(n.consumer ? [] : ['']),
      ]);
    }
  }
  const eurOnly = n.compensationEurMinor > 0 && n.compensationMinor === 0 ? n.compensationEurMinor : 0;
  const totals: TableCell[][] = [
    [{ text: T.totalInterest }, right(n.interestMinor === null ? '—' : m(n.interestMinor))],
    // A non-EUR note's EUR 40 is stated in euro (and kept out of the total, as the line below says), never as "0 ¥".
    ...(n.consumer ? [] : [[{ text: T.totalCompensation }, right(eurOnly ? eur(eurOnly) : m(n.compensationMinor))]]),
    [{ text: T.total, bold: true }, right(n.totalMinor === null ? '—' : m(n.totalMinor), { bold: true })],
  ];
  const blocks: Content[] = [
    header,
    rule,
    {
      columns: [
        {
          width: '*',
          stack: [
            ...(d.number ? [{ text: T.number(d.number), bold: true }] : []),
            { text: T.issued(longDate(d.issueDate, lang)) },
            { text: `${T.customerCode}${C} ${c.externalId}` },
          ],
          fontSize: 9,
        },
        addresseeBlock(c, toLabel, T.vat),
      ],
      margin: [0, 0, 0, 18],
    },
    { text: T.title, bold: true, fontSize: 12, color: LETTERHEAD_ACCENT, margin: [0, 0, 0, 10] },
    ...(n.missingRates.length
      ? [
          {
            text: T.provisional(n.missingRates.map((h) => longDate(h, lang)).join(', ')),
            bold: true,
            margin: [0, 0, 0, 8],
          } as Content,
        ]
      : []),
    { text: T.salutation, margin: [0, 0, 0, 6] },
    { text: n.consumer ? T.introB2C(asOf) : T.introB2B(asOf), margin: [0, 0, 0, 10] },
    {
      table: {
        headerRows: 1,
        widths: n.consumer
          ? ['*', 'auto', 'auto', 'auto', 'auto', 'auto']
          : ['*', 'auto', 'auto', 'auto', 'auto', 'auto', 'auto'],
        body,
      },
      layout: 'lightHorizontalLines',
      fontSize: 8,
      margin: [0, 0, 0, 6],
    },
    { table: { widths: ['*', 'auto'], body: totals }, layout: 'noBorders', fontSize: 9, margin: [250, 0, 0, 8] },
    ...(eurOnly ? [{ text: T.compensationInEuro(eur(eurOnly)), fontSize: 8, margin: [0, 0, 0, 6] } as Content] : []),
    { text: n.consumer ? T.legalB2C : T.legalB2B, fontSize: 7, color: LETTERHEAD_GREY, margin: [0, 0, 0, 2] },
    { text: T.calendarNote, fontSize: 7, color: LETTERHEAD_GREY, margin: [0, 0, 0, 12] },
    paymentBox(T, C, d.creditor, d.number ?? T.title, [0, 0, 0, 10]),
    { text: T.paymentTerm, margin: [0, 0, 0, 6] },
    { text: T.contactUs(d.creditor.email), margin: [0, 0, 0, 10] },
    { text: T.closing, margin: [0, 0, 0, 12] },
    { text: lh.name, bold: true },
    ...(lh.signatory ? [{ text: [lh.signatory, lh.signatoryRole].filter(Boolean).join(' – '), fontSize: 9 }] : []),
  ];
  return letterDocument(lh, T, {
    title: `${T.title} ${d.number ?? ''} – ${c.name}`.trim(),
    subject: T.title,
    footer: d.number ? T.number(d.number) : T.title,
    content: blocks,
  });
}

export function renderNotePdf(d: NoteDocument, lh: Letterhead): Promise<Buffer> {
  return printPdf(noteDefinition(d, lh));
}

/** `nota-di-debito-ND-2026-000001.pdf` in the note's language. */
export function noteFilename(d: Pick<NoteDocument, 'number' | 'language' | 'customer'>): string {
  const stem = { it: 'nota-di-debito', en: 'debit-note', fr: 'note-de-debit' }[d.language];
  return `${stem}-${(d.number ?? `preview-${d.customer.externalId}`).replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
}
