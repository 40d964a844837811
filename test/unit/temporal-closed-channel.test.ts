/**
 * A call still retrying when its connection is closed (a process shutting down, a test closing its client) must end
 * quietly. The SDK's retry interceptor starts each next attempt from a timer; on a closed channel creating that
 * attempt threw "Channel has been shut down" from the timer, an uncaught exception that failed whatever ran next.
 * Real gRPC client against a loopback port where nothing listens (UNAVAILABLE, so the call retries).
 */
import { Connection } from '@temporalio/client';
import { clientInterceptors, temporalConnectionOptions } from '../../infra/temporal';

test('closing a connection under a retrying call ends the call without an uncaught "Channel has been shut down"', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    // The client's connection as infra/temporal.ts builds it (connectTemporal), to a port where nothing listens.
    const connection = Connection.lazy({
      ...temporalConnectionOptions({
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TLS: false,
      }),
      interceptors: clientInterceptors(),
    });
    const call = connection
      .withDeadline(Date.now() + 4000, () => connection.workflowService.getSystemInfo({}))
      .then(
        () => 'answered',
        (err: unknown) => `failed: ${String((err as Error).message)}`,
      );
    // Let the first attempts fail and a retry timer be pending, then close the connection under it.
    await new Promise((r) => setTimeout(r, 400));
    await connection.close();
    const outcome = await call;
    // Past the deadline: every retry timer the call had has fired by now.
    await new Promise((r) => setTimeout(r, 5000));
    expect(uncaught.map(String)).toEqual([]);
    expect(outcome).toMatch(/^failed: /);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}, 20_000);
