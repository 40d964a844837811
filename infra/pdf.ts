/**
 * The one pdfmake printer (pdfmake 0.2's server entry point, the 14 standard PDF fonts: nothing is downloaded or
 * embedded), shared by the letters, the statements of account and the monthly report; and the company's letterhead
 * that letters and statements print alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Column, Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { Config } from './config';

// @types/pdfmake describes 0.3, whose document types are unchanged; the 0.2 printer is typed here.
interface PdfKitDoc extends NodeJS.EventEmitter {
  end(): void;
}
interface PdfPrinterCtor {
  new (fonts: Record<string, Record<string, string>>): {
    createPdfKitDocument(def: TDocumentDefinitions, options?: Record<string, unknown>): PdfKitDoc;
  };
}
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

/** Renders a document definition (fonts: Helvetica) to PDF bytes. */
export function printPdf(def: TDocumentDefinitions): Promise<Buffer> {
  const doc = printer.createPdfKitDocument(def);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** The creditor as every letter and statement names it (LETTERHEAD_* settings). */
export interface Letterhead {
  name: string;
  addressLines: string[];
  vat: string;
  iban: string;
  bic?: string;
  email: string;
  phone?: string;
  pec?: string;
  /** PNG/JPEG file; ignored when it cannot be read. */
  logoPath?: string;
  /** The named signatory and role printed under the closing. */
  signatory?: string;
  signatoryRole?: string;
}

export function letterheadFromConfig(config: Config): Letterhead {
  return {
    name: config.LETTERHEAD_NAME,
    addressLines: config.LETTERHEAD_ADDRESS.split('|')
      .map((l) => l.trim())
      .filter(Boolean),
    vat: config.LETTERHEAD_VAT,
    iban: config.LETTERHEAD_IBAN,
    bic: config.LETTERHEAD_BIC,
    email: config.LETTERHEAD_EMAIL,
    phone: config.LETTERHEAD_PHONE,
    pec: config.LETTERHEAD_PEC,
    logoPath: config.LETTERHEAD_LOGO,
    signatory: config.LETTERHEAD_SIGNATORY,
    signatoryRole: config.LETTERHEAD_SIGNATORY_ROLE,
  };
}

export const LETTERHEAD_GREY = '#555555';
export const LETTERHEAD_ACCENT = '#1f3a5f';

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

/** The letterhead block (logo, name, address, VAT number, contacts) and the rule under it; `vatLabel` is localised. */
/** Who a document is addressed to, as the column beside its reference data: label ("Spett.le"), name, address, VAT, PEC. */
export interface Addressee {
  name: string;
  addressLines: string[];
  vatNumber?: string | null;
  pec?: string | null;
}

/** The addressee's column (230 pt wide) of a statement or a note; `toLabel` empty prints no label line. */
export function addresseeBlock(c: Addressee, toLabel: string, vatLabel: string): Column {
  return {
    width: 230,
    stack: [
      ...(toLabel ? [{ text: toLabel, fontSize: 8, color: LETTERHEAD_GREY }] : []),
      { text: c.name, bold: true },
      ...c.addressLines.map((l) => ({ text: l })),
      ...(c.vatNumber ? [{ text: `${vatLabel} ${c.vatNumber}`, fontSize: 8 }] : []),
      ...(c.pec ? [{ text: `PEC ${c.pec}`, fontSize: 8 }] : []),
    ],
  };
}

export function letterheadBlocks(lh: Letterhead, vatLabel: string): [Content, Content] {
  const logo = logoDataUrl(lh.logoPath);
  const contacts = [lh.phone && `Tel. ${lh.phone}`, lh.email, lh.pec && `PEC ${lh.pec}`].filter(Boolean).join(' · ');
  const header: Content = {
    columns: [
      logo ? { image: logo, fit: [120, 50], width: 130 } : { text: '', width: 0 },
      {
        width: '*',
        stack: [
          { text: lh.name, bold: true, fontSize: 14, color: LETTERHEAD_ACCENT },
          { text: lh.addressLines.join(' – '), fontSize: 8, color: LETTERHEAD_GREY },
          { text: `${vatLabel} ${lh.vat}`, fontSize: 8, color: LETTERHEAD_GREY },
          { text: contacts, fontSize: 8, color: LETTERHEAD_GREY },
        ],
      },
    ],
    columnGap: 10,
    margin: [0, 0, 0, 6],
  };
  const rule: Content = {
    canvas: [{ type: 'line', x1: 0, y1: 0, x2: 495, y2: 0, lineWidth: 1, lineColor: LETTERHEAD_ACCENT }],
    margin: [0, 0, 0, 14],
  };
  return [header, rule];
}

/**
 * The page every letter, statement and note is printed on: A4, the same margins and type, and a footer naming the
 * creditor and the document (`footer`, after the VAT number) with the page number on the right.
 */
export function letterDocument(
  lh: Letterhead,
  labels: { vat: string; page: string },
  doc: { title: string; subject: string; footer: string; content: Content[] },
): TDocumentDefinitions {
  return {
    pageSize: 'A4',
    pageMargins: [50, 45, 50, 55],
    defaultStyle: { font: 'Helvetica', fontSize: 10, lineHeight: 1.2 },
    info: { title: doc.title, author: lh.name, subject: doc.subject },
    content: doc.content,
    footer: (currentPage: number, pageCount: number): Content => ({
      columns: [
        { text: `${lh.name} · ${labels.vat} ${lh.vat} · ${doc.footer}`, fontSize: 7, color: LETTERHEAD_GREY },
        {
          text: `${labels.page} ${currentPage}/${pageCount}`,
          fontSize: 7,
          color: LETTERHEAD_GREY,
          alignment: 'right',
          width: 60,
        },
      ],
      margin: [50, 20, 50, 0],
    }),
  };
}

/** The shaded box of payment instructions of a letter, statement or note: beneficiary, IBAN, BIC and the reason. */
export function paymentBox(
  labels: { paymentTitle: string; beneficiary: string; iban: string; bic: string; paymentReason: string },
  colon: string,
  payee: { name: string; iban: string; bic?: string },
  reason: string,
  margin: [number, number, number, number],
): Content {
  return {
    table: {
      widths: ['*'],
      body: [
        [
          {
            stack: [
              { text: labels.paymentTitle, bold: true, margin: [0, 0, 0, 3] },
              { text: `${labels.beneficiary}${colon} ${payee.name}` },
              { text: `${labels.iban}${colon} ${payee.iban}`, bold: true },
              ...(payee.bic ? [{ text: `${labels.bic}${colon} ${payee.bic}` }] : []),
              { text: `${labels.paymentReason}${colon} ${reason}` },
            ],
            fillColor: '#eef2f7',
            margin: [6, 6, 6, 6],
          },
        ],
      ],
    },
    layout: 'noBorders',
    fontSize: 9,
    margin,
  };
}

/** A table's header cell in the letterhead's accent colour, as the statements and notes print their tables. */
export const headerCell = (text: string, alignment: 'left' | 'right' = 'left'): TableCell => ({
  text,
  bold: true,
  color: 'white',
  fillColor: LETTERHEAD_ACCENT,
  alignment,
});

/** A right-aligned table cell (amounts, days, rates). */
export const rightCell = (text: string, extra: Record<string, unknown> = {}): TableCell => ({
  text,
  alignment: 'right',
  ...extra,
});
