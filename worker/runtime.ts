/**
 * The Temporal SDK's runtime for the worker process: its own logs (worker lifecycle, the Rust core's warnings)
 * go into the worker's pino logger, and its metrics (task latencies, slots, sticky-cache hits, schedule-to-start)
 * are served for Prometheus when WORKER_METRICS_ADDRESS is set. Installed once, before any connection exists.
 */
import { DefaultLogger, makeTelemetryFilterString, Runtime, type LogLevel } from '@temporalio/worker';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function installRuntime(config: Config, log: Logger): void {
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      const { sdkComponent, ...meta } = (entry.meta ?? {}) as Record<string, unknown>;
      sdkLog[PINO_LEVEL[entry.level]]({ sdkComponent, ...meta }, entry.message);
    }),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(config.WORKER_METRICS_ADDRESS
        ? { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS } } }
        : {}),
    },
  });
}
