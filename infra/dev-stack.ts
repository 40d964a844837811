/**
 * The running dev stack's addresses, written by `npm run dev` (dev/dev.ts) to `.segugio/stack.json` and removed when
 * it stops, so the operator's CLI started in another terminal finds PostgreSQL and Temporal without DATABASE_URL and
 * TEMPORAL_ADDRESS set by hand. Only the CLI reads it, and only when DATABASE_URL is not set: a configured
 * environment (a server) is never overridden by a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './tools';

export interface DevStackState {
  /** The dev runner's process id: the file is believed only while that process lives. */
  pid: number;
  startedAt: string;
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_TASK_QUEUE?: string;
  SEGUGIO_DATA_DIR?: string;
  apiUrl?: string;
}

/** `SEGUGIO_STACK_FILE`, else `.segugio/stack.json` in the project. */
export const devStackFile = (env: NodeJS.ProcessEnv = process.env): string =>
  env.SEGUGIO_STACK_FILE ?? path.join(PROJECT_ROOT, '.segugio', 'stack.json');

/** Writes the state atomically (a reader never sees half a file), readable by the owner only: it holds a URL with a password. */
export function writeDevStackState(state: DevStackState, file = devStackFile()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Removes the state if it is still this process's (a second runner that failed to start must not remove the first's). */
export function removeDevStackState(file = devStackFile(), pid = process.pid): void {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DevStackState>;
    if (s.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // no file, or not ours to judge: leave it
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export type DevStackLookup =
  | { found: true; state: DevStackState; file: string }
  | { found: false; file: string; why: 'missing' | 'stale' | 'unreadable'; pid?: number };

/** Reads the state file and checks that the runner which wrote it is still running. */
export function findDevStack(file = devStackFile()): DevStackLookup {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return { found: false, file, why: 'missing' };
  }
  let state: DevStackState;
  try {
    state = JSON.parse(raw) as DevStackState;
    if (typeof state.pid !== 'number' || !state.DATABASE_URL || !state.TEMPORAL_ADDRESS) throw new Error('incomplete');
  } catch {
    return { found: false, file, why: 'unreadable' };
  }
  if (!alive(state.pid)) return { found: false, file, why: 'stale', pid: state.pid };
  return { found: true, state, file };
}

/** The environment the state gives a CLI: the addresses, dev mode (dev keys, no production checks), the queue. */
export function envOfDevStack(state: DevStackState, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    DATABASE_URL: state.DATABASE_URL,
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? state.TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: env.TEMPORAL_NAMESPACE ?? state.TEMPORAL_NAMESPACE,
    SEGUGIO_MODE: env.SEGUGIO_MODE ?? 'dev',
    ...(state.TEMPORAL_TASK_QUEUE && !env.TEMPORAL_TASK_QUEUE
      ? { TEMPORAL_TASK_QUEUE: state.TEMPORAL_TASK_QUEUE }
      : {}),
    ...(state.SEGUGIO_DATA_DIR && !env.SEGUGIO_DATA_DIR ? { SEGUGIO_DATA_DIR: state.SEGUGIO_DATA_DIR } : {}),
  };
}

/** "PostgreSQL 127.0.0.1:54329/segugio, Temporal 127.0.0.1:7233" — the URL without its password. */
export function describeDevStack(state: DevStackState): string {
  let db = state.DATABASE_URL;
  try {
    const u = new URL(state.DATABASE_URL);
    db = `${u.host}${u.pathname}`;
  } catch {
    db = state.DATABASE_URL.replace(/:[^:@/]+@/, ':***@');
  }
  return `PostgreSQL ${db}, Temporal ${state.TEMPORAL_ADDRESS} (namespace ${state.TEMPORAL_NAMESPACE})`;
}
