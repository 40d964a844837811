/**
 * Starts the infrastructure Segugio runs on, without Docker: embedded PostgreSQL (migrated with `prisma migrate
 * deploy`) and the Temporal dev server with its Web UI and every custom search attribute registered.
 *
 * Used by the dev runner (persistent state under .segugio/, fixed ports) and by the integration tests (throw-away
 * state, random free ports). Run as a program it prints one line `SEGUGIO_STACK {json}` and keeps the servers up
 * until SIGINT/SIGTERM or until its standard input closes — so it stops by itself when its parent dies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { startEmbeddedPg, type RunningPg } from './embedded-pg';
import { assertPortFree, freePort, waitForPort } from './ports';
import { PROJECT_ROOT, temporalCliPath } from '../infra/tools';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/contract';

export interface StackOptions {
  mode: 'dev' | 'test';
  log?: (line: string) => void;
}

export interface StackInfo {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_UI_URL: string | null;
  externalDatabase: boolean;
  externalTemporal: boolean;
}

export interface RunningStack extends StackInfo {
  stop(): Promise<void>;
}

function migrate(databaseUrl: string): void {
  const res = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/prisma'), ['migrate', 'deploy'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${res.stdout}\n${res.stderr}`);
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within `timeoutMs`. */
export function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startStack(opts: StackOptions): Promise<RunningStack> {
  const log = opts.log ?? (() => undefined);
  const dev = opts.mode === 'dev';
  const stateDir = dev ? path.join(PROJECT_ROOT, '.segugio') : fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-test-'));
  fs.mkdirSync(stateDir, { recursive: true });
  if (!dev) fs.chmodSync(stateDir, 0o755); // the postgres system user must reach its data directory

  let pg: RunningPg | null = null;
  let temporal: ChildProcess | null = null;
  const stop = async (): Promise<void> => {
    if (temporal) await stopChild(temporal);
    if (pg) await pg.stop();
    if (!dev) fs.rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    // PostgreSQL: an external server when DATABASE_URL is given, else the embedded one.
    let databaseUrl = dev ? process.env.DATABASE_URL : undefined;
    const externalDatabase = Boolean(databaseUrl);
    if (!databaseUrl) {
      const port = dev ? Number(process.env.SEGUGIO_PG_PORT ?? 54329) : await freePort();
      if (dev) await assertPortFree(port, 'embedded PostgreSQL', 'SEGUGIO_PG_PORT');
      log(`starting PostgreSQL on 127.0.0.1:${port}`);
      pg = await startEmbeddedPg({
        dataDir: path.join(stateDir, 'pg'),
        port,
        database: 'segugio',
        ephemeral: !dev,
        onLog: (l) => log(`[pg] ${l.trimEnd()}`),
      });
      databaseUrl = pg.url;
    }
    log('applying migrations');
    migrate(databaseUrl);

    // Temporal: an external server when TEMPORAL_ADDRESS is given (dev only), else `temporal server start-dev`.
    let temporalAddress = dev ? process.env.TEMPORAL_ADDRESS : undefined;
    const externalTemporal = Boolean(temporalAddress);
    let uiUrl: string | null = null;
    if (!temporalAddress) {
      const port = dev ? Number(process.env.SEGUGIO_TEMPORAL_PORT ?? 7233) : await freePort();
      const uiPort = dev ? Number(process.env.SEGUGIO_TEMPORAL_UI_PORT ?? 8233) : await freePort();
      if (dev) {
        await assertPortFree(port, 'Temporal frontend', 'SEGUGIO_TEMPORAL_PORT');
        await assertPortFree(uiPort, 'Temporal Web UI', 'SEGUGIO_TEMPORAL_UI_PORT');
      }
      const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort)];
      args.push('--log-level', 'warn', '--namespace', 'default');
      if (dev) args.push('--db-filename', path.join(stateDir, 'temporal.db'));
      else args.push('--headless');
      for (const sa of SEARCH_ATTRIBUTE_DEFINITIONS) args.push('--search-attribute', `${sa.name}=${sa.type}`);
      // The dev server's metrics endpoint defaults to a fixed port; give it a free one so two stacks can coexist.
      args.push('--metrics-port', String(await freePort()));
      const cli = temporalCliPath();
      log(`starting ${cli} ${args.join(' ')}`);
      temporal = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const server = temporal;
      // A crashed parent must not leave the dev server behind.
      process.once('exit', () => {
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
      });
      temporal.stdout?.on('data', (d: Buffer) => log(`[temporal] ${d.toString().trimEnd()}`));
      temporal.stderr?.on('data', (d: Buffer) => log(`[temporal] ${d.toString().trimEnd()}`));
      const exited = new Promise<never>((_, reject) =>
        temporal?.once('exit', (code) => reject(new Error(`temporal server start-dev exited with code ${code}`))),
      );
      exited.catch(() => undefined);
      await Promise.race([waitForPort(port, '127.0.0.1', 60_000), exited]);
      temporalAddress = `127.0.0.1:${port}`;
      // An open port is not yet a serving frontend: a cold server (first start on a machine) took longer than a
      // client's connect deadline to answer, and the first test file failed with "Failed to connect before the deadline".
      await Promise.race([waitForNamespace(temporalAddress, 'default', 60_000), exited]);
      uiUrl = dev ? `http://127.0.0.1:${uiPort}` : null;
    }
    return {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_UI_URL: uiUrl,
      externalDatabase,
      externalTemporal,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** Waits until the Temporal frontend at `address` answers for `namespace` (it exists and is served). */
async function waitForNamespace(address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 5_000 });
      await connection.withDeadline(Date.now() + 5_000, () =>
        connection!.workflowService.describeNamespace({ namespace }),
      );
      return;
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
  throw new Error(
    `Temporal at ${address} did not serve namespace ${namespace} in ${timeoutMs / 1000} s: ${String(last)}`,
  );
}

async function main(): Promise<void> {
  const mode = process.argv.includes('--test') ? 'test' : 'dev';
  const verbose = process.argv.includes('--verbose');
  const stack = await startStack({ mode, log: verbose ? (l) => process.stderr.write(`${l}\n`) : undefined });
  const { stop, ...info } = stack;
  process.stdout.write(`SEGUGIO_STACK ${JSON.stringify(info)}\n`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`segugio stack: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
