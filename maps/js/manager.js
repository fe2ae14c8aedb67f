// The manager's desk: coverage by township, community or grid cell as a choropleth with its
// legend, the overdue venues, the open follow-ups with deadlines and units, findings per week as
// a chart; every table exports as CSV.

import * as api from "./api.js";
import { percent, t, term } from "./i18n.js";
import { layerTitles } from "./layers.js";
import { createMap, ready, showGeoJson } from "./map.js";
import { downloadButton, el, failureText, table, toCsv } from "./ui.js";

const LEVELS = ["township", "community", "grid"];
/** Coverage classes: below 60% is a problem, 90% and up is the aim. */
const COVERAGE_BREAKS = [0.6, 0.8, 0.9];
const COVERAGE_COLOURS = ["#e03131", "#f08c00", "#fab005", "#2f9e44"];
const OUTCOME_COLOURS = { violation: "#f08c00", drug_related: "#c92a2a", refused_entry: "#5f3dc4" };

export async function mount(root, { app }) {
  const mapBox = el("div", { class: "map", id: "map" });
  const panel = el("aside", { class: "panel wide", id: "manager-panel" });
  root.append(el("div", { class: "desk" }, mapBox, panel));
  const map = createMap(mapBox, app);
  // Kept across a language or theme switch, which mounts the view again.
  let level = sessionStorage.getItem("patrolmap.level") || "township";

  let areas, overdue, followUps, findings, titles;
  try {
    [areas, overdue, followUps, findings, titles] = await Promise.all([
      api.get("/api/layers/areas?limit=100000"),
      api.get("/api/overdue"),
      api.get("/api/follow-ups?status=open"),
      api.get("/api/findings?weeks=8"),
      layerTitles(),
    ]);
  } catch (err) {
    panel.append(el("p", { class: "error" }, failureText(err)));
    return () => map.remove();
  }
  const areaTable = el("div", { id: "area-table" });
  const renderAreas = () => {
    if (map.getLayer("coverage-fill")) {
      for (const id of ["coverage-fill", "coverage-line"]) map.setFilter(id, ["==", ["get", "level"], level]);
    }
    const rows = areas.features.map((f) => f.properties).filter((p) => p.level === level).sort((a, b) => a.covered_share - b.covered_share);
    const columns = areaColumns();
    areaTable.replaceChildren(
      csvButton(t("manager.export_csv"), `coverage-${level}-${app.plan_date}.csv`, columns, rows, "export-areas"),
      table(columns, rows, { class: "compact" }),
    );
  };

  panel.append(
    el("h2", {}, t("manager.title", { date: app.plan_date })),
    el(
      "div",
      { class: "levels", role: "group" },
      LEVELS.map((l) =>
        el("button", { type: "button", dataset: { level: l }, "aria-pressed": String(l === level), onclick: (e) => {
          level = l;
          sessionStorage.setItem("patrolmap.level", l);
          for (const b of e.target.parentElement.children) b.setAttribute("aria-pressed", String(b.dataset.level === l));
          renderAreas();
        } }, term("level", l)),
      ),
    ),
    coverageLegend(titles.areas),
    el("h3", {}, t("manager.areas")),
    areaTable,
    overdueSection(overdue, map),
    followUpSection(followUps.follow_ups, app.plan_date),
    findingsSection(findings.weeks),
  );
  renderAreas();

  await ready(map);
  const colour = ["step", ["get", "covered_share"], COVERAGE_COLOURS[0], COVERAGE_BREAKS[0], COVERAGE_COLOURS[1], COVERAGE_BREAKS[1], COVERAGE_COLOURS[2], COVERAGE_BREAKS[2], COVERAGE_COLOURS[3]];
  showGeoJson(map, "areas", areas, [
    { id: "coverage-fill", type: "fill", filter: ["==", ["get", "level"], level], paint: { "fill-color": colour, "fill-opacity": 0.45 } },
    { id: "coverage-line", type: "line", filter: ["==", ["get", "level"], level], paint: { "line-color": "#343a40", "line-width": 1 } },
  ]);
  const overduePoints = {
    type: "FeatureCollection",
    features: overdue.venues.map((v) => ({ type: "Feature", geometry: { type: "Point", coordinates: [v.lon, v.lat] }, properties: { id: v.id } })),
  };
  showGeoJson(map, "overdue", overduePoints, [
    { id: "overdue", type: "circle", paint: { "circle-color": "#c92a2a", "circle-radius": 4, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
  ]);
  map.on("click", "coverage-fill", (e) => {
    const p = e.features[0].properties;
    new maplibregl.Popup().setLngLat(e.lngLat).setDOMContent(areaPopup(p)).addTo(map);
  });
  return () => map.remove();
}

function areaColumns() {
  return [
    { label: t("manager.area"), value: (p) => p.name },
    { label: t("manager.active"), value: (p) => p.active, class: "num" },
    { label: t("manager.covered"), value: (p) => p.covered, class: "num" },
    { label: t("manager.share"), value: (p) => (p.active ? percent(p.covered_share) : "–"), class: "num" },
    { label: t("manager.overdue"), value: (p) => p.overdue, class: "num" },
    { label: t("manager.findings"), value: (p) => p.findings, class: "num" },
    { label: t("manager.open_follow_ups"), value: (p) => p.open_follow_ups, class: "num" },
    { label: t("manager.late_follow_ups"), value: (p) => p.overdue_follow_ups, class: "num" },
  ];
}

function areaPopup(p) {
  return el(
    "div",
    {},
    el("strong", {}, `${p.name} (${term("level", p.level)})`),
    el("p", {}, t("manager.popup_coverage", { covered: p.covered, active: p.active, share: p.active ? percent(p.covered_share) : "–" })),
    el("p", {}, t("manager.popup_findings", { findings: p.findings, inspections: p.inspections, days: p.period_days })),
    el("p", {}, t("manager.popup_follow_ups", { open: p.open_follow_ups, late: p.overdue_follow_ups })),
  );
}

function coverageLegend(title) {
  const labels = [`< ${percent(COVERAGE_BREAKS[0])}`, `${percent(COVERAGE_BREAKS[0])} – ${percent(COVERAGE_BREAKS[1])}`, `${percent(COVERAGE_BREAKS[1])} – ${percent(COVERAGE_BREAKS[2])}`, `≥ ${percent(COVERAGE_BREAKS[2])}`];
  return el(
    "section",
    { class: "legend", id: "coverage-legend" },
    el("h3", {}, title, " · ", t("manager.legend")),
    el("ul", { class: "inline" }, labels.map((l, i) => el("li", {}, el("span", { class: "swatch", style: `background:${COVERAGE_COLOURS[i]}` }), l))),
    el("p", { class: "muted" }, t("manager.covered_rule")),
  );
}

function overdueSection(overdue, map) {
  const columns = [
    { label: t("manager.venue"), value: (v) => v.name },
    { label: t("manager.kind"), value: (v) => term("kind", v.kind), class: "nowrap" },
    { label: t("manager.township"), value: (v) => v.township ?? "", class: "nowrap" },
    { label: t("manager.community"), value: (v) => v.community ?? "", class: "nowrap" },
    { label: t("manager.unit"), value: (v) => v.responsible_unit ?? "", class: "nowrap" },
    { label: t("manager.last_inspected"), value: (v) => (v.last_inspected_at ? v.last_inspected_at.slice(0, 10) : t("manager.never")), class: "nowrap" },
    { label: t("manager.days_overdue"), value: (v) => v.days_overdue ?? t("manager.never"), class: "num" },
  ];
  const rows = overdue.venues;
  const list = table(columns, rows, { class: "compact clickable", id: "overdue-table" });
  list.addEventListener("click", (e) => {
    const index = e.target.closest("tr")?.sectionRowIndex;
    const v = e.target.closest("tbody") && rows[index];
    if (v) map.flyTo({ center: [v.lon, v.lat], zoom: 17 });
  });
  return el(
    "section",
    { id: "overdue" },
    el("h3", {}, t("manager.overdue_title", { n: rows.length })),
    csvButton(t("manager.export_csv"), `overdue-${overdue.date}.csv`, columns, rows, "export-overdue"),
    el("div", { class: "scroll" }, list),
  );
}

function followUpSection(followUps, today) {
  const rows = [...followUps].sort((a, b) => a.deadline.localeCompare(b.deadline));
  const columns = [
    { label: t("manager.venue"), value: (f) => f.venue ?? `#${f.venue_id}` },
    { label: t("manager.finding"), value: (f) => term("outcome", f.outcome), class: "nowrap" },
    { label: t("manager.action"), value: (f) => f.action },
    { label: t("manager.unit"), value: (f) => term("unit", f.responsible_unit), class: "nowrap" },
    { label: t("manager.raised_on"), value: (f) => f.raised_on, class: "nowrap" },
    { label: t("manager.deadline"), value: (f) => f.deadline, class: "nowrap" },
    { label: t("manager.state"), value: (f) => (f.deadline < today ? t("manager.late") : t("manager.open")), class: "nowrap" },
  ];
  const late = rows.filter((f) => f.deadline < today).length;
  return el(
    "section",
    { id: "follow-ups" },
    el("h3", {}, t("manager.follow_ups_title", { n: rows.length, late })),
    csvButton(t("manager.export_csv"), `follow-ups-${today}.csv`, columns, rows, "export-follow-ups"),
    el("div", { class: "scroll" }, table(columns, rows, { class: "compact", id: "follow-up-table" })),
  );
}

/** Findings per week as stacked bars (SVG), with the inspections that week written on top. */
function findingsSection(weeks) {
  const kinds = Object.keys(OUTCOME_COLOURS);
  const max = Math.max(1, ...weeks.map((w) => kinds.reduce((s, k) => s + w[k], 0)));
  const W = 520;
  const H = 180;
  const bar = W / Math.max(weeks.length, 1);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H + 34}`);
  svg.setAttribute("class", "chart");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("manager.findings_chart"));
  const add = (tag, attrs, text) => {
    const n = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
    if (text !== undefined) n.textContent = text;
    svg.append(n);
  };
  weeks.forEach((w, i) => {
    let y = H;
    for (const k of kinds) {
      const h = (w[k] / max) * (H - 20);
      y -= h;
      add("rect", { x: i * bar + 6, y, width: bar - 12, height: h, fill: OUTCOME_COLOURS[k] }, undefined);
    }
    add("text", { x: i * bar + bar / 2, y: y - 4, "text-anchor": "middle", class: "value" }, String(kinds.reduce((s, k) => s + w[k], 0)));
    add("text", { x: i * bar + bar / 2, y: H + 16, "text-anchor": "middle" }, w.week_start.slice(5));
    add("text", { x: i * bar + bar / 2, y: H + 30, "text-anchor": "middle", class: "muted" }, t("manager.inspections_short", { n: w.inspections }));
  });
  const columns = [
    { label: t("manager.week_start"), value: (w) => w.week_start },
    { label: t("manager.inspections"), value: (w) => w.inspections },
    ...kinds.map((k) => ({ label: term("outcome", k), value: (w) => w[k] })),
  ];
  return el(
    "section",
    { id: "findings" },
    el("h3", {}, t("manager.findings_title", { weeks: weeks.length })),
    el("ul", { class: "legend inline" }, kinds.map((k) => el("li", {}, el("span", { class: "swatch", style: `background:${OUTCOME_COLOURS[k]}` }), term("outcome", k)))),
    svg,
    csvButton(t("manager.export_csv"), "findings-by-week.csv", columns, weeks, "export-findings"),
  );
}

function csvButton(label, filename, columns, rows, id) {
  return downloadButton(label, id, filename, "text/csv", () => toCsv(columns, rows), { class: "export" });
}
