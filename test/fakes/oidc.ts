/**
 * Starts the real OpenID provider of `oidc-provider.mjs` in a child process on a loopback port, and a small browser
 * stand-in for the redirect dance: an HTTP client that follows redirects, keeps cookies per host (as browsers do,
 * whatever the port) and submits the provider's sign-in and consent forms.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

export async function startOidcProvider(opts: {
  client: { client_id: string; client_secret?: string; redirect_uris: string[]; token_endpoint_auth_method?: string };
  accounts: Record<string, { email: string; email_verified?: boolean; name?: string }>;
  ttlMs?: number;
}): Promise<TestProvider> {
  const child = spawn(process.execPath, [path.join(__dirname, 'oidc-provider.mjs')], {
    env: {
      ...process.env,
      OIDC_TEST_CLIENT: JSON.stringify(opts.client),
      OIDC_TEST_ACCOUNTS: JSON.stringify(opts.accounts),
      OIDC_TEST_TTL_MS: String(opts.ttlMs ?? 120_000),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the OpenID provider did not start in 15 s: ${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code}): ${stderr}`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface Hop {
  method: string;
  url: string;
  status: number;
}

/** A cookie jar keyed by host name (cookies do not isolate ports), enough for loopback tests. */
export class Browserish {
  readonly jar = new Map<string, Map<string, string>>();
  readonly hops: Hop[] = [];

  cookies(url: string): Map<string, string> {
    const host = new URL(url).hostname;
    let m = this.jar.get(host);
    if (!m) this.jar.set(host, (m = new Map()));
    return m;
  }

  private store(url: string, res: Response): void {
    const jar = this.cookies(url);
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  async request(method: string, url: string, body?: URLSearchParams): Promise<Response> {
    const cookie = [...this.cookies(url)].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { Cookie: cookie } : {}),
        ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        Accept: 'text/html,application/json',
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    this.store(url, res);
    this.hops.push({ method, url, status: res.status });
    return res;
  }

  /**
   * Follows redirects from `url`, submitting every HTML form met on the way (the provider's sign-in with `login`,
   * then its consent), until a page answers that is not a redirect and has no form, or `stopAt` matches. Bounded.
   */
  async follow(url: string, opts: { login: string; stopAt: RegExp }): Promise<{ url: string; res: Response }> {
    let method = 'GET';
    let body: URLSearchParams | undefined;
    let current = url;
    for (let i = 0; i < 20; i++) {
      if (opts.stopAt.test(current)) return { url: current, res: await this.request(method, current, body) };
      const res = await this.request(method, current, body);
      if (res.status >= 300 && res.status < 400) {
        current = new URL(res.headers.get('location') ?? '', current).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      const html = await res.text();
      const form = html.match(/<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i);
      if (!form) return { url: current, res: new Response(html, { status: res.status }) };
      body = new URLSearchParams();
      for (const input of form[2].matchAll(/<input[^>]*>/gi)) {
        const name = input[0].match(/name="([^"]+)"/)?.[1];
        if (!name) continue;
        const value = input[0].match(/value="([^"]*)"/)?.[1] ?? '';
        body.set(name, name === 'login' ? opts.login : name === 'password' ? 'any password' : value);
      }
      current = new URL(form[1].replace(/&amp;/g, '&'), current).href;
      method = 'POST';
    }
    throw new Error(`more than 20 hops: ${this.hops.map((h) => `${h.status} ${h.method} ${h.url}`).join('\n')}`);
  }
}
