/**
 * A bulk import as a durable workflow: the file (already stored by its SHA-256) is processed in chunks of rows, each
 * chunk one activity that validates its rows, records rejections and starts the invoice workflows. Progress lives
 * in the workflow, so a worker crash resumes at the first unfinished chunk; every row is idempotent (invoice number,
 * workflow id), so a chunk retried after a crash starts nothing twice. The workflow id is `import-<sha256>`, so the
 * same file imported again finds this execution instead of starting a new one.
 */
import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ImportActivities, ImportPosition, ImportTotals } from '../activities/import';

export { importWorkflowId } from './contract';

export interface ImportWorkflowInput {
  importId: string;
  sha256: string;
  /** The stored CSV (an XLSX upload is converted to CSV when it is received). */
  path: string;
  delimiter: string;
  /** The header row as written in the file. */
  columns: string[];
  /** Byte offset of the first data row and the line number of the header's last line. */
  start: ImportPosition;
  chunkSize?: number;
  /** Carried across continue-as-new. */
  resume?: { position: ImportPosition; totals: ImportTotals };
}

export interface ImportProgress {
  importId: string;
  position: ImportPosition;
  totals: ImportTotals;
  done: boolean;
}

export const importProgressQuery = defineQuery<ImportProgress>('importProgress');

const rows = proxyActivities<ImportActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['ImportFileMissing'],
  },
});
const records = proxyActivities<ImportActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Imports one stored file, chunk by chunk, then marks the import COMPLETED (or FAILED when the file is gone). */
export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportTotals> {
  let position: ImportPosition = input.resume?.position ?? input.start;
  let totals: ImportTotals = input.resume?.totals ?? {
    totalRows: 0,
    acceptedRows: 0,
    rejectedRows: 0,
    startedWorkflows: 0,
  };
  let done = false;
  let restart = false;
  setHandler(importProgressQuery, () => ({ importId: input.importId, position, totals, done }));

  try {
    while (!done) {
      const r = await rows.importChunk({
        importId: input.importId,
        path: input.path,
        delimiter: input.delimiter,
        columns: input.columns,
        position,
        chunkSize: input.chunkSize ?? 500,
        totalsBefore: totals,
      });
      position = r.next;
      totals = r.totals;
      done = r.done;
      if (!done && workflowInfo().continueAsNewSuggested) {
        restart = true;
        break;
      }
    }
  } catch (err) {
    await records.finishImport({ importId: input.importId, totals, status: 'FAILED' });
    throw ApplicationFailure.nonRetryable(`import failed: ${(err as Error).message}`, 'ImportFailed');
  }
  // Outside the try: continue-as-new works by throwing, and that must not count as a failure.
  if (restart) await continueAsNew<typeof importWorkflow>({ ...input, resume: { position, totals } });
  await records.finishImport({ importId: input.importId, totals, status: 'COMPLETED' });
  return totals;
}
