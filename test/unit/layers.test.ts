/**
 * The dependency direction between folders (dev/eslint/layers.mjs) refuses wrong imports: each case lints one
 * snippet as if it stood at a path, through the same rule `npm test` runs on the tree.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const probe = (file: string, code: string): string[] =>
  JSON.parse(
    execFileSync('node', [path.join(root, 'dev/eslint/probe.mjs'), file, code], { cwd: root, encoding: 'utf8' }),
  );

describe('folder layers', () => {
  it('keeps workflow code on its allow-list', () => {
    const messages = probe(
      'workflows/invoice/state.ts',
      [
        "import { proxyActivities } from '@temporalio/workflow';",
        "import type { InvoiceActivities } from '../../activities/types';",
        "import { addDuration } from '../../domain/duration';",
        "import { STAGES } from '../contract';",
        "import fs from 'node:fs';",
        "import { Client } from '@temporalio/client';",
        "import { createActivities } from '../../activities';",
        "import { loadConfig } from '../../infra/config';",
        "import { x } from '../../contexts/intake/invoices';",
      ].join('\n'),
    );
    expect(messages).toEqual([
      expect.stringContaining('node:fs'),
      expect.stringContaining('@temporalio/client'),
      expect.stringMatching(/activities\/.*types only/),
      expect.stringMatching(/infra\/.*against the dependency direction/),
      expect.stringMatching(/contexts\/.*against the dependency direction/),
    ]);
  });

  it('keeps the domain pure and the contract at the bottom', () => {
    expect(probe('domain/x.ts', "import { z } from 'zod';\nimport { STAGES } from '../workflows/contract';")).toEqual(
      [],
    );
    expect(probe('domain/x.ts', "import pino from 'pino';\nimport { run } from '../workflows/invoice';")).toHaveLength(
      2,
    );
    expect(probe('workflows/contract.ts', "import { parseDuration } from '../domain/duration';")).toHaveLength(1);
  });

  it('lets application services use infra and other contexts, never HTTP, activities or the worker', () => {
    const ok = probe(
      'contexts/intake/invoices.ts',
      [
        "import type { Request } from 'express';",
        "import type { Db } from '../../infra/db';",
        "import { routeFor } from '../policies/routing';",
        "import type { ImportWorkflowInput } from '../../workflows/import';",
      ].join('\n'),
    );
    expect(ok).toEqual([]);
    const bad = probe(
      'contexts/intake/invoices.ts',
      [
        "import express from 'express';",
        "import { buildApp } from '../../api/app';",
        "import { createActivities } from '../../activities';",
        "import { importWorkflow } from '../../workflows/import';",
        "import { startEmbeddedPg } from '../../dev/embedded-pg';",
      ].join('\n'),
    );
    expect(bad).toHaveLength(5);
  });

  it('keeps the API off activities and the worker, and infra below the contexts', () => {
    expect(probe('api/routes/x.ts', "import { createActivities } from '../../activities';")).toHaveLength(1);
    expect(probe('api/routes/x.ts', "import { Worker } from '@temporalio/worker';")).toHaveLength(1);
    expect(probe('infra/x.ts', "import { audit } from '../contexts/access/audit';")).toHaveLength(1);
    expect(probe('activities/x.ts', "import { buildApp } from '../api/app';")).toHaveLength(1);
    expect(probe('worker/main.ts', "import { buildApp } from '../api/app';")).toHaveLength(1);
  });

  it('leaves dev tooling, scripts and tests free', () => {
    expect(
      probe('dev/x.ts', "import { buildApp } from '../api/app';\nimport { Worker } from '@temporalio/worker';"),
    ).toEqual([]);
    expect(probe('test/unit/x.test.ts', "import { createActivities } from '../../activities';")).toEqual([]);
  });
});
