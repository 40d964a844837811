/* global process, setTimeout */
/**
 * A real OpenID provider for the tests: the `oidc-provider` package (an ES module, hence its own Node process), on a
 * loopback port, with one registered client and a few accounts. Its built-in development sign-in pages are the
 * interactions (any password; the login names the account). Configuration comes from the environment:
 *   OIDC_TEST_CLIENT    JSON { client_id, client_secret, redirect_uris }
 *   OIDC_TEST_ACCOUNTS  JSON { "<login>": { "email": "...", "email_verified": true, "name": "..." } }
 *   OIDC_TEST_TTL_MS    stops by itself after this long (default 120000)
 * It prints one line of JSON, `{"issuer": "http://127.0.0.1:<port>"}`, once it listens; SIGTERM stops it.
 */
import http from 'node:http';
import Provider from 'oidc-provider';

const client = JSON.parse(process.env.OIDC_TEST_CLIENT ?? '{}');
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS ?? '{}');
const ttl = Number(process.env.OIDC_TEST_TTL_MS ?? 120_000);

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{ ...client, grant_types: ['authorization_code'], response_types: ['code'] }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile'],
  cookies: { keys: ['segugio-test-only-cookie-key'] },
  pkce: { required: () => true },
  async findAccount(_ctx, sub) {
    const account = accounts[sub];
    if (!account) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...account }) };
  },
  // The tests redeem codes at once; short lifetimes keep nothing around.
  ttl: { AccessToken: 300, AuthorizationCode: 60, IdToken: 300, Interaction: 300, Session: 600, Grant: 600 },
});
// Quiet: the development interactions warn at start, which is expected here.
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider: ${err.stack ?? err}\n`));

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
setTimeout(stop, ttl);
