/**
 * The bulk actions' pure parts: how one promise's total is split over several invoices (oldest due date first, each
 * up to its balance — the worked example of docs/api.md), and the export's stage words, which must be the console's
 * own (web/messages.js `code.<stage>`) so a person reads the same word in the list and in the file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { allocatePromise } from '../../../contexts/collections/bulk';
import { STAGE_NAMES } from '../../../contexts/stage-names';
import { LANGUAGES, STAGES } from '../../../workflows/contract';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const invoices = [
  { id: 'newest', externalNumber: 'FT-3', dueDate: day('2026-11-26'), balanceMinor: 300_000 },
  { id: 'oldest', externalNumber: 'FT-1', dueDate: day('2026-10-22'), balanceMinor: 200_000 },
  { id: 'middle', externalNumber: 'FT-2', dueDate: day('2026-11-11'), balanceMinor: 250_000 },
];

describe('one promise over several invoices', () => {
  it('splits the total oldest due date first, each up to its balance (docs/api.md worked example)', () => {
    expect(Object.fromEntries(allocatePromise(invoices, 600_000))).toEqual({
      oldest: 200_000,
      middle: 250_000,
      newest: 150_000,
    });
    // 4,000.00 EUR leaves the newest with nothing: the service refuses that (promise_short).
    expect(allocatePromise(invoices, 400_000).get('newest')).toBe(0);
    // The whole balance, exactly.
    expect([...allocatePromise(invoices, 750_000).values()].reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(750_000);
  });

  it('without a total, promises each invoice in full (no amount: the workflow takes the balance)', () => {
    expect([...allocatePromise(invoices, undefined).values()]).toEqual([undefined, undefined, undefined]);
  });

  it('breaks ties of the due date by invoice number', () => {
    const same = [
      { id: 'b', externalNumber: 'FT-B', dueDate: day('2026-10-01'), balanceMinor: 100 },
      { id: 'a', externalNumber: 'FT-A', dueDate: day('2026-10-01'), balanceMinor: 100 },
    ];
    expect(Object.fromEntries(allocatePromise(same, 150))).toEqual({ a: 100, b: 50 });
  });
});

describe('the export speaks the console’s words', () => {
  it('names every stage as the console catalogue does, in it, en and fr', () => {
    const web = path.resolve(__dirname, '../../../web');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-bulk-'));
    try {
      fs.copyFileSync(path.join(web, 'messages.js'), path.join(dir, 'messages.js'));
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
      const script = `import { MESSAGES } from ${JSON.stringify(pathToFileURL(path.join(dir, 'messages.js')).href)};
        process.stdout.write(JSON.stringify(MESSAGES));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: dir });
      if (r.status !== 0) throw new Error(r.stderr);
      const messages = JSON.parse(r.stdout) as Record<string, Record<string, string>>;
      for (const lang of LANGUAGES)
        for (const stage of STAGES)
          expect([lang, stage, STAGE_NAMES[lang][stage]]).toEqual([lang, stage, messages[lang][`code.${stage}`]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
