/**
 * PDF letters with pdfmake 0.2 (server-side PdfPrinter) and the 14 standard PDF fonts, so nothing is downloaded
 * or embedded: letterhead, recipient block, reference and date, subject, body, invoice table, interest table,
 * instalment schedule, payment instructions, closing and a footer with page numbers.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Language } from '../../../workflows/contract';
import type { ProvisionalRate } from '../../../domain/interest';
import { letterDocument, letterheadBlocks, paymentBox, printPdf, type Letterhead } from '../../../infra/pdf';
import { colon, longDate, money, percent, shortDate } from '../format';
import { LABELS, type MessageInvoice, type RenderedMessage, type TemplateName } from '../messages';

export type { Letterhead } from '../../../infra/pdf';

export interface InterestLine {
  invoiceNumber: string;
  from: string;
  to: string;
  days: number;
  ratesBp: number[];
  interestMinor: number;
  /** The EUR 40 in the invoice currency (0 when not due, or not convertible without a known rate). */
  compensationMinor: number;
  /** The EUR 40 in euro cents when due (shown as such for a non-EUR invoice without a rate). */
  compensationEurMinor?: number;
  /** Art. 1194 c.c. allocations of the partial payments (empty when capital first). */
  allocations?: Array<{ date: string; amountMinor: number; toCostsMinor: number; toInterestMinor: number }>;
}

export interface LetterModel {
  lang: Language;
  template: TemplateName;
  reference: string;
  /** ISO date printed on the letter. */
  date: string;
  letterhead: Letterhead;
  recipient: { name: string; lines: string[]; vatNumber?: string | null; pec?: string | null; consumer?: boolean };
  currency: string;
  invoices: Array<MessageInvoice>;
  balanceMinor: number;
  interest?: {
    asOf: string;
    lines: InterestLine[];
    interestMinor: number;
    compensationMinor: number;
    compensationEurMinor?: number;
    provisional?: ProvisionalRate[];
    allocation?: 'capital-first' | 'interest-first' | 'costs-interest-first';
    paidToInterestMinor?: number;
    paidToCostsMinor?: number;
  };
  plan?: { instalments: Array<{ dueDate: string; amountMinor: number }> };
  message: RenderedMessage;
  /** A waiver in force: a waived interest gets no column, title or rate note (only the EUR 40 may remain). */
  waiver?: { interest: boolean; compensation: boolean };
  /** The debtor's portal link (contexts/portal): printed as a QR code and a short address to type. */
  portal?: { url: string; shortUrl: string };
}

const GREY = '#555555';
const ACCENT = '#1f3a5f';

