/**
 * The recorded workflow histories: append-only, one folder per release (`test/histories/v1/`, `v2/`…). A release's
 * folder never changes once the release is out: new behaviour (always under `patched()`) is recorded as new files
 * in the current release's folder. `MANIFEST.sha256` lists every file with its SHA-256; a unit test
 * (test/unit/histories-manifest.test.ts) fails when a listed file changed or disappeared, or a file is not listed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.resolve(__dirname, 'histories');
export const MANIFEST = path.join(HISTORIES_DIR, 'MANIFEST.sha256');
/** Where this release's new recordings go. Bump it (a new, empty folder) when a release has shipped. */
export const CURRENT_RELEASE = 'v4';

/** Every history file, `<release>/<name>.json`, release folders in order (sizes.json is not a history). */
export function historyFiles(): string[] {
  return fs
    .readdirSync(HISTORIES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
    .flatMap((release) =>
      fs
        .readdirSync(path.join(HISTORIES_DIR, release))
        .filter((f) => f.endsWith('.json') && f !== 'sizes.json')
        .sort()
        .map((f) => `${release}/${f}`),
    );
}

export const sha256 = (file: string): string =>
  crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(HISTORIES_DIR, file)))
    .digest('hex');

/** The manifest as `file → sha256` (lines in `sha256sum` format: `<hash>  <release>/<file>`). */
export function readManifest(): Map<string, string> {
  const lines = fs.existsSync(MANIFEST) ? fs.readFileSync(MANIFEST, 'utf8').split('\n') : [];
  return new Map(
    lines
      .filter((l) => l.trim())
      .map((l) => {
        const [hash, file] = l.split(/\s+/);
        return [file, hash] as const;
      }),
  );
}

/** Appends a new file to the manifest (never rewrites a line). */
export function appendToManifest(file: string): void {
  fs.appendFileSync(MANIFEST, `${sha256(file)}  ${file}\n`);
}
