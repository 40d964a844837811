/**
 * The production-shaped rehearsal, smoke size (`npm run rehearse -- --smoke`): the Temporal server binary built from
 * the Go module proxy on PostgreSQL with SQL visibility, search attributes registered through the operator API, the
 * build output (`npm run build`) started as two workers running the prebuilt bundle and two APIs in production mode,
 * the end-to-end path (invoice → reminder → payment on the other API → PAID, found through SQL visibility) and one
 * small benchmark repetition against it. Everything it starts stops with it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
// A fresh clone builds the server (cached afterwards) and the TypeScript output first.
jest.setTimeout(20 * 60_000);

// On request only (SEGUGIO_REHEARSAL=1) until it is reliable: in the merged tree of 1 Dec 2026 the cluster came up
// but its matching service reported "Not enough hosts to serve the request" and no reminder went out in 120 s,
// and a server build from a cold Go cache takes longer than CI's 90 minutes. Issue 14 keeps this open.
const rehearse = process.env.SEGUGIO_REHEARSAL === '1' ? test : test.skip;
if (process.env.SEGUGIO_REHEARSAL !== '1')
  console.warn('rehearsal smoke skipped: set SEGUGIO_REHEARSAL=1 to run it (see docs/performance.md)');

rehearse(
  'the rehearsal cluster comes up from the build output, runs the end-to-end path and the benchmark, and stops',
  async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'dev/rehearse.ts'), '--smoke'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`rehearse --smoke exited with ${code}:\n${out.slice(-6000)}`);
    expect(out).toMatch(/2 workers \(prebuilt workflow bundle\) and 2 APIs .* up in production mode/);
    expect(out).toMatch(
      /end to end: created on API 1, reminder EMAIL reminder-1 .* PAID after [\d.]+ s, visible as PAID/,
    );
    expect(out).toContain('REHEARSAL OK');
    const file = /result: (\S+\.json)/.exec(out)?.[1];
    expect(file).toBeDefined();
    const result = JSON.parse(fs.readFileSync(path.join(root, file as string), 'utf8')) as {
      figures: Array<{ figure: string; segugio: number; raw: number | null }>;
    };
    const starts = result.figures.find((f) => f.figure.startsWith('starts/s'));
    expect(starts?.segugio).toBeGreaterThan(0);
    expect(starts?.raw).toBeGreaterThan(0);
    // Nothing is left running: the rehearsal's PostgreSQL and Temporal server are gone with it.
    expect(fs.existsSync(path.join(root, '.segugio/rehearse/pg/postmaster.pid'))).toBe(false);
  },
);
