/**
 * The console's API client. The browser sends the session cookie itself (HttpOnly: no script here can read it); every
 * change also carries the session's CSRF token in `X-CSRF-Token`, kept in memory only. Errors keep the API's shape.
 */
/** @type {string | null} */
let csrf = null;
/** The signed-in session's CSRF token (from the sign-in answer or `GET /console/api/me`), or null when signed out. */
export const setCsrf = (/** @type {string | null} */ token) => {
  csrf = token;
};

/**
 * @typedef {{ path: string; message: string; code?: string; params?: Record<string, unknown> }} FieldProblem
 * @typedef {{ error?: { code?: string; message?: string; reason?: string; params?: Record<string, unknown>;
 *   fields?: FieldProblem[] } } | null} ErrorBody
 */

/** An API refusal: the HTTP status and the body's stable codes (what the console translates), never shown raw. */
export class ApiError extends Error {
  /** @param {number} status @param {ErrorBody} body */
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_ERROR';
    /** A rejected decision's stable reason (422), e.g. AMOUNT_EXCEEDS_BALANCE, and its parameters. */
    this.reason = body?.error?.reason ?? null;
    /** @type {Record<string, unknown>} */
    this.params = body?.error?.params ?? {};
    /** @type {FieldProblem[]} */
    this.fields = body?.error?.fields ?? [];
  }
}

/**
 * Pages written when the console signed in with API keys send `Authorization: Bearer ${getKey()}`; there is no key
 * any more, and an empty bearer falls through to the session cookie on the server.
 */
export const getKey = () => '';

/**
 * @typedef {object} ApiOptions
 * @property {string} [method]
 * @property {unknown} [body] JSON, or FormData for uploads
 * @property {Record<string, string | number | boolean | null | undefined>} [query]
 * @property {boolean} [quiet] a 401 is the caller's to handle (sign-in pages), not a sign-out
 * @property {Record<string, string>} [headers] extra request headers (e.g. Idempotency-Key)
 */

/**
 * Calls the API; a 401 signs the user out.
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<any>} the JSON body (each page knows the shape it asked for)
 */
export async function api(path, { method = 'GET', body, query, quiet, headers: extra } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', ...extra };
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  /** @type {BodyInit | undefined} */
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    if (res.status === 401 && !quiet) {
      csrf = null;
      location.hash = '#/login';
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

/** Opens a file the API serves (a letter's PDF) in a new tab: fetched with the session, shown from a blob URL. */
export async function openFile(/** @type {string} */ path) {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Where a stored document (a debtor's attachment, an uploaded file) downloads from: a plain link, the session's
 * cookie going with it; the API checks the reader may see the invoice. @param {string} id
 */
export const documentHref = (id) => `/v1/documents/${encodeURIComponent(id)}`;

/**
 * Downloads a file the API serves (a report as CSV or XLSX) under `filename`: fetched with the session, saved from
 * a blob URL.
 * @param {string} path @param {string} filename
 */
export async function download(path, filename) {
  const res = await fetch(path, { credentials: 'same-origin' });
  await saveAnswer(res, filename);
}

/**
 * Saves a fetched answer as a file under `filename` (a refusal keeps the API's error shape).
 * @param {Response} res @param {string} filename
 */
async function saveAnswer(res, filename) {
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Downloads the file a POST answers (the invoice list's export of a selection) under `filename`: the same session
 * and CSRF token as every change, the body as JSON; a refusal keeps the API's error shape.
 * @param {string} path @param {unknown} body @param {string} filename
 */
export async function downloadPost(path, body, filename) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body), credentials: 'same-origin' });
  await saveAnswer(res, filename);
}

/** True when the route is simply not there (404 "no route"), as opposed to a missing record. */
export const isMissingRoute = (/** @type {unknown} */ err) =>
  err instanceof ApiError && err.status === 404 && /no route/.test(err.message);
