/**
 * The worker's capacity and memory options, all from the validated configuration, and the workflow code it runs:
 * the prebuilt bundle when started from the build output (production), the sources when started from them (dev).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from '../infra/config';

/** Where `npm run build` writes the workflow bundle, relative to the compiled worker (dist/worker/). */
export const BUILT_BUNDLE = path.resolve(__dirname, '..', 'workflow-bundle.js');

type Capacity = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
>;

export function capacityOptions(config: Config): Capacity {
  return {
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: config.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    maxConcurrentWorkflowTaskPolls: config.WORKER_WORKFLOW_TASK_POLLERS,
    maxConcurrentActivityTaskPolls: config.WORKER_ACTIVITY_TASK_POLLERS,
  };
}

/**
 * The workflow code option. Compiled (this file is .js): the bundle named by SEGUGIO_WORKFLOW_BUNDLE or the one the
 * build wrote, never a bundle made at start (webpack at start costs seconds and memory, and is not what was tested);
 * missing means the process refuses to start, naming the variable. From the sources: bundled at start.
 */
export function workflowCode(
  config: Pick<Config, 'SEGUGIO_WORKFLOW_BUNDLE'>,
  compiled = __filename.endsWith('.js'),
): { workflowBundle: { codePath: string } } | { workflowsPath: string } {
  const bundle = config.SEGUGIO_WORKFLOW_BUNDLE
    ? path.resolve(config.SEGUGIO_WORKFLOW_BUNDLE)
    : compiled
      ? BUILT_BUNDLE
      : null;
  if (bundle) {
    if (!fs.existsSync(bundle)) {
      throw new Error(
        `the workflow bundle ${bundle} does not exist: run \`npm run build\` or set SEGUGIO_WORKFLOW_BUNDLE to the bundle`,
      );
    }
    return { workflowBundle: { codePath: bundle } };
  }
  return { workflowsPath: require.resolve('../workflows') };
}
