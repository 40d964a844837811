/** Structured JSON logs (pino). Personal data (names, e-mail addresses, phone numbers) is never logged. */
import pino from 'pino';

export function createLogger(level: string, name: string): pino.Logger {
  return pino({
    level,
    name,
    base: { service: name },
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
  });
}
export type Logger = pino.Logger;
