/**
 * `npm run bench:search` — the invoice search's figures of docs/performance.md (a script, not a test). It starts a
 * throw-away dev-shaped stack (embedded PostgreSQL, the Temporal dev server, one API and one worker process), fills
 * the database with `--invoices` invoices (default 100,000; one customer per five) by bulk SQL, and then plays what
 * the console's search box sends while a person types: the invoice list's own request (`GET /v1/invoices?q=…&open=
 * true&pageSize=50`, with a console session cookie, as a manager and as a collector whose scope is part of the query)
 * for every prefix of 1–4 characters and for the whole text of an invoice number (from its start and its digits), a
 * customer's name, a partial VAT number, an e-mail and a phone. Prints p50/p95/p99 per kind and per length typed,
 * writes `.segugio/bench/search-*.json`, and stops everything.
 *
 *   npm run bench:search [-- --invoices=100000 --samples=30]
 *
 * Why bulk SQL and not the intake: search reads two tables, `Invoice` and `Customer` (with its generated `searchText`
 * column and the trigram indexes of the migration `invoice_search`), and nothing a workflow writes besides them; the
 * rows inserted here have the same columns, the same generated column and the same indexes as rows the intake writes,
 * so the reads are the same reads. The intake runs at 3–300 rows/s on a shared machine (hours for 100,000, see "The
 * bulk path" in docs/performance.md); SQL does it in seconds. No workflow runs for these invoices, which a read does
 * not notice: the list reads the mirror in PostgreSQL, never Temporal. The schedules (intake repair) are off.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/tools';
import { createSession, DEFAULT_SESSION_SETTINGS, cookieNameOf } from '../contexts/access/sessions';
import { median, percentile, prepare, resultPath, type BenchContext } from './bench-lib';
import { machine, startDevTarget, type DevTarget } from './bench';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string, fallback: number): number => {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const log = (line: string): void => console.log(line);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const loadavg = () => os.loadavg().map((x) => round(x, 2));

const SURNAMES =
  'Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca Mancini Costa ' +
  'Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli Martini Leone ' +
  'Longo Gentile Martinelli Vitale Lombardo Serra Coppola De_Santis D’Angelo Marchetti Parisi Villa Conte Ferraro ' +
  'Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De_Angelis Gatti Pellegrini Palumbo Sanna Farina Rizzi ' +
  'Monti Cattaneo Morelli Amato Silvestri Mazza Testa Grassi Pellegrino Carbone Giuliani Benedetti Barone Rossetti';
const TRADES =
  'Costruzioni Trasporti Alimentari Impianti Servizi Ferramenta Arredamenti Logistica Elettronica Meccanica ' +
  'Tessile Edilizia Idraulica Informatica Ceramiche Vetri Stampa Autoricambi Farmacia Ottica Calzature Pelletterie ' +
  'Agricola Vivai Carpenteria';
const GIVEN = 'Mario Luca Giuseppe Anna Francesca Marco Giulia Paolo Elena Andrea Sara Stefano';
const FORMS = 'S.r.l. S.p.A. S.n.c. S.a.s. &_Figli S.r.l.s.';
const MAILBOXES = 'amministrazione contabilita info fatture ufficio.acquisti';

/**
 * Customers and invoices in a few INSERT … SELECT statements. Names are a trade, a surname, sometimes a given name,
 * and a legal form (so words repeat across customers as they do in a real ledger); VAT numbers 11 digits with the
 * IT prefix; e-mails on the company's own domain; Milan/Rome landlines or mobiles in E.164. Invoices are numbered
 * FT-<year>-<sequence>, issued over the last 13 months, due 30/60/90 days later; due ones are in REMINDER or CALL or
 * paid (a third), the rest OPEN. Half the customers belong to the benchmark collector, the others to a second one.
 */
