// Makes the day usable without signal: once the service worker controls the page, the day's
// JSON is fetched again through it (so it keeps a copy) and it is asked to keep the basemap
// archive. Resolves when both are kept; the page then says the day is available offline.

import { session } from "./api.js";

export async function keepForOffline({ archive, paths, extra = [] }) {
  if (!("serviceWorker" in navigator)) return false;
  const registration = await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true }));
  }
  const s = session();
  const headers = s ? { authorization: `Bearer ${s.token}` } : {};
  await Promise.all([...paths.map((p) => fetch(p, { headers })), ...extra.map((p) => fetch(p))]);
  if (archive) {
    await new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = resolve;
      registration.active.postMessage({ type: "keep-archive", url: new URL(archive, location.origin).href }, [channel.port2]);
    });
  }
  return true;
}
