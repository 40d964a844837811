/**
 * Bulk import intake: the uploaded file is stored by its SHA-256, its header checked, then an import workflow
 * (`import-<sha256>`) does the rows. The same file uploaded again returns the existing import and starts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Db } from '../../infra/db';
import { importWorkflowId } from '../../workflows/contract';
import type { ImportWorkflowInput } from '../../workflows/import';
import { badRequest, notFound } from '../errors';
import { detectDelimiter, mapHeader } from '../erp/import-format';
import type { StoredUpload } from '../documents/uploads';

export interface ImportDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  dataDir: string;
  /** Rows per import activity (default 500). */
  chunkSize?: number;
}

export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
const XLSX_TYPES = ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'];

export const importsDir = (dataDir: string): string => path.join(dataDir, 'imports');

interface CsvShape {
  csvPath: string;
  delimiter: string;
  columns: string[];
  start: { byte: number; line: number };
}

/** Reads the header of a stored CSV: delimiter, columns, where data starts. Throws 400 naming what is wrong. */
export function inspectCsv(file: { path: string; head: Buffer; sizeBytes: number }): CsvShape {
  let head = file.head;
  let bom = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    bom = 3;
    head = head.subarray(3);
  }
  const nl = head.indexOf(0x0a);
  if (nl < 0 && head.length + bom < file.sizeBytes) {
    throw badRequest('request is not valid', [{ path: 'file', message: 'the header line is longer than 64 KiB' }]);
  }
  const headerBytes = nl < 0 ? head : head.subarray(0, nl + 1);
  const headerLine = headerBytes.toString('utf8').replace(/\r?\n$/, '');
  if (headerLine.includes('\u0000') || !headerLine.trim()) {
    throw badRequest('request is not valid', [{ path: 'file', message: 'the file is not a CSV with a header row' }]);
  }
  const delimiter = detectDelimiter(headerLine);
  let columns: string[];
  try {
    columns = (parseCsv(headerLine, { delimiter, relax_quotes: true }) as string[][])[0] ?? [];
  } catch {
    throw badRequest('request is not valid', [{ path: 'file', message: 'the header row is not valid CSV' }]);
  }
  const { problems } = mapHeader(columns);
  if (problems.length > 0) {
    throw badRequest(
      'the file header is not valid',
      problems.map((message) => ({ path: 'file.header', message })),
    );
  }
  return { csvPath: file.path, delimiter, columns, start: { byte: bom + headerBytes.length, line: 1 } };
}

