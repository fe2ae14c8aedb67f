// Each responsible unit's list (属地派出所, 区商务局, the community…): what it must act on, what
// is due within a few days, what is late, from /api/units; one unit's list as a table to print
// or to download as CSV or XLSX (the figures `patrolmap report units` prints and the daily
// webhook sends).

import * as api from "./api.js";
import { t } from "./i18n.js";
import { el, failureText, table } from "./ui.js";

const WITHIN_DAYS = 3;

const columns = () => [
  { label: t("units.venue"), value: (f) => f.venue },
  { label: t("units.area"), value: (f) => f.area || "" },
  { label: t("units.action"), value: (f) => f.action },
  { label: t("units.deadline"), value: (f) => f.deadline },
  { label: t("units.level"), value: (f) => (f.level ? t("units.level_n", { n: f.level }) : ""), class: "num" },
  { label: t("units.days_late"), value: (f) => f.days_late || "", class: "num" },
];

export async function mount(root) {
  const page = el("section", { class: "assessment units", id: "units" });
  root.append(page);
  const status = el("p", { class: "error", role: "status" });
  const list = el("div", { id: "units-list" });
  const detail = el("div", { id: "unit-detail" });
  page.append(el("h2", {}, t("units.title", { days: WITHIN_DAYS })), status, list, detail);
  let alive = true;
  let shown = null;

  async function open(unit) {
    shown = unit;
    const path = `/api/units/${encodeURIComponent(unit)}/follow-ups?within=${WITHIN_DAYS}`;
    detail.replaceChildren(el("p", {}, t("assessment.loading")));
    let answer;
    try {
      answer = await api.get(path);
    } catch (err) {
      if (alive && shown === unit) detail.replaceChildren(el("p", { class: "error" }, failureText(err)));
      return;
    }
    if (!alive || shown !== unit) return;
    const u = answer.unit;
    const save = (format) => async () => {
      status.textContent = "";
      try {
        await api.saveFile(`${path}&format=${format}`, `${unit}-${answer.day}.${format}`);
      } catch (err) {
        status.textContent = failureText(err);
      }
    };
    const part = (key) => [
      el("h4", {}, t(`units.${key}`), ` (${u[key].length})`),
      u[key].length ? table(columns(), u[key], { class: "compact", id: `unit-${key}` }) : el("p", { class: "note" }, t("units.none")),
    ];
    detail.replaceChildren(
      el("h3", {}, t("units.list_of", { unit: u.unit, day: answer.day })),
      el(
        "div",
        { class: "controls no-print" },
        el("button", { type: "button", id: "unit-csv", onclick: save("csv") }, t("units.download_csv")),
        el("button", { type: "button", id: "unit-xlsx", onclick: save("xlsx") }, t("assessment.download_xlsx")),
        el("button", { type: "button", onclick: () => window.print() }, t("assessment.print")),
      ),
      ...part("late"),
      ...part("due_soon"),
      ...part("later"),
    );
  }

  try {
    const report = await api.get(`/api/units?within=${WITHIN_DAYS}`);
    if (!alive) return () => {};
    const rows = report.units.map((u) => ({ ...u, later: u.open - u.late - u.due_soon }));
    list.replaceChildren(
      rows.length
        ? table(
            [
              { label: t("assessment.unit"), cell: (u) => el("button", { type: "button", class: "link", dataset: { unit: u.unit }, onclick: () => open(u.unit) }, u.unit) },
              { label: t("units.open"), value: (u) => u.open, class: "num" },
              { label: t("units.late"), value: (u) => u.late, class: "num" },
              { label: t("units.due_soon"), value: (u) => u.due_soon, class: "num" },
              { label: t("units.later"), value: (u) => u.later, class: "num" },
            ],
            rows,
            { class: "compact", id: "units-table" },
          )
        : el("p", { class: "note" }, t("units.none")),
    );
    if (rows.length) await open(rows[0].unit);
  } catch (err) {
    if (alive) status.textContent = failureText(err);
  }
  return () => {
    alive = false;
  };
}
