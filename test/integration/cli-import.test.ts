/**
 * `segugio import` as an operator runs it beside `npm run dev`: without DATABASE_URL and TEMPORAL_ADDRESS it finds
 * the running stack from the state file the dev runner writes (here the test stack's addresses, in a file of this
 * test's own), says which stack it found, says it is queued while no worker takes the import, and ends with the real
 * rate: rows per second of processing, as recorded by the import, not rows since the upload. A missing or stale
 * state file gets a sentence saying what to do.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDevStackState } from '../../infra/dev-stack';
import { quietSegment } from './api-helpers';
import { eventually, startHarness, uniq, type Harness } from './harness';

jest.setTimeout(240_000);

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const cli = path.join(root, 'scripts/cli.ts');

let h: Harness;
let segment: string;
let tmp: string;

beforeAll(async () => {
  h = await startHarness();
  segment = await quietSegment(h);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-cli-'));
});

afterAll(async () => {
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The CLI's environment with none of the stack's addresses: only the state file can tell it where the stack is. */
function bareEnv(stackFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SEGUGIO_STACK_FILE: stackFile, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  delete env.TEMPORAL_ADDRESS;
  delete env.SEGUGIO_MODE;
  delete env.TEMPORAL_TASK_QUEUE;
  return env;
}

describe('segugio import', () => {
  it('says what to do when no dev stack is recorded, or the recorded one has stopped', () => {
    const missing = spawnSync(tsx, [cli, 'import', __filename], {
      env: bareEnv(path.join(tmp, 'none.json')),
      encoding: 'utf8',
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/DATABASE_URL is not set and no dev stack is running \(start `npm run dev`/);

    // A runner that has exited: its pid is gone.
    const gone = spawnSync(process.execPath, ['-e', '0']);
    const stale = path.join(tmp, 'stale.json');
    writeDevStackState(
      {
        pid: gone.pid!,
        startedAt: new Date().toISOString(),
        DATABASE_URL: 'postgresql://x@127.0.0.1:1/x',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_NAMESPACE: 'default',
      },
      stale,
    );
    const old = spawnSync(tsx, [cli, 'import', __filename], { env: bareEnv(stale), encoding: 'utf8' });
    expect(old.status).toBe(2);
    expect(old.stderr).toContain(`names a dev stack (pid ${gone.pid}) that is no longer running`);
  });

  it('finds the running stack from its state file, says when it is queued, and reports the real rate', async () => {
    const stackFile = path.join(tmp, 'stack.json');
    writeDevStackState(
      {
        pid: process.pid, // this test process stands for the running `npm run dev`
        startedAt: new Date().toISOString(),
        DATABASE_URL: process.env.DATABASE_URL!,
        TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
        TEMPORAL_NAMESPACE: h.config.TEMPORAL_NAMESPACE,
        TEMPORAL_TASK_QUEUE: h.taskQueue,
        SEGUGIO_DATA_DIR: h.dataDir,
      },
      stackFile,
    );
    expect(fs.statSync(stackFile).mode & 0o777).toBe(0o600);
    const prefix = uniq('CLI');
    const n = 120;
    const lines = ['invoice_number,customer_code,customer_name,amount,due_date,segment'];
    for (let i = 0; i < n; i++)
      lines.push(`${prefix}-${i},${prefix}-C${i % 9},Cliente ${i % 9},${100 + i}.00,2026-12-31,${segment}`);
    lines.push(`${prefix}-bad,${prefix}-C0,Cliente 0,-1.00,2026-12-31,${segment}`); // one refused row
    const file = path.join(tmp, `${prefix}.csv`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);

    // No worker yet: the import can only wait in the queue, and the CLI must say so.
    const rejectedFile = path.join(tmp, 'rejected.csv');
    const child = spawn(tsx, [cli, 'import', file, `--rejected=${rejectedFile}`], {
      env: bareEnv(stackFile),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await eventually(async () => out.includes('queued: '), 60_000, 100);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await h.startWorker();
    }
    const code = await exited;
    expect({ code, err: err.includes('segugio: using') ? '' : err }).toEqual({ code: 0, err: '' });
    const [, host] = /@([^/]+)\//.exec(process.env.DATABASE_URL!)!;
    expect(err).toContain(`segugio: using the dev stack of \`npm run dev\` (pid ${process.pid}`);
    expect(err).toContain(`PostgreSQL ${host}/`);
    expect(err).toContain(`Temporal ${process.env.TEMPORAL_ADDRESS} (namespace ${h.config.TEMPORAL_NAMESPACE})`);
    expect(err).not.toMatch(/:[^:@/]+@/); // no password printed
    expect(out).toMatch(/^import \S+ started \(workflow import-[0-9a-f]{64}\)$/m);
    expect(out).toMatch(
      /^queued: (behind .+|waiting for a worker); the import starts when the work ahead of it is done$/m,
    );
    expect(out).toMatch(/^started after \d+ s in the queue$/m);
    expect(out).toMatch(new RegExp(`^COMPLETED: ${n} accepted, 1 rejected, ${n} workflows started$`, 'm'));
    // The refused row saved as a file to fix, its problem in Italian (the default).
    expect(out).toContain(`the rejected rows, to fix and import again: ${rejectedFile}`);
    const saved = fs
      .readFileSync(rejectedFile, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(saved).toEqual([
      'invoice_number;customer_code;customer_name;amount;due_date;segment;Errore',
      `${prefix}-bad;${prefix}-C0;Cliente 0;-1.00;2026-12-31;${segment};amount: l'importo non può essere negativo (-1.00)`,
    ]);

    // The rate printed is the import's own: rows over the time spent processing them, the queue wait left out.
    const row = await h.db.invoice.findFirstOrThrow({ where: { externalNumber: `${prefix}-0` } });
    expect(row.customerId).toBeTruthy();
    const imp = await h.db.import.findFirstOrThrow({ where: { filename: `${prefix}.csv` } });
    const [, seconds, rate, queued] =
      /^ {2}\d+ rows in ([\d.]+) s of processing \((\d+) rows\/s\), after (\d+) s queued behind other work$/m.exec(
        out,
      ) ?? [];
    expect(Number(rate)).toBe(Math.round((n + 1) / (imp.processingMs / 1000)));
    expect(Number(seconds)).toBeCloseTo(imp.processingMs / 1000, 0);
    expect(Number(queued)).toBeGreaterThanOrEqual(1);
    // Measured since the upload, the rate would have been lower by the whole wait.
    const sinceUpload = (n + 1) / ((imp.finishedAt!.getTime() - imp.createdAt.getTime()) / 1000);
    expect(Number(rate)).toBeGreaterThan(sinceUpload);
  });
});
