/**
 * The activity factory: wired once by the worker with real dependencies. Workflow tests pass fakes of the same
 * shape (SegugioActivities).
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { Logger } from '../infra/logger';
import { createContactActivities } from './channels';
import { createPecReceiptActivities } from './channels/pec-receipts';
import { createErpActivities } from './erp';
import { createImportActivities } from './import';
import { createIntakeActivities } from './intake';
import { createNotificationActivities } from './notifications';
import { createPersistenceActivities } from './persistence';
import { createPolicyActivities } from './policies';
import { createReportActivities } from './reports';
import { createTemporalSignalActivities } from './temporal-signals';
import type { SegugioActivities } from './types';

export interface ActivityDeps {
  db: Db;
  config: Config;
  log: Logger;
  temporal: Client;
}

export function createActivities(deps: ActivityDeps): SegugioActivities {
  return {
    ...createPersistenceActivities(deps),
    ...createContactActivities(deps),
    ...createErpActivities(deps),
    ...createPecReceiptActivities(deps),
    ...createReportActivities(deps),
    ...createTemporalSignalActivities(deps.temporal),
    ...createIntakeActivities(deps),
    ...createImportActivities(deps),
    ...createPolicyActivities(deps),
    ...createNotificationActivities(deps),
  };
}
