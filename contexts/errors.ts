/**
 * One JSON error shape everywhere:
 * `{ "error": { "code", "message", "reason"?, "params"?, "fields"?: [{ "path", "message", "code", "params"? }] } }`.
 * Bad input is a 4xx naming the field; unexpected failures are a 500 without internals. `message` is English for
 * developers and logs; `code` (and a field's `code` + `params`, a rejected decision's `reason` + `params`) are
 * stable, so a client such as the web console can say the same thing in its user's language.
 */
import { ZodError } from 'zod';

/** Stable codes for a field's problem (docs/api.md lists them with their params). */
export type FieldCode =
  | 'required'
  | 'invalid_type'
  | 'too_small'
  | 'too_big'
  | 'invalid_date'
  | 'invalid_duration'
  | 'invalid_format'
  | 'invalid_value'
  | 'not_multiple_of'
  | 'unknown_field'
  | 'invalid';

export interface FieldProblem {
  path: string;
  message: string;
  /** Absent only on problems built by hand before codes existed; the error middleware fills in `invalid`. */
  code?: FieldCode | string;
  params?: Record<string, unknown>;
}

/** Values a rejected decision's reason carries (amounts in minor units, dates as ISO strings). */
export type ReasonParams = Record<string, string | number | boolean | null | Array<string | number>>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldProblem[],
    readonly headers?: Record<string, string>,
    /** For a rejected decision: the workflow's stable reason code and its parameters. */
    readonly reason?: { code: string; params?: ReasonParams },
  ) {
    super(message);
  }
}

export const badRequest = (message: string, fields?: FieldProblem[]) =>
  new HttpError(400, 'VALIDATION_FAILED', message, fields);
export const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'CONFLICT', message);
export const rejected = (message: string, reason?: { code: string; params?: ReasonParams }) =>
  new HttpError(422, 'DECISION_REJECTED', message, undefined, undefined, reason);
export const unavailable = (message: string) =>
  new HttpError(503, 'UNAVAILABLE', message, undefined, { 'Retry-After': '5' });

type Issue = ZodError['issues'][number];

const ISO_DATE_SOURCE = /^\d{4}-\d{2}-\d{2}$/.source;

/** The value at `path` inside `input`, to tell a missing field (`required`) from one of the wrong type. */
function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Only JSON-friendly values travel as params (a bigint bound becomes a number, a RegExp its source). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof RegExp) return v.source;
  return v;
}

/** A zod issue as a stable code and its parameters. */
function codeOf(i: Issue, input: unknown, hasInput: boolean): { code: string; params?: Record<string, unknown> } {
  const custom = (i as { params?: { code?: unknown } }).params;
  switch (i.code) {
    case 'invalid_type':
      if (hasInput && valueAt(input, i.path) === undefined) return { code: 'required' };
      return { code: 'invalid_type', params: { expected: i.expected } };
    case 'too_small':
      return { code: 'too_small', params: { minimum: plain(i.minimum), origin: i.origin, inclusive: i.inclusive } };
    case 'too_big':
      return { code: 'too_big', params: { maximum: plain(i.maximum), origin: i.origin, inclusive: i.inclusive } };
    case 'invalid_format': {
      // zod reports the pattern as a string: "/^…$/" (with the slashes); a RegExp gives its source.
      const raw = plain((i as { pattern?: unknown }).pattern);
      const pattern = typeof raw === 'string' ? raw.replace(/^\/(.*)\/[a-z]*$/, '$1') : raw;
      if (i.format === 'date' || pattern === ISO_DATE_SOURCE) return { code: 'invalid_date' };
      if (i.format === 'duration' || (typeof pattern === 'string' && pattern.startsWith('^-?P(')))
        return { code: 'invalid_duration' };
      return { code: 'invalid_format', params: { format: i.format } };
    }
    case 'invalid_value':
      return { code: 'invalid_value', params: { values: i.values.map(plain) } };
    case 'not_multiple_of':
      return { code: 'not_multiple_of', params: { divisor: plain(i.divisor) } };
    case 'custom':
      // A refinement may name its own code: `.refine(fn, { message, params: { code: 'invalid_date', … } })`.
      if (custom && typeof custom.code === 'string') {
        const { code, ...rest } = custom as Record<string, unknown>;
        return { code: code as string, ...(Object.keys(rest).length ? { params: rest } : {}) };
      }
      return { code: 'invalid' };
    default:
      return { code: 'invalid' };
  }
}

/**
 * Zod issues as field problems: the path, the English message, and a stable code with its parameters. Pass the
 * parsed `input` so a missing field is told apart (`required`) from one of the wrong type (`invalid_type`).
 */
export function zodFields(err: ZodError, prefix = '', ...input: [unknown?]): FieldProblem[] {
  const at = (path: PropertyKey[]): string => [prefix, ...path.map(String)].filter(Boolean).join('.') || '(body)';
  const seen = new Set<string>();
  const all = err.issues.flatMap<FieldProblem>((i) =>
    // An unknown field is named by its own path, so a typo is as easy to find as a wrong value.
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: at([...i.path, k]), message: 'is not a known field', code: 'unknown_field' }))
      : [{ path: at(i.path), message: i.message, ...codeOf(i, input[0], input.length > 0) }],
  );
  // A malformed date fails both its pattern and its calendar check: one problem per field and code is enough.
  return all.filter((f) => !seen.has(`${f.path}\u0000${f.code}`) && seen.add(`${f.path}\u0000${f.code}`));
}

/** Prisma error codes that mean the database is unreachable, too slow, or its pool exhausted. */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** PostgreSQL SQLSTATEs of a server shutting down, starting up or cancelling a statement for its timeout. */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '57014', '08000', '08003', '08006', '08001', '08004']);
const UNAVAILABLE_TEXT =
  /ECONNREFUSED|ECONNRESET|EPIPE|UNAVAILABLE|DEADLINE_EXCEEDED|Can't reach database|Connection terminated|connect ETIMEDOUT|timeout exceeded when trying to connect|Query read timeout|connection timeout|terminating connection|database system is (shutting down|starting up|in recovery)|canceling statement due to statement timeout|Unable to start a transaction in the given time|Transaction already closed|Timed out fetching a new connection/i;

/** True for errors that mean Temporal or PostgreSQL cannot be reached (or answer too slowly) right now. */
export function isUnavailable(err: unknown): boolean {
  // Driver errors arrive wrapped (Prisma → driver adapter → pg): look at the whole chain.
  for (let e = err as Record<string, unknown> | null, depth = 0; e && depth < 5; depth++) {
    const code = e.code;
    if (e.name === 'ServiceError' || code === 14 || code === 4) return true; // gRPC UNAVAILABLE, DEADLINE_EXCEEDED
    if (
      typeof code === 'string' &&
      (PRISMA_UNAVAILABLE.has(code) || PG_UNAVAILABLE.has(code) || code === 'ECONNREFUSED')
    )
      return true;
    const original = (e as { originalCode?: unknown }).originalCode;
    if (typeof original === 'string' && PG_UNAVAILABLE.has(original)) return true;
    if (UNAVAILABLE_TEXT.test(String(e.message ?? ''))) return true;
    const next = (e.cause ?? (e.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError) as
      Record<string, unknown> | undefined;
    e = next && typeof next === 'object' ? next : null;
  }
  return false;
}

/** Parses `schema` against `value`, throwing a 400 that names the fields. */
export function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  value: unknown,
  prefix = '',
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw badRequest('request is not valid', zodFields(r.error, prefix, value));
  return r.data;
}
