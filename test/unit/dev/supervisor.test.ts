/**
 * The dev runner's supervisor with real child processes: a crashing child is restarted with a doubling backoff and
 * each restart is announced; stop() leaves no process behind and no restart pending.
 */
import { spawn } from 'node:child_process';
import { supervise } from '../../../dev/supervisor';

jest.setTimeout(30_000);

const alive = (pid: number | undefined): boolean => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

describe('dev supervisor', () => {
  it('restarts a crashing child with backoff, says so, and stops without orphans', async () => {
    const said: string[] = [];
    const pids: number[] = [];
    // Crashes at once twice, then stays up.
    let starts = 0;
    const s = supervise(
      'worker',
      () => {
        starts += 1;
        const script = starts <= 2 ? 'process.exit(3)' : 'setInterval(() => {}, 1000)';
        const c = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
        pids.push(c.pid!);
        return c;
      },
      { say: (m) => said.push(m), initialBackoffMs: 100, maxBackoffMs: 1000, logHint: '.segugio/logs/worker.log' },
    );
    const t0 = Date.now();
    while (starts < 3 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
    expect(starts).toBe(3);
    // 100 ms then 200 ms: the second restart waited twice as long.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(said.filter((m) => m.includes('exited unexpectedly (code 3)'))).toHaveLength(2);
    expect(said[0]).toMatch(/restarting it in 0\.1 s \(restart 1\)/);
    expect(said.some((m) => /restarting it in 0\.2 s \(restart 2\)/.test(m))).toBe(true);
    expect(said.some((m) => m.includes('.segugio/logs/worker.log'))).toBe(true);
    expect(s.restarts()).toBe(2);
    const running = s.current().pid;
    expect(alive(running)).toBe(true);
    await s.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(pids.filter(alive)).toEqual([]);
    expect(starts).toBe(3);
  });
});
