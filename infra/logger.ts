/**
 * Structured JSON logs (pino). Personal data (names, e-mail addresses, phone numbers) is never logged. Fields of
 * the current unit of work (an HTTP request's id, an activity's workflow id) ride along on every line through an
 * AsyncLocalStorage, so a log line written deep in a service still names the request that caused it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

const context = new AsyncLocalStorage<Record<string, string>>();

/** Runs `fn` with `fields` added to every log line written inside it (and in its async continuations). */
export function withLogContext<T>(fields: Record<string, string>, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

/** A process's logger; `destination` (default standard output) lets tests read the lines. */
export function createLogger(level: string, name: string, destination?: pino.DestinationStream): pino.Logger {
  const options: pino.LoggerOptions = {
    level,
    name,
    base: { service: name },
    mixin: () => context.getStore() ?? {},
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
  };
  return destination ? pino(options, destination) : pino(options);
}
export type Logger = pino.Logger;
