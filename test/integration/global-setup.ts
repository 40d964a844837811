/**
 * Starts one throw-away stack (embedded PostgreSQL + Temporal dev server, random loopback ports) for the
 * integration tests. The stack runs in a child process that stops by itself when this process goes away.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export default async function globalSetup(): Promise<void> {
  // The integration and e2e projects share one stack per run.
  const running = (globalThis as Record<string, unknown>).__SEGUGIO_STACK__ as { exitCode: number | null } | undefined;
  if (running && running.exitCode === null) return;
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'dev/stack.ts'), '--test'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`test stack did not start in 180 s\n${stderr}`)), 180_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('SEGUGIO_STACK '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('SEGUGIO_STACK '.length)) as Record<string, string>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test stack exited with code ${code}\n${stderr}`));
    });
  });
  process.env.DATABASE_URL = info.DATABASE_URL;
  process.env.TEMPORAL_ADDRESS = info.TEMPORAL_ADDRESS;
  process.env.SEGUGIO_MODE = 'test';
  (globalThis as Record<string, unknown>).__SEGUGIO_STACK__ = child;
}
