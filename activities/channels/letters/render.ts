/**
 * PDF letters with pdfmake 0.2 (server-side PdfPrinter) and the 14 standard PDF fonts, so nothing is downloaded
 * or embedded: letterhead, recipient block, reference and date, subject, body, invoice table, interest table,
 * instalment schedule, payment instructions, closing and a footer with page numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Language } from '../../../workflows/contract';
import { printPdf } from '../../../infra/pdf';
import { longDate, money, percent, shortDate } from '../format';
import { LABELS, type MessageInvoice, type RenderedMessage, type TemplateName } from '../messages';

export interface Letterhead {
  name: string;
  addressLines: string[];
  vat: string;
  iban: string;
  bic?: string;
  email: string;
  phone?: string;
  pec?: string;
  /** PNG/JPEG file; ignored (with a warning from the caller) when it cannot be read. */
  logoPath?: string;
}

export interface InterestLine {
  invoiceNumber: string;
  from: string;
  to: string;
  days: number;
  ratesBp: number[];
  interestMinor: number;
  compensationMinor: number;
}

export interface LetterModel {
  lang: Language;
  template: TemplateName;
  reference: string;
  /** ISO date printed on the letter. */
  date: string;
  letterhead: Letterhead;
  recipient: { name: string; lines: string[]; vatNumber?: string | null; pec?: string | null };
  currency: string;
  invoices: Array<MessageInvoice>;
  balanceMinor: number;
  interest?: { asOf: string; lines: InterestLine[]; interestMinor: number; compensationMinor: number };
  plan?: { instalments: Array<{ dueDate: string; amountMinor: number }> };
  message: RenderedMessage;
}

const GREY = '#555555';
const ACCENT = '#1f3a5f';

function logoDataUrl(file: string | undefined): string | null {
  if (!file) return null;
  try {
    const buf = fs.readFileSync(file);
    const ext = path.extname(file).toLowerCase();
    const mime = ext === '.png' ? 'image/png' : ext === '.jpg' || ext === '.jpeg' ? 'image/jpeg' : null;
    return mime ? `data:${mime};base64,${buf.toString('base64')}` : null;
  } catch {
    return null;
  }
}

