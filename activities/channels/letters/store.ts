/**
 * Letters as files: rendered once per idempotency key, written atomically under SEGUGIO_DATA_DIR/letters, recorded
 * in the Letter table with their sha256. A retry finds the row (and the file) and reuses them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../../infra/config';
import type { Db } from '../../../infra/db';
import { safeName, writeFileAtomic } from '../../../infra/files';
import { renderLetterPdf, type LetterModel } from './render';

// Where the letterhead has always been imported from; it lives in infra/pdf.ts, shared with the statements.
export { letterheadFromConfig } from '../../../infra/pdf';

export interface StoredLetter {
  letterId: string;
  path: string;
  sha256: string;
  pdf: Buffer;
  filename: string;
}

export async function produceLetter(
  deps: { db: Db; config: Config },
  input: { idempotencyKey: string; customerId: string; invoiceIds: string[]; model: LetterModel },
): Promise<StoredLetter> {
  const { db, config } = deps;
  const key = `${input.idempotencyKey}:letter`;
  const { model } = input;
  const filename = `${safeName(`${model.reference}-${model.template}-${model.lang}`)}.pdf`;
  const existing = await db.letter.findUnique({ where: { idempotencyKey: key } });
  if (existing) {
    const pdf = await fs.readFile(existing.path).catch(() => null);
    if (pdf && crypto.createHash('sha256').update(pdf).digest('hex') === existing.sha256) {
      return { letterId: existing.id, path: existing.path, sha256: existing.sha256, pdf, filename };
    }
  }
  const pdf = await renderLetterPdf(model);
  const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
  const file = path.join(config.SEGUGIO_DATA_DIR, 'letters', safeName(input.customerId), filename);
  await writeFileAtomic(file, pdf);
  if (existing) {
    // The file was lost or altered: the row now describes the re-rendered letter.
    await db.letter.update({ where: { id: existing.id }, data: { path: file, sha256, sizeBytes: pdf.length } });
    return { letterId: existing.id, path: file, sha256, pdf, filename };
  }
  try {
    const row = await db.letter.create({
      data: {
        idempotencyKey: key,
        customerId: input.customerId,
        invoiceId: input.invoiceIds[0] ?? null,
        invoiceIds: input.invoiceIds,
        template: model.template,
        language: model.lang,
        path: file,
        sha256,
        sizeBytes: pdf.length,
      },
    });
    return { letterId: row.id, path: file, sha256, pdf, filename };
  } catch (err) {
    // A concurrent attempt created it first: use theirs (same content up to the PDF timestamp).
    const row = await db.letter.findUnique({ where: { idempotencyKey: key } });
    if (!row) throw err;
    return { letterId: row.id, path: row.path, sha256: row.sha256, pdf: await fs.readFile(row.path), filename };
  }
}

/** A stored letter for download (API): its file, verified against the recorded checksum; null when unknown. */
export async function openLetter(
  db: Db,
  letterId: string,
): Promise<{ path: string; filename: string; sha256: string; sizeBytes: number; pdf: Buffer } | null> {
  const row = await db.letter.findUnique({ where: { id: letterId } });
  if (!row) return null;
  const pdf = await fs.readFile(row.path);
  const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
  if (sha256 !== row.sha256) throw new Error(`letter ${letterId}: file does not match its recorded sha256`);
  return { path: row.path, filename: path.basename(row.path), sha256, sizeBytes: pdf.length, pdf };
}
