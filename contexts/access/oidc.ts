/**
 * Single sign-on through OpenID Connect: the authorization code flow with PKCE (S256), state and nonce, through
 * `openid-client` (its CommonJS line, 5.x, which the API and its tests load without an ES-module loader). The
 * provider is discovered from its issuer at first use. A person signs in only as a Segugio user: matched by the
 * subject recorded at their first single sign-on, else by the configured e-mail claim; an unknown address is refused
 * unless OIDC_PROVISION_ROLE names the role to create them with.
 */
import crypto from 'node:crypto';
import { generators, Issuer, type BaseClient } from 'openid-client';
import type { Db } from '../../infra/db';
import type { UserRole } from './users';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  redirectUrl: string;
  /** Which claim holds the user's e-mail address (default `email`). */
  emailClaim: string;
  scopes: string;
  /** The sign-in button's label (the company's name for its single sign-on). */
  label: string;
  /** Create users the provider vouches for but Segugio does not know, with this role; null: refuse them. */
  provisionRole: UserRole | null;
  /** How long one call to the provider may take. */
  timeoutMs?: number;
}

/** What the browser keeps between the redirect to the provider and its return (in an HttpOnly cookie). */
export interface OidcTransaction {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Why a single sign-on ended without a session: the console shows a sentence for each (`sso.<reason>`). */
export type OidcRefusal = 'failed' | 'unknown_user' | 'disabled';

export class OidcRefused extends Error {
  constructor(
    readonly reason: OidcRefusal,
    message: string,
  ) {
    super(message);
  }
}

export class OidcClient {
  private client?: Promise<BaseClient>;

  constructor(readonly settings: OidcSettings) {}

  /** The provider's client, from its discovery document (retried on the next sign-in if discovery failed). */
  private get(): Promise<BaseClient> {
    this.client ??= Issuer.discover(this.settings.issuer).then(
      (issuer) =>
        new issuer.Client({
          client_id: this.settings.clientId,
          ...(this.settings.clientSecret
            ? { client_secret: this.settings.clientSecret, token_endpoint_auth_method: 'client_secret_basic' as const }
            : { token_endpoint_auth_method: 'none' as const }),
          redirect_uris: [this.settings.redirectUrl],
          response_types: ['code'],
        }),
    );
    this.client.catch(() => (this.client = undefined));
    return this.client;
  }

  /** Where to send the browser, and the transaction to keep until it comes back. */
  async start(): Promise<{ url: string; transaction: OidcTransaction }> {
    const client = await this.get();
    const transaction = {
      state: generators.state(),
      nonce: generators.nonce(),
      codeVerifier: generators.codeVerifier(),
    };
    const url = client.authorizationUrl({
      scope: this.settings.scopes,
      state: transaction.state,
      nonce: transaction.nonce,
      code_challenge: generators.codeChallenge(transaction.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, transaction };
  }

  /**
   * Redeems the provider's answer (the callback's query) for tokens, checking state, nonce, PKCE and the ID token,
   * and returns the subject and e-mail it vouches for (from the ID token, else from the userinfo endpoint).
   */
  async finish(
    query: Record<string, string>,
    transaction: OidcTransaction,
  ): Promise<{ sub: string; email: string; name?: string }> {
    const client = await this.get();
    const tokens = await client.callback(this.settings.redirectUrl, query, {
      state: transaction.state,
      nonce: transaction.nonce,
      code_verifier: transaction.codeVerifier,
    });
    let claims: Record<string, unknown> = tokens.claims();
    // Many providers put only `sub` in the ID token of a code flow and the rest behind userinfo.
    if (claims[this.settings.emailClaim] === undefined && tokens.access_token) {
      const info = await client.userinfo(tokens.access_token);
      if (info.sub !== claims.sub) throw new OidcRefused('failed', 'userinfo answered for another subject');
      claims = { ...info, ...claims };
    }
    const email = claims[this.settings.emailClaim];
    if (typeof email !== 'string' || !email.includes('@'))
      throw new OidcRefused('failed', `the provider gave no e-mail address in claim '${this.settings.emailClaim}'`);
    // An address the provider itself has not verified proves nothing about who is signing in.
    if (this.settings.emailClaim === 'email' && claims.email_verified === false)
      throw new OidcRefused('failed', 'the provider has not verified this e-mail address');
    return {
      sub: String(claims.sub),
      email: email.trim().toLowerCase(),
      name: typeof claims.name === 'string' ? claims.name : undefined,
    };
  }
}

/**
 * The Segugio user behind a provider's identity. A user already linked to another subject is refused: an address
 * re-assigned at the provider must not open someone else's account.
 */
export async function userForIdentity(
  db: Db,
  identity: { sub: string; email: string; name?: string },
  provisionRole: UserRole | null,
): Promise<{ id: string; name: string; role: string; language: string; provisioned: boolean }> {
  let user = await db.user.findUnique({ where: { oidcSubject: identity.sub } });
  let provisioned = false;
  if (!user) {
    const byEmail = await db.user.findUnique({ where: { email: identity.email } });
    if (byEmail?.oidcSubject && byEmail.oidcSubject !== identity.sub)
      throw new OidcRefused('failed', 'this e-mail address is linked to another single sign-on identity');
    if (byEmail) user = await db.user.update({ where: { id: byEmail.id }, data: { oidcSubject: identity.sub } });
    else if (provisionRole) {
      user = await db.user.create({
        data: {
          id: `u_${crypto.randomBytes(6).toString('hex')}`,
          name: identity.name ?? identity.email,
          email: identity.email,
          role: provisionRole,
          oidcSubject: identity.sub,
        },
      });
      provisioned = true;
    } else throw new OidcRefused('unknown_user', `no Segugio user has the e-mail address the provider vouched for`);
  }
  if (user.disabledAt) throw new OidcRefused('disabled', 'the user is disabled');
  return { id: user.id, name: user.name, role: user.role, language: user.language, provisioned };
}
