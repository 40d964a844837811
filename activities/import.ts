/**
 * Bulk-import activities: one chunk of CSV rows at a time, read from a byte offset so a 100,000-row file is never
 * held in memory nor parsed twice. Rows get the same outcome as `POST /v1/invoices` (idempotent on the invoice
 * number, workflow started once), written with set-based queries per chunk (contexts/intake/bulk.ts).
 */
import fs from 'node:fs';
import { Context, ApplicationFailure } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse';
import { columnOfPath, mapHeader, parseRow } from '../contexts/erp/import-format';
import { bulkIntake, type BulkRow } from '../contexts/intake/bulk';
import { newIntakeCache } from '../contexts/intake/invoices';
import { systemActor } from '../contexts/access/audit';
import { extraHolidays, type Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { Prisma } from '../generated/prisma/client';

export interface ImportPosition {
  /** Byte offset where the next record starts. */
  byte: number;
  /** Line number of the last line consumed (1 = the header). */
  line: number;
}

export interface ImportTotals {
  totalRows: number;
  acceptedRows: number;
  rejectedRows: number;
  /** Rows whose invoice workflow this import started (a row whose invoice was already collected starts none). */
  startedWorkflows: number;
  /**
   * Milliseconds spent inside chunks, not waiting for a worker: rows / this is the real rate. Optional because
   * imports started before it was counted carry totals without it (workflow inputs and histories keep their shape).
   */
  processingMs?: number;
}

export interface ImportChunkInput {
  importId: string;
  path: string;
  delimiter: string;
  columns: string[];
  position: ImportPosition;
  chunkSize: number;
  totalsBefore: ImportTotals;
}

export interface ImportChunkResult {
  next: ImportPosition;
  totals: ImportTotals;
  done: boolean;
}

interface Row {
  line: number;
  record: string[];
}

/** Reads up to `max` records starting at `position`; returns them with the position after the last one. */
async function readChunk(input: ImportChunkInput): Promise<{ rows: Row[]; next: ImportPosition; eof: boolean }> {
  if (!fs.existsSync(input.path)) {
    throw ApplicationFailure.nonRetryable(`import file ${input.path} is missing`, 'ImportFileMissing');
  }
  const stream = fs.createReadStream(input.path, { start: input.position.byte, highWaterMark: 256 * 1024 });
  const parser = stream.pipe(
    parse({
      delimiter: input.delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      relax_quotes: true,
    }),
  );
  const rows: Row[] = [];
  let next = input.position;
  let eof = true;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { bytes: number; lines: number } }>) {
      const newlines = item.record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
      rows.push({ line: input.position.line + item.info.lines - newlines, record: item.record });
      next = { byte: input.position.byte + item.info.bytes, line: input.position.line + item.info.lines };
      if (rows.length >= input.chunkSize) {
        eof = false;
        break;
      }
    }
  } finally {
    stream.destroy();
  }
  // A full chunk that ended exactly at the end of the file still reports more; the next (empty) chunk ends it.
  return { rows, next, eof };
}

export function createImportActivities(deps: { db: Db; temporal: Client; config: Config }) {
  const { db } = deps;
  const invoiceDeps = {
    db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    timeZone: deps.config.SEGUGIO_TZ,
    extraHolidays: extraHolidays(deps.config),
  };

  /** Validates and imports one chunk of rows; idempotent, so a retry after a crash repeats nothing. */
  async function importChunk(input: ImportChunkInput): Promise<ImportChunkResult> {
    const began = Date.now();
    // The first chunk to run marks the end of the wait in the queue (behind other imports and workflows).
    await db.import.updateMany({
      where: { id: input.importId, startedAt: null },
      data: { startedAt: new Date(began) },
    });
    const { rows, next, eof } = await readChunk(input);
    const { map } = mapHeader(input.columns);
    const defaults = { currency: deps.config.SEGUGIO_DEFAULT_CURRENCY, segment: 'standard' };
    const rejections: Array<{
      importId: string;
      line: number;
      reason: string;
      record: string[];
      problems: Prisma.InputJsonValue;
    }> = [];
    const recordOf = new Map(rows.map((r) => [r.line, r.record]));
    const cache = newIntakeCache();
    const good: BulkRow[] = [];
    for (const row of rows) {
      const r = parseRow(row.record, map, defaults);
      if (r.ok) good.push({ line: row.line, invoice: r.invoice });
      else
        rejections.push({
          importId: input.importId,
          line: row.line,
          reason: r.reason.slice(0, 1000),
          record: row.record,
          problems: r.problems as unknown as Prisma.InputJsonValue,
        });
    }
    const ctx = Context.current();
    const actor = systemActor(`import:${input.importId}`, { role: 'import', source: 'import' });
    const result = await bulkIntake(invoiceDeps, good, cache, actor, (processed) => {
      // A worker shutting down cancels the activity: stop here; the retry redoes the chunk idempotently.
      if (ctx.cancellationSignal.aborted) throw new Error('import chunk cancelled');
      ctx.heartbeat({ processed });
    });
    for (const r of result.rejections)
      rejections.push({
        importId: input.importId,
        line: r.line,
        reason: r.reason.slice(0, 1000),
        record: recordOf.get(r.line) ?? [],
        // Named by the file's own column, as the format problems are.
        problems: r.problems.map((x) => ({
          ...x,
          column: x.column ? columnOfPath(x.column.split('.'), map) : x.column,
        })) as unknown as Prisma.InputJsonValue,
      });
    const accepted = result.accepted;
    const started = result.started;
    if (rejections.length > 0) await db.importRejection.createMany({ data: rejections, skipDuplicates: true });
    const b = input.totalsBefore;
    const totals: ImportTotals = {
      totalRows: b.totalRows + rows.length,
      acceptedRows: b.acceptedRows + accepted,
      rejectedRows: b.rejectedRows + rejections.length,
      startedWorkflows: b.startedWorkflows + started,
      processingMs: (b.processingMs ?? 0) + (Date.now() - began),
    };
    await db.import.update({ where: { id: input.importId }, data: totals });
    return { next, totals, done: eof };
  }

  /** Records the final totals and status of an import. */
  async function finishImport(input: { importId: string; totals: ImportTotals; status: 'COMPLETED' | 'FAILED' }) {
    await db.import.update({
      where: { id: input.importId },
      data: { ...input.totals, status: input.status, finishedAt: new Date() },
    });
  }

  return { importChunk, finishImport };
}

export type ImportActivities = ReturnType<typeof createImportActivities>;
