/** Bulk import of ERP exports (CSV, XLSX): preview, upload, then follow progress and fetch the rejected rows. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { actorOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import { idempotencyKey } from '../../contexts/collections/customers';
import type { RouteTable } from '../registry';
import { idParams, importPreviewQuery, importQuery, importRejectionsQuery } from '../../contexts/schemas';
import {
  getImport,
  importPreviewDir,
  importsDir,
  MAX_IMPORT_BYTES,
  previewImport,
  rejectionsCsv,
  submitImport,
} from '../../contexts/intake/imports';
import { receiveFile } from '../../contexts/documents/uploads';
import type { RouteDeps } from './deps';

export function importRoutes(t: RouteTable, deps: RouteDeps): void {
  const ideps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    dataDir: deps.dataDir,
    chunkSize: deps.importChunkSize,
  };

  t.add(
    {
      method: 'post',
      path: '/v1/imports',
      roles: ['erp', 'manager'],
      tag: 'erp',
      summary: 'Upload an ERP export (CSV or XLSX) and import it as a durable workflow',
      description:
        'Send multipart/form-data with a field "file", or the raw file with Content-Type text/csv (name it with ' +
        '?filename=). Italian or English column names, decimal comma or point, dates dd/mm/yyyy or ISO. The same ' +
        'file (same SHA-256) imported again answers 200 with the existing import and starts nothing; so does the same ' +
        'Idempotency-Key again (409 IDEMPOTENCY_KEY_REUSED when it comes with another file).',
      query: importQuery,
      bodyKind: 'upload',
      mutating: true,
      responses: {
        200: 'The same file (or the same Idempotency-Key) was imported before',
        202: 'Accepted: the import runs',
        409: 'The Idempotency-Key was used for another file',
        413: 'File too large',
      },
    },
    async (req, res) => {
      // Checked before the body is read: a malformed key refuses the request with nothing stored.
      const key = idempotencyKey(req);
      const file = await receiveFile(req, importsDir(deps.dataDir), {
        limitBytes: MAX_IMPORT_BYTES,
        defaultName: 'import.csv',
      });
      const result = await submitImport(ideps, file, actorOf(req).actorId, key);
      if (result.created) {
        await audit(deps.db, req, 'import.create', 'Import', result.importId, {
          filename: file.filename,
          sha256: file.sha256,
          sizeBytes: file.sizeBytes,
        });
      }
      res
        .status(result.created ? 202 : 200)
        .location(`/v1/imports/${result.importId}`)
        .json({ ...result, sha256: file.sha256, href: `/v1/imports/${result.importId}` });
    },
  );

  t.add(
    {
      method: 'post',
      path: '/v1/imports/preview',
      roles: ['erp', 'manager'],
      tag: 'erp',
      summary: 'What importing a file would do, writing nothing: mapping, first rows, refused rows, customer changes',
      description:
        'The same upload as POST /v1/imports. The whole file is read as the import would read it; the answer gives ' +
        'the column mapping, the first `rows` rows (default 20) as they would be stored, the rows it would refuse ' +
        '(first 100, each problem as a stable code with its column), and the stored customers whose data the file ' +
        'would change (first 200, each field with the stored and the incoming value). Nothing is recorded and the ' +
        'file is not kept.',
      query: importPreviewQuery,
      bodyKind: 'upload',
      mutating: false,
      responses: { 200: 'The preview', 413: 'File too large' },
    },
    async (req, res, { query }) => {
      // A directory per request: two previews of the same bytes never remove each other's file.
      const dir = path.join(importPreviewDir(deps.dataDir), crypto.randomUUID());
      try {
        const file = await receiveFile(req, dir, { limitBytes: MAX_IMPORT_BYTES, defaultName: 'import.csv' });
        res.json(
          await previewImport({ db: deps.db, defaultCurrency: deps.defaultCurrency ?? 'EUR' }, file, {
            rows: query.rows,
          }),
        );
      } finally {
        await fs.promises.rm(dir, { recursive: true, force: true });
      }
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/imports/:id/rejections',
      roles: ['erp', 'manager'],
      tag: 'erp',
      summary: "The rejected rows as CSV: the file's own columns plus the problems in the chosen language",
      description:
        'Fix the rows and upload the file again: the added error column is not one the import reads. `lang=it|fr` ' +
        'writes `;`-separated CSV (what Italian and French Excel open), `lang=en` (default) comma-separated.',
      params: idParams,
      query: importRejectionsQuery,
      mutating: false,
      produces: 'text/csv',
      responses: { 200: 'The rejected rows' },
    },
    async (_req, res, { params, query }) => {
      const { filename, csv } = await rejectionsCsv(deps.db, params.id, query.lang ?? 'en');
      res.type('text/csv; charset=utf-8').attachment(filename).send(csv);
    },
  );

  t.add(
    {
      method: 'get',
      path: '/v1/imports/:id',
      roles: ['erp', 'manager'],
      tag: 'erp',
      summary: 'Progress of an import (queued behind other work, rows done, real rate) and its rejected rows',
      description:
        '`progress.state` is QUEUED until the first chunk runs (`queuedBehind` lists the earlier imports still ' +
        'running and the tasks waiting on the task queue), then RUNNING, COMPLETED or FAILED. `ratePerSecond` is ' +
        'rows per second of processing, not since the upload. Rejected rows: line, reason, problem codes, 100 per page.',
      params: idParams,
      query: importQuery,
      mutating: false,
      responses: { 200: 'The import' },
    },
    async (_req, res, { params, query }) => {
      res.json(
        await getImport(deps.db, params.id, query.rejectionsPage ?? 1, {
          temporal: deps.temporal,
          taskQueue: deps.taskQueue,
        }),
      );
    },
  );
}
