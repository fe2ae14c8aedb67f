// A follow-up (整改事项) as the manager drives it: what was asked of which unit by when, its
// extensions and escalation (督办), how it was closed and with what evidence, its history, and
// the actions: extend with a reason, escalate to a unit, cancel with a reason, close with a note
// and photos. Each action is a small form in place; the server answers with the follow-up as it
// now is (or refuses, naming the field), and the section redraws from that answer.

import * as api from "./api.js";
import { t, term } from "./i18n.js";
import { fill, localTime, photoGrid, refusal } from "./records.js";
import { el } from "./ui.js";

/** Units offered when escalating, as the catalogue names them. */
const UNITS = ["district", "police", "commerce", "fire", "community"];
const ACTIONS = ["extend", "escalate", "cancel", "close"];

/**
 * The section for the follow-up summarised as `summary` ({id, status, deadline, unit}): read
 * whole from the server, then drawn with its actions while it is open.
 */
export function followUpSection(summary, { app, urls, onChanged }) {
  const box = el("section", { id: "follow-up", class: "follow-up", dataset: { id: summary.id, state: "loading" } });
  const draw = (f, note) => {
    const open = f.status === "open";
    const late = open && f.deadline && f.deadline < app.plan_date;
    const formSlot = el("div", { class: "follow-up-form" });
    box.dataset.status = f.status;
    box.dataset.state = "ready";
    fill(box,
      el("h3", {}, t("followup.title", { id: f.id }), " ", el("span", { class: `badge follow-up ${late ? "late" : f.status}` }, late ? t("followup.late") : term("follow_up_status", f.status))),
      note ? el("p", { class: "ok", role: "status", id: "follow-up-done" }, note) : null,
      el(
        "dl",
        { class: "facts" },
        fact(t("followup.action"), f.action),
        fact(t("followup.unit"), f.responsible_unit ? term("unit", f.responsible_unit) : f.unit ? term("unit", f.unit) : null),
        fact(t("followup.raised_on"), f.raised_on),
        fact(t("followup.deadline"), f.deadline),
        fact(t("followup.extensions"), f.extensions != null ? String(f.extensions) : null),
        fact(t("followup.level"), f.level ? t("followup.level_line", { level: f.level, unit: f.escalated_to ? term("unit", f.escalated_to) : "–" }) : null),
        fact(t("followup.escalation_due"), open ? f.escalation_due : null),
        fact(t("followup.closed"), f.closed_on ? [f.closed_on, f.closed_how ? term("closed_how", f.closed_how) : null, f.close_note].filter(Boolean).join(" · ") : null),
      ),
      (f.evidence || []).length ? [el("h4", {}, t("followup.evidence")), photoGrid(f.evidence, urls, t("followup.evidence"))] : null,
      historyList(f.history, app),
      open && f.history !== undefined
        ? el(
            "div",
            { class: "follow-up-actions" },
            ACTIONS.map((a) => el("button", { type: "button", class: `fu-${a}`, id: `follow-up-${a}`, onclick: () => formSlot.replaceChildren(actionForm(a, f, formSlot, done)) }, t(`followup.do.${a}`))),
          )
        : null,
      formSlot,
    );
  };
  const done = (answer, action) => {
    draw(answer.follow_up ?? answer, t("followup.done", { action: t(`followup.do.${action}`) }));
    onChanged?.();
  };
  api
    .get(`/api/follow-ups/${summary.id}`)
    .then((f) => draw(f))
    .catch((err) => {
      // Without the whole record the summary still says what is due; no actions on a guess.
      draw({ ...summary, responsible_unit: summary.unit });
      box.append(el("p", { class: "error" }, refusal(err)));
    });
  return box;
}

function fact(label, value) {
  return value == null || value === "" ? null : [el("dt", {}, label), el("dd", {}, value)];
}

