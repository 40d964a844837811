/**
 * The dependency direction between folders (dev/eslint/layers.mjs) refuses wrong imports: each case lints one
 * snippet as if it stood at a path, through the same rule `npm test` runs on the tree (one ESLint process for all).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const lines = (...l: string[]): string => l.join('\n');

const CASES = {
  workflowMixed: {
    file: 'workflows/invoice/state.ts',
    code: lines(
      "import { proxyActivities } from '@temporalio/workflow';",
      "import type { InvoiceActivities } from '../../activities/types';",
      "import { addDuration } from '../../domain/duration';",
      "import { STAGES } from '../contract';",
      "import fs from 'node:fs';",
      "import { Client } from '@temporalio/client';",
      "import { createActivities } from '../../activities';",
      "import { loadConfig } from '../../infra/config';",
      "import { x } from '../../contexts/intake/invoices';",
    ),
  },
  domainOk: { file: 'domain/x.ts', code: "import { z } from 'zod';\nimport { STAGES } from '../workflows/contract';" },
  domainBad: { file: 'domain/x.ts', code: "import pino from 'pino';\nimport { run } from '../workflows/invoice';" },
  contractBad: { file: 'workflows/contract.ts', code: "import { parseDuration } from '../domain/duration';" },
  contextOk: {
    file: 'contexts/intake/invoices.ts',
    code: lines(
      "import type { Request } from 'express';",
      "import type { Db } from '../../infra/db';",
      "import { routeFor } from '../policies/routing';",
      "import type { ImportWorkflowInput } from '../../workflows/import';",
    ),
  },
  contextBad: {
    file: 'contexts/intake/invoices.ts',
    code: lines(
      "import express from 'express';",
      "import { buildApp } from '../../api/app';",
      "import { createActivities } from '../../activities';",
      "import { importWorkflow } from '../../workflows/import';",
      "import { startEmbeddedPg } from '../../dev/embedded-pg';",
    ),
  },
  apiActivities: { file: 'api/routes/x.ts', code: "import { createActivities } from '../../activities';" },
  apiWorker: { file: 'api/routes/x.ts', code: "import { Worker } from '@temporalio/worker';" },
  infraContexts: { file: 'infra/x.ts', code: "import { audit } from '../contexts/access/audit';" },
  activitiesApi: { file: 'activities/x.ts', code: "import { buildApp } from '../api/app';" },
  workerApi: { file: 'worker/main.ts', code: "import { buildApp } from '../api/app';" },
  devFree: {
    file: 'dev/x.ts',
    code: "import { buildApp } from '../api/app';\nimport { Worker } from '@temporalio/worker';",
  },
  testFree: { file: 'test/unit/x.test.ts', code: "import { createActivities } from '../../activities';" },
};
type CaseName = keyof typeof CASES;

let messages: Record<CaseName, string[]>;
beforeAll(() => {
  const names = Object.keys(CASES) as CaseName[];
  const out = JSON.parse(
    execFileSync('node', [path.join(root, 'dev/eslint/probe.mjs'), JSON.stringify(names.map((n) => CASES[n]))], {
      cwd: root,
      encoding: 'utf8',
    }),
  ) as string[][];
  messages = Object.fromEntries(names.map((n, i) => [n, out[i]])) as Record<CaseName, string[]>;
}, 60_000);

describe('folder layers', () => {
  it('keeps workflow code on its allow-list', () => {
    expect(messages.workflowMixed).toEqual([
      expect.stringContaining('node:fs'),
      expect.stringContaining('@temporalio/client'),
      expect.stringMatching(/activities\/.*types only/),
      expect.stringMatching(/infra\/.*against the dependency direction/),
      expect.stringMatching(/contexts\/.*against the dependency direction/),
    ]);
  });

  it('keeps the domain pure and the contract at the bottom', () => {
    expect(messages.domainOk).toEqual([]);
    expect(messages.domainBad).toHaveLength(2);
    expect(messages.contractBad).toHaveLength(1);
  });

  it('lets application services use infra and other contexts, never HTTP, activities or the worker', () => {
    expect(messages.contextOk).toEqual([]);
    expect(messages.contextBad).toHaveLength(5);
  });

  it('keeps the API off activities and the worker, and infra below the contexts', () => {
    for (const name of ['apiActivities', 'apiWorker', 'infraContexts', 'activitiesApi', 'workerApi'] as const)
      expect(messages[name]).toHaveLength(1);
  });

  it('leaves dev tooling, scripts and tests free', () => {
    expect(messages.devFree).toEqual([]);
    expect(messages.testFree).toEqual([]);
  });
});
