// The inspector's outbox: every inspection (with its photos) is written to IndexedDB first, under
// the UUID made on the phone, and sent until the server acknowledges it. Retrying is safe because
// the server treats the same UUID and body as the same record. Nothing leaves the outbox unless
// the server has it; a record the server refuses stays, with the reason, for the user to see.

import { session } from "./api.js";

const DB_NAME = "patrolmap";
const STORE = "outbox";
const RETRY_MS = 15000;

let dbPromise = null;
let flushing = null;
const listeners = new Set();

function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "uuid" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
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

export async function list() {
  const all = await run("readonly", (s) => s.getAll());
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

/** Keeps the record on the phone, then tries to send it. Resolves once it is safely stored. */
export async function enqueue(inspection, photos, venueName) {
  const item = {
    // Sent only under the account that recorded it, even if someone else signs in on the phone.
    account: session()?.account.username,
    uuid: inspection.client_uuid,
    venue_id: inspection.venue_id,
    venue_name: venueName,
    inspection,
    photos: photos.map((f) => ({ blob: f, type: f.type, name: f.name || "photo" })),
    queued_at: new Date().toISOString(),
    attempts: 0,
    state: "waiting",
    error: null,
  };
  await run("readwrite", (s) => s.put(item));
  await changed();
  flush();
  return item;
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
    const outcome = await send(item);
    if (outcome === "stored") await run("readwrite", (s) => s.delete(item.uuid));
    else await run("readwrite", (s) => s.put(item));
    await changed();
    if (outcome === "unreachable") break;
  }
}

async function send(item) {
  const s = session();
  if (!s || (item.account && s.account.username !== item.account)) {
    item.error = "signed_out";
    return "later";
  }
  const form = new FormData();
  form.append("inspection", new Blob([JSON.stringify(item.inspection)], { type: "application/json" }));
  for (const p of item.photos) form.append("photo", new File([p.blob], p.name, { type: p.type }));
  item.attempts += 1;
  item.last_attempt_at = new Date().toISOString();
  let response;
  try {
    response = await fetch("/api/inspections", {
      method: "POST",
      headers: { authorization: `Bearer ${s.token}` },
      body: form,
    });
  } catch {
    item.error = "offline";
    return "unreachable";
  }
  if (response.ok) return "stored";
  let detail = {};
  try {
    detail = await response.json();
  } catch {
    // The status alone explains it.
  }
  if (response.status >= 500 || [401, 408, 429].includes(response.status)) {
    item.error = response.status === 401 ? "signed_out" : `http_${response.status}`;
    return "later";
  }
  // The server read the record and will not take it: retrying would not change that.
  item.state = "refused";
  item.error = detail.message || `HTTP ${response.status}`;
  return "refused";
}

/** Retries when the network comes back, and every little while in case it never said so. */
export function startRetrying() {
  window.addEventListener("online", () => flush());
  setInterval(flush, RETRY_MS);
  flush();
}
