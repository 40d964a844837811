/** The console's API client: the signed-in key travels as `Authorization: Bearer`, errors keep the API's shape. */
const KEY = 'segugio.key';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_ERROR';
    this.fields = body?.error?.fields ?? [];
  }
}

export const getKey = () => sessionStorage.getItem(KEY);
export const setKey = (k) => sessionStorage.setItem(KEY, k);
export const clearKey = () => sessionStorage.removeItem(KEY);

/** Calls the API; a 401 signs the user out. */
export async function api(path, { method = 'GET', body, query, key } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  const headers = { Accept: 'application/json', Authorization: `Bearer ${key ?? getKey() ?? ''}` };
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
export async function openFile(path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${getKey() ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** True when the route is simply not there (404 "no route"), as opposed to a missing record. */
export const isMissingRoute = (err) => err instanceof ApiError && err.status === 404 && /no route/.test(err.message);
