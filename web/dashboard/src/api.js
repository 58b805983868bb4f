// The API client: the access token lives in this module's memory only (never in
// localStorage); the refresh token is an httpOnly cookie the page cannot read, traded for
// a new access token with the CSRF double-submit header.

let access = null;
let renewAt = 0;
const etags = new Map(); // path -> {etag, body}: conditional GETs answer 304 when unchanged

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)csrf_refresh_token=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : null;
}

function keep(body) {
  access = body.access_token;
  // Renew a minute before it expires.
  renewAt = Date.now() + Math.max(30, body.expires_in - 60) * 1000;
}

/** The Authorization header for requests the map makes itself (vector tiles). */
export function authHeaders() {
  return access ? {Authorization: `Bearer ${access}`} : {};
}

export async function login(username, password) {
  const resp = await fetch('/api/auth/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username, password, cookie: true, device_id: 'dashboard'}),
  });
  if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
  keep(await resp.json());
}

let refreshing = null;

/**
 * Trade the refresh cookie for an access token; false when there is no valid session.
 * One trade at a time: the refresh token is single-use, and a second concurrent trade of
 * the same cookie would be taken for a replay and revoke the login.
 */
export function refresh() {
  if (!refreshing) refreshing = trade().finally(() => { refreshing = null; });
  return refreshing;
}

async function trade() {
  const csrf = csrfToken();
  if (!csrf) return false;
  const resp = await fetch('/api/auth/refresh', {method: 'POST', headers: {'X-CSRF-TOKEN': csrf}});
  if (!resp.ok) {
    access = null;
    return false;
  }
  keep(await resp.json());
  return true;
}

export async function logout() {
  if (access) {
    await fetch('/api/auth/logout', {method: 'POST', headers: {Authorization: `Bearer ${access}`}});
  }
  access = null;
  etags.clear();
}

async function send(path, {method = 'GET', body, headers = {}} = {}) {
  if (access && Date.now() > renewAt) await refresh();
  const h = {...headers};
  if (access) h.Authorization = `Bearer ${access}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const cached = method === 'GET' ? etags.get(path) : undefined;
  if (cached) h['If-None-Match'] = cached.etag;
  return fetch(path, {method, headers: h, body: body === undefined ? undefined : JSON.stringify(body)});
}

/**
 * One API call; answers {body, headers, status}. A 401 renews the token once and retries;
 * a GET whose ETag still matches answers the kept body (304), with `unchanged: true`.
 */
export async function call(path, options = {}) {
  let resp = await send(path, options);
  if (resp.status === 401 && (await refresh())) resp = await send(path, options);
  if (resp.status === 304) {
    return {body: etags.get(path).body, headers: resp.headers, status: 304, unchanged: true};
  }
  const type = resp.headers.get('Content-Type') || '';
  const body = resp.status === 204 ? null : type.includes('json') ? await resp.json() : await resp.text();
  if (!resp.ok) throw new ApiError(resp.status, body);
  const etag = resp.headers.get('ETag');
  if (etag && (options.method || 'GET') === 'GET') etags.set(path, {etag, body});
  return {body, headers: resp.headers, status: resp.status, unchanged: false};
}

export async function get(path) {
  return (await call(path)).body;
}

/** Every page of a keyset-paged GeoJSON list, merged into one FeatureCollection. */
export async function allFeatures(path) {
  const features = [];
  let next = path;
  while (next) {
    const {body, headers} = await call(next);
    features.push(...body.features);
    const cursor = headers.get('X-Next-Cursor');
    if (!cursor) break;
    const url = new URL(next, location.origin);
    url.searchParams.set('after', cursor);
    next = url.pathname + url.search;
  }
  return {type: 'FeatureCollection', features};
}
