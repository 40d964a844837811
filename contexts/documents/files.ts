/**
 * Reading a stored document (a debtor's remittance or dispute attachment from the portal, a file a collector
 * uploaded): who may read it, where its bytes are, and the headers a browser needs to save it safely.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../infra/db';
import { assertCustomerAccess } from '../access/access';
import type { Principal } from '../access/auth';
import { notFound } from '../errors';
import { DOCUMENT_TYPES } from '../schemas';

export interface DocumentFile {
  path: string;
  sizeBytes: number;
  sha256: string;
  filename: string;
  contentType: string;
}

/**
 * The file of a document for a person allowed to read its invoice (or, for a document of no invoice, its customer):
 * the same check as every invoice read — a collector sees their customers', a salesperson the customers they follow
 * (403 otherwise). 404 for an unknown id or a file missing from the data directory.
 */
export async function findDocumentFile(db: Db, dataDir: string, p: Principal, id: string): Promise<DocumentFile> {
  const doc = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.document.findUnique({
        where: { id },
        include: { customer: { select: { collectorId: true, salespersonId: true } } },
      })
    : null;
  if (!doc) throw notFound(`document ${id}`);
  assertCustomerAccess(p, doc.customer);
  // Stored paths are written by the upload code under the data directory; one that points elsewhere is not served.
  const root = path.resolve(dataDir);
  const file = path.resolve(root, doc.path);
  if (!file.startsWith(root + path.sep) || !fs.existsSync(file)) throw notFound(`document ${id} file`);
  return {
    path: file,
    sizeBytes: fs.statSync(file).size,
    sha256: doc.sha256,
    filename: doc.filename,
    // The type the upload declared is served only when it is one the uploads accept: anything else (a debtor's file
    // claiming text/html) is bytes to save, never a page the console's origin would render.
    contentType: (DOCUMENT_TYPES as readonly string[]).includes(doc.mimeType)
      ? doc.mimeType
      : 'application/octet-stream',
  };
}

/**
 * `Content-Disposition: attachment` with the stored name made safe (RFC 6266): an ASCII fallback without quotes,
 * slashes, control characters or path parts, and the original UTF-8 name in `filename*` ("Contestazione è.pdf").
 */
export function attachmentDisposition(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  const printable = [...base].filter((ch) => ch.charCodeAt(0) > 31 && ch.charCodeAt(0) !== 127).join('');
  const clean = printable.trim() || 'document';
  const ascii =
    clean
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^\w.\- ]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 150) || 'document';
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
