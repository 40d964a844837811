/** PDF text extraction and PNG rendering with poppler-utils (installed by scripts/setup.sh). */
import { execFileSync } from 'node:child_process';

export function hasPoppler(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The text of a PDF with every run of whitespace (no-break spaces included) collapsed to one space. */
export function pdfText(pdf: Buffer): string {
  const out = execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf });
  return out.toString('utf8').replace(/[\s\u00a0\u202f]+/g, ' ');
}

/** First page as PNG at `dpi`, written to `prefix-1.png`. */
export function pdfToPng(pdf: Buffer, prefix: string, dpi = 60): void {
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-', prefix], { input: pdf });
}