function historyList(history, app) {
  if (!history?.length) return null;
  return el(
    "ol",
    { class: "history", id: "follow-up-history" },
    history.map((h) =>
      el(
        "li",
        { dataset: { action: h.action } },
        el("strong", {}, term("follow_up_event", h.action)),
        " ",
        // What the event changed: the deadline (raised, extended) or the level and unit (escalated).
        [
          h.deadline && ["raise", "extend"].includes(h.action) ? t("followup.until", { deadline: h.deadline }) : null,
          h.unit && ["escalate", "overdue"].includes(h.action) ? term("unit", h.unit) : null,
          h.level && ["escalate", "overdue"].includes(h.action) ? t("followup.level_n", { level: h.level }) : null,
          h.reason,
        ].filter(Boolean).join(" · "),
        el("small", { class: "muted" }, ` · ${[h.by, h.at ? localTime(h.at, app.utc_offset_minutes) : h.on_day].filter(Boolean).join(" · ")}`),
      ),
    ),
  );
}

/** The small form of one action; `done(answer, action)` with the server's answer. */
function actionForm(action, f, slot, done) {
  const error = el("p", { class: "error", role: "alert" });
  const fields = [];
  const text = (name, label, required = true) => {
    const input = el("textarea", { name, rows: 2, maxlength: 1000, required });
    fields.push(el("label", {}, label, input));
    return input;
  };
  let days, unit, reason, note, photos;
  if (action === "extend") {
    days = el("input", { type: "number", name: "days", min: 1, value: 7, required: true });
    fields.push(el("label", {}, t("followup.days"), days));
    reason = text("reason", t("followup.reason"));
  } else if (action === "escalate") {
    // Any unit by name (the server keeps what is written); the usual ones offered.
    unit = el("input", { type: "text", name: "unit", required: true, maxlength: 100, list: "follow-up-units", value: f.escalated_to || term("unit", "district") });
    fields.push(el("label", {}, t("followup.to_unit"), unit, el("datalist", { id: "follow-up-units" }, UNITS.map((u) => el("option", { value: term("unit", u) })))));
    reason = text("reason", t("followup.reason"));
  } else if (action === "cancel") {
    reason = text("reason", t("followup.reason"));
  } else {
    note = text("note", t("followup.note"));
    photos = el("input", { type: "file", name: "photo", accept: "image/jpeg,image/png,image/webp,image/heic", multiple: true });
    fields.push(el("label", {}, t("followup.close_photos"), photos));
  }
  const submit = el("button", { type: "submit", class: "primary" }, t(`followup.do.${action}`));
  const onsubmit = async (e) => {
    e.preventDefault();
    error.textContent = "";
    const body =
      action === "extend" ? { days: Number(days.value), reason: reason.value.trim() }
      : action === "escalate" ? { unit: unit.value.trim(), reason: reason.value.trim() }
      : action === "cancel" ? { reason: reason.value.trim() }
      : { note: note.value.trim() };
    if ((body.reason ?? body.note) === "") {
      error.textContent = t("followup.reason_required");
      return;
    }
    const path = `/api/follow-ups/${f.id}/${action}`;
    submit.disabled = true;
    try {
      const files = photos ? [...photos.files] : [];
      let answer;
      if (files.length) {
        // Like the capture endpoint: the action as a JSON part (named `close`), then the photos.
        const form = new FormData();
        form.append("close", new Blob([JSON.stringify(body)], { type: "application/json" }));
        for (const file of files) form.append("photo", file, file.name);
        answer = await api.request(path, { method: "POST", body: form });
      } else {
        answer = await api.request(path, { method: "POST", json: body });
      }
      done(answer, action);
    } catch (err) {
      error.textContent = refusal(err);
      submit.disabled = false;
    }
  };
  return el(
    "form",
    { class: "follow-up-action", id: `follow-up-form-${action}`, onsubmit },
    el("strong", {}, t(`followup.ask.${action}`)),
    fields,
    el("div", { class: "actions" }, submit, el("button", { type: "button", onclick: () => slot.replaceChildren() }, t("common.cancel"))),
    error,
  );
}
