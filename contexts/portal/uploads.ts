/**
 * The portal's forms: `multipart/form-data` with at most one optional file (a browser sends an empty part when none
 * was chosen). The file is streamed to the documents folder by its SHA-256 like the console's documents
 * (contexts/documents/uploads.ts), limited in size, and accepted only when its first bytes are a PDF, PNG or JPEG
 * whatever the browser claims.
 */
import fs from 'node:fs';
import path from 'node:path';
import busboy from 'busboy';
import type { Request } from 'express';
import { storeStream } from '../documents/uploads';
import { HttpError } from '../errors';

export const PORTAL_MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface PortalUpload {
  path: string;
  sha256: string;
  sizeBytes: number;
  filename: string;
  mimeType: string;
}

/** A refused upload; `fields` are the form's fields read before the file (to show the error beside its form). */
export class UploadRefused extends Error {
  fields: Record<string, string> = {};
}

/** The type a file's first bytes say it is, or null for anything but PDF, PNG and JPEG. */
export function sniffType(head: Buffer): string | null {
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Reads a portal form: its fields, and the file when one was sent (refused: UploadRefused, nothing kept). */
export function readPortalForm(
  req: Request,
  dataDir: string,
): Promise<{ fields: Record<string, string>; file: PortalUpload | null }> {
  const dir = path.join(dataDir, 'documents');
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: PORTAL_MAX_UPLOAD_BYTES, files: 1, fields: 20, fieldSize: 4000, parts: 25 },
      });
    } catch {
      reject(new UploadRefused('malformed form'));
      return;
    }
    const fields: Record<string, string> = {};
    let stored: Promise<PortalUpload | null> = Promise.resolve(null);
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      if (err instanceof UploadRefused) err.fields = { ...fields };
      req.unpipe(bb);
      req.resume();
      reject(err);
    };
    bb.on('field', (name, value) => {
      if (!name.includes('\u0000') && !value.includes('\u0000')) fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || !info.filename) {
        stream.resume();
        return;
      }
      const filename = path.basename([...info.filename].filter((c) => c >= ' ').join('')).slice(0, 200) || 'file';
      const ext = /^\.[a-z0-9]{1,8}$/.test(path.extname(filename).toLowerCase())
        ? path.extname(filename).toLowerCase()
        : '';
      stream.on('limit', () => stream.destroy(new UploadRefused('too large')));
      stored = storeStream(stream, dir, ext, PORTAL_MAX_UPLOAD_BYTES).then(async (s) => {
        if (s.sizeBytes === 0) {
          await fs.promises.rm(s.path, { force: true });
          return null;
        }
        const type = sniffType(s.head);
        if (!type) {
          // Files are stored by content address: keep one another document already points at.
          throw Object.assign(new UploadRefused('type not accepted'), { storedPath: s.path });
        }
        return { path: s.path, sha256: s.sha256, sizeBytes: s.sizeBytes, filename, mimeType: type };
      });
      stored.catch((e: unknown) =>
        fail(e instanceof HttpError && e.status === 413 ? new UploadRefused('too large') : e),
      );
    });
    bb.on('error', () => fail(new UploadRefused('malformed form')));
    bb.on('partsLimit', () => fail(new UploadRefused('too many parts')));
    bb.on('close', () => {
      if (failed) return;
      stored.then((file) => resolve({ fields, file }), fail);
    });
    req.pipe(bb);
  });
}
