/**
 * The policy rollout as a workflow (the real dev server — a worker's death is noticed by the page's heartbeat
 * timeout, in real time — with activities faked at the boundary): it walks every page of every segment that follows
 * the key, reroutes once at the end, and a worker that dies in the middle of a page leaves nothing out: the next
 * worker retries that page and goes on.
 */
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { PolicyActivities } from '../../activities/policies';
import type { DunningPolicy, PolicyRolloutProgress } from '../../workflows/contract';
import { policyRolloutWorkflowId } from '../../workflows/contract';
import { devServerEnv } from './env';

jest.setTimeout(150_000);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, bundle] = await Promise.all([
    devServerEnv(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') }),
  ]);
});
afterAll(async () => env?.teardown());

const policy = (version: number): DunningPolicy => ({
  segment: 'standard',
  version,
  name: `v${version}`,
  steps: [],
  settings: { timezone: 'Europe/Rome' } as DunningPolicy['settings'],
});

/** Fake activities: pages of three per segment ("<segment>:<n>" tokens), every call recorded. */
function fakes(onPage?: (segment: string, token: string | null) => Promise<void>) {
  const calls: string[] = [];
  const acts: PolicyActivities = {
    async rolloutSegments({ policyKey }) {
      calls.push(`segments ${policyKey}`);
      return [policyKey, 'utilities'];
    },
    async notifyPolicyPage({ segment, pageToken }) {
      calls.push(`page ${segment} ${pageToken ?? 'first'}`);
      await onPage?.(segment, pageToken);
      const n = pageToken ? Number(pageToken.split(':')[1]) : 0;
      return { notified: 10 + n, nextPageToken: n < 2 ? `${segment}:${n + 1}` : null };
    },
    async rerouteForPolicy({ previous, policy: p }) {
      calls.push(`reroute ${previous?.version ?? 'none'}→${p.version}`);
      return { customers: 1, invoices: 2, signalled: 2 };
    },
  };
  return { calls, acts };
}

const worker = (taskQueue: string, activities: PolicyActivities) =>
  Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    shutdownGraceTime: '1s',
  });

test('tells every page of every segment that follows the key, then reroutes once', async () => {
  const { calls, acts } = fakes();
  const w = await worker('rollout-1', acts);
  const result = await w.runUntil(
    env.client.workflow.execute('policyRolloutWorkflow', {
      taskQueue: 'rollout-1',
      workflowId: policyRolloutWorkflowId('standard-1'),
      args: [{ policy: policy(4), previous: policy(3) }],
    }) as Promise<PolicyRolloutProgress>,
  );
  expect(result).toMatchObject({
    status: 'DONE',
    version: 4,
    previousVersion: 3,
    segments: ['standard', 'utilities'],
    pages: 6,
    notified: 2 * (10 + 11 + 12),
    rerouted: { customers: 1, invoices: 2, signalled: 2 },
  });
  expect(calls).toEqual([
    'segments standard',
    'page standard first',
    'page standard standard:1',
    'page standard standard:2',
    'page utilities first',
    'page utilities utilities:1',
    'page utilities utilities:2',
    'reroute 3→4',
  ]);
});

test('a worker dying in the middle of a page: the next worker retries that page and finishes', async () => {
  let inFlight: () => void = () => undefined;
  const reached = new Promise<void>((r) => (inFlight = r));
  // The first worker hangs on the second page (until it is shut down under it: a crash as far as Temporal knows).
  const first = fakes(async (segment, token) => {
    if (segment === 'standard' && token === 'standard:1') {
      inFlight();
      await new Promise((_r, reject) => Context.current().cancelled.catch(reject));
    }
  });
  const w1 = await worker('rollout-2', first.acts);
  const running = w1.run();
  const handle = await env.client.workflow.start('policyRolloutWorkflow', {
    taskQueue: 'rollout-2',
    workflowId: policyRolloutWorkflowId('standard-2'),
    args: [{ policy: policy(2), previous: null }],
  });
  await reached;
  w1.shutdown();
  await running;

  const second = fakes();
  const w2 = await worker('rollout-2', second.acts);
  const result = (await w2.runUntil(handle.result())) as PolicyRolloutProgress;
  expect(first.calls).toEqual(['segments standard', 'page standard first', 'page standard standard:1']);
  // The second worker starts at the page the first never finished: nothing before it again, nothing after it lost.
  expect(second.calls).toEqual([
    'page standard standard:1',
    'page standard standard:2',
    'page utilities first',
    'page utilities utilities:1',
    'page utilities utilities:2',
    'reroute none→2',
  ]);
  expect(result).toMatchObject({ status: 'DONE', pages: 6, notified: 2 * (10 + 11 + 12) });
});
