/**
 * Signing in and out of the console, before any key check: `POST /auth/sign-in` (e-mail and password),
 * `POST /auth/password` (set a password through an invitation or reset link), `POST /auth/sign-out`,
 * `GET /auth/methods`, and single sign-on (`GET /auth/oidc/start` → the provider → `GET /auth/oidc/callback`). A
 * success sets the session cookie (and answers the session's CSRF token, or redirects to the console). Failed
 * sign-ins are counted per e-mail address and per client address: past either limit the answer is 429 without
 * checking anything.
 */
import express, { Router, type Request, type Response } from 'express';
import type { Db } from '../infra/db';
import { audit, auditRow, systemActor } from '../contexts/access/audit';
import {
  clearedSessionCookie,
  cookieNameOf,
  createSession,
  csrfMatches,
  readCookie,
  revokeSession,
  sessionCookie,
  type SessionSettings,
} from '../contexts/access/sessions';
import { checkCredentials, setPasswordSchema, setPasswordWithToken, signInSchema } from '../contexts/access/users';
import { HttpError, parse } from '../contexts/errors';
import { verifyJsonDepth } from './body-limits';
import { OidcRefused, userForIdentity, type OidcClient, type OidcTransaction } from '../contexts/access/oidc';
import type { Logger } from '../infra/logger';

export interface SessionRouterDeps {
  db: Db;
  sessions: SessionSettings;
  /** Whether the dev users' published passwords may sign in (dev mode, and tests). */
  allowDevPasswords: boolean;
  failuresPerAccount: number;
  failuresPerAddress: number;
  /** Single sign-on through OpenID Connect, when configured (the sign-in page then shows its button). */
  oidc?: OidcClient | null;
  log?: Logger;
}

const WINDOW_MS = 15 * 60_000;

/** Failures per key in a fixed window; memory is bounded by sweeping expired entries as it grows. */
export class FailureCounter {
  private readonly map = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** Seconds until the key may try again, or 0 when it is under the limit. */
  blockedFor(key: string): number {
    const f = this.map.get(key);
    if (!f || f.resetAt <= Date.now() || f.count < this.limit) return 0;
    return Math.max(1, Math.ceil((f.resetAt - Date.now()) / 1000));
  }

  fail(key: string): void {
    const now = Date.now();
    let f = this.map.get(key);
    if (!f || f.resetAt <= now) {
      f = { count: 0, resetAt: now + this.windowMs };
      this.map.set(key, f);
      if (this.map.size > 10_000) for (const [k, v] of this.map) if (v.resetAt <= now) this.map.delete(k);
    }
    f.count += 1;
  }

  clear(key: string): void {
    this.map.delete(key);
  }
}

const me = (u: { id: string; name: string; role: string; language: string }) => ({
  userId: u.id,
  name: u.name,
  role: u.role,
  language: u.language,
});

