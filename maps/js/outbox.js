// The inspector's outbox: every inspection (with its photos) and every stop status (a skip) is
// written to IndexedDB first, under the UUID made on the phone, and sent until the server
// acknowledges it. Retrying is safe because the server treats the same UUID and body as the same
// record. Nothing leaves the outbox unless the server has it; a record the server refuses stays,
// with the reason, for the user to see.
// Where the browser gives the page no IndexedDB (some do on an insecure http:// address), a
// record goes straight to the server instead, and saving fails visibly when it cannot get there.

import { session } from "./api.js";

const DB_NAME = "patrolmap";
const STORE = "outbox";
const RETRY_MS = 15000;

let dbPromise = null;
let flushing = null;
const listeners = new Set();
/** What the server said of each record sent from this page, by UUID, for whoever waits on it. */
const outcomes = new Map();

/** The phone will not keep records: no IndexedDB, or it refused to open. */
class NoStorage extends Error {}

/** Thrown by `enqueue` when the record is neither kept on the phone nor taken by the server. */
export class NotSaved extends Error {
  constructor(reason, message) {
    super(message || reason);
    /** "refused" (the server read it and said no) or "unreachable" (no network, server down). */
    this.reason = reason;
  }
}

function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    let open;
    try {
      if (typeof indexedDB === "undefined" || !indexedDB) throw new Error("no IndexedDB");
      open = indexedDB.open(DB_NAME, 1);
    } catch (err) {
      reject(new NoStorage(err.message));
      return;
    }
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "uuid" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(new NoStorage(open.error?.message || "IndexedDB refused"));
  });
  return dbPromise;
}

async function run(mode, action) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const result = action(tx.objectStore(STORE));
    // Resolve on commit, not on the request: only a committed write has happened.
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Whether this phone can keep records until they are sent (false: saving needs signal). */
export async function keepsRecords() {
  try {
    await db();
    return true;
  } catch {
    return false;
  }
}

export async function list() {
  let all;
  try {
    all = await run("readonly", (s) => s.getAll());
  } catch (err) {
    // Nothing can wait on a phone that keeps nothing.
    if (err instanceof NoStorage) return [];
    throw err;
  }
  return all.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
}

export function onChange(callback) {
  listeners.add(callback);
  return () => listeners.delete(callback);
}

async function changed() {
  const items = await list();
  for (const l of listeners) l(items);
}

function outcome(uuid) {
  if (!outcomes.has(uuid)) {
    let resolve;
    const promise = new Promise((r) => {
      resolve = r;
    });
    outcomes.set(uuid, { promise, resolve });
  }
  return outcomes.get(uuid);
}

/**
 * Resolves when the server has answered the record `uuid` for good: `{state: "stored", answer}`
 * (the server's JSON) or `{state: "refused", error}`. Pending while the phone has no signal.
 */
export function settled(uuid) {
  return outcome(uuid).promise;
}

function base(kind, uuid, venueId, venueName) {
  return {
    kind,
    // Sent only under the account that recorded it, even if someone else signs in on the phone.
    account: session()?.account.username,
    uuid,
    venue_id: venueId,
    venue_name: venueName,
    photos: [],
    queued_at: new Date().toISOString(),
    attempts: 0,
    state: "waiting",
    error: null,
  };
}

/**
 * Keeps the inspection on the phone, then tries to send it. Resolves once it is safely stored: on
 * the phone or, where the phone keeps nothing, on the server; else rejects with `NotSaved`.
 */
export function enqueue(inspection, photos, venueName) {
  const item = base("inspection", inspection.client_uuid, inspection.venue_id, venueName);
  item.inspection = inspection;
  item.photos = photos.map((f) => ({ blob: f, type: f.type, name: f.name || "photo" }));
  return keep(item);
}

/** Keeps a stop's status (`POST /api/stops` body: a skip with its reason) as `enqueue` does. */
export function enqueueStop(event, venueName) {
  const item = base("stop", event.client_uuid, event.venue_id ?? event.target?.id, venueName);
  item.stop = event;
  return keep(item);
}

async function keep(item) {
  try {
    await run("readwrite", (s) => s.put(item));
  } catch (err) {
    if (err instanceof NoStorage) return sendNow(item);
    throw err;
  }
  await changed();
  flush();
  return item;
}

/** Sends a record the phone cannot keep: acknowledged by the server now, or not saved at all. */
async function sendNow(item) {
  // The browser knows when there is no network at all; trying then only fails noisily.
  const result = navigator.onLine ? await send(item) : "unreachable";
  if (result === "stored") {
    await changed();
    return item;
  }
  throw new NotSaved(result === "refused" ? "refused" : "unreachable", item.error);
}

/** Discards a record the server refused, after the user has seen why. */
export async function discard(uuid) {
  await run("readwrite", (s) => s.delete(uuid));
  await changed();
}

/** Sends every waiting record once; concurrent calls share one pass. */
export function flush() {
  flushing ??= sendAll().finally(() => {
    flushing = null;
  });
  return flushing;
}

async function sendAll() {
  // The browser knows when there is no network at all; trying then only fails noisily.
  if (!navigator.onLine) return;
  for (const item of await list()) {
    if (item.state !== "waiting") continue;
    const result = await send(item);
    if (result === "stored") await run("readwrite", (s) => s.delete(item.uuid));
    else await run("readwrite", (s) => s.put(item));
    await changed();
    if (result === "unreachable") break;
  }
}

async function send(item) {
  const s = session();
  if (!s || (item.account && s.account.username !== item.account)) {
    item.error = "signed_out";
    return "later";
  }
  const headers = { authorization: `Bearer ${s.token}` };
  let path = "/api/inspections";
  let body;
  // Records kept before stop statuses existed have no kind: they are inspections.
  if (item.kind === "stop") {
    path = "/api/stops";
    headers["content-type"] = "application/json";
    body = JSON.stringify(item.stop);
  } else {
    body = new FormData();
    body.append("inspection", new Blob([JSON.stringify(item.inspection)], { type: "application/json" }));
    for (const p of item.photos) body.append("photo", new File([p.blob], p.name, { type: p.type }));
  }
  item.attempts += 1;
  item.last_attempt_at = new Date().toISOString();
  let response;
  try {
    response = await fetch(path, { method: "POST", headers, body });
  } catch {
    item.error = "offline";
    return "unreachable";
  }
  let detail = {};
  try {
    detail = await response.json();
  } catch {
    // The status alone explains it.
  }
  if (response.ok) {
    outcome(item.uuid).resolve({ state: "stored", answer: detail });
    return "stored";
  }
  if (response.status >= 500 || [401, 408, 429].includes(response.status)) {
    item.error = response.status === 401 ? "signed_out" : `http_${response.status}`;
    return "later";
  }
  // The server read the record and will not take it: retrying would not change that.
  item.state = "refused";
  item.error = detail.message || `HTTP ${response.status}`;
  outcome(item.uuid).resolve({ state: "refused", error: item.error });
  return "refused";
}

/** Retries when the network comes back, and every little while in case it never said so. */
export function startRetrying() {
  window.addEventListener("online", () => flush());
  setInterval(flush, RETRY_MS);
  flush();
}
