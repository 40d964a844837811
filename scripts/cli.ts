/**
 * `segugio` — the operator's command line (run as `npm run segugio -- <command>`):
 *
 *   import FILE [--wait=false] [--rejected=PATH [--lang=it|en|fr]]   import a CSV/XLSX export as a durable import
 *                                            workflow, with a progress bar; the refused rows saved as a CSV to fix
 *   keys create --role ROLE [--user ID] [--label TEXT]   create an API key (printed once; only its hash is stored)
 *   keys list                                list keys (prefix, role, user, created, last used, revoked)
 *   keys revoke ID                           revoke a key
 *   keys revoke-dev                          revoke every known dev key and dev password (required before production)
 *   users invite --email E --name N --role R [--language it|en|fr]   create a user; prints their one-time link
 *   users reset USER_ID                      clear a user's password, end their sessions; prints a new link
 *   rates list                               the ECB reference rates, and whether this half-year is provisional
 *   rates set YYYY-07-01 --bp N --source TEXT   enter a half-year's rate with its source (Gazzetta Ufficiale issue)
 *   backfill-term-ends                       fill Invoice.effectiveDueDate (arts. 1187/2963 c.c.) on rows older than the
 *                                            column; idempotent, run once after upgrading
 *
 * It talks to PostgreSQL and Temporal directly with the same configuration as the API (DATABASE_URL, TEMPORAL_*),
 * so it works on the server host without an API key; everything it does is audited as actor `cli`. Without
 * DATABASE_URL it looks for a running `npm run dev` (its `.segugio/stack.json`) and says which stack it found.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import { createApiKey, hashKey, ROLES, type Role } from '../contexts/access/auth';
import { DEV_KEYS, devPasswordsSet } from '../contexts/access/dev-keys';
import { inviteSchema, inviteUser, resetPassword } from '../contexts/access/users';
import { parse } from '../contexts/errors';
import {
  getImport,
  importsDir,
  MAX_IMPORT_BYTES,
  rejectionsCsv,
  submitImport,
  type QueueProbe,
} from '../contexts/intake/imports';
import type { ImportLanguage } from '../contexts/intake/import-messages';
import { storeFile } from '../contexts/documents/uploads';
import { extraHolidays, loadConfig as loadConfigFrom } from '../infra/config';
import { backfillTermEnds } from '../contexts/intake/term-end';
import { describeDevStack, envOfDevStack, findDevStack } from '../infra/dev-stack';
import { createDb, type Db } from '../infra/db';
import { connectTemporal } from '../infra/temporal';
import { todayIn } from '../domain/time';
import { RATES_USAGE, ratesCommand, RatesUsageError } from './rates-command';

const USAGE = `usage:
  segugio import FILE [--wait=false] [--rejected=PATH [--lang=it|en|fr]]
  segugio keys create --role erp|collector|manager|admin [--user USER_ID] [--label TEXT]
  segugio keys list
  segugio keys revoke KEY_ID
  segugio keys revoke-dev
  segugio users invite --email E --name N --role collector|manager|admin|salesperson [--language it|en|fr]
  segugio users reset USER_ID
${RATES_USAGE}
  segugio backfill-term-ends`;

class UsageError extends Error {}

/**
 * The configuration from the environment; when DATABASE_URL is not set, from the dev stack `npm run dev` recorded
 * (said on stderr, so a script reading stdout is not disturbed), or a sentence saying what to do.
 */
let announced = false;
function loadConfig(): ReturnType<typeof loadConfigFrom> {
  if (process.env.DATABASE_URL) return loadConfigFrom(process.env);
  const found = findDevStack();
  if (!found.found) {
    const hint =
      found.why === 'stale'
        ? `${found.file} names a dev stack (pid ${found.pid}) that is no longer running: start \`npm run dev\` again`
        : found.why === 'unreadable'
          ? `${found.file} is not a readable dev-stack file`
          : 'no dev stack is running (start `npm run dev` in another terminal)';
    throw new UsageError(`segugio: DATABASE_URL is not set and ${hint}, or set DATABASE_URL and TEMPORAL_ADDRESS.`);
  }
  if (!announced) {
    announced = true;
    console.error(
      `segugio: using the dev stack of \`npm run dev\` (pid ${found.state.pid}, since ${found.state.startedAt}): ${describeDevStack(found.state)}`,
    );
  }
  return loadConfigFrom(envOfDevStack(found.state, process.env));
}

