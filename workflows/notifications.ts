/**
 * The notification runs, started by the Temporal Schedules of contexts/notifications/schedule.ts: plan (an activity
 * scans the PostgreSQL mirror and inserts each notification once, under its unique key) then deliver each planned id
 * (an activity per notification, idempotent on its row). History holds ids only, never names or addresses.
 *
 * A worker restart mid-run: Temporal re-runs only the activities that had not completed, and each one finds its row
 * SENT/QUEUED if it had sent; the next run picks up anything still PENDING. Nothing is skipped, nothing repeated.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { NotificationActivities } from '../activities/notifications';

const plan = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

const send = proxyActivities<NotificationActivities>({
  // One e-mail: the SendGrid SDK's own timeout is 20 s.
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', maximumAttempts: 5 },
});

/** Notifications sent together; the rest wait for the previous batch (a burst does not flood the provider). */
const BATCH = 10;

async function deliverAll(ids: string[]): Promise<{ delivered: number; failed: number }> {
  let delivered = 0;
  let failed = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const results = await Promise.allSettled(ids.slice(i, i + BATCH).map((id) => send.deliverNotification({ id })));
    for (const r of results) {
      if (r.status === 'fulfilled') delivered++;
      // The row stays PENDING: the next run tries again. One bad notification does not hold up the others.
      else failed++;
    }
  }
  if (failed) log.warn('notifications left pending for the next run', { failed });
  return { delivered, failed };
}

/** Every NOTIFY_EVERY_SECONDS: the salespeople's and credit managers' notifications due now. */
export async function notificationsWorkflow(): Promise<{ inserted: number; delivered: number; failed: number }> {
  const planned = await plan.planNotifications({ asOf: new Date(Date.now()).toISOString() });
  const r = await deliverAll(planned.pending);
  if (planned.inserted || r.delivered) log.info('notifications run', { inserted: planned.inserted, ...r });
  return { inserted: planned.inserted, ...r };
}

/** Hourly: the collectors' daily digests whose hour has come (each collector once a day). */
export async function collectorDigestWorkflow(): Promise<{ inserted: number; delivered: number; failed: number }> {
  const planned = await plan.planDigests({ asOf: new Date(Date.now()).toISOString() });
  const r = await deliverAll(planned.pending);
  if (planned.inserted || r.delivered) log.info('digest run', { inserted: planned.inserted, ...r });
  return { inserted: planned.inserted, ...r };
}
