/**
 * `segugio` — the operator's command line (run as `npm run segugio -- <command>`):
 *
 *   import FILE [--wait=false]               import a CSV/XLSX export as a durable import workflow, with a progress bar
 *   keys create --role ROLE [--user ID] [--label TEXT]   create an API key (printed once; only its hash is stored)
 *   keys list                                list keys (prefix, role, user, created, last used, revoked)
 *   keys revoke ID                           revoke a key
 *   keys revoke-dev                          revoke every known dev key (required before production start)
 *
 * It talks to PostgreSQL and Temporal directly with the same configuration as the API (DATABASE_URL, TEMPORAL_*),
 * so it works on the server host without an API key; everything it does is audited as actor `cli`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import cliProgress from 'cli-progress';
import { createApiKey, hashKey, ROLES, type Role } from '../contexts/access/auth';
import { DEV_KEYS } from '../contexts/access/dev-keys';
import { getImport, importsDir, MAX_IMPORT_BYTES, submitImport } from '../contexts/intake/imports';
import { storeFile } from '../contexts/documents/uploads';
import { loadConfig } from '../infra/config';
import { createDb, type Db } from '../infra/db';
import { connectTemporal } from '../infra/temporal';

const USAGE = `usage:
  segugio import FILE [--wait=false]
  segugio keys create --role erp|collector|manager|admin [--user USER_ID] [--label TEXT]
  segugio keys list
  segugio keys revoke KEY_ID
  segugio keys revoke-dev`;

class UsageError extends Error {}

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
    return;
  }
  throw new UsageError(USAGE);
}

async function importFile(args: string[]): Promise<void> {
  const { positional, opts } = flags(args);
  const file = positional[0];
  if (!file) throw new UsageError('import needs a FILE');
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
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
    const total = await countDataLines(file);
    const bar = new cliProgress.SingleBar(
      {
        format:
          'importing |{bar}| {percentage}% | {value}/{total} rows | {accepted} accepted, {rejected} rejected | {rate} rows/s',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(total, 0, { accepted: 0, rejected: 0, rate: 0 });
    let view = await getImport(db, result.importId);
    for (;;) {
      view = await getImport(db, result.importId);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.setTotal(Math.max(total, view.totalRows));
      bar.update(view.totalRows, {
        accepted: view.acceptedRows,
        rejected: view.rejectedRows,
        rate: Math.round(view.totalRows / seconds),
      });
      if (view.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    bar.stop();
    console.log(
      `${view.status}: ${view.acceptedRows} accepted, ${view.rejectedRows} rejected, ${view.startedWorkflows} workflows started`,
    );
    for (const r of view.rejections.slice(0, 20)) console.log(`  line ${r.line}: ${r.reason}`);
    if (view.rejectedRows > 20)
      console.log(`  … and ${view.rejectedRows - 20} more: GET /v1/imports/${view.importId}?rejectionsPage=2`);
    if (view.status === 'FAILED') process.exitCode = 1;
  } finally {
    await db.$disconnect();
    await temporal.connection.close();
  }
}

/** Data rows in a CSV (lines after the header), for the progress bar's total; XLSX shows a growing total. */
async function countDataLines(file: string): Promise<number> {
  if (file.toLowerCase().endsWith('.xlsx')) return 0;
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    for (const b of chunk) if (b === 0x0a) lines++;
    last = chunk[chunk.length - 1];
  }
  if (last !== 0x0a) lines++;
  return Math.max(0, lines - 1);
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
  throw new UsageError(USAGE);
}

main().catch((err: unknown) => {
  console.error(
    err instanceof UsageError ? err.message : `segugio: ${err instanceof Error ? err.message : String(err)}`,
  );
  for (const f of (err as { fields?: Array<{ path: string; message: string }> }).fields ?? []) {
    console.error(`  ${f.path}: ${f.message}`);
  }
  process.exit(err instanceof UsageError ? 2 : 1);
});
