// The assessment (考核) of a month or quarter: per area and per responsible unit, ranked by
// covered share then on-time share, from /api/assessment (the figures `patrolmap report
// assessment` prints). A page to print on A4 (the print styles hide the controls) and to
// download as XLSX.

import * as api from "./api.js";
import { number, percent, t } from "./i18n.js";
import { el, failureText, table } from "./ui.js";

const LEVELS = ["township", "community"];
const PERIOD_KEY = "patrolmap.assessment.period";
const LEVEL_KEY = "patrolmap.assessment.level";

/** The month holding the plan day, as YYYY-MM. */
function monthOf(day) {
  return String(day || new Date().toISOString()).slice(0, 7);
}

/** This month, the eleven before it, and the quarters of this year and last: what one picks. */
function periodChoices(day) {
  const [y, m] = monthOf(day).split("-").map(Number);
  const months = [];
  for (let i = 0; i < 12; i++) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`);
  }
  const quarters = [];
  for (const year of [y, y - 1]) {
    for (let q = 4; q >= 1; q--) if (year < y || 3 * q - 2 <= m) quarters.push(`${year}-Q${q}`);
  }
  return [...months, ...quarters];
}

function figureColumns(first) {
  const share = (v) => percent(v);
  return [
    { label: t("assessment.rank"), value: (r) => r.rank ?? "", class: "num" },
    first,
    { label: t("assessment.venues"), value: (r) => r.venues, class: "num" },
    { label: t("assessment.covered"), value: (r) => r.covered, class: "num" },
    { label: t("assessment.covered_share"), value: (r) => share(r.covered_share), class: "num" },
    { label: t("assessment.inspections"), value: (r) => r.inspections, class: "num" },
    { label: t("assessment.findings"), value: (r) => r.findings, class: "num" },
    { label: t("assessment.raised"), value: (r) => r.raised, class: "num" },
    { label: t("assessment.on_time"), value: (r) => r.on_time, class: "num" },
    { label: t("assessment.late"), value: (r) => r.late, class: "num" },
    { label: t("assessment.escalated"), value: (r) => r.escalated, class: "num" },
    { label: t("assessment.open_late"), value: (r) => r.open_late, class: "num" },
    {
      label: t("assessment.average_days"),
      value: (r) => (r.average_days_to_close == null ? "–" : number(r.average_days_to_close, 1)),
      class: "num",
    },
    { label: t("assessment.on_time_share"), value: (r) => share(r.on_time_share), class: "num" },
  ];
}

/** Saves the XLSX of the period. */
async function downloadXlsx(period, level, status) {
  status.textContent = "";
  try {
    await api.saveFile(
      `/api/assessment?period=${encodeURIComponent(period)}&level=${level}&format=xlsx`,
      `assessment-${period}-${level}.xlsx`,
    );
  } catch (err) {
    status.textContent = failureText(err);
  }
}

export async function mount(root, { app }) {
  const page = el("section", { class: "assessment", id: "assessment" });
  root.append(page);
  const choices = periodChoices(app.plan_date);
  let period = sessionStorage.getItem(PERIOD_KEY) || choices[0];
  let level = sessionStorage.getItem(LEVEL_KEY) || "township";
  let alive = true;
  const body = el("div", { id: "assessment-body" });
  const status = el("p", { class: "error", role: "status" });
  const picker = el(
    "select",
    {
      id: "assessment-period",
      "aria-label": t("assessment.period"),
      onchange: (e) => {
        period = e.target.value;
        sessionStorage.setItem(PERIOD_KEY, period);
        load();
      },
    },
    choices.map((p) => el("option", { value: p, selected: p === period }, p)),
  );
  const levels = el(
    "div",
    { class: "levels", role: "group" },
    LEVELS.map((l) =>
      el(
        "button",
        {
          type: "button",
          dataset: { level: l },
          "aria-pressed": String(l === level),
          onclick: () => {
            level = l;
            sessionStorage.setItem(LEVEL_KEY, level);
            for (const b of levels.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.level === l));
            load();
          },
        },
        t(`manager.${l}`),
      ),
    ),
  );
  page.append(
    el(
      "div",
      { class: "controls no-print" },
      el("label", {}, t("assessment.period"), " ", picker),
      levels,
      el("button", { type: "button", id: "assessment-xlsx", onclick: () => downloadXlsx(period, level, status) }, t("assessment.download_xlsx")),
      el("button", { type: "button", id: "assessment-print", onclick: () => window.print() }, t("assessment.print")),
    ),
    status,
    body,
  );

  async function load() {
    const asked = `${period}/${level}`;
    body.replaceChildren(el("p", {}, t("assessment.loading")));
    let report;
    try {
      report = await api.get(`/api/assessment?period=${encodeURIComponent(period)}&level=${level}`);
    } catch (err) {
      if (alive && asked === `${period}/${level}`) body.replaceChildren(el("p", { class: "error" }, failureText(err)));
      return;
    }
    // A newer choice was made while this one loaded: that one draws the page.
    if (!alive || asked !== `${period}/${level}`) return;
    const areaName = { label: t(`manager.${level}`), value: (r) => r.name };
    const unitName = { label: t("assessment.unit"), value: (r) => r.unit };
    const total = { ...report.total, name: t("assessment.total"), rank: null };
    body.replaceChildren(
      el("h2", {}, t("assessment.title", { period: report.period.label, first: report.period.first, last: report.as_of })),
      el("h3", {}, t("assessment.by_area")),
      table(figureColumns(areaName), [...report.areas, total], { class: "compact", id: "assessment-areas" }),
      el("h3", {}, t("assessment.by_unit")),
      table(figureColumns(unitName), report.units, { class: "compact", id: "assessment-units" }),
      el("p", { class: "note" }, t("assessment.ranking_rule")),
    );
  }

  await load();
  return () => {
    alive = false;
  };
}
