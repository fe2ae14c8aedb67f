// The offline side of the web map. The app's own files are cached when the worker installs (the
// list and its version come from the server); every GET of the app, the API and the basemap goes
// to the network first and falls back to the last copy, so a phone that loses signal keeps its
// route, its catalogue and its map. Only a request with a copy to fall back on gives up on a slow
// network, and then soon; one with nothing kept waits for the server as long as the request
// takes (the server's own request timeout ends it), since giving up could only show an error. Writes are never handled here: the outbox in the page owns
// them, so an inspection is either acknowledged by the server or still visibly waiting.

const APP_CACHE = "patrolmap-app";
const DATA_CACHE = "patrolmap-data";
/** How long a request with a kept copy waits for the network before the copy answers. */
const CACHED_WAIT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const list = await (await fetch("/offline-files.json", { cache: "no-cache" })).json();
      const cache = await caches.open(`${APP_CACHE}-${list.version}`);
      await cache.addAll(list.files);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      // The newest app cache is the one this worker's install just filled.
      const current = names.filter((n) => n.startsWith(`${APP_CACHE}-`)).pop();
      await Promise.all(names.filter((n) => n.startsWith(`${APP_CACHE}-`) && n !== current).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "keep-archive") {
    const reply = event.ports[0];
    event.waitUntil(
      keepArchive(event.data.url)
        .catch(() => false)
        .then((kept) => reply?.postMessage({ kept })),
    );
  }
  if (event.data?.type === "forget-data") event.waitUntil(caches.delete(DATA_CACHE));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  // Layer tiles are many and change with every write: the browser's own cache revalidates them by
  // ETag; keeping each here would grow without bound.
  if (url.pathname.startsWith("/layers/")) return;
  const range = event.request.headers.get("range");
  if (range && url.pathname.endsWith(".pmtiles")) event.respondWith(archiveRange(event, range));
  else event.respondWith(networkFirst(event));
});

/** The network's answer, or the kept copy when the network fails or is slow while one is kept. */
async function networkFirst(event) {
  const request = event.request;
  const network = fetch(request);
  // Kept alongside the answer, not before it; one that comes after the copy was shown still
  // refreshes the copy for next time.
  event.waitUntil(
    network
      .then(async (response) => {
        if (!response.ok || response.status !== 200) return;
        // Cloned before any await: the page may read the body as soon as it has the response.
        const copy = response.clone();
        await (await caches.open(DATA_CACHE)).put(request, copy);
      })
      .catch(() => {}),
  );
  let kept = await caches.match(request, { ignoreVary: true });
  if (!kept && request.mode === "navigate") kept = await caches.match("/");
  if (!kept) return network.catch(() => Response.error());
  return withTimeout(network, CACHED_WAIT_MS).catch(() => kept);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("network too slow")), ms);
    promise.then(
      (r) => {
        clearTimeout(timer);
        resolve(r);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** A byte range of the basemap: from the network, else from a kept range or the kept archive
 *  (soon when the network is slow and one of those is there; never sooner than the network
 *  when neither is). */
async function archiveRange(event, range) {
  const request = event.request;
  const key = `${request.url}?bytes=${range.replace(/^bytes=/, "")}`;
  const cache = await caches.open(DATA_CACHE);
  const network = fetch(request);
  event.waitUntil(
    network
      .then(async (response) => {
        if (response.status !== 206) return;
        // The Cache API refuses partial responses: keep the bytes as a whole one under the range.
        const body = await response.clone().arrayBuffer();
        const headers = { "content-type": "application/octet-stream", "content-range": response.headers.get("content-range") || "" };
        await cache.put(key, new Response(body, { status: 200, headers }));
      })
      .catch(() => {}),
  );
  const kept = await cache.match(key);
  const whole = kept ? null : await cache.match(request.url, { ignoreVary: true });
  if (!kept && !whole) return network.catch(() => Response.error());
  try {
    return await withTimeout(network, CACHED_WAIT_MS);
  } catch {
    if (kept) return partial(await kept.arrayBuffer(), kept.headers.get("content-range"));
    return slice(await whole.arrayBuffer(), range);
  }
}

function partial(body, contentRange) {
  return new Response(body, {
    status: 206,
    headers: { "content-type": "application/octet-stream", "content-range": contentRange, "content-length": String(body.byteLength) },
  });
}

function slice(buffer, range) {
  const m = /bytes=(\d+)-(\d*)/.exec(range);
  if (!m) return new Response(buffer, { status: 200 });
  const start = Number(m[1]);
  const end = Math.min(m[2] ? Number(m[2]) : buffer.byteLength - 1, buffer.byteLength - 1);
  return partial(buffer.slice(start, end + 1), `bytes ${start}-${end}/${buffer.byteLength}`);
}

/** Keeps the whole basemap archive for offline use when it is of district size. */
async function keepArchive(url) {
  const MAX_BYTES = 64 << 20;
  const head = await fetch(url, { method: "HEAD" });
  const size = Number(head.headers.get("content-length") || Infinity);
  if (!head.ok || size > MAX_BYTES) return false;
  const cache = await caches.open(DATA_CACHE);
  const kept = await cache.match(url);
  if (kept && kept.headers.get("etag") === head.headers.get("etag")) return true;
  const response = await fetch(url);
  if (response.status !== 200) return false;
  await cache.put(url, response);
  return true;
}
