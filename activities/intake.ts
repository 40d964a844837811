/** The intake-repair activity: the outbox sweep of contexts/intake/repair.ts with the worker's clients. */
import type { Client } from '@temporalio/client';
import { repairIntake, type RepairInput } from '../contexts/intake/repair';
import { extraHolidays, type Config } from '../infra/config';
import type { Db } from '../infra/db';

export function createIntakeActivities(deps: { db: Db; temporal: Client; config: Config }) {
  const invoiceDeps = {
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    timeZone: deps.config.SEGUGIO_TZ,
    temporalTimeoutMs: deps.config.TEMPORAL_CALL_TIMEOUT_MS,
    extraHolidays: extraHolidays(deps.config),
  };
  return {
    /** Starts missing invoice workflows and delivers undelivered payments older than the grace period. */
    repairIntake: (input: RepairInput) => repairIntake(invoiceDeps, input),
  };
}
export type IntakeActivities = ReturnType<typeof createIntakeActivities>;
