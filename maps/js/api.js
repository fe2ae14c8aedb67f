// The server's JSON API as the page sees it: the signed-in session, and requests that tell a
// refusal (the server's `{error, field, message}`) apart from no network at all.

const SESSION_KEY = "patrolmap.session";

export class ApiFailure extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error;
    this.field = body?.field;
  }
}

/** Thrown when the request never reached the server (offline, server down). */
export class Unreachable extends Error {}

export function session() {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY));
    return s && new Date(s.expires_at) > new Date() ? s : null;
  } catch {
    return null;
  }
}

export function rememberSession(s) {
  localStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function forgetSession() {
  localStorage.removeItem(SESSION_KEY);
}

export async function request(path, { method = "GET", body, json } = {}) {
  const headers = {};
  const s = session();
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body });
  } catch (e) {
    throw new Unreachable(e.message);
  }
  if (response.status === 401 && s) {
    forgetSession();
    window.dispatchEvent(new Event("patrolmap:signed-out"));
  }
  if (!response.ok) {
    let detail = null;
    try {
      detail = await response.json();
    } catch {
      // A body that is not JSON: the status says enough.
    }
    throw new ApiFailure(response.status, detail);
  }
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export const get = (path) => request(path);

export async function signIn(username, password) {
  const s = await request("/api/login", { method: "POST", json: { username, password } });
  rememberSession(s);
  return s;
}

export async function signOut() {
  try {
    await request("/api/logout", { method: "POST" });
  } catch {
    // Signed out locally either way; the token expires on the server.
  }
  forgetSession();
}

/** Fetches a file the server makes (XLSX, CSV) with the session's token and hands it to the
 *  browser to save as `filename`; throws an ApiFailure the page can show. */
export async function saveFile(path, filename) {
  const s = session();
  const response = await fetch(path, { headers: s ? { authorization: `Bearer ${s.token}` } : {} });
  if (!response.ok) throw new ApiFailure(response.status, await response.json().catch(() => null));
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