/** The pdfmake document definition of a letter (exported for tests). */
export function letterDefinition(model: LetterModel): TDocumentDefinitions {
  const L = LABELS[model.lang];
  const m = (minor: number): string => money(minor, model.currency, model.lang);
  const sd = (iso: string): string => shortDate(iso, model.lang);
  const lh = model.letterhead;
  const logo = logoDataUrl(lh.logoPath);
  const contacts = [lh.phone && `Tel. ${lh.phone}`, lh.email, lh.pec && `PEC ${lh.pec}`].filter(Boolean).join(' · ');

  const header: Content = {
    columns: [
      logo ? { image: logo, fit: [120, 50], width: 130 } : { text: '', width: 0 },
      {
        width: '*',
        stack: [
          { text: lh.name, bold: true, fontSize: 14, color: ACCENT },
          { text: lh.addressLines.join(' – '), fontSize: 8, color: GREY },
          { text: `${L.vat} ${lh.vat}`, fontSize: 8, color: GREY },
          { text: contacts, fontSize: 8, color: GREY },
        ],
      },
    ],
    columnGap: 10,
    margin: [0, 0, 0, 6],
  };

  const rule: Content = {
    canvas: [{ type: 'line', x1: 0, y1: 0, x2: 495, y2: 0, lineWidth: 1, lineColor: ACCENT }],
    margin: [0, 0, 0, 14],
  };

  const recipient: Content = {
    columns: [
      {
        width: '*',
        stack: [
          { text: `${L.reference} ${model.reference}`, bold: true },
          { text: `${L.date}: ${longDate(model.date, model.lang)}` },
        ],
        fontSize: 9,
      },
      {
        width: 230,
        stack: [
          { text: L.to, fontSize: 8, color: GREY },
          { text: model.recipient.name, bold: true },
          ...model.recipient.lines.map((l) => ({ text: l })),
          ...(model.recipient.vatNumber ? [{ text: `${L.vat} ${model.recipient.vatNumber}`, fontSize: 8 }] : []),
          ...(model.recipient.pec ? [{ text: `PEC ${model.recipient.pec}`, fontSize: 8 }] : []),
        ],
      },
    ],
    margin: [0, 0, 0, 18],
  };

  const th = (text: string, alignment: 'left' | 'right' = 'left'): TableCell => ({
    text,
    bold: true,
    color: 'white',
    fillColor: ACCENT,
    alignment,
  });
  const invoiceTable: Content = {
    table: {
      headerRows: 1,
      widths: ['*', 'auto', 'auto', 'auto', 'auto'],
      body: [
        [th(L.invoice), th(L.issueDate), th(L.dueDate), th(L.amount, 'right'), th(L.balance, 'right')],
        ...model.invoices.map((i) => [
          i.number,
          sd(i.issueDate),
          sd(i.dueDate),
          { text: m(i.amountMinor), alignment: 'right' as const },
          { text: m(i.balanceMinor), alignment: 'right' as const },
        ]),
        [
          { text: model.template === 'courtesy' ? L.totalOpen : L.total, bold: true, colSpan: 4 },
          '',
          '',
          '',
          { text: m(model.balanceMinor), bold: true, alignment: 'right' as const },
        ],
      ],
    },
    layout: 'lightHorizontalLines',
    fontSize: 9,
    margin: [0, 4, 0, 12],
  };

  const blocks: Content[] = [
    header,
    rule,
    recipient,
    { text: model.message.title, bold: true, fontSize: 12, color: ACCENT, margin: [0, 0, 0, 10] },
    { text: model.message.salutation, margin: [0, 0, 0, 6] },
    ...model.message.intro.map((p) => ({ text: p, margin: [0, 0, 0, 6] as [number, number, number, number] })),
    invoiceTable,
  ];

  if (model.interest) {
    const i = model.interest;
    blocks.push(
      { text: L.interestTitle, bold: true, margin: [0, 0, 0, 4] },
      {
        table: {
          headerRows: 1,
          widths: ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
          body: [
            [
              th(L.invoice),
              th(L.period),
              th(L.days, 'right'),
              th(L.rate, 'right'),
              th(L.interest, 'right'),
              th('EUR 40', 'right'),
            ],
            ...i.lines.map((l) => [
              l.invoiceNumber,
              l.days > 0 ? `${sd(l.from)} – ${sd(l.to)}` : '—',
              { text: String(l.days), alignment: 'right' as const },
              { text: l.ratesBp.map((r) => percent(r, model.lang)).join(' / ') || '—', alignment: 'right' as const },
              { text: m(l.interestMinor), alignment: 'right' as const },
              { text: m(l.compensationMinor), alignment: 'right' as const },
            ]),
            [
              { text: L.totalDue, bold: true, colSpan: 5 },
              '',
              '',
              '',
              '',
              {
                text: m(model.balanceMinor + i.interestMinor + i.compensationMinor),
                bold: true,
                alignment: 'right' as const,
              },
            ],
          ],
        },
        layout: 'lightHorizontalLines',
        fontSize: 8,
        margin: [0, 0, 0, 2],
      },
      {
        text: `${L.ratesNote} ${i.compensationMinor ? L.compensation + '.' : ''}`,
        fontSize: 7,
        color: GREY,
        margin: [0, 0, 0, 12],
      },
    );
  }

  if (model.plan) {
    blocks.push(
      { text: L.instalments, bold: true, margin: [0, 0, 0, 4] },
      {
        table: {
          headerRows: 1,
          widths: ['auto', '*', 'auto'],
          body: [
            [th(L.instalment), th(L.dueDate), th(L.amount, 'right')],
            ...model.plan.instalments.map((p, idx) => [
              String(idx + 1),
              longDate(p.dueDate, model.lang),
              { text: m(p.amountMinor), alignment: 'right' as const },
            ]),
          ],
        },
        layout: 'lightHorizontalLines',
        fontSize: 9,
        margin: [0, 0, 0, 12],
      },
    );
  }

  blocks.push(
    ...model.message.outro.map((p) => ({ text: p, margin: [0, 0, 0, 6] as [number, number, number, number] })),
  );

  if (model.template !== 'courtesy' || model.balanceMinor > 0) {
    blocks.push({
      table: {
        widths: ['*'],
        body: [
          [
            {
              stack: [
                { text: L.paymentTitle, bold: true, margin: [0, 0, 0, 3] },
                { text: `${L.beneficiary}: ${lh.name}` },
                { text: `${L.iban}: ${lh.iban}`, bold: true },
                ...(lh.bic ? [{ text: `${L.bic}: ${lh.bic}` }] : []),
                { text: `${L.paymentReason}: ${model.reference} – ${model.invoices.map((i) => i.number).join(', ')}` },
              ],
              fillColor: '#eef2f7',
              margin: [6, 6, 6, 6],
            },
          ],
        ],
      },
      layout: 'noBorders',
      fontSize: 9,
      margin: [0, 6, 0, 14],
    });
  }

  blocks.push({ text: model.message.closing, margin: [0, 0, 0, 18] }, { text: model.message.signature, bold: true });
  if (model.template === 'repayment-plan') {
    blocks.push({
      text: `\n\n${L.acceptance}\n\n_______________________________`,
      fontSize: 9,
      margin: [260, 10, 0, 0],
    });
  }

  return {
    pageSize: 'A4',
    pageMargins: [50, 45, 50, 55],
    defaultStyle: { font: 'Helvetica', fontSize: 10, lineHeight: 1.2 },
    info: { title: `${model.message.title} – ${model.reference}`, author: lh.name, subject: model.message.subject },
    content: blocks,
    footer: (currentPage: number, pageCount: number): Content => ({
      columns: [
        { text: `${lh.name} · ${L.vat} ${lh.vat} · ${L.reference} ${model.reference}`, fontSize: 7, color: GREY },
        { text: `${L.page} ${currentPage}/${pageCount}`, fontSize: 7, color: GREY, alignment: 'right', width: 60 },
      ],
      margin: [50, 20, 50, 0],
    }),
  };
}

/** Renders a letter to a PDF buffer. */
export function renderLetterPdf(model: LetterModel): Promise<Buffer> {
  return printPdf(letterDefinition(model));
}
