/**
 * The HTTP end of the one JSON error shape (`contexts/errors.ts` defines the shape and the error classes the
 * contexts throw): the 404 for an unknown route and the error middleware that turns every thrown error into it.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { badRequest, HttpError, isUnavailable, unavailable, zodFields } from '../contexts/errors';
import type { Logger } from '../infra/logger';

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let http: HttpError;
    if (err instanceof HttpError) http = err;
    else if (err instanceof ZodError) http = badRequest('request is not valid', zodFields(err));
    else if ((err as { type?: string }).type === 'entity.parse.failed')
      http = new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON', [
        { path: '(body)', message: 'malformed JSON', code: 'invalid_format', params: { format: 'json' } },
      ]);
    else if ((err as { type?: string }).type === 'entity.too.deep')
      http = new HttpError(400, 'MALFORMED_JSON', (err as Error).message, [
        { path: '(body)', message: (err as Error).message },
      ]);
    else if ((err as { type?: string }).type === 'entity.too.large')
      http = new HttpError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
    else if (
      (err as { type?: string }).type === 'encoding.unsupported' ||
      (err as { type?: string }).type === 'charset.unsupported'
    )
      http = new HttpError(415, 'UNSUPPORTED_ENCODING', 'unsupported request encoding');
    else if (typeof (err as { status?: unknown }).status === 'number' && (err as { status: number }).status < 500)
      http = new HttpError((err as { status: number }).status, 'BAD_REQUEST', 'request could not be read');
    else if (isUnavailable(err))
      http = unavailable('a backing service (Temporal or PostgreSQL) is unreachable; retry later');
    else {
      log.error({ err, method: req.method, path: req.path }, 'unhandled error');
      http = new HttpError(500, 'INTERNAL', 'internal error');
    }
    if (http.status >= 500 && http.status !== 503) res.setHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(http.headers ?? {})) res.setHeader(k, v);
    res.status(http.status).json({
      error: {
        code: http.code,
        message: http.message,
        ...(http.reason ? { reason: http.reason.code, params: http.reason.params ?? {} } : {}),
        ...(http.fields ? { fields: http.fields.map((f) => ({ ...f, code: f.code ?? 'invalid' })) } : {}),
      },
    });
  };
}
