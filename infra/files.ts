/** Files written whole or not at all, under names safe on every file system. */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Writes through a temporary file and a rename, so a crash never leaves half a PDF under the final name. */
export async function writeFileAtomic(file: string, data: Buffer | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

export const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