function flags(args: string[]): { positional: string[]; opts: Record<string, string> } {
  const positional: string[] = [];
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) positional.push(a);
    else if (a.includes('=')) opts[a.slice(2, a.indexOf('='))] = a.slice(a.indexOf('=') + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) opts[a.slice(2)] = args[++i];
    else opts[a.slice(2)] = 'true';
  }
  return { positional, opts };
}

async function audit(db: Db, action: string, entityType: string, entityId: string, after: unknown): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorId: 'cli',
      role: 'admin',
      action,
      entityType,
      entityId,
      after: JSON.parse(JSON.stringify(after)) as object,
    },
  });
}

async function keys(db: Db, args: string[]): Promise<void> {
  const { positional, opts } = flags(args);
  const [sub, id] = positional;
  if (sub === 'create') {
    const role = opts.role as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const userId = opts.user ?? null;
    if (role === 'collector' && !userId)
      throw new UsageError('a collector key needs --user USER_ID (the collector it acts as)');
    if (userId && !(await db.user.findUnique({ where: { id: userId } })))
      throw new UsageError(`unknown user '${userId}'`);
    const created = await createApiKey(db, { label: opts.label ?? `${role} key`, role, userId });
    await audit(db, 'apikey.create', 'ApiKey', created.id, { role, userId, label: opts.label ?? null });
    console.log(`created ${created.id} (${role}${userId ? `, user ${userId}` : ''})`);
    console.log(`key: ${created.key}`);
    console.log('Store it now: only its SHA-256 is kept.');
    return;
  }
  if (sub === 'list') {
    const rows = await db.apiKey.findMany({ orderBy: { createdAt: 'asc' } });
    const devHashes = new Set(DEV_KEYS.map((k) => hashKey(k.key)));
    console.log(['id', 'prefix', 'role', 'user', 'label', 'created', 'last used', 'status'].join('\t'));
    for (const r of rows) {
      console.log(
        [
          r.id,
          `${r.prefix}…`,
          r.role,
          r.userId ?? '-',
          r.label,
          r.createdAt.toISOString(),
          r.lastUsedAt?.toISOString() ?? '-',
          r.revokedAt ? `revoked ${r.revokedAt.toISOString()}` : devHashes.has(r.hash) ? 'active (DEV KEY)' : 'active',
        ].join('\t'),
      );
    }
    return;
  }
  if (sub === 'revoke') {
    if (!id) throw new UsageError('keys revoke needs a key id (see keys list)');
    const row = await db.apiKey.findUnique({ where: { id } });
    if (!row) throw new UsageError(`no key ${id}`);
    if (!row.revokedAt) {
      await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
      await audit(db, 'apikey.revoke', 'ApiKey', id, { role: row.role });
    }
    console.log(`revoked ${id}`);
    return;
  }
  if (sub === 'revoke-dev') {
    const hashes = DEV_KEYS.map((k) => hashKey(k.key));
    const res = await db.apiKey.updateMany({
      where: { hash: { in: hashes }, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (res.count > 0) await audit(db, 'apikey.revoke-dev', 'ApiKey', 'dev', { count: res.count });
    console.log(`revoked ${res.count} dev key(s)`);
    // The dev users' published passwords go too: those accounts can be given a real one with `users reset`.
    const emails = await devPasswordsSet(db);
    if (emails.length > 0) {
      const cleared = await db.user.updateMany({ where: { email: { in: emails } }, data: { passwordHash: null } });
      await audit(db, 'user.revoke-dev-passwords', 'User', 'dev', { emails });
      console.log(`cleared ${cleared.count} dev password(s)`);
    }
    return;
  }
  throw new UsageError(USAGE);
}

/** The first admin of a fresh installation comes from here: the console's user pages need an admin to sign in. */
async function users(db: Db, args: string[], config: ReturnType<typeof loadConfig>): Promise<void> {
  const { positional, opts } = flags(args);
  const [sub, id] = positional;
  const link = {
    createdBy: 'cli',
    ttlHours: config.INVITATION_TTL_HOURS,
    consoleUrl: config.CONSOLE_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
  };
  if (sub === 'invite') {
    const input = parse(inviteSchema, { email: opts.email, name: opts.name, role: opts.role, language: opts.language });
    const { user, invitation } = await inviteUser(db, input, link);
    await audit(db, 'user.invite', 'User', user.id, { email: user.email, role: user.role });
    console.log(`created ${user.id} (${user.role}, ${user.email})`);
    console.log(`invitation link (valid until ${invitation.expiresAt}): ${invitation.url}`);
    return;
  }
  if (sub === 'reset') {
    if (!id) throw new UsageError('users reset needs a user id');
    const { reset } = await resetPassword(db, id, link);
    await audit(db, 'user.reset-password', 'User', id, {});
    console.log(`password cleared; link (valid until ${reset.expiresAt}): ${reset.url}`);
    return;
  }
  throw new UsageError(USAGE);
}

async function importFile(args: string[]): Promise<void> {
  const { positional, opts } = flags(args);
  const file = positional[0];
  if (!file) throw new UsageError('import needs a FILE');
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
  const lang = (opts.lang ?? 'it') as ImportLanguage;
  if (!['it', 'en', 'fr'].includes(lang)) throw new UsageError('--lang must be it, en or fr');
  const config = loadConfig();
  const db = createDb(config.DATABASE_URL, 2);
  const temporal = await connectTemporal(config);
  try {
    const stored = await storeFile(fs.createReadStream(file) as Readable, importsDir(config.SEGUGIO_DATA_DIR), {
      limitBytes: MAX_IMPORT_BYTES,
      filename: path.basename(file),
      mimeType: file.toLowerCase().endsWith('.xlsx')
        ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
        : 'text/csv',
    });
    const deps = { db, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, dataDir: config.SEGUGIO_DATA_DIR };
    const result = await submitImport(deps, stored, 'cli');
    if (result.created)
      await audit(db, 'import.create', 'Import', result.importId, { filename: stored.filename, sha256: stored.sha256 });
    console.log(
      result.created
        ? `import ${result.importId} started (workflow ${result.workflowId})`
        : `this file was imported before: import ${result.importId} (nothing started again)`,
    );
    if (opts.wait === 'false') return;
    const view = await followImport(db, { temporal, taskQueue: config.TEMPORAL_TASK_QUEUE }, result.importId);
    const p = view.progress;
    console.log(
      `${view.status}: ${view.acceptedRows} accepted, ${view.rejectedRows} rejected, ${view.startedWorkflows} workflows started`,
    );
    console.log(
      `  ${view.totalRows} rows in ${p.processingSeconds} s of processing` +
        (p.ratePerSecond !== null ? ` (${p.ratePerSecond} rows/s)` : '') +
        (p.queuedSeconds > 0 ? `, after ${p.queuedSeconds} s queued behind other work` : ''),
    );
    for (const r of view.rejections.slice(0, 20)) console.log(`  line ${r.line}: ${r.reason}`);
    if (view.rejectedRows > 20) console.log(`  … and ${view.rejectedRows - 20} more`);
    if (view.rejectedRows > 0 && opts.rejected) {
      const { csv } = await rejectionsCsv(db, view.importId, lang);
      fs.writeFileSync(opts.rejected, csv);
      console.log(`  the rejected rows, to fix and import again: ${opts.rejected}`);
    } else if (view.rejectedRows > 0)
      console.log(
        `  the rejected rows as a file to fix: --rejected=FILE, or GET /v1/imports/${view.importId}/rejections?lang=it`,
      );
    if (view.status === 'FAILED') process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await temporal.connection.close();
  }
}

type ImportView = Awaited<ReturnType<typeof getImport>>;

/** "behind 1 import (export.csv: 12000 rows left) and 3400 tasks on the task queue". */
function behindText(p: ImportView['progress']): string {
  const q = p.queuedBehind;
  const parts: string[] = [];
  if (q && q.imports.length > 0)
    parts.push(
      `${q.imports.length} import${q.imports.length === 1 ? '' : 's'} (${q.imports
        .slice(0, 3)
        .map((i) => `${i.filename}${i.remainingRows !== null ? `: ${i.remainingRows} rows left` : ''}`)
        .join(', ')}${q.imports.length > 3 ? ', …' : ''})`,
    );
  if (q?.backlogTasks) parts.push(`${q.backlogTasks} tasks on the task queue`);
  return parts.length > 0 ? `behind ${parts.join(' and ')}` : 'waiting for a worker';
}

/**
 * Follows an import to its end. Waiting in the queue is said as such (with what is ahead), never as a bar stuck at
 * 0%; the rate is the server's rows per second of processing, not rows since the upload. A line is printed at each
 * change of state so a log (stdout not a terminal, where the bar does not draw) tells the same story.
 */
async function followImport(db: Db, queue: QueueProbe, importId: string): Promise<ImportView> {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'importing |{bar}| {percentage}% | {value}/{total} rows | {accepted} accepted, {rejected} rejected | {rate} rows/s',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let shownState = '';
  let shownBehind = '';
  let barOn = false;
  let view: ImportView;
  for (;;) {
    view = await getImport(db, importId, 1, queue);
    const p = view.progress;
    if (p.state === 'QUEUED') {
      const behind = behindText(p);
      if (shownState !== 'QUEUED' || behind !== shownBehind) {
        console.log(`queued: ${behind}; the import starts when the work ahead of it is done`);
        shownBehind = behind;
      }
    } else {
      if (shownState === 'QUEUED') console.log(`started after ${p.queuedSeconds} s in the queue`);
      if (!barOn && p.state === 'RUNNING') {
        bar.start(p.expectedRows ?? 0, 0, { accepted: 0, rejected: 0, rate: '…' });
        barOn = true;
      }
      if (barOn) {
        bar.setTotal(Math.max(p.expectedRows ?? 0, view.totalRows));
        bar.update(view.totalRows, {
          accepted: view.acceptedRows,
          rejected: view.rejectedRows,
          rate: p.ratePerSecond ?? '…',
        });
      }
    }
    shownState = p.state;
    if (view.status !== 'RUNNING') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (barOn) bar.stop();
  return view;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'import') return importFile(rest);
  if (command === 'keys') {
    const config = loadConfig();
    const db = createDb(config.DATABASE_URL, 1);
    try {
      await keys(db, rest);
    } finally {
      await db.$disconnect();
    }
    return;
  }
  if (command === 'users') {
    const config = loadConfig();
    const db = createDb(config.DATABASE_URL, 1);
    try {
      await users(db, rest, config);
    } finally {
      await db.$disconnect();
    }
    return;
  }
  if (command === 'backfill-term-ends') {
    const config = loadConfig();
    const db = createDb(config.DATABASE_URL, 1);
    try {
      const r = await backfillTermEnds(db, extraHolidays(config), {
        onBatch: (b) => console.error(`… ${b.scanned} invoices filled`),
      });
      if (r.scanned > 0) await audit(db, 'invoice.backfill-term-ends', 'Invoice', '*', r);
      console.log(
        r.scanned === 0
          ? 'every invoice already has its effective due date: nothing to do'
          : `filled ${r.scanned} invoices; ${r.moved} of them have a due date on a Sunday, holiday or policy Saturday`,
      );
    } finally {
      await db.$disconnect();
    }
    return;
  }
  if (command === 'rates') {
    const config = loadConfig();
    const db = createDb(config.DATABASE_URL, 1);
    try {
      const { positional, opts } = flags(rest);
      await ratesCommand(db, positional, opts, todayIn(config.SEGUGIO_TZ));
    } finally {
      await db.$disconnect();
    }
    return;
  }
  throw new UsageError(USAGE);
}

main().catch((err: unknown) => {
  console.error(
    err instanceof UsageError || err instanceof RatesUsageError
      ? err.message
      : `segugio: ${err instanceof Error ? err.message : String(err)}`,
  );
  for (const f of (err as { fields?: Array<{ path: string; message: string }> }).fields ?? []) {
    console.error(`  ${f.path}: ${f.message}`);
  }
  process.exit(err instanceof UsageError || err instanceof RatesUsageError ? 2 : 1);
});
