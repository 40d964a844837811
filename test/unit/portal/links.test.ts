/**
 * Portal link tokens: derived from a random nonce under a secret (so a retried send reproduces the same link), 128
 * bits in base32, stored only as their SHA-256; CSRF tokens bound to one link and checked in constant time.
 */
import crypto from 'node:crypto';
import {
  base32,
  csrfTokenOf,
  csrfValid,
  hashToken,
  isLive,
  portalBaseUrl,
  TOKEN_SHAPE,
  tokenOf,
} from '../../../contexts/portal/links';

const secret = crypto.randomBytes(32);

describe('portal link tokens', () => {
  it('encodes base32 as RFC 4648 (lower case, no padding)', () => {
    // RFC 4648 §10 test vectors.
    expect(base32(Buffer.from('f'))).toBe('my');
    expect(base32(Buffer.from('foob'))).toBe('mzxw6yq');
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
  });

  it('derives the same token from the same nonce and secret, another from another nonce or secret', () => {
    const a = tokenOf(secret, 'nonce-1');
    expect(tokenOf(secret, 'nonce-1')).toBe(a);
    expect(tokenOf(secret, 'nonce-2')).not.toBe(a);
    expect(tokenOf(crypto.randomBytes(32), 'nonce-1')).not.toBe(a);
    expect(a).toMatch(TOKEN_SHAPE);
    expect(a).toHaveLength(26); // 128 bits
  });

  it('stores only the SHA-256 of the token', () => {
    const t = tokenOf(secret, 'n');
    expect(hashToken(t)).toBe(crypto.createHash('sha256').update(t).digest('hex'));
    expect(hashToken(t)).not.toContain(t);
  });

  it('is live until it expires or is revoked', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(isLive({ revokedAt: null, expiresAt: new Date('2026-12-01T10:00:01Z') }, now)).toBe(true);
    expect(isLive({ revokedAt: null, expiresAt: now }, now)).toBe(false);
    expect(isLive({ revokedAt: now, expiresAt: new Date('2027-01-01T00:00:00Z') }, now)).toBe(false);
  });

  it('binds form tokens to one link', () => {
    const cfg = { PORTAL_LINK_SECRET: secret.toString('base64') };
    const t = csrfTokenOf(cfg, 'link-a');
    expect(csrfValid(cfg, 'link-a', t)).toBe(true);
    expect(csrfValid(cfg, 'link-b', t)).toBe(false);
    expect(csrfValid(cfg, 'link-a', `${t}x`)).toBe(false);
    expect(csrfValid(cfg, 'link-a', undefined)).toBe(false);
  });

  it('points links at PORTAL_BASE_URL, the API itself in dev and test, nowhere in production without one', () => {
    const base = { PORTAL_LINK_SECRET: undefined, PORTAL_LINK_TTL_DAYS: 60, PUBLIC_BASE_URL: undefined };
    const host = { HOST: '127.0.0.1', PORT: 3000 };
    expect(
      portalBaseUrl({ ...base, ...host, SEGUGIO_MODE: 'production', PORTAL_BASE_URL: 'https://pay.example/' }),
    ).toBe('https://pay.example');
    expect(portalBaseUrl({ ...base, ...host, SEGUGIO_MODE: 'dev', PORTAL_BASE_URL: undefined })).toBe(
      'http://127.0.0.1:3000',
    );
    expect(portalBaseUrl({ ...base, ...host, SEGUGIO_MODE: 'production', PORTAL_BASE_URL: undefined })).toBeNull();
  });
});
