/** Worker process: one connection, the workflow bundle, the activities built once from real dependencies. */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { loadConfig } from '../infra/config';
import { createDb, dbTimeoutsOf } from '../infra/db';
import { createLogger } from '../infra/logger';
import { pecSettings } from '../activities/channels/providers/pec';
import { ensurePecReceiptsSchedule } from '../contexts/notices/schedule';
import { ensureIntakeRepairSchedule, INTAKE_REPAIR_SCHEDULE_ID } from '../contexts/intake/schedule';
import { ensureNightlySchedules } from '../contexts/reports/schedules';
import { ensureNotificationSchedules } from '../contexts/notifications/schedule';
import { connectTemporal, temporalConnectionOptions } from '../infra/temporal';
import { installRuntime } from './runtime';
import { capacityOptions, workflowCode } from './options';
import { dataConverterOf } from '../infra/payload-codec';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'segugio-worker');
  installRuntime(config, log);
  const code = workflowCode(config);
  const db = createDb(
    config.DATABASE_URL,
    config.DATABASE_POOL_SIZE,
    dbTimeoutsOf(config, config.DATABASE_WORKER_STATEMENT_TIMEOUT_MS),
  );
  const temporal = await connectTemporal(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...code,
    ...capacityOptions(config),
    dataConverter: dataConverterOf(config),
    activities: createActivities({ db, config, log, temporal }),
    shutdownGraceTime: '10s',
  });
  if (config.SEGUGIO_SCHEDULES) {
    // Idempotent: creates the nightly-ratings and monthly-snapshot Schedules, or updates them to this release.
    const schedules = await ensureNightlySchedules(temporal, config.TEMPORAL_TASK_QUEUE, config.SEGUGIO_TZ);
    log.info({ schedules }, 'report schedules ensured');
    // Also without a PEC mailbox: the same run passes on raccomandata receipts a failed signal left behind.
    const pec = await ensurePecReceiptsSchedule(temporal, config.TEMPORAL_TASK_QUEUE, config.PEC_RECEIPTS_EVERY);
    log.info({ schedule: pec, pecMailbox: Boolean(pecSettings(config)) }, 'PEC receipts schedule ensured');
    const repair = await ensureIntakeRepairSchedule(temporal, config.TEMPORAL_TASK_QUEUE, {
      everySeconds: config.INTAKE_REPAIR_EVERY_SECONDS,
      graceSeconds: config.INTAKE_REPAIR_GRACE_SECONDS,
    });
    log.info({ schedule: INTAKE_REPAIR_SCHEDULE_ID, action: repair }, 'intake-repair schedule ensured');
    const notify = await ensureNotificationSchedules(temporal, config.TEMPORAL_TASK_QUEUE, {
      everySeconds: config.NOTIFY_EVERY_SECONDS,
      timeZone: config.SEGUGIO_TZ,
    });
    log.info({ schedules: notify }, 'notification schedules ensured');
  }
  log.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      address: config.TEMPORAL_ADDRESS,
      workflowCode: 'workflowBundle' in code ? code.workflowBundle.codePath : 'sources',
      ...capacityOptions(config),
    },
    'worker started',
  );
  // Worker.run() handles SIGINT/SIGTERM itself: it stops polling and lets running activities finish.
  await worker.run();
  await Promise.allSettled([db.$disconnect(), connection.close(), temporal.connection.close()]);
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  console.error(`segugio worker: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
