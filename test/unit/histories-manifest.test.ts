/**
 * Recorded histories are append-only per release (test/histories.ts, docs/workflow.md "Changing the workflow code"):
 * an existing history that changes or disappears would stop protecting the workflows that ran that code, so this
 * fails; a new file must be listed in the manifest (RECORD_HISTORIES=1 appends it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CURRENT_RELEASE, HISTORIES_DIR, historyFiles, readManifest, sha256 } from '../histories';

const manifest = readManifest();

test('every history listed in the manifest is still there, byte for byte', () => {
  expect(manifest.size).toBeGreaterThanOrEqual(18);
  const changed = [...manifest].filter(
    ([file, hash]) => !fs.existsSync(path.join(HISTORIES_DIR, file)) || sha256(file) !== hash,
  );
  expect(changed.map(([file]) => file)).toEqual([]);
});

test('every history file is listed in the manifest', () => {
  expect(historyFiles().filter((f) => !manifest.has(f))).toEqual([]);
});

test('histories live in release folders only; recordings go to the current release', () => {
  const loose = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
  expect(loose).toEqual([]);
  expect(historyFiles().every((f) => /^v\d+\//.test(f))).toBe(true);
  expect(CURRENT_RELEASE).toMatch(/^v\d+$/);
});

test('a history name is recorded once across releases (the replay report names it)', () => {
  const names = historyFiles().map((f) => path.basename(f));
  expect(names.length).toBe(new Set(names).size);
});
