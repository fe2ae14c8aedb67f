// What the inspection views share: the outcome colours, the review states, times in district
// time, and photos read with the session's token (an <img> cannot send one) as blob URLs.

import * as api from "./api.js";
import { t, term } from "./i18n.js";
import { el } from "./ui.js";

/** One colour per outcome, on the map, in the table and in the legend. */
export const OUTCOME_COLOURS = {
  compliant: "#2f9e44",
  violation: "#f08c00",
  drug_related: "#c92a2a",
  closed_on_arrival: "#868e96",
  refused_entry: "#5f3dc4",
};
export const REVIEW_STATES = ["pending", "approved", "has_issues", "rejected"];
/** A manager's verdicts (pending is where a record starts). */
export const VERDICTS = ["approved", "has_issues", "rejected"];

/** A timestamp in district time, `YYYY-MM-DD HH:MM`: RFC 3339 with a zone is converted, a
 * district-local one (what the capture API stores) is shown as it is. */
export function localTime(iso, utcOffsetMinutes) {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (!/(Z|[+-]\d\d:?\d\d)$/.test(iso) || Number.isNaN(ms)) return iso.replace("T", " ").slice(0, 16);
  return new Date(ms + utcOffsetMinutes * 60000).toISOString().slice(0, 16).replace("T", " ");
}

/** `YYYY-MM-DD`, `days` after (or before) the date `day`. */
export function addDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function outcomeLabel(outcome) {
  return el("span", { class: "outcome-label", dataset: { outcome } }, el("span", { class: "swatch", style: `background:${OUTCOME_COLOURS[outcome] || "#adb5bd"}` }), term("outcome", outcome));
}

/** The review state of a row or record as a badge; a record no one reviewed yet is pending. */
export function reviewBadge(review) {
  const state = review?.state || "pending";
  return el("span", { class: `badge review ${state}`, dataset: { review: state } }, term("review", state));
}

/** The bytes behind each photo shown, by its <img> (the page's CSP lets nothing fetch a blob: URL). */
const shown = new WeakMap();

/** The Blob a photo <img> of this page shows, or undefined. */
export function photoBlob(img) {
  return shown.get(img);
}

/**
 * An image of a stored photo: fetched with the bearer token, shown from a blob URL (kept in
 * `urls` so the view can revoke it). `data-loaded` is set once it is drawn. Photos the browser
 * cannot draw (HEIC) are offered as a file instead.
 */
export function photoImage(ref, urls, alt) {
  const holder = el("figure", { class: "photo", dataset: { sha256: ref.sha256 } });
  const img = el("img", { alt, dataset: { sha256: ref.sha256 } });
  img.addEventListener("load", () => (img.dataset.loaded = "true"));
  img.addEventListener("click", () => holder.classList.toggle("large"));
  holder.append(img, el("figcaption", { class: "muted" }, `${ref.content_type} · ${ref.bytes < 1024 ? `${ref.bytes} B` : `${Math.ceil(ref.bytes / 1024)} KB`}`));
  const token = api.session()?.token;
  fetch(`/api/photos/${ref.sha256}`, { headers: token ? { authorization: `Bearer ${token}` } : {} })
    .then(async (r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const blob = await r.blob();
      const url = URL.createObjectURL(blob);
      urls.push(url);
      shown.set(img, blob);
      if (ref.content_type === "image/heic") img.replaceWith(el("a", { href: url, download: `${ref.sha256}.heic` }, t("review.photo_download")));
      else img.src = url;
    })
    .catch((err) => {
      img.replaceWith(el("span", { class: "error" }, t("review.photo_failed", { message: err.message })));
    });
  return holder;
}

/** The photos of a record or of a follow-up's evidence, as a grid. */
export function photoGrid(refs, urls, alt) {
  if (!refs?.length) return el("p", { class: "muted" }, t("review.no_photos"));
  return el("div", { class: "photos-grid" }, refs.map((ref, i) => photoImage(ref, urls, `${alt} ${i + 1}`)));
}

/** Revokes the blob URLs a view made and empties the list. */
export function revokeAll(urls) {
  for (const u of urls.splice(0)) URL.revokeObjectURL(u);
}

/** The server's words for a refusal, with the field it names. */
export function refusal(err) {
  if (err instanceof api.Unreachable) return t("error.offline_action");
  if (err?.status === 403) return t("error.forbidden");
  if (err?.status === 404) return t("error.not_found");
  return err?.field ? t("review.refused_field", { field: err.field, message: err.message }) : t("review.refused", { message: err?.message || String(err) });
}

/** `box.replaceChildren` with what `el` takes: nested lists, and nothing for null or false. */
export function fill(box, ...children) {
  box.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return box;
}
