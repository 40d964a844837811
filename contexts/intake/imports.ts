/**
 * Bulk import intake: the uploaded file is stored by its SHA-256, its header checked, then an import workflow
 * (`import-<sha256>`) does the rows. The same file uploaded again returns the existing import and starts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { Db } from '../../infra/db';
import { importWorkflowId } from '../../workflows/contract';
import type { ImportWorkflowInput } from '../../workflows/import';
import { parse as parseCsvStream } from 'csv-parse';
import { badRequest, HttpError, notFound } from '../errors';
import {
  columnFields,
  columnOfPath,
  detectDelimiter,
  mapHeader,
  parseRow,
  type RowProblem,
} from '../erp/import-format';
import { customerUpdateOf } from './invoices';
import { errorColumn, problemText, type ImportLanguage } from './import-messages';
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
  const { problems, issues } = mapHeader(columns);
  if (problems.length > 0) {
    throw badRequest(
      'the file header is not valid',
      problems.map((message, i) => ({ path: 'file.header', message, code: issues[i].code, params: issues[i].params })),
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
  idempotencyKey?: string,
): Promise<{ created: boolean; importId: string; workflowId: string }> {
  // The same Idempotency-Key (per caller) names one import: a retry with the same file answers it, another file is
  // refused rather than silently imported under a key that already means something else.
  const keyed = idempotencyKey ? `${createdBy}:${idempotencyKey}` : null;
  if (keyed) {
    const same = await deps.db.import.findUnique({ where: { idempotencyKey: keyed } });
    if (same && same.sha256 !== file.sha256) {
      await removeUnreferenced(deps.db, file);
      throw new HttpError(
        409,
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key ${idempotencyKey} was used for import ${same.id} of another file`,
        [{ path: 'Idempotency-Key', message: 'was used for another file', code: 'idempotency_key_reused' }],
      );
    }
    if (same) return { created: false, importId: same.id, workflowId: importWorkflowId(same.sha256) };
  }
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
  const expectedRows = await countDataLines(shape.csvPath, shape.start.byte);
  let row;
  try {
    row = await deps.db.import.create({
      data: {
        sha256: file.sha256,
        filename: file.filename,
        createdBy,
        columns: shape.columns,
        expectedRows,
        idempotencyKey: keyed,
      },
    });
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

/** Progress and rejected rows (100 per page) of one import; with `queue`, how much work waits ahead of it. */
export async function getImport(db: Db, id: string, rejectionsPage = 1, queue?: QueueProbe) {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await db.import.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`import ${id}`);
  const progress = await progressOf(db, row, queue);
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
    progress,
    rejections: rejections.map((r) => ({
      line: r.line,
      reason: r.reason,
      problems: (r.problems as RowProblem[] | null) ?? [],
      record: (r.record as string[] | null) ?? null,
    })),
    rejectionsPage,
    rejectionsPageSize: pageSize,
    rejectionsHref: `/v1/imports/${row.id}/rejections`,
  };
}

/** Removes an uploaded file no import refers to (a refused upload leaves nothing behind). */
async function removeUnreferenced(db: Db, file: StoredUpload): Promise<void> {
  if (await db.import.findUnique({ where: { sha256: file.sha256 }, select: { id: true } })) return;
  await fs.promises.rm(file.path, { force: true });
  await fs.promises.rm(`${file.path}.csv`, { force: true });
}

/**
 * Non-empty lines from `fromByte` on (the data rows after the header): the progress bar's total. A quoted cell
 * holding a line break counts twice, so the total is an estimate the finished import replaces with its count.
 */
export async function countDataLines(csvPath: string, fromByte = 0): Promise<number> {
  let lines = 0;
  let content = false;
  for await (const chunk of fs.createReadStream(csvPath, { start: fromByte }) as AsyncIterable<Buffer>) {
    for (const b of chunk) {
      if (b === 0x0a) {
        if (content) lines++;
        content = false;
      } else if (b !== 0x0d && b !== 0x20 && b !== 0x09) content = true;
    }
  }
  return content ? lines + 1 : lines;
}

/** Where to ask Temporal how much work waits on the task queue the imports run on. */
export interface QueueProbe {
  temporal: Client;
  taskQueue: string;
}

type ImportRow = NonNullable<Awaited<ReturnType<Db['import']['findUnique']>>>;

/** Tasks waiting on the queue (workflow and activity tasks), or null when the server does not report it. */
async function queueBacklog(q: QueueProbe): Promise<number | null> {
  try {
    let total = 0;
    for (const taskQueueType of [
      temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    ]) {
      const r = await q.temporal.workflowService.describeTaskQueue({
        namespace: q.temporal.options.namespace,
        taskQueue: { name: q.taskQueue },
        taskQueueType,
        reportStats: true,
      });
      total += Number(r.stats?.approximateBacklogCount ?? 0);
    }
    return total;
  } catch {
    return null;
  }
}