export async function seed(ctx: Pick<BenchContext, 'db' | 'segment'>, invoices: number): Promise<number> {
  const customers = Math.max(1, Math.round(invoices / 5));
  const words = (s: string) => s.split(' ').map((w) => w.replace(/_/g, ' '));
  await ctx.db.user.upsert({
    where: { id: 'bench-collector-b' },
    create: { id: 'bench-collector-b', name: 'Bench Collector B', email: 'bench.b@segugio.example', role: 'collector' },
    update: {},
  });
  const t0 = performance.now();
  await ctx.db.$executeRawUnsafe(
    `INSERT INTO "Customer" (id, "externalId", name, "vatNumber", "fiscalCode", email, phone, segment, area,
       "collectorId", "updatedAt")
     SELECT 'bench-c' || k,
       'CLI-' || lpad(k::text, 6, '0'),
       t || ' ' || s || CASE WHEN k % 4 = 0 THEN ' ' || g ELSE '' END || ' ' || f,
       'IT' || v, v,
       m || '@' || regexp_replace(lower(t || s), '[^a-z]', '', 'g') || k || '.it',
       CASE WHEN k % 3 = 0 THEN '+393' || lpad(((k::bigint * 7919) % 1000000000)::text, 9, '0')
            ELSE '+390' || (2 + 4 * (k % 2)) || lpad(((k::bigint * 104729) % 100000000)::text, 8, '0') END,
       $1, (ARRAY['Nord','Centro','Sud'])[1 + k % 3],
       CASE WHEN k % 2 = 0 THEN 'bench-collector' ELSE 'bench-collector-b' END, now()
     FROM generate_series(1, $2::int) k,
       LATERAL (SELECT ($3::text[])[1 + k % cardinality($3::text[])] AS s,
                       ($4::text[])[1 + (k / cardinality($3::text[])) % cardinality($4::text[])] AS t,
                       ($5::text[])[1 + (k / 7) % cardinality($5::text[])] AS g,
                       ($6::text[])[1 + k % cardinality($6::text[])] AS f,
                       ($7::text[])[1 + (k / 3) % cardinality($7::text[])] AS m,
                       lpad(((k::bigint * 7919113 + 1000003) % 100000000000)::text, 11, '0') AS v) x`,
    ctx.segment,
    customers,
    words(SURNAMES),
    words(TRADES),
    words(GIVEN),
    words(FORMS),
    words(MAILBOXES),
  );
  await ctx.db.$executeRawUnsafe(
    `INSERT INTO "Invoice" (id, "externalNumber", "customerId", currency, "amountMinor", "balanceMinor", "issueDate",
       "dueDate", stage, segment, "policyVersion", "workflowId", "workflowStartedAt", "closedAt", "updatedAt")
     SELECT 'bench-i' || k, 'FT-' || extract(year FROM issue) || '-' || lpad(k::text, 6, '0'),
       'bench-c' || (1 + (k::bigint * 7919) % $2::int), 'EUR', amount,
       CASE WHEN stage = 'PAID' THEN 0 ELSE amount END, issue, due, stage, $1, 1, 'invoice-bench-i' || k, now(),
       CASE WHEN stage = 'PAID' THEN due::timestamp ELSE NULL END, now()
     FROM generate_series(1, $3::int) k,
       LATERAL (SELECT current_date - 400 + (k::bigint * 400 / $3::int)::int AS issue,
                       10000 + (k::bigint * 3700 % 990000) AS amount) a,
       LATERAL (SELECT issue + 30 * (1 + k % 3) AS due) d,
       LATERAL (SELECT CASE WHEN due >= current_date THEN 'OPEN' WHEN k % 3 = 0 THEN 'PAID'
                            WHEN k % 3 = 1 THEN 'REMINDER' ELSE 'CALL' END AS stage) s`,
    ctx.segment,
    customers,
    invoices,
  );
  await ctx.db.$executeRawUnsafe('ANALYZE "Invoice", "Customer"');
  log(`  ${invoices} invoices, ${customers} customers in ${round((performance.now() - t0) / 1000)} s`);
  return customers;
}

