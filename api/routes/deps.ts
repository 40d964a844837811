/** What every route module receives: the process's one Prisma client and one Temporal client, and settings. */
import type { Client } from '@temporalio/client';
import type { Db } from '../../infra/db';
import type { ApiMetrics } from '../metrics';

export interface RouteDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  timeZone: string;
  dataDir: string;
  metrics: ApiMetrics;
  importChunkSize?: number;
}
