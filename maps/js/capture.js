// The capture form for one stop: outcome, the checklist for the venue's kind (from the server's
// configuration), notes, photos from the camera and the GPS fix. Saving puts the record in the
// outbox on the phone first; a poor or distant fix is a warning, never a block. On an insecure
// (http://) address the form still works: no fix, a UUID made without `crypto.randomUUID`, and a
// message in the form, never an exception, when the record cannot be saved. Beside it: the skip
// form of a stop (through the same outbox) and the choice of a venue for an off-plan visit.

import * as api from "./api.js";
import { language, t, term } from "./i18n.js";
import { insecure, randomUuid } from "./insecure.js";
import * as outbox from "./outbox.js";
import { districtNow, el, failureText } from "./ui.js";

const ANSWERS = ["yes", "no", "na"];

/**
 * The form for `stop` (a planned stop, or for an off-plan visit a venue shaped like one);
 * `onSaved(inspection)` once the record is kept.
 */
export function openCaptureForm(container, { app, stop, position, onSaved, offPlan = false }) {
  const startedAt = districtNow(app.utc_offset_minutes);
  const items = app.checklists?.[stop.category] || app.checklists?.other || [];
  const label = (item) => (language() === "zh-CN" ? item.zh : item.en);
  const gpsLine = el("p", { class: "gps", id: "gps-status" });
  const photoList = el("ul", { class: "photo-list" });
  const photos = [];
  const form = el(
    "form",
    { class: "capture", id: "capture-form" },
    el("h2", {}, t(offPlan ? "capture.title_off_plan" : "capture.title", { name: stop.name })),
    offPlan ? el("p", { class: "muted" }, t("off_plan.rule", { m: app.dispatch?.off_plan_m ?? 300 })) : null,
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
    onSaved(inspection);
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

/**
 * Skipping a pending stop: a reason from the server's list (`dispatch.skip_reasons`), a note
 * required for `other`. Kept in the outbox like an inspection, so it reaches the server once,
 * whenever the signal is back; `onSaved()` once it is kept.
 */
export function openSkipForm(container, { app, stop, date, onSaved }) {
  const note = el("textarea", { name: "note", rows: 2, maxlength: 500 });
  const errorLine = el("p", { class: "error", role: "alert" });
  const close = () => {
    container.hidden = true;
  };
  // The browser's own "required" bubbles speak the phone's language; these speak the app's.
  const form = el(
    "form",
    { class: "capture", id: "skip-form", novalidate: true },
    el("h2", {}, t("skip.title", { name: stop.name })),
    el(
      "fieldset",
      { class: "outcomes" },
      el("legend", {}, t("skip.reason")),
      (app.dispatch?.skip_reasons || []).map((r) =>
        el("label", { class: "outcome" }, el("input", { type: "radio", name: "reason", value: r }), term("skip_reason", r)),
      ),
    ),
    el("label", { class: "notes" }, t("skip.note"), note),
    errorLine,
    el(
      "div",
      { class: "actions" },
      el("button", { type: "submit", class: "primary" }, t("skip.save")),
      el("button", { type: "button", onclick: close }, t("common.cancel")),
    ),
  );
  /** A save that may have reached the server before the line dropped: its retry keeps the UUID. */
  let unsent = null;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = new FormData(form).get("reason");
    const text = note.value.trim();
    const missing = !reason ? "skip.reason_required" : reason === "other" && !text ? "skip.note_required" : null;
    errorLine.textContent = missing ? t(missing) : "";
    if (missing) return;
    const same = unsent && unsent.reason === reason && (unsent.note || "") === text;
    const event = {
      client_uuid: same ? unsent.client_uuid : randomUuid(),
      date,
      // An ad-hoc point of the dispatcher is no venue: it goes by its target.
      ...(stop.target.kind === "venue" ? { venue_id: stop.target.id } : { target: stop.target }),
      status: "skipped",
      reason,
      ...(text ? { note: text } : {}),
      at: same ? unsent.at : districtNow(app.utc_offset_minutes).slice(0, 16),
    };
    try {
      await outbox.enqueueStop(event, stop.name);
    } catch (err) {
      if (err instanceof outbox.NotSaved && err.reason === "unreachable") unsent = event;
      errorLine.textContent = notSavedText(err);
      return;
    }
    close();
    onSaved();
  });
  container.hidden = false;
  container.replaceChildren(form);
}

/**
 * How far around the phone the picker lists venues: the server's largest radius, well beyond
 * `off_plan_m`, because the rule is the distance to the team's route or the phone, and the route
 * may pass near a venue far from where the phone is; one that is too far is refused by the
 * server with the distance, which the inspector then reads.
 */
