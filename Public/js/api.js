// Talks to the JSON API. In private mode (`--private`) every metadata route needs a key with read
// scope; the key a person enters lives in sessionStorage only, so it goes away with the tab.

const READ_KEY = "backupfeed.readKey";
const PUSH_KEY = "backupfeed.pushKey";

export class ApiError extends Error {
  constructor(status, error, detail) {
    super(detail ? `${error}: ${detail}` : error);
    this.status = status;
    this.error = error;
    this.detail = detail;
  }
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage disabled: the key only lasts until the next page load
  }
}

let memoryKeys = {};

export function getKey(kind = "read") {
  const name = kind === "push" ? PUSH_KEY : READ_KEY;
  return storage()?.getItem(name) ?? memoryKeys[name] ?? null;
}

export function setKey(kind, value) {
  const name = kind === "push" ? PUSH_KEY : READ_KEY;
  memoryKeys[name] = value;
  if (value) storage()?.setItem(name, value);
  else storage()?.removeItem(name);
}

async function request(method, url, key) {
  const headers = { Accept: "application/json" };
  if (key) headers["X-Octopus-ApiKey"] = key;
  let response;
  try {
    response = await fetch(url, { method, headers, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, "The server did not answer", String(e.message ?? e));
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, body?.error ?? response.statusText ?? "request failed", body?.detail ?? null);
  }
  return body;
}

/** GET with the stored read key, if any. */
export function apiGet(url) {
  return request("GET", url, getKey("read"));
}

/** POST with an explicit key (queueing a verification needs push scope). */
export function apiPost(url, key) {
  return request("POST", url, key);
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") search.set(k, String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}
