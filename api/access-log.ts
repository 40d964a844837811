/**
 * The access log: one line per request (pino-http) with the request id, method, path, status, duration and the
 * caller's key id and role. Query strings and bodies are left out: searches and notes can hold personal data; so are
 * the tokens of portal links.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../infra/logger';

const QUIET = new Set(['/health', '/metrics']);
/**
 * The path as logged: without the query string, and with a debtor's portal token (`/p/<token>`, api/portal.ts)
 * replaced, since the token opens that customer's page.
 */
export const loggedPath = (url: string | undefined): string =>
  (url ?? '').split('?')[0].replace(/^\/p\/[^/]*/, '/p/[token]');
const pathOf = loggedPath;

export function accessLog(log: Logger): RequestHandler {
  return pinoHttp({
    logger: log,
    genReqId: (req: IncomingMessage) => (req as Request).requestId ?? '',
    autoLogging: { ignore: (req: IncomingMessage) => QUIET.has(pathOf(req.url)) },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    customProps: (req: IncomingMessage) => {
      const p = (req as Request).principal;
      return p ? { keyId: p.keyId, role: p.role } : {};
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ method: req.method, path: pathOf(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // The mixin of infra/logger already adds the request id to every line.
    quietReqLogger: true,
  }) as unknown as RequestHandler;
}
