// One inspection record whole, beside the manager's map: the venue, time, team and inspector,
// the outcome and checklist answers, notes, the GPS fix with its accuracy and distance from the
// venue, the photos, the review history and the verdict buttons, the record's versions, its
// follow-up (followups.js) and the venue's other records. A verdict goes to the server and the
// record is read again, so the panel shows what the server holds.

import * as api from "./api.js";
import { language, number, t, term } from "./i18n.js";
import { followUpSection } from "./followups.js";
import { VERDICTS, fill, localTime, outcomeLabel, photoGrid, refusal, reviewBadge, revokeAll } from "./records.js";
import { el } from "./ui.js";

/** How many of the venue's other records the panel lists. */
const HISTORY = 20;

/**
 * Shows record `uuid` in `box`. `open(uuid)` opens another record (a version, the venue's
 * history), `onChanged()` after a verdict or a follow-up action, `onShown(record)` once read,
 * `onClose()` when the user closes it. Returns what closes it.
 */
export function openInspection(box, uuid, { app, open, onChanged, onShown, onClose }) {
  const urls = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    revokeAll(urls);
    box.hidden = true;
    box.replaceChildren();
  };
  const closeByUser = () => {
    close();
    onClose?.();
  };
  box.hidden = false;
  box.dataset.uuid = uuid;
  box.dataset.state = "loading";
  fill(box, header(t("review.loading"), closeByUser));

  async function show(message) {
    let d;
    try {
      d = await api.get(`/api/inspections/${uuid}`);
    } catch (err) {
      if (closed) return;
      fill(box, header(t("review.record"), closeByUser), el("p", { class: "error" }, refusal(err)));
      box.dataset.state = "failed";
      return;
    }
    if (closed) return;
    revokeAll(urls);
    const changed = () => {
      onChanged?.();
      show();
    };
    fill(box,
      header(d.venue, closeByUser),
      message ? el("p", { class: "ok", role: "status", id: "review-done" }, message) : null,
      facts(d, app),
      checklist(d, app),
      d.notes ? el("section", { id: "record-notes" }, el("h3", {}, t("review.notes")), el("p", { class: "notes" }, d.notes)) : null,
      gpsBlock(d, app),
      el("section", { id: "record-photos" }, el("h3", {}, t("review.photos")), photoGrid(photoRefs(d), urls, d.venue)),
      reviewBlock(d, app, (text) => {
        onChanged?.();
        show(text);
      }),
      versionsBlock(d, app, open),
      d.follow_up ? followUpSection(d.follow_up, { app, urls, onChanged: changed }) : null,
      closedFollowUps(d),
      venueHistory(d, app, open),
    );
    box.dataset.state = "ready";
    box.dataset.review = d.review?.state || "pending";
    box.scrollTop = 0;
    onShown?.(d);
  }
  show();
  return close;
}

function header(title, onClose) {
  return el("header", {}, el("h2", {}, title), el("button", { type: "button", class: "close", id: "detail-close", onclick: onClose, "aria-label": t("common.close") }, "×"));
}

/** The detail names its photos `photo_refs`, or `photos` with their addresses. */
function photoRefs(d) {
  if (Array.isArray(d.photo_refs)) return d.photo_refs;
  return Array.isArray(d.photos) ? d.photos : [];
}

function facts(d, app) {
  const row = (label, ...value) => [el("dt", {}, label), el("dd", {}, ...value)];
  const time = [localTime(d.started_at, app.utc_offset_minutes), localTime(d.finished_at, app.utc_offset_minutes).slice(11)].filter(Boolean).join("–");
  return el(
    "dl",
    { class: "facts", id: "record-facts" },
    row(t("review.col.venue"), `${d.venue} · ${term("kind", d.kind)}`),
    row(t("review.col.area"), [d.township, d.community].filter(Boolean).join(" / ") || "–"),
    row(t("review.col.time"), time, d.off_plan ? el("span", { class: "badge" }, t("review.off_plan")) : null),
    row(t("review.col.team"), d.team ?? "–"),
    row(t("review.inspector"), d.inspector ?? "–"),
    row(t("review.col.outcome"), outcomeLabel(d.outcome)),
    row(t("review.col.review"), reviewBadge(d.review)),
  );
}

function checklist(d, app) {
  const items = app.checklists?.[d.kind] || [];
  const answers = Object.entries(d.checklist || {});
  if (!answers.length) return el("section", { id: "record-checklist" }, el("h3", {}, t("review.checklist")), el("p", { class: "muted" }, t("review.no_checklist")));
  const label = (id) => {
    const item = items.find((i) => i.id === id);
    return item ? (language() === "zh-CN" ? item.zh : item.en) : id;
  };
  const answer = (v) => (["yes", "no", "na"].includes(v) ? t(`capture.answer.${v}`) : String(v));
  return el(
    "section",
    { id: "record-checklist" },
    el("h3", {}, t("review.checklist")),
    el("table", { class: "compact" }, el("tbody", {}, answers.map(([id, v]) => el("tr", { class: v === "no" ? "warn" : null, dataset: { item: id } }, el("td", {}, label(id)), el("td", { class: "nowrap" }, answer(v)))))),
  );
}

function gpsBlock(d, app) {
  const g = d.gps;
  const far = app.gps?.far_from_venue_m ?? 150;
  const poor = app.gps?.poor_accuracy_m ?? 50;
  const distance = g?.from_venue_m ?? g?.distance_m ?? d.distance_m;
  const lines = g
    ? [
        el("p", {}, t("review.gps_at", { lon: Number(g.lon).toFixed(6), lat: Number(g.lat).toFixed(6) })),
        el("p", { class: g.accuracy_m > poor ? "warn" : null }, t("review.gps_accuracy", { m: number(g.accuracy_m ?? 0) })),
        distance != null ? el("p", { class: distance > far ? "warn" : null, id: "gps-distance" }, t(distance > far ? "review.gps_far" : "review.gps_distance", { m: number(distance) })) : null,
      ]
    : [el("p", { class: "warn" }, t("review.no_gps"))];
  return el("section", { id: "record-gps" }, el("h3", {}, t("review.gps")), lines);
}

