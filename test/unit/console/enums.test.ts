/**
 * The console shows the contract's lists (stages, channels, reasons, grades, aging buckets…) from the module the API
 * generates at /console/enums.js, never from copies: this test fails when a file under web/ holds an array literal
 * with three or more values of one of those lists, and checks that the served module is the contract's.
 */
import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { CONSOLE_ENUMS, createConsoleRouter } from '../../../api/console';
import type { Db } from '../../../infra/db';
import { AGING_BUCKETS } from '../../../contexts/reports/formulas';
import * as contract from '../../../workflows/contract';

const WEB = path.resolve(__dirname, '../../../web');

function jsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? jsFiles(path.join(dir, d.name)) : d.name.endsWith('.js') ? [path.join(dir, d.name)] : [],
    );
}

/** Each array literal's string elements (nested brackets are read as their own arrays). */
function arrayLiterals(source: string): string[][] {
  const out: string[][] = [];
  for (const m of source.matchAll(/\[([^[\]]*)\]/g)) {
    const strings = [...m[1].matchAll(/'([^'\\]*)'|"([^"\\]*)"/g)].map((s) => s[1] ?? s[2]);
    if (strings.length) out.push(strings);
  }
  return out;
}

describe('enums in the console come from the contract', () => {
  const lists: Record<string, readonly string[]> = {
    STAGES: contract.STAGES,
    POLICY_STAGES: contract.POLICY_STAGES,
    CHANNELS: contract.CHANNELS,
    GRADES: contract.GRADES,
    DISPUTE_REASONS: contract.DISPUTE_REASONS,
    DISPUTE_RESOLUTIONS: contract.DISPUTE_RESOLUTIONS,
    CALL_OUTCOMES: contract.CALL_OUTCOMES,
    NON_PAYMENT_REASONS: contract.NON_PAYMENT_REASONS,
    LEGAL_STEPS: contract.LEGAL_STEPS,
    AGING_BUCKETS,
  };

  it('no file under web/ keeps a hand-copied list', () => {
    const copies: string[] = [];
    for (const file of jsFiles(WEB)) {
      for (const arr of arrayLiterals(fs.readFileSync(file, 'utf8'))) {
        for (const [name, list] of Object.entries(lists)) {
          const shared = arr.filter((v) => list.includes(v));
          if (new Set(shared).size >= 3) copies.push(`${path.relative(WEB, file)}: [${arr.join(', ')}] copies ${name}`);
        }
      }
    }
    expect(copies).toEqual([]);
  });

  it('the detector finds a copy (so the test above can fail)', () => {
    const found = arrayLiterals("const X = ['EMAIL', 'SMS', 'LETTER'];").filter(
      (arr) => arr.filter((v) => (contract.CHANNELS as readonly string[]).includes(v)).length >= 3,
    );
    expect(found).toHaveLength(1);
  });

  it('the API serves the contract lists as the ES module web/ imports', async () => {
    const app = express().use(createConsoleRouter({ db: {} as Db }));
    const res = await request(app).get('/console/enums.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    const json = /Object\.freeze\((.*)\);/.exec(res.text)?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual(JSON.parse(JSON.stringify(CONSOLE_ENUMS)));
    expect(CONSOLE_ENUMS.activeStages).toEqual(contract.ACTIVE_STAGES);
    expect(CONSOLE_ENUMS.agingBuckets).toEqual(AGING_BUCKETS);
    // The one message-format library comes from node_modules, as a single ES module (no CDN).
    const lib = await request(app).get('/console/vendor/intl-messageformat.js');
    expect(lib.status).toBe(200);
    expect(lib.text).toContain('export {');
  });
});
