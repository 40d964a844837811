/** The worker's options come from the validated config; a built worker runs the prebuilt bundle or refuses to start. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../infra/config';
import { capacityOptions, workflowCode } from '../../worker/options';

const base = { DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db', SEGUGIO_MODE: 'test' };

test('cache, concurrency and pollers come from the configuration, with bounded defaults', () => {
  expect(capacityOptions(loadConfig(base))).toEqual({
    maxCachedWorkflows: 500,
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentActivityTaskExecutions: 100,
    maxConcurrentLocalActivityExecutions: 100,
    maxConcurrentWorkflowTaskPolls: 10,
    maxConcurrentActivityTaskPolls: 10,
  });
  const set = capacityOptions(
    loadConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: '50', WORKER_MAX_CONCURRENT_ACTIVITIES: '7' }),
  );
  expect([set.maxCachedWorkflows, set.maxConcurrentActivityTaskExecutions]).toEqual([50, 7]);
  expect(() => loadConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: 'many' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  expect(() => loadConfig({ ...base, WORKER_WORKFLOW_TASK_POLLERS: '1' })).toThrow(/WORKER_WORKFLOW_TASK_POLLERS/);
});

test('a worker started from the build runs the bundle; without one it refuses, naming the variable', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segugio-bundle-'));
  try {
    const bundle = path.join(dir, 'workflow-bundle.js');
    expect(() => workflowCode({ SEGUGIO_WORKFLOW_BUNDLE: bundle }, true)).toThrow(/SEGUGIO_WORKFLOW_BUNDLE/);
    fs.writeFileSync(bundle, '// bundle');
    expect(workflowCode({ SEGUGIO_WORKFLOW_BUNDLE: bundle }, true)).toEqual({ workflowBundle: { codePath: bundle } });
    // From the sources (tsx), with no bundle named: bundled at start.
    expect(workflowCode({}, false)).toEqual({ workflowsPath: expect.stringMatching(/workflows/) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
