/**
 * Single sign-on in a real browser (Debian's Chromium via playwright-core): the console's sign-in page offers the
 * company's OpenID provider — the real `oidc-provider` package in its own process on loopback, as in
 * test/integration/oidc.test.ts — and a person invited by an admin signs in there (the provider's own sign-in and
 * consent pages), comes back through the code flow with PKCE and lands signed in on the console, their session an
 * HttpOnly cookie. An address no Segugio user has comes back to the sign-in page with the reason in Italian and no
 * session. Screenshot: sign-in-sso.png (docs/screenshots with UPDATE_SCREENSHOTS=1).
 */
import type { Page } from 'playwright-core';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { startOidcProvider, type TestProvider } from '../fakes/oidc';
import { as } from '../integration/api-helpers';
import { uniq, type Harness } from '../integration/harness';
import { a11yViolations } from './a11y';
import type { Browser } from './browser';
import { describeBrowser, screenshots, startStack, type Stack } from './setup';

jest.setTimeout(180_000);

let stack: Stack;
let h: Harness;
let provider: TestProvider;
let base: string;
let browser: Browser;
const sara = `${uniq('sara')}@azienda.example`;
// The provider's subject for her: unique per run, since the integration files share this database and one of them
// binds a subject `sara` of its own provider (a subject is bound to one user).
const saraSub = uniq('sara');

const { shot } = screenshots('none');

/** The provider's development sign-in and consent pages, filled in as a person would. */
async function signInAtProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  // Consent: the provider asks once per client and account.
  await page.locator('button[type="submit"]', { hasText: /continue/i }).click();
}

describeBrowser('single sign-on in the browser', () => {
  beforeAll(async () => {
    // The app's address goes into the provider's client registration, and the provider's into the app's config.
    stack = await startStack({
      app: async (harness, appBase) => {
        provider = await startOidcProvider({
          client: {
            client_id: 'segugio',
            client_secret: 'segugio-test-secret',
            redirect_uris: [`${appBase}/auth/oidc/callback`],
          },
          accounts: {
            [saraSub]: { email: sara, email_verified: true, name: 'Sara Galli' },
            nobody: { email: `${uniq('nessuno')}@azienda.example`, email_verified: true },
          },
          ttlMs: 170_000,
        });
        return createApp({
          db: harness.db,
          temporal: harness.client,
          config: {
            ...harness.config,
            OIDC_ISSUER: provider.issuer,
            OIDC_CLIENT_ID: 'segugio',
            OIDC_CLIENT_SECRET: 'segugio-test-secret',
            OIDC_REDIRECT_URL: `${appBase}/auth/oidc/callback`,
            OIDC_LABEL: 'Azienda SSO',
          },
          log: createLogger('silent', 'test'),
        });
      },
    });
    ({ h, base, browser } = stack);
    // Sara was invited by an admin as a collector: no password, only the company's sign-in.
    expect(
      (await as(h, 'admin').post('/v1/users').send({ email: sara, name: 'Sara Galli', role: 'collector' })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await stack?.close();
    await provider?.close();
  });

  it('an invited collector signs in through the company provider and lands signed in on the console', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByRole('heading', { name: 'Accedi alla console' }).waitFor();
    const sso = page.getByRole('link', { name: 'Accedi con Azienda SSO' });
    await sso.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await shot(page, 'sign-in-sso.png');
    const authorize = page.waitForRequest((r) => r.url().startsWith(`${provider.issuer}/auth?`));
    await sso.click();

    // At the provider: the authorization request carries PKCE (S256), state and nonce.
    const asked = new URL((await authorize).url()).searchParams;
    expect(Object.fromEntries(asked)).toMatchObject({
      client_id: 'segugio',
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${base}/auth/oidc/callback`,
    });
    expect([asked.get('code_challenge'), asked.get('state'), asked.get('nonce')].every(Boolean)).toBe(true);
    await signInAtProvider(page, saraSub);

    // Back on the console, signed in: her agenda and her name, the session in an HttpOnly cookie.
    await page.waitForURL(/\/console\/#\/agenda/);
    await page.getByRole('heading', { level: 1, name: 'Agenda di oggi' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('Sara Galli');
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await browser.context.cookies(base);
    expect(cookies.find((c) => c.name === 'segugio_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.find((c) => c.name === 'segugio_oidc')).toBeUndefined();
    const user = await h.db.user.findUniqueOrThrow({ where: { email: sara } });
    expect(user.oidcSubject).toBe(saraSub);
    expect((await h.db.userSession.findFirstOrThrow({ where: { userId: user.id } })).method).toBe('oidc');

    // Signing out ends the console session (the provider's own session is the provider's business).
    await page.getByRole('button', { name: 'Esci' }).click();
    await page.getByRole('heading', { name: 'Accedi alla console' }).waitFor();
    await page.close();
  });

  it('an address no Segugio user has comes back to the sign-in page with the reason, and no session', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${base}/console/`);
    await page.getByRole('link', { name: 'Accedi con Azienda SSO' }).click();
    await signInAtProvider(page, 'nobody');
    await page.waitForURL(/\/console\/#\/login\?sso=unknown_user/);
    await page
      .getByText('Nessun utente di Segugio ha questo indirizzo e-mail: chiedi a un amministratore di invitarti.')
      .waitFor();
    expect((await browser.context.cookies(base)).find((c) => c.name === 'segugio_session')).toBeUndefined();
    await page.close();
  });
});