type Kind = 'number (start)' | 'number (digits)' | 'name' | 'VAT (part)' | 'e-mail' | 'phone' | 'floor';
const KINDS: Kind[] = ['number (start)', 'number (digits)', 'name', 'VAT (part)', 'e-mail', 'phone', 'floor'];
/** The console sends nothing below three characters (web/pages/invoices.js MIN_SEARCH; the API answers 400). */
const MIN_SEARCH = 3;

/** What a person types for each kind, whole; the run types it 1, 2, 3, 4 characters and whole. */
async function targets(ctx: BenchContext, samples: number): Promise<Array<{ kind: Kind; text: string }>> {
  const rows = await ctx.db.$queryRawUnsafe<
    Array<{ number: string; name: string; vat: string; email: string; phone: string; customer: string }>
  >(
    `SELECT i."externalNumber" AS number, c.name, c."vatNumber" AS vat, c.email, c.phone, c.id AS customer
     FROM "Invoice" i JOIN "Customer" c ON c.id = i."customerId" ORDER BY random() LIMIT $1`,
    samples,
  );
  return rows.flatMap((r) => {
    const national = r.phone.slice(3);
    return [
      { kind: 'number (start)' as Kind, text: r.number }, // "FT-2026-012345"
      { kind: 'number (digits)' as Kind, text: String(Number(r.number.slice(-6))) }, // "12345", as read out
      { kind: 'name' as Kind, text: r.name.split(' ').slice(0, 2).join(' ').toLowerCase() }, // "trasporti rossi"
      { kind: 'VAT (part)' as Kind, text: r.vat.slice(4, 11) }, // seven digits from the middle
      { kind: 'e-mail' as Kind, text: r.email.split('@')[0] + '@' + r.email.split('@')[1].slice(0, 6) },
      { kind: 'phone' as Kind, text: `${national.slice(0, 2)} ${national.slice(2, 6)} ${national.slice(6)}` },
      // No search: one customer's open invoices through the same route, an indexed read of a few rows. Its time is
      // the round trip of this machine at this load (HTTP, session, two statements), the floor under every search.
      { kind: 'floor' as Kind, text: r.customer },
    ];
  });
}

interface Stat {
  p50: number;
  p95: number;
  p99: number;
  n: number;
  meanResults: number;
  /** Answers whose total was capped at 1,000 (`totalCapped`: "more than 1,000 results"). */
  capped: number;
}
const statOf = (times: number[], results: number[], capped: number): Stat => ({
  p50: round(median(times)),
  p95: round(percentile(times, 95)),
  p99: round(percentile(times, 99)),
  n: times.length,
  meanResults: Math.round(results.reduce((a, b) => a + b, 0) / Math.max(1, results.length)),
  capped,
});

