/** One Temporal connection and client per process, built at boot from the configuration. */
import { InterceptingCall, Metadata, status, type Interceptor } from '@grpc/grpc-js';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from './config';
import { dataConverterOf } from './payload-codec';

type TemporalSettings = Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS'> &
  Partial<Pick<Config, 'SEGUGIO_PAYLOAD_KEY' | 'SEGUGIO_PAYLOAD_KEY_ID'>>;

type InterceptingCallInterface = ConstructorParameters<typeof InterceptingCall>[0];

/** A call that ends at once with CANCELLED: what an attempt on a closed channel becomes. */
function closedCall(details: string): InterceptingCallInterface {
  return {
    start(_metadata, listener) {
      process.nextTick(() =>
        listener?.onReceiveStatus?.({ code: status.CANCELLED, details, metadata: new Metadata() }),
      );
    },
    cancelWithStatus() {},
    getPeer: () => '',
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    getAuthContext: () => null,
  };
}

/**
 * Inside the SDK's retry interceptor: each retry starts its attempt from a timer, and on a connection closed meanwhile
 * (a process shutting down, a test closing its client while a call still retries towards its deadline) creating it
 * threw "Channel has been shut down" from that timer, an uncaught exception, and the call never settled. Here that
 * attempt ends with CANCELLED instead, which the retry interceptor does not retry: the caller gets an error.
 */
export const closedChannelGuard: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (err) {
    if (!/Channel has been shut down/i.test(String((err as Error)?.message))) throw err;
    return new InterceptingCall(closedCall('the connection to Temporal was closed'));
  }
};

/** The SDK's default retry, then the guard above (the first interceptor of the list is the outermost). */
export const clientInterceptors = (): Interceptor[] => [
  makeGrpcRetryInterceptor(defaultGrpcRetryOptions()),
  closedChannelGuard,
];

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
  const connection = await Connection.connect({
    ...temporalConnectionOptions(config),
    interceptors: clientInterceptors(),
  });
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config) });
}