export function createSessionRouter(deps: SessionRouterDeps): Router {
  const r = Router();
  const byAccount = new FailureCounter(deps.failuresPerAccount);
  const byAddress = new FailureCounter(deps.failuresPerAddress);
  const json = express.json({ limit: '16kb', strict: true, verify: verifyJsonDepth });
  const noStore = (_req: Request, res: Response, next: () => void) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  r.use('/auth', noStore);

  const startSession = async (res: Response, user: { id: string }, method: 'password' | 'oidc') => {
    const s = await createSession(deps.db, user.id, method, deps.sessions);
    res.setHeader('Set-Cookie', sessionCookie(s.token, deps.sessions));
    return s;
  };

  /** Which ways of signing in this server offers. */
  r.get('/auth/methods', (_req, res) => {
    res.json({
      password: true,
      oidc: deps.oidc ? { label: deps.oidc.settings.label, start: '/auth/oidc/start' } : null,
    });
  });

  /** E-mail and password → session cookie and CSRF token. Every failure is the same 401, whatever failed. */
  r.post('/auth/sign-in', json, async (req, res) => {
    const body = parse(signInSchema, req.body ?? {});
    const ip = req.ip ?? 'unknown';
    const wait = Math.max(byAccount.blockedFor(body.email), byAddress.blockedFor(ip));
    if (wait > 0)
      throw new HttpError(429, 'RATE_LIMITED', 'too many failed sign-ins; retry later', undefined, {
        'Retry-After': String(wait),
      });
    const user = await checkCredentials(deps.db, body, { allowDev: deps.allowDevPasswords });
    if (!user) {
      byAccount.fail(body.email);
      byAddress.fail(ip);
      await deps.db.auditEvent.create({
        data: auditRow(
          systemActor('sign-in', { requestId: req.requestId ?? null }),
          'session.sign-in-failed',
          'User',
          null,
          {
            email: body.email,
          },
        ),
      });
      throw new HttpError(401, 'INVALID_CREDENTIALS', 'unknown e-mail address or wrong password');
    }
    byAccount.clear(body.email);
    const s = await startSession(res, user, 'password');
    req.principal = { keyId: 'session', role: user.role as never, userId: user.id, via: 'session' };
    await audit(deps.db, req, 'session.sign-in', 'User', user.id, { method: 'password' });
    res.json({ ...me(user), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() });
  });

  /** Sets the password through a one-time invitation or reset link, then signs the user in. */
  r.post('/auth/password', json, async (req, res) => {
    const ip = req.ip ?? 'unknown';
    const wait = byAddress.blockedFor(ip);
    if (wait > 0)
      throw new HttpError(429, 'RATE_LIMITED', 'too many failed attempts; retry later', undefined, {
        'Retry-After': String(wait),
      });
    const body = parse(setPasswordSchema, req.body ?? {});
    let user;
    try {
      user = await setPasswordWithToken(deps.db, body);
    } catch (err) {
      if (err instanceof HttpError && err.code === 'LINK_INVALID') byAddress.fail(ip);
      throw err;
    }
    const s = await startSession(res, user, 'password');
    req.principal = { keyId: 'session', role: user.role as never, userId: user.id, via: 'session' };
    await audit(
      deps.db,
      req,
      user.purpose === 'INVITE' ? 'user.invitation-accepted' : 'user.password-set',
      'User',
      user.id,
    );
    res.json({ ...me(user), csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() });
  });

  /** Ends this browser's session (its CSRF token required like any other change). */
  r.post('/auth/sign-out', async (req, res) => {
    const token = readCookie(req, cookieNameOf(deps.sessions.secure));
    if (token) {
      if (!csrfMatches(token, req.header('x-csrf-token')))
        throw new HttpError(403, 'CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token for this session');
      await revokeSession(deps.db, token);
    }
    res.setHeader('Set-Cookie', clearedSessionCookie(deps.sessions));
    res.status(204).end();
  });

  const oidc = deps.oidc;
  if (oidc) {
    // The transaction (state, nonce, PKCE verifier) waits in an HttpOnly cookie for the provider's answer. Lax, not
    // Strict: the provider sends the browser back with a cross-site top-level navigation, which Strict would strip.
    const txCookie = deps.sessions.secure ? '__Host-segugio_oidc' : 'segugio_oidc';
    const txAttrs = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(deps.sessions.secure ? ['Secure'] : [])];
    const back = (res: Response, reason: string) => res.redirect(303, `/console/#/login?sso=${reason}`);

    /** Sends the browser to the provider (authorization code flow with PKCE). */
    r.get('/auth/oidc/start', async (_req, res) => {
      let started;
      try {
        started = await oidc.start();
      } catch (err) {
        deps.log?.warn({ err: (err as Error).message }, 'single sign-on: the provider could not be reached');
        return back(res, 'failed');
      }
      const value = Buffer.from(JSON.stringify(started.transaction)).toString('base64url');
      res.setHeader('Set-Cookie', [`${txCookie}=${value}`, ...txAttrs, 'Max-Age=600'].join('; '));
      res.redirect(302, started.url);
    });

    /** The provider's answer: tokens redeemed and checked, the user found, a session started, the console opened. */
    r.get('/auth/oidc/callback', async (req, res) => {
      const raw = readCookie(req, txCookie);
      const cleared = [`${txCookie}=`, ...txAttrs, 'Max-Age=0'].join('; ');
      let tx: OidcTransaction | undefined;
      try {
        tx = raw ? (JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as OidcTransaction) : undefined;
      } catch {
        tx = undefined;
      }
      if (!tx || typeof tx.state !== 'string' || typeof tx.codeVerifier !== 'string' || typeof tx.nonce !== 'string') {
        res.setHeader('Set-Cookie', cleared);
        return back(res, 'failed');
      }
      const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >;
      try {
        const identity = await oidc.finish(query, tx);
        const user = await userForIdentity(deps.db, identity, oidc.settings.provisionRole);
        const s = await createSession(deps.db, user.id, 'oidc', deps.sessions);
        res.setHeader('Set-Cookie', [cleared, sessionCookie(s.token, deps.sessions)]);
        req.principal = { keyId: 'session', role: user.role as never, userId: user.id, via: 'session' };
        if (user.provisioned)
          await audit(deps.db, req, 'user.provisioned', 'User', user.id, { role: user.role, method: 'oidc' });
        await audit(deps.db, req, 'session.sign-in', 'User', user.id, { method: 'oidc' });
        res.redirect(303, '/console/');
      } catch (err) {
        res.setHeader('Set-Cookie', cleared);
        const reason = err instanceof OidcRefused ? err.reason : 'failed';
        deps.log?.warn({ reason, err: (err as Error).message }, 'single sign-on refused');
        await deps.db.auditEvent.create({
          data: auditRow(
            systemActor('sign-in', { requestId: req.requestId ?? null }),
            'session.sign-in-failed',
            'User',
            null,
            {
              method: 'oidc',
              reason,
            },
          ),
        });
        back(res, reason);
      }
    });
  }
  return r;
}
