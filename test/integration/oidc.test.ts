/**
 * Single sign-on against a real OpenID provider (the `oidc-provider` package in its own process on loopback): the
 * whole redirect dance with an HTTP client that follows redirects and keeps cookies — the API sends the browser to
 * the provider with PKCE, state and nonce, the provider signs the account in and asks consent, the API redeems the
 * code, checks the ID token, finds the user by e-mail and starts a session. Unknown, disabled and tampered cases end
 * on the sign-in page with a reason and no session; provisioning creates the user when configured.
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../infra/logger';
import { Browserish, startOidcProvider, type TestProvider } from '../fakes/oidc';
import { as } from './api-helpers';
import { startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
let provider: TestProvider;
let server: http.Server;
let base: string;
let app: Express;
const sara = `${uniq('sara')}@azienda.example`;
const luca = `${uniq('luca')}@azienda.example`;
const nuovo = `${uniq('nuovo')}@azienda.example`;

/** Routes the app server's requests to whichever app the test installs (the config needs the provider's port). */
let handler: http.RequestListener = (_req, res) => void res.writeHead(503).end();

function appWith(env: Record<string, string | undefined>): Express {
  return createApp({
    db: h.db,
    temporal: h.client,
    config: { ...h.config, ...env },
    log: createLogger('silent', 'test'),
  });
}

beforeAll(async () => {
  h = await startHarness();
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = await startOidcProvider({
    client: {
      client_id: 'segugio',
      client_secret: 'segugio-test-secret',
      redirect_uris: [`${base}/auth/oidc/callback`],
    },
    accounts: {
      sara: { email: sara.toUpperCase(), email_verified: true, name: 'Sara Galli' },
      luca: { email: luca, email_verified: true, name: 'Luca Ferri' },
      nobody: { email: 'nessuno@azienda.example', email_verified: true },
      unverified: { email: sara, email_verified: false },
      nuovo: { email: nuovo, email_verified: true, name: 'Nuovo Arrivato' },
    },
  });
  app = appWith({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: 'segugio',
    OIDC_CLIENT_SECRET: 'segugio-test-secret',
    OIDC_REDIRECT_URL: `${base}/auth/oidc/callback`,
    OIDC_LABEL: 'Azienda SSO',
  });
  handler = app;
  // Sara and Luca were invited by an admin (no password yet); nobody@ has no Segugio user.
  for (const [email, name] of [
    [sara, 'Sara Galli'],
    [luca, 'Luca Ferri'],
  ])
    expect((await as(h, 'admin').post('/v1/users').send({ email, name, role: 'collector' })).status).toBe(201);
});

afterAll(async () => {
  await provider?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await h?.close();
});

