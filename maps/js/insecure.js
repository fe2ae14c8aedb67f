// A phone that opens the server as `http://192.0.2.10:8080` is on an insecure origin: the browser
// gives the page no geolocation, no service worker (so no offline use) and no
// `crypto.randomUUID`. 127.0.0.1 counts as secure, so a desk test never sees this. The page says
// so at once, points to the HTTPS address, and does without what is missing instead of throwing.

import { t } from "./i18n.js";
import { el } from "./ui.js";

/** True when the browser holds back the secure-context APIs from this page. */
export const insecure = window.isSecureContext === false;

/** An RFC 4122 version 4 UUID; `crypto.getRandomValues` exists on insecure origins too. */
export function randomUuid() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4
  b[8] = (b[8] & 0x3f) | 0x80; // variant 10xx
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The HTTPS address the server announces (`https_url` in /api/app), if it is one. */
function httpsAddress(app) {
  try {
    const url = new URL(app?.https_url);
    return url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Fills the banner under the header on an insecure origin, in the current language. */
export function renderInsecureBanner(banner, app) {
  banner.hidden = !insecure;
  if (!insecure) return;
  const https = httpsAddress(app);
  banner.replaceChildren(
    el("strong", {}, t("insecure.title")),
    el(
      "span",
      {},
      https
        ? [t("insecure.open_https"), " ", el("a", { href: https, id: "https-link" }, https)]
        : t("insecure.ask_admin", { host: location.hostname }),
    ),
  );
}
