/** API process: validated config, one Prisma client, one Temporal client, graceful shutdown. */
import { createApp } from './app';
import { extraHolidays, loadConfig } from '../infra/config';
import { createDb, dbTimeoutsOf } from '../infra/db';
import { createLogger } from '../infra/logger';
import { connectTemporal } from '../infra/temporal';
import { assertKeysAllowed } from '../contexts/access/dev-keys';
import { startErpCsvInbox } from '../contexts/erp/inbox';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, 'segugio-api');
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE, dbTimeoutsOf(config));
  await assertKeysAllowed(db, config.SEGUGIO_MODE);
  const temporal = await connectTemporal(config);
  const app = createApp({ db, temporal, config, log });
  // An ERP that cannot call the API drops payments and open items as CSV files; the API applies them itself.
  const stopInbox = config.ERP_CSV_DIR
    ? startErpCsvInbox(
        {
          db,
          temporal,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          timeZone: config.SEGUGIO_TZ,
          extraHolidays: extraHolidays(config),
          log,
        },
        { dir: config.ERP_CSV_DIR },
      )
    : async (): Promise<void> => undefined;
  const server = app.listen(config.PORT, config.HOST, () => {
    log.info({ host: config.HOST, port: config.PORT }, 'API listening');
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    log.fatal(
      err.code === 'EADDRINUSE' ? `port ${config.PORT} is already in use: set PORT to another port` : String(err),
    );
    process.exit(1);
  });
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    // No new file is picked up from now on; the one being applied finishes before the connections close.
    const inboxStopped = stopInbox().catch((err: unknown) =>
      log.error({ err: String(err) }, 'ERP CSV inbox did not stop cleanly'),
    );
    server.close(() => {
      void inboxStopped
        .then(() => Promise.allSettled([db.$disconnect(), temporal.connection.close()]))
        .then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`segugio api: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
