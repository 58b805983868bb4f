// The service's API: the access token lives in memory only; the refresh token is an
// httpOnly cookie (sent only to /api/auth/), traded with the readable CSRF cookie's value.

let accessToken = null;

export class Offline extends Error {}
export class LoggedOut extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function csrf() {
  const m = document.cookie.match(/(?:^|;\s*)csrf_refresh_token=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : '';
}

async function send(path, options) {
  try {
    return await fetch(path, options);
  } catch (err) {
    throw new Offline(String(err));
  }
}

export async function login(username, password, deviceId) {
  const resp = await send('/api/auth/login', {
    method: 'POST',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({username, password, device_id: deviceId, cookie: true}),
  });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, body);
  accessToken = body.access_token;
  return me();
}

let refreshing = null;

/**
 * A new access token from the refresh cookie; LoggedOut when there is none (or it is spent).
 * One at a time, in this page and across the app's pages and tabs (they share the cookie):
 * the cookie works once, and a second trade of the same one would look like a stolen token
 * to the server, which revokes the whole login unless it comes within its short reuse
 * interval. A page that waited for the lock trades the cookie the other page left: the new
 * one.
 */
export function refresh() {
  refreshing ??= oneAtATime(trade).finally(() => (refreshing = null));
  return refreshing;
}

// The Web Locks API where the browser has it (Chrome 69+, Android WebView included); else
// this page's own single flight above is all there is (the server's reuse interval then
// covers two pages trading at once).
function oneAtATime(work) {
  if (!navigator.locks?.request) return work();
  return navigator.locks.request('collector-app-refresh', {mode: 'exclusive'}, () => work());
}

async function trade() {
  const resp = await send('/api/auth/refresh', {
    method: 'POST',
    headers: {'X-CSRF-TOKEN': csrf()},
    credentials: 'same-origin',
  });
  if (resp.status === 401 || resp.status === 422) throw new LoggedOut();
  if (!resp.ok) throw new ApiError(resp.status, await resp.json().catch(() => null));
  accessToken = (await resp.json()).access_token;
}

export function hasToken() {
  return accessToken !== null;
}

export async function logout() {
  if (accessToken) await call('/api/auth/logout', {method: 'POST'}).catch(() => {});
  accessToken = null;
}

/** A JSON call with the access token, refreshed once on 401. Returns the Response. */
export async function call(path, {method = 'GET', json, headers = {}} = {}) {
  if (!accessToken) await refresh();
  const attempt = () =>
    send(path, {
      method,
      headers: {
        ...headers,
        Authorization: `Bearer ${accessToken}`,
        ...(json !== undefined ? {'Content-Type': 'application/json'} : {}),
      },
      body: json !== undefined ? JSON.stringify(json) : undefined,
    });
  let resp = await attempt();
  if (resp.status === 401) {
    await refresh();
    resp = await attempt();
  }
  return resp;
}

export async function callJson(path, options) {
  const resp = await call(path, options);
  const body = resp.status === 204 ? null : await resp.json().catch(() => null);
  if (!resp.ok) throw new ApiError(resp.status, body);
  return body;
}

export async function me() {
  return callJson('/api/auth/me');
}
