/**
 * What every browser test file shares: the rule for a machine without Chromium, the stack (the integration
 * harness's PostgreSQL, Temporal dev server and app, served on a loopback port, and a fresh browser profile), signing
 * in to the console, and screenshots checked with axe.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { devUserOfKey } from '../../contexts/access/dev-keys';
import { startHarness, type Harness } from '../integration/harness';
import { a11yViolations } from './a11y';
import { chromiumMissing, launchBrowser, SCREENSHOTS, type Browser } from './browser';

const missing = chromiumMissing();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (missing && !inCi) console.warn(missing);

/**
 * Without Chromium the browser tests are skipped on a developer's machine (saying why) but fail in CI: a green run
 * there must mean the pages were really driven in a browser.
 */
export const describeBrowser = missing && !inCi ? describe.skip : describe;

export interface Stack {
  h: Harness;
  /** The app's address on loopback, e.g. http://127.0.0.1:40123. */
  base: string;
  browser: Browser;
  /** Closes the browser, the server and the harness. */
  close(): Promise<void>;
}

export interface StackOptions {
  harness?: Parameters<typeof startHarness>[0];
  /**
   * What the loopback server serves (the harness's app when absent). Called once the server listens, so an app whose
   * configuration needs its own address (an OpenID redirect URI) can be built from `base`.
   */
  app?: (h: Harness, base: string) => http.RequestListener | Promise<http.RequestListener>;
  viewport?: { width: number; height: number };
}

/** Starts the stack for a file's beforeAll (the worker is the file's to start: not every file wants one). */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  if (missing) throw new Error(`${missing} (CI: the e2e tests must run, not skip)`);
  const h = await startHarness(opts.harness);
  let server: http.Server | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await h.close();
  };
  try {
    let handler: http.RequestListener = (_req, res) => void res.writeHead(503).end();
    const listening = http.createServer((req, res) => handler(req, res));
    server = listening;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    handler = opts.app ? await opts.app(h, base) : h.app;
    browser = await launchBrowser(opts.viewport ? { viewport: opts.viewport } : {});
    return { h, base, browser, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Signs in to the console with the e-mail and password of the dev user behind a dev key (keys are for scripts). */
export async function signIn(page: Page, base: string, key: string): Promise<void> {
  const who = devUserOfKey(key);
  if (!who) throw new Error(`no dev user behind ${key}`);
  // The session cookie is the browser profile's, shared by its pages: each sign-in starts signed out.
  await page.context().clearCookies();
  await page.goto(`${base}/console/`);
  await page.getByLabel(/^(E-mail)$/).fill(who.email);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(who.password);
  await page.getByRole('button', { name: /^(Accedi|Sign in|Se connecter)$/ }).click();
}

/**
 * A file's screenshots (.segugio/screenshots, docs/screenshots with UPDATE_SCREENSHOTS=1), each checked with axe at
 * the moment it is taken: `record` keeps the violations in `a11y` by file name for the test to assert, `assert`
 * fails at once, `none` leaves accessibility to the test.
 */
export function screenshots(check: 'record' | 'assert' | 'none' = 'record'): {
  shot(page: Page, name: string): Promise<void>;
  a11y: Record<string, string[]>;
} {
  const a11y: Record<string, string[]> = {};
  return {
    a11y,
    async shot(page, name) {
      if (check === 'record') a11y[name] = await a11yViolations(page);
      if (check === 'assert') expect(await a11yViolations(page)).toEqual([]);
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      // The console's confirmation toast is fixed to the viewport and would float mid-page in a full-page capture.
      await page.evaluate(() => document.getElementById('toast')?.classList.remove('show'));
      await page.waitForTimeout(300); // its fade-out
      await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
    },
  };
}
