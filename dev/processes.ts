/**
 * Child processes of the benchmark and the rehearsal (API, worker, Temporal server): logged to a file, stopped with
 * SIGTERM then SIGKILL, and never left behind when the parent exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

const running = new Set<Service>();
process.once('exit', () => {
  for (const s of running) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
});

export function startService(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string },
): Service {
  const out = fs.openSync(opts.logFile, 'a');
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const service: Service = {
    name,
    child,
    logFile: opts.logFile,
    stop: () =>
      new Promise<void>((resolve) => {
        running.delete(service);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  running.add(service);
  return service;
}

/** Resolves when `ready()` is true; rejects when the service exits first or the time is up (with its log's tail). */
export async function waitReady(s: Service, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) break;
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = fs.existsSync(s.logFile) ? fs.readFileSync(s.logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
  throw new Error(
    `${s.name} did not become ready (exit ${s.child.exitCode ?? s.child.signalCode ?? 'none'}):\n${tail}`,
  );
}

export const logContains = (s: Service, text: string) => async (): Promise<boolean> =>
  fs.existsSync(s.logFile) && fs.readFileSync(s.logFile, 'utf8').includes(text);

export const httpOk = (url: string) => async (): Promise<boolean> => (await fetch(url)).ok;

/** Resident memory of a process in bytes (Linux), or null. */
export function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}
