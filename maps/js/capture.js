// The capture form for one stop: outcome, the checklist for the venue's kind (from the server's
// configuration), notes, photos from the camera and the GPS fix. Saving puts the record in the
// outbox on the phone first; a poor or distant fix is a warning, never a block. On an insecure
// (http://) address the form still works: no fix, a UUID made without `crypto.randomUUID`, and a
// message in the form, never an exception, when the record cannot be saved.

import { language, t, term } from "./i18n.js";
import { insecure, randomUuid } from "./insecure.js";
import * as outbox from "./outbox.js";
import { districtNow, el } from "./ui.js";

const ANSWERS = ["yes", "no", "na"];

export function openCaptureForm(container, { app, stop, position, onSaved }) {
  const startedAt = districtNow(app.utc_offset_minutes);
  const items = app.checklists?.[stop.category] || app.checklists?.other || [];
  const label = (item) => (language() === "zh-CN" ? item.zh : item.en);
  const gpsLine = el("p", { class: "gps", id: "gps-status" });
  const photoList = el("ul", { class: "photo-list" });
  const photos = [];
  const form = el(
    "form",
    { class: "capture", id: "capture-form" },
    el("h2", {}, t("capture.title", { name: stop.name })),
    el(
      "fieldset",
      { class: "outcomes" },
      el("legend", {}, t("capture.outcome")),
      app.outcomes.map((o) =>
        el("label", { class: `outcome ${o}` }, el("input", { type: "radio", name: "outcome", value: o, required: true }), term("outcome", o)),
      ),
    ),
    el(
      "fieldset",
      { class: "checklist" },
      el("legend", {}, t("capture.checklist")),
      items.map((item) =>
        el(
          "div",
          { class: "check" },
          el("span", {}, label(item)),
          el(
            "span",
            { class: "answers" },
            ANSWERS.map((a) =>
              el("label", {}, el("input", { type: "radio", name: `check:${item.id}`, value: a, checked: a === "na" }), t(`capture.answer.${a}`)),
            ),
          ),
        ),
      ),
    ),
    el("label", { class: "notes" }, t("capture.notes"), el("textarea", { name: "notes", rows: 3, maxlength: 4000 })),
    el(
      "label",
      { class: "photos" },
      t("capture.photos"),
      // The browser's own file button speaks the phone's language; this one speaks the app's.
      el("span", { class: "button" }, t("capture.take_photo")),
      el("input", { type: "file", name: "photo", class: "visually-hidden", accept: "image/jpeg,image/png,image/webp,image/heic", capture: "environment", multiple: true }),
    ),
    photoList,
    gpsLine,
    el("p", { class: "error", role: "alert" }),
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "primary" }, t("capture.save")),
      el("button", { type: "button", onclick: () => close() }, t("common.cancel")),
    ),
  );
  form.querySelector('input[type="file"]').addEventListener("change", (e) => {
    for (const f of e.target.files) photos.push(f);
    e.target.value = "";
    photoList.replaceChildren(...photos.map((f) => el("li", {}, `${f.name} (${Math.ceil(f.size / 1024)} KB)`)));
  });
  const showGps = () => {
    gpsLine.replaceChildren(...gpsWarnings(position, stop, app.gps).map((w) => el("span", { class: w.level }, w.text)));
  };
  showGps();
  const gpsTimer = setInterval(showGps, 2000);
  const close = () => {
    clearInterval(gpsTimer);
    container.hidden = true;
  };

  const saveButton = form.querySelector('button[type="submit"]');
  const errorLine = form.querySelector(".error");
  // "Queued if offline" would be a promise this phone cannot keep.
  outbox.keepsRecords().then((keeps) => {
    if (!keeps) saveButton.textContent = t("capture.save_online");
  });
  /** The UUID and finish time of a save that may have reached the server before the line dropped. */
  let unsent = null;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (saveButton.disabled) return;
    errorLine.textContent = "";
    const data = new FormData(form);
    const checklist = {};
    for (const item of items) checklist[item.id] = data.get(`check:${item.id}`) || "na";
    const notes = data.get("notes").trim();
    const inspection = {
      // A retry keeps the first try's UUID and finish time: if that try did arrive, this one is
      // the same record to the server, not a second one.
      client_uuid: unsent?.client_uuid || randomUuid(),
      venue_id: stop.target.id,
      started_at: startedAt,
      finished_at: unsent?.finished_at || districtNow(app.utc_offset_minutes),
      outcome: data.get("outcome"),
      checklist,
      notes: notes || null,
      gps: position.fix ? { at: { lon: position.fix.lon, lat: position.fix.lat }, accuracy_m: position.fix.accuracy_m } : null,
    };
    // A record sent straight to the server (no storage on the phone) takes a moment: one at a time.
    saveButton.disabled = true;
    try {
      await outbox.enqueue(inspection, photos, stop.name);
    } catch (err) {
      // Neither the phone nor the server has it: say so, and keep the form as it is.
      if (err instanceof outbox.NotSaved && err.reason === "unreachable") unsent = inspection;
      errorLine.textContent = notSavedText(err);
      saveButton.disabled = false;
      return;
    }
    close();
    onSaved();
  });
  container.hidden = false;
  container.replaceChildren(form);
  return close;
}

/** Why a record was not saved, in words the inspector can act on. */
function notSavedText(err) {
  if (err instanceof outbox.NotSaved && err.reason === "refused") return t("outbox.refused", { reason: err.message });
  if (err instanceof outbox.NotSaved) return insecure ? t("capture.insecure_not_saved") : t("capture.not_kept");
  return t("capture.not_saved", { message: err?.message || String(err) });
}

/** What the user should know about the fix before saving. */
function gpsWarnings(position, stop, limits) {
  if (!position.fix) {
    // An insecure page never gets a fix, whatever the permission says: name the real cause.
    if (insecure) return [{ level: "warn", text: t("capture.gps_insecure") }];
    if (position.error === "unsupported") return [{ level: "warn", text: t("capture.gps_unsupported") }];
    return [{ level: "warn", text: t(position.error === "denied" ? "capture.gps_denied" : "capture.gps_waiting") }];
  }
  const accuracy = Math.round(position.fix.accuracy_m);
  const distance = Math.round(
    new maplibregl.LngLat(position.fix.lon, position.fix.lat).distanceTo(new maplibregl.LngLat(stop.at.lon, stop.at.lat)),
  );
  const out = [{ level: "ok", text: t("capture.gps_fix", { accuracy, distance }) }];
  if (accuracy > limits.poor_accuracy_m) out.push({ level: "warn", text: t("capture.gps_poor", { limit: limits.poor_accuracy_m }) });
  if (distance > limits.far_from_venue_m) out.push({ level: "warn", text: t("capture.gps_far", { limit: limits.far_from_venue_m }) });
  return out;
}