/** The pdfmake document definition of a letter (exported for tests). */
export function letterDefinition(model: LetterModel): TDocumentDefinitions {
  const L = LABELS[model.lang];
  const C = colon(model.lang);
  const m = (minor: number): string => money(minor, model.currency, model.lang);
  const sd = (iso: string): string => shortDate(iso, model.lang);
  const lh = model.letterhead;
  const [header, rule] = letterheadBlocks(lh, L.vat);

  const recipient: Content = {
    columns: [
      {
        width: '*',
        stack: [
          { text: `${L.reference} ${model.reference}`, bold: true },
          { text: `${L.date}${C} ${longDate(model.date, model.lang)}` },
        ],
        fontSize: 9,
      },
      {
        width: 230,
        stack: [
          ...(model.message.delivery ? [{ text: model.message.delivery, bold: true, fontSize: 9 }] : []),
          // "Spett.le" is for businesses; a consumer's label may be empty (Italian) or neutral.
          ...((model.recipient.consumer ? L.toPerson : L.to)
            ? [{ text: model.recipient.consumer ? L.toPerson : L.to, fontSize: 8, color: GREY }]
            : []),
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

  if (model.interest && model.waiver?.interest) {
    // Interest waived (remission, art. 1236 c.c.): the table claims the EUR 40 alone (D.Lgs. 231/2002 art. 6).
    const i = model.interest;
    const eur = (minor: number): string => money(minor, 'EUR', model.lang);
    const eurOnly = (i.compensationEurMinor ?? 0) > 0 && i.compensationMinor === 0 ? (i.compensationEurMinor ?? 0) : 0;
    const claimed = i.lines.filter((l) => l.compensationMinor > 0 || (l.compensationEurMinor ?? 0) > 0);
    if (claimed.length > 0)
      blocks.push(
        { text: L.compensation, bold: true, margin: [0, 0, 0, 4] },
        {
          table: {
            headerRows: 1,
            widths: ['*', 'auto'],
            body: [
              [th(L.invoice), th(L.fixedSum, 'right')],
              ...claimed.map((l) => [
                l.invoiceNumber,
                {
                  text: l.compensationMinor > 0 ? m(l.compensationMinor) : eur(l.compensationEurMinor ?? 0),
                  alignment: 'right' as const,
                },
              ]),
              [
                { text: L.totalDue, bold: true },
                {
                  text: m(model.balanceMinor + i.compensationMinor) + (eurOnly ? ` + ${eur(eurOnly)}` : ''),
                  bold: true,
                  alignment: 'right' as const,
                },
              ],
            ],
          },
          layout: 'lightHorizontalLines',
          fontSize: 8,
          margin: [0, 0, 0, 12],
        },
      );
  } else if (model.interest) {
    const i = model.interest;
    const consumer = model.recipient.consumer === true;
    const eur = (minor: number): string => money(minor, 'EUR', model.lang);
    // A non-EUR invoice's EUR 40 with no known rate is shown in euro and stays out of the invoice-currency total.
    const eurOnly = (i.compensationEurMinor ?? 0) > 0 && i.compensationMinor === 0 ? (i.compensationEurMinor ?? 0) : 0;
    const fixedCell = (l: InterestLine): string =>
      l.compensationMinor > 0
        ? m(l.compensationMinor)
        : (l.compensationEurMinor ?? 0) > 0
          ? eur(l.compensationEurMinor ?? 0)
          : '—';
    const columns = consumer ? 5 : 6;
    const dueTotal =
      m(model.balanceMinor + i.interestMinor + i.compensationMinor) + (eurOnly ? ` + ${eur(eurOnly)}` : '');
    blocks.push(
      { text: consumer ? L.interestTitleConsumer : L.interestTitle, bold: true, margin: [0, 0, 0, 4] },
      {
        table: {
          headerRows: 1,
          widths: ['*', ...Array<string>(columns - 1).fill('auto')],
          body: [
            [
              th(L.invoice),
              th(L.period),
              th(L.days, 'right'),
              th(L.rate, 'right'),
              th(L.interest, 'right'),
              ...(consumer ? [] : [th(L.fixedSum, 'right')]),
            ],
            ...i.lines.map((l) => [
              l.invoiceNumber,
              l.days > 0 ? `${sd(l.from)} – ${sd(l.to)}` : '—',
              { text: String(l.days), alignment: 'right' as const },
              { text: l.ratesBp.map((r) => percent(r, model.lang)).join(' / ') || '—', alignment: 'right' as const },
              { text: m(l.interestMinor), alignment: 'right' as const },
              ...(consumer ? [] : [{ text: fixedCell(l), alignment: 'right' as const }]),
            ]),
            [
              { text: L.totalDue, bold: true, colSpan: columns - 1 },
              ...Array<string>(columns - 2).fill(''),
              { text: dueTotal, bold: true, alignment: 'right' as const },
            ],
          ],
        },
        layout: 'lightHorizontalLines',
        fontSize: 8,
        margin: [0, 0, 0, 2],
      },
      {
        text: consumer
          ? L.ratesNoteConsumer
          : `${L.ratesNote} ${i.compensationMinor || eurOnly ? L.compensation + '.' : ''}`,
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
    blocks.push(
      paymentBox(L, C, lh, `${model.reference} – ${model.invoices.map((i) => i.number).join(', ')}`, [0, 6, 0, 14]),
    );
  }

  if (model.portal) {
    blocks.push({
      columns: [
        { qr: model.portal.url, fit: 80, eccLevel: 'M', width: 90 },
        {
          width: '*',
          stack: [
            { text: L.portalTitle, bold: true, margin: [0, 0, 0, 2] },
            { text: L.portalText, fontSize: 8 },
            { text: L.portalScan, fontSize: 8, margin: [0, 4, 0, 0] },
            { text: model.portal.shortUrl, bold: true, fontSize: 9 },
          ],
        },
      ],
      columnGap: 10,
      fontSize: 9,
      margin: [0, 0, 0, 14],
      unbreakable: true,
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

  return letterDocument(lh, L, {
    title: `${model.message.title} – ${model.reference}`,
    subject: model.message.subject,
    footer: `${L.reference} ${model.reference}`,
    content: blocks,
  });
}

/** Renders a letter to a PDF buffer. */
export function renderLetterPdf(model: LetterModel): Promise<Buffer> {
  return printPdf(letterDefinition(model));
}
