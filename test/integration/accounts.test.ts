/**
 * People's accounts against the real API and PostgreSQL: an admin invites a collector, the one-time link sets the
 * password (argon2id) and signs in; the session cookie's attributes, the CSRF check on every mutating request the
 * cookie authenticates, sign-out, idle and absolute expiry, sign-in rate limits, disable (sessions and bound API keys
 * refused), reset, role change and customer binding — each change audited.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { createApiKey } from '../../contexts/access/auth';
import { checkCredentials } from '../../contexts/access/users';
import { createLogger } from '../../infra/logger';
import { as } from './api-helpers';
import { startHarness, uniq, type Harness } from './harness';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const cookieOf = (res: request.Response): string => {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  expect(set).toHaveLength(1);
  return set[0].split(';')[0];
};
const tokenOfUrl = (url: string): string => url.split('#/password/')[1];

async function invite(role = 'collector') {
  const email = `${uniq('person')}@cliente.example`;
  const res = await as(h, 'admin').post('/v1/users').send({ email, name: 'Chiara Neri', role, language: 'it' });
  expect(res.status).toBe(201);
  return { email, id: res.body.user.id as string, url: res.body.invitation.url as string };
}

describe('invitation, password and session', () => {
  it('an invited collector sets a password through the link, signs in, and the cookie is HttpOnly and SameSite=Strict', async () => {
    const { email, id, url } = await invite();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/console\/#\/password\/[\w-]{40,}$/);
    const users = await as(h, 'admin').get('/v1/users');
    expect(users.body.items.find((u: { id: string }) => u.id === id)).toMatchObject({
      status: 'invited',
      role: 'collector',
    });
    // Only the token's hash is stored.
    const stored = await h.db.userToken.findFirstOrThrow({ where: { userId: id } });
    expect(stored.tokenHash).not.toContain(tokenOfUrl(url));
    expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);

    const short = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(url), password: 'short' });
    expect([short.status, short.body.error.fields[0]]).toEqual([
      400,
      expect.objectContaining({ path: 'password', code: 'too_small' }),
    ]);

    const set = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(url), password: 'una-password-lunga' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ userId: id, role: 'collector', name: 'Chiara Neri' });
    const header = ([] as string[]).concat(set.headers['set-cookie'])[0];
    expect(header).toMatch(/^segugio_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const user = await h.db.user.findUniqueOrThrow({ where: { id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const session = await h.db.userSession.findFirstOrThrow({ where: { userId: id } });
    expect(header).not.toContain(session.tokenHash);

    // The link works once.
    const again = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(url), password: 'una-altra-password' });
    expect([again.status, again.body.error.code]).toEqual([400, 'LINK_INVALID']);

    const cookie = cookieOf(set);
    const me = await request(h.app).get('/console/api/me').set('Cookie', cookie);
    expect(me.body).toEqual({
      role: 'collector',
      userId: id,
      name: 'Chiara Neri',
      language: 'it',
      csrfToken: set.body.csrfToken,
      // No Twilio in this stack: the agenda offers no click-to-call.
      clickToCall: false,
    });

    const signIn = await request(h.app)
      .post('/auth/sign-in')
      .send({ email: email.toUpperCase(), password: 'una-password-lunga' });
    expect(signIn.status).toBe(200);
    const wrong = await request(h.app).post('/auth/sign-in').send({ email, password: 'non-è-questa' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const nobody = await request(h.app).post('/auth/sign-in').send({ email: 'nessuno@cliente.example', password: 'x' });
    expect([nobody.status, nobody.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const unknownField = await request(h.app).post('/auth/sign-in').send({ email, password: 'x', remember: true });
    expect([unknownField.status, unknownField.body.error.fields[0].path]).toEqual([400, 'remember']);

    const audit = await h.db.auditEvent.findMany({
      where: { entityType: 'User', entityId: id },
      orderBy: { at: 'asc' },
    });
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ['user.invite', 'u-admin'],
      ['user.invitation-accepted', id],
      ['session.sign-in', id],
    ]);
  });

  it('a session must send its CSRF token on every change; sign-out ends it', async () => {
    const signIn = await request(h.app)
      .post('/auth/sign-in')
      .send({ email: 'giulia.rossi@segugio.example', password: 'dev-giulia-password' });
    expect(signIn.status).toBe(200);
    const cookie = cookieOf(signIn);
    const csrf = signIn.body.csrfToken as string;

    // Reads need no token.
    expect((await request(h.app).get('/v1/agenda').set('Cookie', cookie)).status).toBe(200);
    // A change without the token, or with another session's, is refused before anything runs.
    const bare = await request(h.app)
      .post('/v1/customers/no-such/contacts')
      .set('Cookie', cookie)
      .send({ kind: 'NOTE', text: 'x' });
    expect([bare.status, bare.body.error.code]).toEqual([403, 'CSRF_TOKEN_INVALID']);
    const forged = await request(h.app)
      .post('/v1/customers/no-such/contacts')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', `${csrf.slice(0, -2)}xx`)
      .send({ kind: 'NOTE', text: 'x' });
    expect(forged.status).toBe(403);
    // With it, the request goes past authentication to the route's own checks (validation, the unknown customer).
    const ok = await request(h.app)
      .post('/v1/customers/no-such/contacts')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf)
      .send({ kind: 'NOTE', text: 'x' });
    expect([400, 404]).toContain(ok.status);
    // The role check applies to sessions as to keys.
    expect((await request(h.app).get('/v1/users').set('Cookie', cookie)).status).toBe(403);

    expect((await request(h.app).post('/auth/sign-out').set('Cookie', cookie)).status).toBe(403);
    const out = await request(h.app).post('/auth/sign-out').set('Cookie', cookie).set('X-CSRF-Token', csrf);
    expect(out.status).toBe(204);
    expect(([] as string[]).concat(out.headers['set-cookie'])[0]).toMatch(/^segugio_session=; .*Max-Age=0/);
    const after = await request(h.app).get('/v1/agenda').set('Cookie', cookie);
    expect([after.status, after.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('a session ends after the idle timeout and at its absolute expiry', async () => {
    const signIn = async () => {
      const res = await request(h.app)
        .post('/auth/sign-in')
        .send({ email: 'laura.conti@segugio.example', password: 'dev-laura-password' });
      const session = await h.db.userSession.findFirstOrThrow({
        where: { userId: 'u-laura' },
        orderBy: { createdAt: 'desc' },
      });
      return { cookie: cookieOf(res), session };
    };
    const idle = await signIn();
    expect((await request(h.app).get('/v1/policies').set('Cookie', idle.cookie)).status).toBe(200);
    await h.db.userSession.update({
      where: { id: idle.session.id },
      data: { lastSeenAt: new Date(Date.now() - 31 * 60_000) },
    });
    expect((await request(h.app).get('/v1/policies').set('Cookie', idle.cookie)).status).toBe(401);

    const old = await signIn();
    await h.db.userSession.update({ where: { id: old.session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await request(h.app).get('/v1/policies').set('Cookie', old.cookie)).status).toBe(401);
  });

  it('Secure cookies carry the __Host- prefix', async () => {
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: { ...h.config, SESSION_COOKIE_SECURE: true },
      log: createLogger('silent', 'test'),
    });
    const res = await request(app)
      .post('/auth/sign-in')
      .send({ email: 'admin@segugio.example', password: 'dev-admin-password' });
    const header = ([] as string[]).concat(res.headers['set-cookie'])[0];
    expect(header).toMatch(/^__Host-segugio_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    // The plain name is not read by a server that sets the prefixed one.
    const plain = header.split(';')[0].replace('__Host-', '');
    expect((await request(app).get('/console/api/me').set('Cookie', plain)).status).toBe(401);
    expect((await request(app).get('/console/api/me').set('Cookie', header.split(';')[0])).status).toBe(200);
  });

  it('sign-in failures are limited per account and per address: past the limit even the right password waits', async () => {
    const app = createApp({
      db: h.db,
      temporal: h.client,
      config: { ...h.config, SIGN_IN_FAILURES_PER_ACCOUNT: 3, SIGN_IN_FAILURES_PER_ADDRESS: 5 },
      log: createLogger('silent', 'test'),
    });
    const email = 'marco.bianchi@segugio.example';
    for (let i = 0; i < 3; i++)
      expect(
        (
          await request(app)
            .post('/auth/sign-in')
            .send({ email, password: `wrong-${i}` })
        ).status,
      ).toBe(401);
    const blocked = await request(app).post('/auth/sign-in').send({ email, password: 'dev-marco-password' });
    expect([blocked.status, blocked.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another account from the same address still has two tries before the address is blocked.
    for (let i = 0; i < 2; i++)
      expect((await request(app).post('/auth/sign-in').send({ email: 'x@y.example', password: 'wrong' })).status).toBe(
        401,
      );
    const address = await request(app)
      .post('/auth/sign-in')
      .send({ email: 'admin@segugio.example', password: 'dev-admin-password' });
    expect(address.status).toBe(429);
    expect(
      await h.db.auditEvent.count({
        where: { action: 'session.sign-in-failed', after: { path: ['email'], equals: email } },
      }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('dev passwords are refused outside dev mode', async () => {
    const creds = { email: 'giulia.rossi@segugio.example', password: 'dev-giulia-password' };
    expect(await checkCredentials(h.db, creds, { allowDev: true })).toMatchObject({ id: 'u-giulia' });
    expect(await checkCredentials(h.db, creds, { allowDev: false })).toBeNull();
  });
});

describe('an admin manages people', () => {
  it('disable ends sessions and stops the user’s keys; enable lets them in again', async () => {
    const { email, id, url } = await invite('manager');
    const set = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(url), password: 'password-del-manager' });
    const cookie = cookieOf(set);
    const key = await createApiKey(h.db, { label: 'script of the manager', role: 'manager', userId: id });

    const disabled = await as(h, 'admin').post(`/v1/users/${id}/disable`).send({});
    expect([disabled.status, disabled.body.user.status]).toEqual([200, 'disabled']);
    expect((await request(h.app).get('/console/api/me').set('Cookie', cookie)).status).toBe(401);
    expect((await request(h.app).get('/v1/policies').set('Authorization', `Bearer ${key.key}`)).status).toBe(401);
    const signIn = await request(h.app).post('/auth/sign-in').send({ email, password: 'password-del-manager' });
    expect(signIn.status).toBe(401);
    expect(await h.db.userSession.count({ where: { userId: id, revokedAt: null } })).toBe(0);

    // An admin cannot lock themselves out.
    const self = await as(h, 'admin').post('/v1/users/u-admin/disable').send({});
    expect([self.status, self.body.error.code]).toEqual([409, 'SELF_LOCKOUT']);

    expect((await as(h, 'admin').post(`/v1/users/${id}/enable`).send({})).body.user.status).toBe('active');
    expect((await request(h.app).post('/auth/sign-in').send({ email, password: 'password-del-manager' })).status).toBe(
      200,
    );
  });

  it('reset clears the password, ends sessions and hands out a new link; the old link is dead', async () => {
    const { email, id, url } = await invite('collector');
    const set = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(url), password: 'prima-password-1' });
    const cookie = cookieOf(set);
    const reset = await as(h, 'admin').post(`/v1/users/${id}/reset-password`).send({});
    expect([reset.status, reset.body.user.status]).toEqual([200, 'invited']);
    expect((await request(h.app).get('/console/api/me').set('Cookie', cookie)).status).toBe(401);
    expect((await request(h.app).post('/auth/sign-in').send({ email, password: 'prima-password-1' })).status).toBe(401);
    const second = await as(h, 'admin').post(`/v1/users/${id}/reset-password`).send({});
    // Only the newest link works.
    const stale = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(reset.body.reset.url), password: 'seconda-password' });
    expect(stale.status).toBe(400);
    const fresh = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(second.body.reset.url), password: 'seconda-password' });
    expect(fresh.status).toBe(200);
    expect((await request(h.app).post('/auth/sign-in').send({ email, password: 'seconda-password' })).status).toBe(200);
  });

  it('changes a role (effective on the next request) and binds customers by code', async () => {
    const { id, url } = await invite('collector');
    const set = await request(h.app)
      .post('/auth/password')
      .send({ token: tokenOfUrl(url), password: 'password-operatore' });
    const cookie = cookieOf(set);
    const code = uniq('C');
    await h.db.customer.create({ data: { externalId: code, name: 'Cliente Legato S.r.l.', segment: 'standard' } });

    const bind = await as(h, 'admin')
      .post(`/v1/users/${id}/customers`)
      .send({ add: [code] });
    expect([bind.status, bind.body.added, bind.body.user.customers]).toEqual([200, 1, 1]);
    expect((await h.db.customer.findUniqueOrThrow({ where: { externalId: code } })).collectorId).toBe(id);
    const unknown = await as(h, 'admin')
      .post(`/v1/users/${id}/customers`)
      .send({ add: [code, 'NO-SUCH'] });
    expect([unknown.status, unknown.body.error.fields]).toEqual([
      400,
      [expect.objectContaining({ path: 'add.1', code: 'unknown_customer', params: { code: 'NO-SUCH' } })],
    ]);
    expect((await as(h, 'admin').get(`/v1/users/${id}/customers`)).body.items).toEqual([
      expect.objectContaining({ code, name: 'Cliente Legato S.r.l.' }),
    ]);

    const role = await as(h, 'admin').post(`/v1/users/${id}/role`).send({ role: 'manager' });
    expect([role.status, role.body.user.role]).toEqual([200, 'manager']);
    expect((await request(h.app).get('/console/api/me').set('Cookie', cookie)).body.role).toBe('manager');
    const notBindable = await as(h, 'admin')
      .post(`/v1/users/${id}/customers`)
      .send({ add: [code] });
    expect([notBindable.status, notBindable.body.error.code]).toEqual([409, 'NOT_BINDABLE']);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { entityId: id, action: 'user.role' } });
    expect([audit.before, audit.after, audit.actorId]).toEqual([{ role: 'collector' }, { role: 'manager' }, 'u-admin']);

    const taken = await as(h, 'admin')
      .post('/v1/users')
      .send({ email: 'giulia.rossi@segugio.example', name: 'Doppia', role: 'collector' });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'EMAIL_TAKEN']);
  });
});