async function dance(login: string, b = new Browserish()) {
  const end = await b.follow(`${base}/auth/oidc/start`, { login, stopAt: /\/console\// });
  return { b, end, session: b.cookies(base).get('segugio_session') };
}

describe('single sign-on through OpenID Connect', () => {
  it('the sign-in page learns that single sign-on is offered', async () => {
    expect((await request(app).get('/auth/methods')).body).toEqual({
      password: true,
      oidc: { label: 'Azienda SSO', start: '/auth/oidc/start' },
    });
  });

  it('an invited user signs in through the provider: code flow with PKCE, a session, the subject linked', async () => {
    const { b, end, session } = await dance('sara');
    expect(end.url).toBe(`${base}/console/`);
    expect(session).toMatch(/^[\w-]{40,}$/);
    // The dance went through the provider's authorization endpoint with PKCE (S256), state and nonce.
    const authorize = new URL(b.hops.find((x) => x.url.startsWith(`${provider.issuer}/auth?`))!.url);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: 'segugio',
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${base}/auth/oidc/callback`,
      scope: 'openid email profile',
    });
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    // The provider signed in and asked consent through its own pages (two form posts), then sent the code back.
    expect(b.hops.filter((x) => x.method === 'POST' && x.url.startsWith(provider.issuer))).toHaveLength(2);
    const callback = b.hops.find((x) => x.url.startsWith(`${base}/auth/oidc/callback?`))!;
    expect([callback.status, new URL(callback.url).searchParams.has('code')]).toEqual([303, true]);
    // The transaction cookie is gone once used.
    expect(b.cookies(base).has('segugio_oidc')).toBe(false);

    const me = await request(app).get('/console/api/me').set('Cookie', `segugio_session=${session}`);
    expect(me.body).toMatchObject({ role: 'collector', name: 'Sara Galli', csrfToken: expect.any(String) });
    const user = await h.db.user.findUniqueOrThrow({ where: { email: sara } });
    expect(user.oidcSubject).toBe('sara');
    expect(user.passwordHash).toBeNull();
    expect(
      await h.db.auditEvent.count({
        where: { entityId: user.id, action: 'session.sign-in', after: { equals: { method: 'oidc' } } },
      }),
    ).toBe(1);
    expect((await h.db.userSession.findFirstOrThrow({ where: { userId: user.id } })).method).toBe('oidc');
  });

  it('an address with no Segugio user, or one the provider has not verified, gets no session', async () => {
    const unknown = await dance('nobody');
    expect(unknown.end.url).toBe(`${base}/console/#/login?sso=unknown_user`);
    expect(unknown.session).toBeUndefined();
    const unverified = await dance('unverified');
    expect(unverified.end.url).toBe(`${base}/console/#/login?sso=failed`);
    expect(unverified.session).toBeUndefined();
    expect(await h.db.user.count({ where: { email: 'nessuno@azienda.example' } })).toBe(0);
  });

  it('a disabled user is refused', async () => {
    const luca_ = await h.db.user.findUniqueOrThrow({ where: { email: luca } });
    await as(h, 'admin').post(`/v1/users/${luca_.id}/disable`).send({});
    const { end, session } = await dance('luca');
    expect(end.url).toBe(`${base}/console/#/login?sso=disabled`);
    expect(session).toBeUndefined();
  });

  it('a callback without the transaction, or with another state, is refused', async () => {
    const b = new Browserish();
    const start = await b.request('GET', `${base}/auth/oidc/start`);
    expect(start.status).toBe(302);
    const tx = b.cookies(base).get('segugio_oidc');
    expect(tx).toBeTruthy();
    // Someone else's code, or a forged state, arriving in this browser.
    const forged = await b.request(
      'GET',
      `${base}/auth/oidc/callback?code=forged&state=not-the-state&iss=${encodeURIComponent(provider.issuer)}`,
    );
    expect([forged.status, forged.headers.get('location')]).toEqual([303, '/console/#/login?sso=failed']);
    const bare = await new Browserish().request('GET', `${base}/auth/oidc/callback?code=x&state=y`);
    expect([bare.status, bare.headers.get('location')]).toEqual([303, '/console/#/login?sso=failed']);
  });

  it('with OIDC_PROVISION_ROLE an unknown address becomes a user with that role', async () => {
    handler = appWith({
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'segugio',
      OIDC_CLIENT_SECRET: 'segugio-test-secret',
      OIDC_REDIRECT_URL: `${base}/auth/oidc/callback`,
      OIDC_PROVISION_ROLE: 'salesperson',
    });
    try {
      const { end, session } = await dance('nuovo');
      expect([end.url, typeof session]).toEqual([`${base}/console/`, 'string']);
      const user = await h.db.user.findUniqueOrThrow({ where: { email: nuovo } });
      expect([user.role, user.name, user.oidcSubject]).toEqual(['salesperson', 'Nuovo Arrivato', 'nuovo']);
      expect(await h.db.auditEvent.count({ where: { entityId: user.id, action: 'user.provisioned' } })).toBe(1);
    } finally {
      handler = app;
    }
  });
});
