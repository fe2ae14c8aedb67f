// The manager's inspections desk (managers, admins): every record as the server holds it,
// filtered by date, area, team, outcome, review state and follow-up; a page of them as a table
// (keyset paging by the server's cursor) and as points on the map coloured by outcome. A record
// opens whole beside the map (inspection.js), where it is reviewed and its follow-up driven;
// the page redraws from what the server answers, never from what it asked for.

import * as api from "./api.js";
import { t, term } from "./i18n.js";
import { boundsOf, createMap, ready, showGeoJson } from "./map.js";
import { openInspection } from "./inspection.js";
import { OUTCOME_COLOURS, REVIEW_STATES, addDays, fill, localTime, outcomeLabel, reviewBadge } from "./records.js";
import { el, failureText } from "./ui.js";

const PAGE_SIZE = 50;
const FILTERS_KEY = "patrolmap.review.filters";
const OPEN_KEY = "patrolmap.review.open";
/** The filters this desk sends, in the order of the form. */
const FILTERS = ["from", "to", "area", "team", "outcome", "review", "has_follow_up"];

export async function mount(root, { app, session }) {
  const mapBox = el("div", { class: "map", id: "map" });
  const detail = el("aside", { class: "record-detail", id: "inspection-detail", hidden: true, "aria-live": "polite" });
  const panel = el("aside", { class: "panel wide review-panel", id: "review-panel" });
  root.append(el("div", { class: "desk review-desk" }, mapBox, detail, panel));
  const map = createMap(mapBox, app);
  // Kept across a language or theme switch, which mounts the view again.
  const state = { filters: savedFilters(app), pages: [null], page: 0, answer: null, error: "", open: sessionStorage.getItem(OPEN_KEY) };
  let closeDetail = null;
  let alive = true;

  const [areas, teams] = await Promise.all([
    api.get("/api/layers/areas?kind=township,community&limit=10000").then((a) => a.features.map((f) => f.properties), () => []),
    api.get(`/api/plans/${app.plan_date}`).then(
      (p) => [...(p.routes || []), ...(p.absent_teams || [])].map((r) => [r.team_id, r.team]),
      () => [],
    ),
  ]);
  const teamNames = new Map(teams);

  const form = filterForm(state.filters, areas, teamNames, (filters) => {
    state.filters = filters;
    sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters));
    state.pages = [null];
    state.page = 0;
    load();
  });
  const listBox = el("section", { id: "review-list", dataset: { state: "loading" } });
  panel.append(el("h2", {}, t("review.title")), form, legend(), listBox);

  function query(cursor) {
    const q = new URLSearchParams();
    for (const name of FILTERS) if (state.filters[name]) q.set(name, state.filters[name]);
    q.set("limit", String(PAGE_SIZE));
    if (cursor?.cursor) q.set("cursor", cursor.cursor);
    else if (cursor?.offset) q.set("offset", String(cursor.offset));
    return `/api/inspections?${q}`;
  }

  /** Reads the page of the list the state names; `fit` moves the map to its records. */
  async function load(fit = true) {
    listBox.dataset.state = "loading";
    state.error = "";
    try {
      state.answer = await api.get(query(state.pages[state.page]));
      // Counted on a first page only: the figure is kept while paging on.
      if (state.answer.total != null) state.total = { n: state.answer.total, capped: Boolean(state.answer.total_capped) };
    } catch (err) {
      state.answer = null;
      state.error = err instanceof api.ApiFailure && err.status === 400 ? t("review.bad_filter", { field: err.field || "", message: err.message }) : failureText(err);
    }
    if (!alive) return;
    for (const r of state.answer?.items || []) if (!teamNames.has(r.team_id) && r.team_id != null) teamNames.set(r.team_id, r.team);
    renderList();
    drawPoints(fit);
  }

  /** The cursor of the page after this one: the server's keyset cursor, else its offset. */
  const nextCursor = (a) => (a?.next_cursor ? { cursor: a.next_cursor } : a?.next_offset != null ? { offset: a.next_offset } : null);

  function renderList() {
    const a = state.answer;
    const rows = a?.items || [];
    const next = nextCursor(a);
    const pager = el(
      "div",
      { class: "pager" },
      el("button", { type: "button", id: "page-prev", disabled: state.page === 0, onclick: () => {
        state.page -= 1;
        load();
      } }, t("review.prev")),
      el("span", { class: "muted", id: "page-at" }, a ? t(state.total?.capped ? "review.page_capped" : "review.page", { page: state.page + 1, total: state.total?.n ?? rows.length }) : ""),
      el("button", { type: "button", id: "page-next", disabled: !next, onclick: () => {
        state.pages[state.page + 1] = next;
        state.page += 1;
        load();
      } }, t("review.next")),
    );
    const table = el(
      "table",
      { class: "compact clickable", id: "review-table" },
      el("thead", {}, el("tr", {}, ["time", "venue", "team", "outcome", "review", "follow_up"].map((c) => t(`review.col.${c}`)).map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map(row)),
    );
    fill(listBox,
      state.error ? el("p", { class: "error", role: "alert", id: "review-error" }, state.error) : null,
      a && !rows.length ? el("p", { class: "muted", id: "review-empty" }, t("review.none")) : null,
      rows.length ? el("div", { class: "scroll tall" }, table) : null,
      pager,
    );
    listBox.dataset.state = "ready";
    listBox.dataset.total = String(state.total?.n ?? 0);
  }

  function row(r) {
    const f = r.follow_up;
    const when = localTime(r.finished_at || r.started_at, app.utc_offset_minutes);
    const photos = typeof r.photos === "number" ? r.photos : (r.photos || []).length;
    const notes = [
      [r.township, r.community].filter(Boolean).join(" / "),
      photos ? t("review.photos_n", { n: photos }) : null,
      r.off_plan ? t("review.off_plan") : null,
      r.superseded_by ? t("review.superseded_short") : null,
    ].filter(Boolean).join(" · ");
    return el(
      "tr",
      { dataset: { uuid: r.uuid, venue: r.venue_id, outcome: r.outcome }, class: r.uuid === state.open ? "selected" : null, onclick: () => open(r.uuid) },
      el("td", { class: "nowrap" }, when.slice(0, 10), el("br"), el("small", { class: "muted" }, when.slice(11))),
      el("td", {}, el("span", { class: "venue" }, r.venue), el("br"), el("small", { class: "muted" }, notes)),
      el("td", {}, r.team ?? ""),
      el("td", { class: "nowrap" }, outcomeLabel(r.outcome)),
      el("td", { class: "nowrap" }, reviewBadge(r.review)),
      el("td", { class: "nowrap" }, f ? [term("follow_up_status", f.status), el("br"), el("small", { class: "muted" }, f.deadline)] : ""),
    );
  }

  async function drawPoints(fit) {
    await ready(map);
    if (!alive) return;
    const rows = state.answer?.items || [];
    const features = rows
      .filter((r) => Number.isFinite(r.lon) && Number.isFinite(r.lat))
      .map((r) => ({ type: "Feature", geometry: { type: "Point", coordinates: [r.lon, r.lat] }, properties: { uuid: r.uuid, outcome: r.outcome, venue: r.venue } }));
    const colour = ["match", ["get", "outcome"], ...Object.entries(OUTCOME_COLOURS).flat(), "#adb5bd"];
    showGeoJson(map, "inspections", { type: "FeatureCollection", features }, [
      { id: "inspections-selected", type: "circle", filter: ["==", ["get", "uuid"], ""], paint: { "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#1d6fd8", "circle-stroke-width": 3 } },
      { id: "inspections", type: "circle", paint: { "circle-color": colour, "circle-radius": 6, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 } },
    ]);
    map.setFilter("inspections-selected", ["==", ["get", "uuid"], state.open || ""]);
    const b = fit && boundsOf(features.map((f) => f.geometry.coordinates));
    if (b) map.fitBounds(b, { padding: 60, maxZoom: 17, animate: false });
  }

  function open(uuid) {
    state.open = uuid;
    sessionStorage.setItem(OPEN_KEY, uuid);
    for (const tr of listBox.querySelectorAll("tbody tr")) tr.classList.toggle("selected", tr.dataset.uuid === uuid);
    if (map.getLayer("inspections-selected")) map.setFilter("inspections-selected", ["==", ["get", "uuid"], uuid]);
    closeDetail?.();
    closeDetail = openInspection(detail, uuid, {
      app,
      session,
      open,
      onChanged: () => load(false),
      onShown: (d) => {
        // Beside the record, not under it.
        if (Number.isFinite(d.lon)) map.easeTo({ center: [d.lon, d.lat], zoom: Math.max(map.getZoom(), 15), padding: { left: detail.offsetWidth, top: 0, right: 0, bottom: 0 } });
      },
      onClose: () => {
        state.open = null;
        sessionStorage.removeItem(OPEN_KEY);
        for (const tr of listBox.querySelectorAll("tr.selected")) tr.classList.remove("selected");
        if (map.getLayer("inspections-selected")) map.setFilter("inspections-selected", ["==", ["get", "uuid"], ""]);
      },
    });
  }

  map.on("click", "inspections", (e) => open(e.features[0].properties.uuid));
  map.on("mouseenter", "inspections", () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", "inspections", () => (map.getCanvas().style.cursor = ""));

  await load();
  if (state.open) open(state.open);
  return () => {
    alive = false;
    closeDetail?.();
    map.remove();
  };
}

/** The filters as last applied in this tab, else the last 30 days to the plan day. */
function savedFilters(app) {
  try {
    const kept = JSON.parse(sessionStorage.getItem(FILTERS_KEY));
    if (kept) return kept;
  } catch {
    // Unreadable: start again.
  }
  return { from: addDays(app.plan_date, -30), to: app.plan_date };
}

function filterForm(filters, areas, teams, apply) {
  const option = (value, label, selected) => el("option", { value, selected: String(value) === String(selected ?? "") }, label);
  const select = (name, label, options) => el("label", {}, label, el("select", { name, id: `filter-${name}` }, option("", t("review.any"), filters[name]), options));
  const byLevel = (level) => areas.filter((a) => a.level === level).sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
  const form = el(
    "form",
    { class: "review-filters", id: "review-filters" },
    el("label", {}, t("review.from"), el("input", { type: "date", name: "from", id: "filter-from", value: filters.from || "" })),
    el("label", {}, t("review.to"), el("input", { type: "date", name: "to", id: "filter-to", value: filters.to || "" })),
    select("area", t("review.area"), ["township", "community"].map((level) => el("optgroup", { label: term("level", level) }, byLevel(level).map((a) => option(a.area_id, a.name, filters.area))))),
    select("team", t("review.team"), [...teams].sort((a, b) => a[0] - b[0]).map(([id, name]) => option(id, name, filters.team))),
    select("outcome", t("review.outcome"), Object.keys(OUTCOME_COLOURS).map((o) => option(o, term("outcome", o), filters.outcome))),
    select("review", t("review.review_state"), REVIEW_STATES.map((s) => option(s, term("review", s), filters.review))),
    select("has_follow_up", t("review.has_follow_up"), [option("true", t("review.yes"), filters.has_follow_up), option("false", t("review.no"), filters.has_follow_up)]),
    el(
      "div",
      { class: "filter-buttons" },
      el("button", { type: "submit", class: "primary", id: "filter-apply" }, t("review.apply")),
      el("button", { type: "button", id: "filter-clear", onclick: () => {
        for (const input of form.querySelectorAll("input, select")) input.value = "";
        form.requestSubmit();
      } }, t("review.clear")),
    ),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const data = new FormData(form);
    apply(Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) || "")]).filter(([, v]) => v)));
  });
  return form;
}

function legend() {
  return el("ul", { class: "legend inline", id: "outcome-legend" }, Object.keys(OUTCOME_COLOURS).map((o) => el("li", {}, outcomeLabel(o))));
}