/** The review history, and the verdict buttons with a reason (required unless approving). */
function reviewBlock(d, app, done) {
  const history = d.reviews || (d.review?.at ? [d.review] : []);
  const reason = el("textarea", { name: "reason", id: "review-reason", rows: 2, maxlength: 1000, placeholder: t("review.reason_hint") });
  const message = el("p", { class: "error", role: "alert", id: "review-error" });
  const send = async (state, button) => {
    const text = reason.value.trim();
    message.textContent = "";
    if (state !== "approved" && !text) {
      message.textContent = t("review.reason_required");
      reason.focus();
      return;
    }
    for (const b of button.parentElement.querySelectorAll("button")) b.disabled = true;
    try {
      await api.request(`/api/inspections/${d.uuid}/review`, { method: "POST", json: text ? { state, reason: text } : { state } });
      done(t("review.done", { state: term("review", state) }));
    } catch (err) {
      message.textContent = err?.status === 409 ? t("review.superseded_refused", { message: err.message }) : refusal(err);
      for (const b of button.parentElement.querySelectorAll("button")) b.disabled = false;
    }
  };
  const superseded = Boolean(d.superseded_by);
  return el(
    "section",
    { id: "record-review" },
    el("h3", {}, t("review.review"), " ", reviewBadge(d.review)),
    history.length
      ? el("ol", { class: "history", id: "review-history" }, history.map((r) => el("li", { dataset: { state: r.state } }, reviewBadge(r), " ", r.reason ? el("span", {}, r.reason) : null, el("small", { class: "muted" }, ` · ${r.by ?? ""} · ${localTime(r.at, app.utc_offset_minutes)}`))))
      : el("p", { class: "muted" }, t("review.not_reviewed")),
    superseded
      ? el("p", { class: "warn" }, t("review.superseded"))
      : el(
          "form",
          { class: "verdict", id: "review-form", onsubmit: (e) => e.preventDefault() },
          el("label", {}, t("review.reason"), reason),
          el(
            "div",
            { class: "verdict-buttons" },
            VERDICTS.map((state) => el("button", { type: "button", class: `verdict ${state}`, id: `review-${state}`, onclick: (e) => send(state, e.currentTarget) }, t(`review.do.${state}`))),
          ),
          message,
        ),
  );
}

/** The record's versions (a correction is a new version of the old one), oldest first. */
function versionsBlock(d, app, open) {
  const versions = d.versions || [];
  const links = [
    d.corrects ? [t("review.corrects"), d.corrects] : null,
    d.superseded_by ? [t("review.superseded_by"), d.superseded_by] : null,
    d.redone_by ? [t("review.redone_by"), d.redone_by] : null,
  ].filter(Boolean);
  if (versions.length <= 1 && !links.length) return null;
  const go = (uuid, label) => el("button", { type: "button", class: "link", dataset: { uuid }, onclick: () => open(uuid) }, label);
  return el(
    "section",
    { id: "record-versions" },
    el("h3", {}, t("review.versions", { n: versions.length })),
    versions.length > 1
      ? el("ol", {}, versions.map((v, i) => el("li", { class: v === d.uuid ? "current" : null }, v === d.uuid ? el("strong", {}, t("review.version_this", { n: i + 1 })) : go(v, t("review.version_n", { n: i + 1, uuid: v.slice(0, 8) })))))
      : null,
    links.map(([label, uuid]) => el("p", {}, `${label} `, go(uuid, uuid.slice(0, 8)))),
  );
}

function closedFollowUps(d) {
  const list = d.closed_follow_ups || [];
  if (!list.length) return null;
  return el(
    "section",
    { id: "closed-follow-ups" },
    el("h3", {}, t("review.closed_follow_ups", { n: list.length })),
    el("ul", {}, list.map((f) => el("li", {}, `#${f.id} · ${f.action ?? ""} · ${term("follow_up_status", f.status)} · ${f.deadline ?? ""}`))),
  );
}

/** The venue's records, newest first (read once the rest is shown). */
function venueHistory(d, app, open) {
  const box = el("section", { id: "venue-history", dataset: { state: "loading" } }, el("h3", {}, t("review.venue_history")), el("p", { class: "muted" }, t("review.loading")));
  api
    .get(`/api/inspections?venue=${d.venue_id}&limit=${HISTORY}`)
    .then((answer) => {
      const rows = answer.items || [];
      fill(box,
        el("h3", {}, t("review.venue_history_n", { n: answer.total ?? rows.length })),
        el(
          "table",
          { class: "compact clickable" },
          el(
            "tbody",
            {},
            rows.map((r) =>
              el(
                "tr",
                { class: r.uuid === d.uuid ? "selected" : null, dataset: { uuid: r.uuid }, onclick: () => r.uuid !== d.uuid && open(r.uuid) },
                el("td", { class: "nowrap" }, localTime(r.finished_at || r.started_at, app.utc_offset_minutes)),
                el("td", { class: "nowrap" }, outcomeLabel(r.outcome)),
                el("td", {}, r.team ?? ""),
                el("td", { class: "nowrap" }, reviewBadge(r.review)),
              ),
            ),
          ),
        ),
      );
      box.dataset.state = "ready";
    })
    .catch((err) => {
      fill(box, el("h3", {}, t("review.venue_history")), el("p", { class: "error" }, refusal(err)));
      box.dataset.state = "failed";
    });
  return box;
}
