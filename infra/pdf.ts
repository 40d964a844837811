/**
 * The one pdfmake printer (pdfmake 0.2's server entry point, the 14 standard PDF fonts: nothing is downloaded or
 * embedded), shared by the letters and the monthly report.
 */
import type { TDocumentDefinitions } from 'pdfmake/interfaces';

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