async function main(): Promise<void> {
  const total = num('invoices', 100_000);
  const samples = num('samples', 30);
  const runDir = path.join(PROJECT_ROOT, '.segugio', 'bench', `search-${crypto.randomBytes(3).toString('hex')}`);
  fs.mkdirSync(runDir, { recursive: true });
  log(
    `bench:search: ${os.cpus().length} CPUs, load ${loadavg().join(' ')}; logs in ${path.relative(PROJECT_ROOT, runDir)}`,
  );
  let dev: DevTarget | undefined;
  let ctx: BenchContext | undefined;
  try {
    dev = await startDevTarget(runDir, false);
    ctx = await prepare(dev.target);
    log(`seeding ${total} invoices by bulk SQL`);
    const customers = await seed(ctx, total);
    // The console's own credentials: a session cookie per person (the API key path costs the same hash look-up).
    const cookies: string[] = [];
    for (const userId of ['bench-manager', 'bench-collector']) {
      const s = await createSession(ctx.db, userId, 'password', DEFAULT_SESSION_SETTINGS);
      cookies.push(`${cookieNameOf(false)}=${s.token}`);
    }
    const base = dev.target.apiUrls[0];
    const search = async (
      text: string,
      cookie: string,
      by = 'q',
    ): Promise<{ ms: number; total: number; capped: boolean }> => {
      const url = `${base}/v1/invoices?${new URLSearchParams({ [by]: text, open: 'true', pageSize: '50' }).toString()}`;
      const t0 = performance.now();
      const res = await fetch(url, { headers: { Cookie: cookie, Accept: 'application/json' } });
      const body = (await res.json()) as { total?: number; totalCapped?: boolean };
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body)}`);
      return { ms, total: Number(body.total), capped: body.totalCapped === true };
    };
    const short = await fetch(`${base}/v1/invoices?q=ab`, { headers: { Cookie: cookies[0] } });
    log(`  two characters: the API answers ${short.status} (the console does not send them)`);
    const typed = await targets(ctx, samples);
    for (const { text } of typed.slice(0, KINDS.length)) await search(text, cookies[0]); // warm-up
    const times = new Map<string, { t: number[]; r: number[]; c: number }>();
    const add = (key: string, ms: number, n: number, capped = false) => {
      const e = times.get(key) ?? { t: [], r: [], c: 0 };
      e.t.push(ms);
      e.r.push(n);
      if (capped) e.c++;
      times.set(key, e);
    };
    const startLoad = loadavg();
    for (const [j, { kind, text }] of typed.entries()) {
      const cookie = cookies[j % 2];
      if (kind === 'floor') {
        const { ms, total: n } = await search(text, cookies[0], 'customer');
        add(kind, ms, n);
        continue;
      }
      for (const len of [1, 2, 3, 4, text.length]) {
        const prefix = text.slice(0, len).trim();
        if (len > text.length || prefix.length < MIN_SEARCH) continue;
        const { ms, total: n, capped } = await search(prefix, cookie);
        const typedLen = len === text.length && len > 4 ? 'whole' : String(len);
        add(kind, ms, n, capped);
        add(`${kind} · ${typedLen}`, ms, n, capped);
        add('all searches', ms, n, capped);
      }
    }
    const order = [...KINDS.flatMap((k) => [k, ...['3', '4', 'whole'].map((l) => `${k} · ${l}`)]), 'all searches'];
    const stats = Object.fromEntries(
      order.flatMap((k) => {
        const e = times.get(k);
        return e ? [[k, statOf(e.t, e.r, e.c)]] : [];
      }),
    );
    log('');
    log(`${total} invoices, ${customers} customers; load average ${startLoad.join(' ')} → ${loadavg().join(' ')}`);
    log('| search (characters typed) | p50 | p95 | p99 | n | results (mean) | capped at 1,000 |');
    log('|---|---|---|---|---|---|---|');
    for (const [k, s] of Object.entries(stats))
      log(`| ${k} | ${s.p50} ms | ${s.p95} ms | ${s.p99} ms | ${s.n} | ${s.meanResults} | ${s.capped} of ${s.n} |`);
    const over = Object.entries(stats).filter(([k, s]) => !k.includes('·') && k !== 'floor' && s.p99 > 200);
    log(over.length ? `over 200 ms at p99: ${over.map(([k]) => k).join(', ')}` : 'every kind under 200 ms at p99');
    const file = resultPath(PROJECT_ROOT, 'search');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        { kind: 'search', machine: machine(), invoices: total, customers, loadavg: [startLoad, loadavg()], stats },
        null,
        2,
      ),
    );
    log(`result: ${path.relative(PROJECT_ROOT, file)}`);
  } catch (err) {
    console.error(`bench:search: failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  } finally {
    await ctx?.stop().catch(() => undefined);
    await dev?.stop();
    process.exit(process.exitCode ?? 0);
  }
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(`bench:search: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
