// The manager's desk: coverage by township, community or grid cell as a choropleth with its
// legend, the overdue venues, the open follow-ups with deadlines and units, findings per week as
// a chart. The tables page from the server (paged.js); each exports its whole list as CSV.

import * as api from "./api.js";
import { percent, t, term } from "./i18n.js";
import { featureDetails, layerCatalogue, titlesOf } from "./layers.js";
import { createMap, ready, showGeoJson, showTiles } from "./map.js";
import { pagedTable } from "./paged.js";
import { downloadButton, el, failureText, toCsv } from "./ui.js";

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

  const overdueTitle = el("h3", {}, t("manager.overdue_title", { n: "…" }));
  const followUpTitle = el("h3", {}, t("manager.follow_ups_title", { n: "…", late: "…" }));
  let overduePage = null;
  let drawn = false;
  const areaTable = pagedTable({
    id: "areas",
    path: "/api/coverage",
    rowsKey: "areas",
    columns: areaColumns(),
    params: { level },
    sort: "covered_share",
    filters: [{ param: "name", label: t("paged.filter_name") }],
    csvName: (a) => `coverage-${level}-${a?.date ?? app.plan_date}.csv`,
    caption: t("manager.areas"),
  });
  const overdueTable = pagedTable({
    id: "overdue",
    path: "/api/overdue",
    rowsKey: "venues",
    columns: overdueColumns(),
    sort: "days_overdue",
    order: "desc",
    filters: [
      { param: "name", label: t("paged.filter_name") },
      { param: "kind", label: t("manager.kind"), options: [{ value: "", label: t("paged.all") }, ...app.kinds.map((k) => ({ value: k, label: term("kind", k) }))] },
    ],
    csvName: (a) => `overdue-${a?.date ?? app.plan_date}.csv`,
    onRow: (v) => map.flyTo({ center: [v.lon, v.lat], zoom: 17 }),
    onPage: (answer) => {
      overdueTitle.textContent = t("manager.overdue_title", { n: answer.total });
      overduePage = answer;
      // The map shows the venues of the page in the table.
      if (drawn) map.getSource("overdue")?.setData(overduePoints(answer.venues));
    },
  });
  const followUpTable = pagedTable({
    id: "follow-ups",
    path: "/api/follow-ups",
    rowsKey: "follow_ups",
    columns: followUpColumns(),
    params: { status: "open" },
    sort: "deadline",
    filters: [
      { param: "late", label: t("manager.state"), options: [{ value: "", label: t("paged.all") }, { value: "true", label: t("manager.late") }, { value: "false", label: t("manager.open") }] },
      { param: "outcome", label: t("manager.finding"), options: [{ value: "", label: t("paged.all") }, ...["violation", "drug_related", "refused_entry"].map((o) => ({ value: o, label: term("outcome", o) }))] },
    ],
    csvName: (a) => `follow-ups-${a?.day ?? app.plan_date}.csv`,
  });

  // The choropleth needs only the catalogue: it draws while the tables (a city's are counted
  // from tens of thousands of venues) are still loading.
  const catalogueLoad = layerCatalogue();
  const mapDrawn = catalogueLoad.then(async (catalogue) => {
    await ready(map);
    const colour = ["step", ["get", "covered_share"], COVERAGE_COLOURS[0], COVERAGE_BREAKS[0], COVERAGE_COLOURS[1], COVERAGE_BREAKS[1], COVERAGE_COLOURS[2], COVERAGE_BREAKS[2], COVERAGE_COLOURS[3]];
    showTiles(map, catalogue.areas, [
      { id: "coverage-fill", type: "fill", filter: ["==", ["get", "level"], level], paint: { "fill-color": colour, "fill-opacity": 0.45 } },
      { id: "coverage-line", type: "line", filter: ["==", ["get", "level"], level], paint: { "line-color": "#343a40", "line-width": 1 } },
    ]);
  });
  let catalogue, findings, openCount, lateCount;
  try {
    [catalogue, , , openCount, lateCount, findings] = await Promise.all([
      catalogueLoad,
      mapDrawn,
      overdueTable.load(),
      followUpTable.load(),
      api.get("/api/follow-ups?status=open&late=true&limit=1"),
      api.get("/api/findings?weeks=8"),
      areaTable.load(),
    ]);
  } catch (err) {
    panel.append(el("p", { class: "error" }, failureText(err)));
    return () => map.remove();
  }
  followUpTitle.textContent = t("manager.follow_ups_title", { n: openCount.total, late: lateCount.total });
  const titles = titlesOf(catalogue);

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
          if (map.getLayer("coverage-fill")) {
            for (const id of ["coverage-fill", "coverage-line"]) map.setFilter(id, ["==", ["get", "level"], level]);
          }
          areaTable.load({ level, offset: 0 });
        } }, term("level", l)),
      ),
    ),
    coverageLegend(titles.areas),
    el("h3", {}, t("manager.areas")),
    areaTable.element,
    el("section", { id: "overdue-section" }, overdueTitle, overdueTable.element),
    el("section", { id: "follow-ups-section" }, followUpTitle, followUpTable.element),
    findingsSection(findings.weeks),
  );

  showGeoJson(map, "overdue", overduePoints(overduePage?.venues ?? []), [
    { id: "overdue", type: "circle", paint: { "circle-color": "#c92a2a", "circle-radius": 4, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
  ]);
  drawn = true;
  map.on("click", "coverage-fill", async (e) => {
    const popup = new maplibregl.Popup().setLngLat(e.lngLat).setHTML("…").addTo(map);
    try {
      popup.setDOMContent(areaPopup((await featureDetails("areas", e.features[0].id)).properties));
    } catch (err) {
      popup.setDOMContent(el("p", { class: "error" }, failureText(err)));
    }
  });
  return () => map.remove();
}

function areaColumns() {
  return [
    { label: t("manager.area"), value: (p) => p.name, sort: "name" },
    { label: t("manager.active"), value: (p) => p.active, class: "num", sort: "active", order: "desc" },
    { label: t("manager.covered"), value: (p) => p.covered, class: "num", sort: "covered", order: "desc" },
    { label: t("manager.share"), value: (p) => (p.active ? percent(p.covered_share) : "–"), class: "num", sort: "covered_share" },
    { label: t("manager.overdue"), value: (p) => p.overdue, class: "num", sort: "overdue", order: "desc" },
    { label: t("manager.findings"), value: (p) => p.findings, class: "num", sort: "findings", order: "desc" },
    { label: t("manager.open_follow_ups"), value: (p) => p.open_follow_ups, class: "num", sort: "open_follow_ups", order: "desc" },
    { label: t("manager.late_follow_ups"), value: (p) => p.overdue_follow_ups, class: "num", sort: "overdue_follow_ups", order: "desc" },
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

function overduePoints(venues) {
  return {
    type: "FeatureCollection",
    features: venues.map((v) => ({ type: "Feature", geometry: { type: "Point", coordinates: [v.lon, v.lat] }, properties: { id: v.id } })),
  };
}

function overdueColumns() {
  return [
    { label: t("manager.venue"), value: (v) => v.name, sort: "name" },
    { label: t("manager.kind"), value: (v) => term("kind", v.kind), class: "nowrap", sort: "kind" },
    { label: t("manager.township"), value: (v) => v.township ?? "", class: "nowrap", sort: "township" },
    { label: t("manager.community"), value: (v) => v.community ?? "", class: "nowrap", sort: "community" },
    { label: t("manager.unit"), value: (v) => v.responsible_unit ?? "", class: "nowrap", sort: "unit" },
    { label: t("manager.last_inspected"), value: (v) => (v.last_inspected_at ? v.last_inspected_at.slice(0, 10) : t("manager.never")), class: "nowrap", sort: "last_inspected" },
    { label: t("manager.days_overdue"), value: (v) => v.days_overdue ?? t("manager.never"), class: "num", sort: "days_overdue", order: "desc" },
  ];
}

function followUpColumns() {
  return [
    { label: t("manager.venue"), value: (f) => f.venue ?? `#${f.venue_id}`, sort: "venue" },
    { label: t("manager.finding"), value: (f) => term("outcome", f.outcome), class: "nowrap", sort: "outcome" },
    { label: t("manager.action"), value: (f) => f.action },
    { label: t("manager.unit"), value: (f) => term("unit", f.escalated_to ?? f.responsible_unit), class: "nowrap", sort: "unit" },
    { label: t("manager.raised_on"), value: (f) => f.raised_on, class: "nowrap", sort: "raised_on" },
    { label: t("manager.deadline"), value: (f) => f.deadline, class: "nowrap", sort: "deadline" },
    { label: t("manager.state"), value: (f) => (f.late ? t("manager.late") : t("manager.open")), class: "nowrap" },
  ];
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
