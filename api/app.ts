/** The express application: middleware, routes, errors. Built once per process with its dependencies. */
import crypto from 'node:crypto';
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../lib/config';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import { authenticate } from './auth';
import { errorHandler, notFoundHandler } from './errors';
import { invoiceRouter } from './routes/invoices';

export interface AppDeps {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'SEGUGIO_TZ' | 'SEGUGIO_MODE'>;
  log: Logger;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((req, res, next) => {
    req.requestId = req.header('x-request-id') ?? crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  });

  /** Liveness and reachability of the database and Temporal. */
  app.get('/health', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>): Promise<'ok' | 'unreachable'> => {
      try {
        await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000))]);
        return 'ok';
      } catch {
        return 'unreachable';
      }
    };
    const [database, temporal] = await Promise.all([
      check(() => deps.db.$queryRaw`SELECT 1`),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const ok = database === 'ok' && temporal === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', api: 'ok', database, temporal });
  });

  app.use(express.json({ limit: '1mb', strict: true }));
  app.use('/v1', authenticate(deps.db));
  const invoiceDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    timeZone: deps.config.SEGUGIO_TZ,
  };
  app.use(invoiceRouter(invoiceDeps));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