/** Streams the first worksheet of an XLSX file into a CSV beside it (dates as ISO, numbers with a point). */
export async function xlsxToCsv(xlsxPath: string, csvPath: string): Promise<void> {
  const out = fs.createWriteStream(csvPath);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    if (typeof v === 'object') {
      const o = v as { text?: string; result?: unknown; richText?: Array<{ text: string }> };
      if (o.richText) return o.richText.map((t) => t.text).join('');
      if (o.result !== undefined) return cell(o.result);
      if (o.text !== undefined) return String(o.text);
      return '';
    }
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
    return String(v);
  };
  const quote = (s: string): string => (/[";\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(xlsxPath, {
      worksheets: 'emit',
      sharedStrings: 'cache',
      styles: 'cache',
    });
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as unknown[]).slice(1).map((v) => quote(cell(v)));
        if (!out.write(`${values.join(';')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      break; // only the first worksheet
    }
  } catch {
    throw badRequest('request is not valid', [{ path: 'file', message: 'the file is not a readable XLSX workbook' }]);
  } finally {
    await new Promise<void>((r) => out.end(() => r()));
  }
}

async function shapeOf(file: StoredUpload): Promise<CsvShape> {
  const isXlsx =
    XLSX_TYPES.includes(file.mimeType) ||
    file.filename.toLowerCase().endsWith('.xlsx') ||
    file.head.subarray(0, 2).toString() === 'PK';
  if (!isXlsx) return inspectCsv(file);
  const csvPath = `${file.path}.csv`;
  if (!fs.existsSync(csvPath)) {
    const tmp = `${csvPath}.${process.pid}.tmp`;
    await xlsxToCsv(file.path, tmp);
    await fs.promises.rename(tmp, csvPath);
  }
  const fd = await fs.promises.open(csvPath, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    const { size } = await fd.stat();
    return inspectCsv({ path: csvPath, head: buf.subarray(0, bytesRead), sizeBytes: size });
  } finally {
    await fd.close();
  }
}

export type ImportView = Awaited<ReturnType<typeof getImport>>;

/**
 * Starts (or finds) the import of a stored file. Returns `created: false` when the same bytes were imported before.
 * Nothing is written when the header is refused; the stored file is removed again unless an import references it.
 */
export async function submitImport(
  deps: ImportDeps,
  file: StoredUpload,
  createdBy: string,
): Promise<{ created: boolean; importId: string; workflowId: string }> {
  const previous = await deps.db.import.findUnique({ where: { sha256: file.sha256 } });
  if (previous) {
    await ensureStarted(deps, previous.id, file.sha256, null);
    return { created: false, importId: previous.id, workflowId: importWorkflowId(file.sha256) };
  }
  let shape: CsvShape;
  try {
    shape = await shapeOf(file);
  } catch (err) {
    await fs.promises.rm(file.path, { force: true });
    await fs.promises.rm(`${file.path}.csv`, { force: true });
    throw err;
  }
  let row;
  try {
    row = await deps.db.import.create({ data: { sha256: file.sha256, filename: file.filename, createdBy } });
  } catch (err) {
    if ((err as { code?: string }).code !== 'P2002') throw err;
    const raced = await deps.db.import.findUniqueOrThrow({ where: { sha256: file.sha256 } });
    return { created: false, importId: raced.id, workflowId: importWorkflowId(file.sha256) };
  }
  const input: ImportWorkflowInput = {
    importId: row.id,
    sha256: file.sha256,
    path: shape.csvPath,
    delimiter: shape.delimiter,
    columns: shape.columns,
    start: shape.start,
    ...(deps.chunkSize ? { chunkSize: deps.chunkSize } : {}),
  };
  try {
    await ensureStarted(deps, row.id, file.sha256, input);
  } catch (err) {
    // Temporal unreachable: leave no import behind that nothing would ever run.
    await deps.db.import.delete({ where: { id: row.id } }).catch(() => undefined);
    throw err;
  }
  return { created: true, importId: row.id, workflowId: importWorkflowId(file.sha256) };
}

async function ensureStarted(
  deps: ImportDeps,
  importId: string,
  sha256: string,
  input: ImportWorkflowInput | null,
): Promise<void> {
  if (!input) return; // an existing import: its workflow was started with the row (or the row was removed)
  try {
    await deps.temporal.workflow.start('importWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: importWorkflowId(sha256),
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { importId },
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Progress and rejected rows (100 per page) of one import. */
export async function getImport(db: Db, id: string, rejectionsPage = 1) {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await db.import.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`import ${id}`);
  const pageSize = 100;
  const rejections = await db.importRejection.findMany({
    where: { importId: row.id },
    orderBy: { line: 'asc' },
    skip: (rejectionsPage - 1) * pageSize,
    take: pageSize,
  });
  return {
    importId: row.id,
    filename: row.filename,
    sha256: row.sha256,
    status: row.status,
    totalRows: row.totalRows,
    acceptedRows: row.acceptedRows,
    rejectedRows: row.rejectedRows,
    startedWorkflows: row.startedWorkflows,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    workflowId: importWorkflowId(row.sha256),
    rejections: rejections.map((r) => ({ line: r.line, reason: r.reason })),
    rejectionsPage,
    rejectionsPageSize: pageSize,
  };
}
