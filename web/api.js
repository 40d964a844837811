/** The console's API client: the signed-in key travels as `Authorization: Bearer`, errors keep the API's shape. */
const KEY = 'segugio.key';

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

export const getKey = () => sessionStorage.getItem(KEY);
export const setKey = (/** @type {string} */ k) => sessionStorage.setItem(KEY, k);
export const clearKey = () => sessionStorage.removeItem(KEY);

/**
 * @typedef {object} ApiOptions
 * @property {string} [method]
 * @property {unknown} [body] JSON, or FormData for uploads
 * @property {Record<string, string | number | boolean | null | undefined>} [query]
 * @property {string} [key] a key to try instead of the signed-in one (sign-in)
 */

/**
 * Calls the API; a 401 signs the user out.
 * @param {string} path
 * @param {ApiOptions} [options]
 * @returns {Promise<any>} the JSON body (each page knows the shape it asked for)
 */
export async function api(path, { method = 'GET', body, query, key } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  /** @type {Record<string, string>} */
  const headers = { Accept: 'application/json', Authorization: `Bearer ${key ?? getKey() ?? ''}` };
  /** @type {BodyInit | undefined} */
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(url, { method, headers, body: payload });
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    if (res.status === 401 && !key) {
      clearKey();
      location.hash = '#/login';
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

/** Opens a file the API serves (a letter's PDF) in a new tab: fetched with the key, shown from a blob URL. */
export async function openFile(/** @type {string} */ path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getKey() ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Downloads a file the API serves (a report as CSV or XLSX) under `filename`: fetched with the key, saved from a
 * blob URL, so the key never appears in a URL.
 * @param {string} path @param {string} filename
 */
export async function download(path, filename) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getKey() ?? ''}` } });
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

/** True when the route is simply not there (404 "no route"), as opposed to a missing record. */
export const isMissingRoute = (/** @type {unknown} */ err) =>
  err instanceof ApiError && err.status === 404 && /no route/.test(err.message);
