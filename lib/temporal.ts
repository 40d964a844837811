/** One Temporal connection and client per process, built at boot from the configuration. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

export async function connectTemporal(
  config: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS'>,
): Promise<Client> {
  const connection = await Connection.connect({
    address: config.TEMPORAL_ADDRESS,
    tls: config.TEMPORAL_TLS || Boolean(config.TEMPORAL_API_KEY) ? {} : undefined,
    apiKey: config.TEMPORAL_API_KEY,
  });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}
