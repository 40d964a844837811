/**
 * Replays every recorded history under test/histories/<release>/ against the current workflow code: a change that
 * would break running workflows fails here. Histories are append-only (test/histories.ts): new behaviour is recorded
 * as new files with `RECORD_HISTORIES=1 npx jest --runInBand <the test that records it>`, never over old ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { HISTORIES_DIR, historyFiles } from '../histories';
import { historyFromObject } from './harness';

const files = historyFiles();

function histories() {
  return files.map((f) => ({
    workflowId: path.basename(f, '.json'),
    history: historyFromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, f), 'utf8'))),
  }));
}

async function replayAll(bundle: WorkflowBundleWithSourceMap): Promise<Array<{ id: string; error?: Error }>> {
  const results: Array<{ id: string; error?: Error }> = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, histories())) {
    results.push({ id: r.workflowId, error: r.error });
  }
  return results;
}

const bundleOf = (dir: string) => bundleWorkflowCode({ workflowsPath: require.resolve(dir), logger: quiet });
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

test('at least eight distinct recorded paths', () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
});

test('every recorded history replays against the current code', async () => {
  const results = await replayAll(await bundleOf('../../workflows'));
  expect(results.filter((r) => r.error).map((r) => `${r.id}: ${r.error!.message}`)).toEqual([]);
  expect(results).toHaveLength(files.length);
}, 120_000);

test('an unguarded change is caught as non-determinism', async () => {
  const results = await replayAll(await bundleOf('./nondeterministic'));
  const invoiceResults = results.filter((r) => !r.id.startsWith('customer-'));
  expect(invoiceResults.length).toBeGreaterThan(0);
  for (const r of invoiceResults) expect(r.error).toBeInstanceOf(DeterminismViolationError);
}, 120_000);

test('the same change guarded with patched() replays cleanly', async () => {
  const results = await replayAll(await bundleOf('./patched'));
  expect(results.filter((r) => r.error).map((r) => `${r.id}: ${r.error!.message}`)).toEqual([]);
}, 120_000);
