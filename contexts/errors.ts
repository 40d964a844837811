/**
 * One JSON error shape everywhere: `{ "error": { "code", "message", "fields"?: [{ "path", "message" }] } }`.
 * Bad input is a 4xx naming the field; unexpected failures are a 500 without internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../infra/logger';

export interface FieldProblem {
  path: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, fields?: FieldProblem[]) =>
  new HttpError(400, 'VALIDATION_FAILED', message, fields);
export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'CONFLICT', message);
export const rejected = (message: string) => new HttpError(422, 'DECISION_REJECTED', message);
export const unavailable = (message: string) =>
  new HttpError(503, 'UNAVAILABLE', message, undefined, { 'Retry-After': '5' });

export function zodFields(err: ZodError, prefix = ''): FieldProblem[] {
  const at = (path: PropertyKey[]): string => [prefix, ...path.map(String)].filter(Boolean).join('.') || '(body)';
  return err.issues.flatMap((i) =>
    // An unknown field is named by its own path, so a typo is as easy to find as a wrong value.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: at([...i.path, k]), message: 'is not a known field' }))
      : [{ path: at(i.path), message: i.message }],
  );
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/** True for errors that mean Temporal or PostgreSQL cannot be reached right now. */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; name?: string; message?: string } | null;
  if (!e) return false;
  const msg = String(e.message ?? '');
  return (
    e.name === 'ServiceError' ||
    e.code === 'ECONNREFUSED' ||
    e.code === 14 || // gRPC UNAVAILABLE
    /ECONNREFUSED|UNAVAILABLE|Can't reach database|Connection terminated|connect ETIMEDOUT/i.test(msg)
  );
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let http: HttpError;
    if (err instanceof HttpError) http = err;
    else if (err instanceof ZodError) http = badRequest('request is not valid', zodFields(err));
    else if ((err as { type?: string }).type === 'entity.parse.failed')
      http = new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON', [
        { path: '(body)', message: 'malformed JSON' },
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
      error: { code: http.code, message: http.message, ...(http.fields ? { fields: http.fields } : {}) },
    });
  };
}

/** Parses `schema` against `value`, throwing a 400 that names the fields. */
export function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  prefix = '',
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest('request is not valid', zodFields(r.error, prefix));
  return r.data;
}
