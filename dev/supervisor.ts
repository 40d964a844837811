/**
 * The dev runner's supervisor: keeps a child process (the worker, the API) running. When it exits unexpectedly it is
 * started again after a backoff that doubles with each quick crash (1 s, 2 s, 4 s … 30 s) and resets once the child
 * has stayed up for a minute, and each restart is said aloud. Stopping kills the current child and cancels a pending
 * restart; `killAllNow` is for the runner's own exit, so no child outlives it.
 */
import type { ChildProcess } from 'node:child_process';

/**
 * Signals the child's whole process group when it leads one (spawned `detached`: a wrapper such as tsx runs the
 * real program as its own child), else the child alone; a group already gone is not an error.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the child has exited. */
function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}

export interface SuperviseOptions {
  say: (msg: string) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Up this long, the next crash starts the backoff from the beginning again. */
  stableAfterMs?: number;
  /** Where the child's output goes, named in the messages. */
  logHint?: string;
}

export interface Supervised {
  readonly name: string;
  current(): ChildProcess;
  restarts(): number;
  stop(): Promise<void>;
  /** Synchronous SIGKILL of the current child (process 'exit' handlers cannot wait). */
  killNow(): void;
}

export function supervise(name: string, start: () => ChildProcess, opts: SuperviseOptions): Supervised {
  const initial = opts.initialBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 30_000;
  const stableAfter = opts.stableAfterMs ?? 60_000;
  let child: ChildProcess;
  let startedAt = 0;
  let quickCrashes = 0;
  let restarts = 0;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;

  const launch = (): void => {
    child = start();
    startedAt = Date.now();
    child.once('exit', (code, signal) => {
      // What the dead process leaves in its group (the program under a killed wrapper) goes with it.
      signalGroup(child, 'SIGKILL');
      if (stopping) return;
      if (Date.now() - startedAt >= stableAfter) quickCrashes = 0;
      const delay = Math.min(max, initial * 2 ** quickCrashes);
      quickCrashes += 1;
      restarts += 1;
      opts.say(
        `segugio: the ${name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`})` +
          `${opts.logHint ? `; see ${opts.logHint}` : ''} — restarting it in ${Math.round(delay / 100) / 10} s (restart ${restarts})`,
      );
      timer = setTimeout(() => {
        timer = undefined;
        if (stopping) return;
        launch();
        opts.say(`segugio: the ${name} is running again (pid ${child.pid})`);
      }, delay);
    });
  };
  launch();

  return {
    name,
    current: () => child,
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      await stopChild(child, 15_000);
    },
    killNow: () => {
      stopping = true;
      if (timer) clearTimeout(timer);
      signalGroup(child, 'SIGKILL');
    },
  };
}

/**
 * Every `everyMs` (5 s) asks the API's /health which of PostgreSQL and Temporal answer, and says so when one stops
 * (a crash of the embedded PostgreSQL or the Temporal dev server) and when it is back. The supervised processes keep
 * running: they answer 503 meanwhile and recover by themselves. An API that does not answer at all is its own
 * supervisor's to announce, so a failed fetch says nothing here.
 */
export function watchBackingServices(healthUrl: string, say: (msg: string) => void, everyMs = 5000): NodeJS.Timeout {
  const last: Record<string, string> = { database: 'ok', temporal: 'ok' };
  const names: Record<string, string> = { database: 'PostgreSQL', temporal: 'the Temporal dev server' };
  let asking = false; // one question at a time: a slow answer must not overtake a newer one
  return setInterval(() => {
    if (asking) return;
    asking = true;
    void fetch(healthUrl, { signal: AbortSignal.timeout(4000) })
      .then((r) => r.json() as Promise<Record<string, string>>)
      .then((h) => {
        for (const k of ['database', 'temporal']) {
          if (h[k] && h[k] !== last[k]) {
            say(
              h[k] === 'ok'
                ? `segugio: ${names[k]} answers again`
                : `segugio: ${names[k]} is not answering (crashed or stopped?); see .segugio/logs/stack.log — restart \`npm run dev\` if it does not come back`,
            );
            last[k] = h[k];
          }
        }
      })
      .catch(() => undefined)
      .finally(() => {
        asking = false;
      });
  }, everyMs);
}
