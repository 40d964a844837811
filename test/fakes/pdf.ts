/** PDF text extraction, PNG rendering and QR reading with poppler-utils (installed by scripts/setup.sh) and jsqr. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

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

/**
 * The QR code printed on each page of a PDF, read as a phone would from the paper: every page rendered to PNG with
 * pdftoppm at `dpi`, then decoded with jsqr. One entry per page (null where a page has none).
 */
export function pdfQrCodes(pdf: Buffer, dpi = 150): Array<string | null> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-pdf-qr-'));
  try {
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-', path.join(dir, 'page')], { input: pdf });
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.png'))
      .sort((a, b) => Number(a.match(/(\d+)\.png$/)![1]) - Number(b.match(/(\d+)\.png$/)![1]))
      .map((f) => {
        const png = PNG.sync.read(fs.readFileSync(path.join(dir, f)));
        return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;
      });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