const PICK_RADIUS_M = 2000;

/**
 * Registered venues that are not on the route, nearest first, as the server lists them (`GET
 * /api/venues/nearby`, at most 50), around the phone's fix or around the map's centre, which the
 * inspector moves to a place the phone is not at; `onPick(stop)` records an off-plan inspection
 * of one, and the server decides whether it is near enough. The list needs the network: offline
 * the picker says so and loads once the signal is back.
 */
export function openOffPlanPicker(container, { app, map, position, onRoute, onPick }) {
  const list = el("ul", { class: "venue-pick", id: "off-plan-list", "aria-live": "polite" });
  const filter = el("input", { type: "search", id: "off-plan-filter", placeholder: t("off_plan.filter") });
  /** "me" (the fix) or "centre" (the map's): where the list is of; without a fix only the centre. */
  let around = position.fix ? "me" : "centre";
  const choices = ["me", "centre"].map((where) =>
    el("button", { type: "button", id: `off-plan-${where}`, disabled: where === "me" && !position.fix, onclick: () => {
      around = where;
      load();
    } }, t(`off_plan.around_${where}`)),
  );
  const close = () => {
    container.hidden = true;
  };
  container.hidden = false;
  container.replaceChildren(
    el(
      "div",
      { class: "off-plan" },
      el("header", {}, el("h2", {}, t("off_plan.title")), el("button", { type: "button", class: "close", onclick: close, "aria-label": t("common.close") }, "×")),
      el("p", { class: "muted" }, t("off_plan.rule", { m: app.dispatch?.off_plan_m ?? 300 })),
      el("div", { class: "around", role: "group", "aria-label": t("off_plan.around") }, choices),
      filter,
      list,
    ),
  );
  /** The venues to pick from, once the server has listed them. */
  let candidates = null;
  const show = () => {
    if (!candidates) return;
    const q = filter.value.trim().toLowerCase();
    const shown = candidates.filter((v) => !q || `${v.name} ${v.address || ""}`.toLowerCase().includes(q));
    list.replaceChildren(
      ...shown.map((v) =>
        el(
          "li",
          { dataset: { venue: v.id } },
          el(
            "button",
            { type: "button", onclick: () => onPick(venueAsStop(v)) },
            el("strong", {}, v.name),
            el("small", {}, `${term("kind", v.kind)} · ${t(`off_plan.distance_${list.dataset.around}`, { m: Math.round(v.distance_m) })}`),
            v.address ? el("small", {}, v.address) : null,
          ),
        ),
      ),
    );
    if (!shown.length) list.append(el("li", { class: "muted" }, t(q ? "off_plan.no_match" : "off_plan.none", { m: PICK_RADIUS_M })));
  };
  const needsNetwork = () => {
    list.replaceChildren(el("li", { class: "warn", id: "off-plan-offline" }, t("off_plan.offline")));
    window.addEventListener("online", load, { once: true });
  };
  /** Counts the lists asked for: only the latest answer is shown when the choice changed meanwhile. */
  let asked = 0;
  async function load() {
    // Closed, or replaced by the capture form: nothing to fill in.
    if (!list.isConnected || container.hidden) return;
    for (const b of choices) b.setAttribute("aria-pressed", String(b.id === `off-plan-${around}`));
    candidates = null;
    delete list.dataset.around;
    // The service worker could answer an earlier place's list from its copy: ask only online.
    if (!navigator.onLine) return needsNetwork();
    list.replaceChildren(el("li", { class: "muted" }, t("off_plan.loading")));
    const where = around;
    const [lon, lat] = where === "me" ? [position.fix.lon, position.fix.lat] : map.getCenter().wrap().toArray();
    const mine = ++asked;
    let answer;
    try {
      answer = await api.get(`/api/venues/nearby?lon=${lon.toFixed(6)}&lat=${lat.toFixed(6)}&radius_m=${PICK_RADIUS_M}`);
    } catch (err) {
      if (mine !== asked) return;
      if (err instanceof api.Unreachable) return needsNetwork();
      list.replaceChildren(el("li", { class: "error" }, failureText(err)));
      return;
    }
    if (mine !== asked || !list.isConnected) return;
    candidates = answer.venues.filter((v) => !onRoute.has(v.id));
    list.dataset.around = where;
    show();
  }
  filter.addEventListener("input", show);
  load();
}

/** A venue of the nearby list in the shape of a planned stop, which the capture form takes. */
function venueAsStop(v) {
  return { target: { kind: "venue", id: v.id }, name: v.name, category: v.kind, at: { lon: v.lon, lat: v.lat } };
}
