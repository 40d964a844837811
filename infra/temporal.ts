/** One Temporal connection and client per process, built at boot from the configuration. */
import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';
import { dataConverterOf } from './payload-codec';

type TemporalSettings = Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS'> &
  Partial<Pick<Config, 'SEGUGIO_PAYLOAD_KEY' | 'SEGUGIO_PAYLOAD_KEY_ID'>>;

/** Address, TLS and API key for both the client's and the worker's connection (an API key implies TLS). */
export function temporalConnectionOptions(config: TemporalSettings): {
  address: string;
  tls: object | undefined;
  apiKey: string | undefined;
} {
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: config.TEMPORAL_TLS || Boolean(config.TEMPORAL_API_KEY) ? {} : undefined,
    apiKey: config.TEMPORAL_API_KEY,
  };
}

export async function connectTemporal(config: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config) });
}
