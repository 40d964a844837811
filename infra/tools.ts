/** Where the Temporal binaries are: env override, PATH, or the project-local install of scripts/install-temporal.sh. */
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

function firstExecutable(candidates: Array<string | undefined>): string | undefined {
  return candidates.find((c): c is string => {
    if (!c) return false;
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function temporalCliPath(): string {
  const found = firstExecutable([
    process.env.TEMPORAL_CLI_PATH,
    onPath('temporal'),
    path.join(PROJECT_ROOT, '.tools/venv/bin/temporal'),
    path.join(PROJECT_ROOT, '.tools/bin/temporal'),
  ]);
  if (!found) {
    throw new Error('No Temporal CLI found. Run `npm run setup`, or set TEMPORAL_CLI_PATH to a `temporal` binary.');
  }
  return found;
}

export function testServerPath(): string {
  const found = firstExecutable([
    process.env.TEMPORAL_TEST_SERVER_PATH,
    path.join(PROJECT_ROOT, '.tools/venv/bin/temporal-test-server'),
  ]);
  if (!found) {
    throw new Error(
      'No Temporal time-skipping test server found. Run `npm run setup`, or set TEMPORAL_TEST_SERVER_PATH.',
    );
  }
  return found;
}