/**
 * Where an import stands, in the terms a person waiting for it needs: QUEUED until its first chunk runs (with the
 * imports and the number of tasks ahead of it), then rows done of the expected total at the real rate — rows per
 * second of processing, not since the upload, so a long wait in the queue does not read as a slow import.
 */
async function progressOf(db: Db, row: ImportRow, queue?: QueueProbe) {
  const state = row.status !== 'RUNNING' ? row.status : row.startedAt ? 'RUNNING' : 'QUEUED';
  const processed = row.totalRows;
  const expected = row.status === 'COMPLETED' ? row.totalRows : (row.expectedRows ?? null);
  const rate = row.processingMs > 0 && processed > 0 ? Math.round(processed / (row.processingMs / 1000)) : null;
  const remaining = expected === null ? null : Math.max(0, expected - processed);
  let ahead: Array<{ importId: string; filename: string; remainingRows: number | null; createdAt: string }> = [];
  let backlogTasks: number | null = null;
  if (state === 'QUEUED') {
    const earlier = await db.import.findMany({
      where: { status: 'RUNNING', createdAt: { lt: row.createdAt }, id: { not: row.id } },
      orderBy: { createdAt: 'asc' },
      take: 20,
    });
    ahead = earlier.map((e) => ({
      importId: e.id,
      filename: e.filename,
      remainingRows: e.expectedRows === null ? null : Math.max(0, e.expectedRows - e.totalRows),
      createdAt: e.createdAt.toISOString(),
    }));
    if (queue) backlogTasks = await queueBacklog(queue);
  }
  const waitedUntil = row.startedAt ?? (state === 'QUEUED' ? new Date() : (row.finishedAt ?? new Date()));
  return {
    state: state as 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED',
    processedRows: processed,
    expectedRows: expected,
    percent: expected ? Math.min(100, Math.floor((processed * 100) / expected)) : state === 'COMPLETED' ? 100 : null,
    /** Rows per second of processing (null until a chunk has finished). */
    ratePerSecond: rate,
    processingSeconds: Math.round(row.processingMs / 100) / 10,
    /** Seconds between the upload and the first chunk: the time spent behind other work. */
    queuedSeconds: Math.max(0, Math.round((waitedUntil.getTime() - row.createdAt.getTime()) / 1000)),
    etaSeconds: state === 'RUNNING' && rate && remaining !== null ? Math.round(remaining / rate) : null,
    queuedBehind: state === 'QUEUED' ? { imports: ahead, backlogTasks } : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Preview: what an upload would do, writing nothing
// ---------------------------------------------------------------------------------------------------------------

/** Customer columns a row can change, and the file field each comes from (for naming the file's column). */
const CUSTOMER_FIELDS = {
  name: 'customerName',
  vatNumber: 'vatNumber',
  fiscalCode: 'fiscalCode',
  email: 'email',
  pec: 'pec',
  phone: 'phone',
  addressLine: 'addressLine',
  city: 'city',
  postalCode: 'postalCode',
  province: 'province',
  country: 'country',
  language: 'language',
  segment: 'segment',
  area: 'area',
  collectorId: 'collectorId',
  salespersonId: 'salespersonId',
} as const;
type CustomerField = keyof typeof CUSTOMER_FIELDS;

const MAX_PREVIEW_ERRORS = 100;
const MAX_PREVIEW_CHANGES = 200;
const LOOKUP_BATCH = 1000;

/** Directory for files being previewed: apart from the imports' own, so removing a preview never touches an import. */
const previewDir = (dataDir: string): string => path.join(importsDir(dataDir), 'preview');
export const importPreviewDir = previewDir;

/**
 * Reads a whole uploaded file the way the import would and answers what it would do, writing nothing: the column
 * mapping, the first rows as they would be stored, the rows it would refuse (the same checks as the import: format,
 * unknown users, numbers belonging to another customer) and the stored customers whose data it would change. The
 * uploaded file is removed afterwards.
 */
export async function previewImport(
  deps: { db: Db; defaultCurrency: string },
  file: StoredUpload,
  opts: { rows?: number } = {},
) {
  const firstN = opts.rows ?? 20;
  try {
    const shape = await shapeOf(file);
    const { map } = mapHeader(shape.columns);
    const fields = columnFields(map);
    const defaults = { currency: deps.defaultCurrency, segment: 'standard' };

    const first: Array<{
      line: number;
      cells: string[];
      ok: boolean;
      invoice: {
        number: string;
        customerId: string;
        customerName: string;
        currency: string;
        amountMinor: number;
        balanceMinor: number;
        issueDate: string;
        dueDate: string;
      } | null;
      problems: RowProblem[];
    }> = [];
    const errors: Array<{ line: number; cells: string[]; problems: RowProblem[] }> = [];
    let total = 0;
    let rejected = 0;
    const reject = (line: number, cells: string[], problems: RowProblem[]): void => {
      rejected++;
      if (errors.length < MAX_PREVIEW_ERRORS) errors.push({ line, cells, problems });
      const shown = first.find((f) => f.line === line);
      if (shown) Object.assign(shown, { ok: false, invoice: null, problems });
    };
    // What the valid rows would set, merged per customer in file order (as the import applies them).
    const updates = new Map<string, { firstLine: number; values: Record<string, unknown> }>();
    const valid: Array<{
      line: number;
      cells: string[];
      number: string;
      customerId: string;
      users: Array<[string, string]>;
    }> = [];

    const parser = fs.createReadStream(shape.csvPath, { start: shape.start.byte }).pipe(
      parseCsvStream({
        delimiter: shape.delimiter,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        relax_quotes: true,
      }),
    );
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const newlines = item.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
      const line = shape.start.line + item.info.lines - newlines;
      total++;
      const r = parseRow(item.record, map, defaults);
      if (first.length < firstN) {
        first.push({
          line,
          cells: item.record,
          ok: r.ok,
          invoice: r.ok
            ? {
                number: r.invoice.number,
                customerId: r.invoice.customer.externalId,
                customerName: r.invoice.customer.name,
                currency: r.invoice.currency,
                amountMinor: r.invoice.amountMinor,
                balanceMinor: r.invoice.balanceMinor ?? r.invoice.amountMinor,
                issueDate: r.invoice.issueDate ?? r.invoice.dueDate,
                dueDate: r.invoice.dueDate,
              }
            : null,
          problems: r.ok ? [] : r.problems,
        });
      }
      if (!r.ok) {
        reject(line, item.record, r.problems);
        continue;
      }
      const c = r.invoice.customer;
      valid.push({
        line,
        cells: item.record,
        number: r.invoice.number,
        customerId: c.externalId,
        users: [
          ['customer.collectorId', c.collectorId],
          ['customer.salespersonId', c.salespersonId],
        ].filter((u): u is [string, string] => Boolean(u[1])),
      });
      const u = updates.get(c.externalId);
      updates.set(c.externalId, {
        firstLine: u?.firstLine ?? line,
        values: { ...u?.values, ...customerUpdateOf(c) },
      });
    }

    // The checks the import makes against what is stored: users named must exist, a number must not be another
    // customer's. Rows failing them would change nothing, so their customers' changes are not counted either.
    const userIds = [...new Set(valid.flatMap((v) => v.users.map((u) => u[1])))];
    const knownUsers = new Set<string>();
    for (let i = 0; i < userIds.length; i += LOOKUP_BATCH) {
      const found = await deps.db.user.findMany({
        where: { id: { in: userIds.slice(i, i + LOOKUP_BATCH) } },
        select: { id: true },
      });
      for (const u of found) knownUsers.add(u.id);
    }
    const numbers = [...new Set(valid.map((v) => v.number))];
    const ownerOf = new Map<string, string>();
    for (let i = 0; i < numbers.length; i += LOOKUP_BATCH) {
      const found = await deps.db.invoice.findMany({
        where: { externalNumber: { in: numbers.slice(i, i + LOOKUP_BATCH) } },
        select: { externalNumber: true, customer: { select: { externalId: true } } },
      });
      for (const f of found) ownerOf.set(f.externalNumber, f.customer.externalId);
    }
    const knownInvoices = new Set<string>();
    const firstOwner = new Map(ownerOf);
    const kept = new Set<string>();
    for (const v of [...valid].sort((a, b) => a.line - b.line)) {
      const unknown = v.users.find((u) => !knownUsers.has(u[1]));
      if (unknown) {
        const column = columnOfPath(unknown[0].split('.'), map);
        reject(v.line, v.cells, [{ column, code: 'unknown_user', params: { value: unknown[1] } }]);
        continue;
      }
      const owner = firstOwner.get(v.number);
      if (owner !== undefined && owner !== v.customerId) {
        const column = columnOfPath(['number'], map);
        reject(v.line, v.cells, [{ column, code: 'number_taken', params: { value: v.number } }]);
        continue;
      }
      if (owner === undefined) firstOwner.set(v.number, v.customerId);
      if (ownerOf.has(v.number)) knownInvoices.add(v.number);
      kept.add(v.customerId);
    }
    errors.sort((a, b) => a.line - b.line);

    // Stored customers the kept rows would change: each differing field with the stored and the incoming value.
    const externalIds = [...updates.keys()].filter((e) => kept.has(e));
    const changes: Array<{
      customerId: string;
      storedName: string;
      firstLine: number;
      fields: Array<{ field: CustomerField; column: string | null; stored: string | null; incoming: string | null }>;
    }> = [];
    let changedCustomers = 0;
    let existingCustomers = 0;
    for (let i = 0; i < externalIds.length; i += LOOKUP_BATCH) {
      const stored = await deps.db.customer.findMany({
        where: { externalId: { in: externalIds.slice(i, i + LOOKUP_BATCH) } },
      });
      for (const c of stored) {
        existingCustomers++;
        const incoming = updates.get(c.externalId)!;
        const diff = (Object.keys(CUSTOMER_FIELDS) as CustomerField[])
          .filter((f) => f in incoming.values)
          .map((f) => {
            const before = (c as Record<string, unknown>)[f];
            const after = incoming.values[f];
            return {
              field: f,
              column: columnName(map.names, fields, CUSTOMER_FIELDS[f]),
              stored: before === null || before === undefined ? null : String(before),
              incoming: after === null || after === undefined ? null : String(after),
            };
          })
          .filter((d) => d.stored !== d.incoming);
        if (diff.length === 0) continue;
        changedCustomers++;
        if (changes.length < MAX_PREVIEW_CHANGES)
          changes.push({ customerId: c.externalId, storedName: c.name, firstLine: incoming.firstLine, fields: diff });
      }
    }
    changes.sort((a, b) => a.firstLine - b.firstLine);
    const acceptedRows = total - rejected;
    return {
      filename: file.filename,
      sha256: file.sha256,
      delimiter: shape.delimiter,
      columns: shape.columns.map((name, index) => ({ index, name, field: fields[index] })),
      totalRows: total,
      acceptedRows,
      rejectedRows: rejected,
      newInvoices: numbers.filter((n) => !ownerOf.has(n) && firstOwner.has(n)).length,
      knownInvoices: knownInvoices.size,
      newCustomers: externalIds.length - existingCustomers,
      changedCustomers,
      rows: first,
      errors,
      errorsShown: errors.length,
      changes,
      changesShown: changes.length,
      alreadyImported: Boolean(
        await deps.db.import.findUnique({ where: { sha256: file.sha256 }, select: { id: true } }),
      ),
    };
  } finally {
    await fs.promises.rm(file.path, { force: true });
    await fs.promises.rm(`${file.path}.csv`, { force: true });
  }
}

/** The file's own name of the column read for `field`, or null when the file has none. */
function columnName(names: string[], fields: Array<string | null>, field: string): string | null {
  const i = fields.indexOf(field);
  return i < 0 ? null : names[i];
}

// ---------------------------------------------------------------------------------------------------------------
// The rejected rows as a file to fix and upload again
// ---------------------------------------------------------------------------------------------------------------

// Cells go back as the file had them (no formula escaping): the fixed file must import the same values.
const csvCell = (v: string, sep: string): string =>
  v.includes(sep) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/**
 * The rejected rows of an import as CSV: the file's own columns and cells, then one column with the problems in
 * `lang`. Italian and French use `;` (their Excel reads `,` as the decimal mark); English uses `,`. UTF-8 with BOM.
 * The added column is not one the import reads, so the fixed file can be uploaded again as it is.
 */
export async function rejectionsCsv(
  db: Db,
  id: string,
  lang: ImportLanguage,
): Promise<{ filename: string; csv: string }> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await db.import.findUnique({ where: { id } }) : null;
  if (!row) throw notFound(`import ${id}`);
  const sep = lang === 'en' ? ',' : ';';
  const columns = (row.columns as string[] | null) ?? [];
  const lines = [[...columns, errorColumn(lang)].map((c) => csvCell(c, sep)).join(sep)];
  for (let after = 0; ;) {
    const page = await db.importRejection.findMany({
      where: { importId: row.id, line: { gt: after } },
      orderBy: { line: 'asc' },
      take: 1000,
    });
    if (page.length === 0) break;
    after = page[page.length - 1].line;
    for (const r of page) {
      const problems = (r.problems as RowProblem[] | null) ?? [];
      const text = problems.length > 0 ? problems.map((p) => problemText(p, lang)).join('; ') : r.reason;
      const cells = (r.record as string[] | null) ?? [];
      const padded = columns.length > 0 ? columns.map((_, i) => cells[i] ?? '') : cells;
      lines.push([...padded, text].map((c) => csvCell(c, sep)).join(sep));
    }
  }
  const base = row.filename.replace(/\.(csv|xlsx|txt)$/i, '');
  return { filename: `${base}-rejected.csv`, csv: `\uFEFF${lines.join('\r\n')}\r\n` };
}
