/**
 * The notification runs on the time-skipping server, activities faked at the boundary (the fake delivery keeps a
 * "provider" log keyed like the real one): every planned notification delivered exactly once — a delivery that fails
 * after the provider accepted it is retried without a second send — a failing notification does not hold up the
 * others, and the next run delivers only what is still pending. The worker restart between runs is shown on the real
 * stack (test/integration/notifications.test.ts).
 */
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NotificationActivities } from '../../activities/notifications';
import { timeSkippingEnv } from './env';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let n = 0;

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    timeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows') }),
  ]);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** A fake of the notification activities: PENDING rows, a provider that records what it sent. */
class FakeNotifications {
  pending: string[] = [];
  sent: string[] = [];
  attempts: Record<string, number> = {};
  asOf: string[] = [];
  /** ids whose first attempt fails after the provider accepted (the row is still PENDING). */
  crashAfterSend = new Set<string>();
  /** ids that always fail. */
  broken = new Set<string>();

  build(): Pick<NotificationActivities, 'planNotifications' | 'planDigests' | 'deliverNotification'> {
    const plan = async (input: { asOf?: string } = {}) => {
      this.asOf.push(input.asOf ?? '');
      return { inserted: 0, pending: this.pending.slice() };
    };
    return {
      planNotifications: plan,
      planDigests: plan,
      deliverNotification: async ({ id }) => {
        this.attempts[id] = (this.attempts[id] ?? 0) + 1;
        if (this.broken.has(id)) throw new Error('provider down');
        // Like the real activity: a notification the provider already has is not sent again.
        if (!this.sent.includes(id)) this.sent.push(id);
        if (this.crashAfterSend.has(id) && this.attempts[id] === 1)
          throw new Error('crashed after the provider accepted');
        this.pending = this.pending.filter((p) => p !== id);
        return { status: 'SENT' };
      },
    };
  }
}

const queue = () => `notify-${process.pid}-${++n}`;
const worker = (taskQueue: string, fake: FakeNotifications) =>
  Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fake.build(),
    shutdownGraceTime: '100ms',
  });

test('each planned notification is delivered once; a failed delivery is retried, a broken one left for the next run', async () => {
  const fake = new FakeNotifications();
  fake.pending = ['n1', 'n2', 'n3', 'n4'];
  fake.crashAfterSend.add('n2');
  fake.broken.add('n4');
  const taskQueue = queue();
  const result = await (
    await worker(taskQueue, fake)
  ).runUntil(
    env.client.workflow.execute('notificationsWorkflow', { taskQueue, workflowId: `notify-run-${n}`, args: [] }),
  );
  expect(result).toEqual({ inserted: 0, delivered: 3, failed: 1 });
  expect(fake.sent.sort()).toEqual(['n1', 'n2', 'n3']);
  expect(fake.attempts).toEqual({ n1: 1, n2: 2, n3: 1, n4: 5 });
  // The workflow hands its own clock to the planner (the moment the run decides for).
  expect(Number.isNaN(Date.parse(fake.asOf[0]))).toBe(false);

  // The next run finds only what is still pending.
  fake.broken.clear();
  // A new worker: one that ran until a result has shut down.
  const again = await (
    await worker(taskQueue, fake)
  ).runUntil(
    env.client.workflow.execute('notificationsWorkflow', { taskQueue, workflowId: `notify-run-${n}-2`, args: [] }),
  );
  expect(again).toEqual({ inserted: 0, delivered: 1, failed: 0 });
  expect(fake.sent.sort()).toEqual(['n1', 'n2', 'n3', 'n4']);
}, 120_000);
