/** Bulk import of ERP exports (CSV, XLSX): upload, then follow progress and rejected rows. */
import { actorOf } from '../../contexts/access/access';
import { audit } from '../../contexts/access/audit';
import type { RouteTable } from '../registry';
import { idParams, importQuery } from '../../contexts/schemas';
import { getImport, importsDir, MAX_IMPORT_BYTES, submitImport } from '../../contexts/intake/imports';
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
        'file (same SHA-256) imported again answers 200 with the existing import and starts nothing.',
      query: importQuery,
      bodyKind: 'upload',
      mutating: true,
      responses: { 200: 'The same file was imported before', 202: 'Accepted: the import runs', 413: 'File too large' },
    },
    async (req, res) => {
      const file = await receiveFile(req, importsDir(deps.dataDir), {
        limitBytes: MAX_IMPORT_BYTES,
        defaultName: 'import.csv',
      });
      const result = await submitImport(ideps, file, actorOf(req).actorId);
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
      method: 'get',
      path: '/v1/imports/:id',
      roles: ['erp', 'manager'],
      tag: 'erp',
      summary: 'Progress of an import and its rejected rows (line and reason, 100 per page)',
      params: idParams,
      query: importQuery,
      mutating: false,
      responses: { 200: 'The import' },
    },
    async (_req, res, { params, query }) => {
      res.json(await getImport(deps.db, params.id, query.rejectionsPage ?? 1));
    },
  );
}
