/**
 * Debian's Chromium driven by playwright-core: never a browser download. When /usr/bin/chromium is missing (the
 * project's setup installs it as root), `chromiumMissing` says why; setup.ts then skips the e2e tests on a developer's
 * machine and fails them in CI.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.SEGUGIO_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
    return null;
  } catch {
    return `e2e tests skipped: ${CHROMIUM} is missing — run 'npm run setup' as root (it installs Debian's chromium package)`;
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh browser profile per call, removed on close. */
export async function launchBrowser(
  opts: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<Browser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: opts.viewport ?? { width: 1366, height: 900 },
    locale: opts.locale ?? 'it-IT',
    timezoneId: 'Europe/Rome',
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where screenshots go: .segugio/screenshots on every run (look at them there), docs/screenshots — the README's —
 * only with UPDATE_SCREENSHOTS=1, so a test run never dirties tracked files.
 */
export const SCREENSHOTS = path.resolve(
  __dirname,
  process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../.segugio/screenshots',
);
