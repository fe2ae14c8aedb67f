// The lighting planner's desk: blind spots by severity, lamps by status, data gaps kept apart
// (all three as the server's vector tiles), the first proposed lamps with a K control, the crew's
// repair route, the illuminance at any clicked point with the lamps that make it and the clicked
// feature's details, and exports of what is shown.

import * as api from "./api.js";
import { number, percent, t, term } from "./i18n.js";
import { createMap, drawRoute, ready, showGeoJson, showTiles, viewBbox } from "./map.js";
import { featureDetails, layerCatalogue, titlesOf } from "./layers.js";
import { download, downloadButton, el, failureText, planTime, table, toCsv } from "./ui.js";

/** Proposals are a ranked list: the view takes the first ones, never the whole layer. */
const PROPOSAL_PAGE = 100;
/** Blind spots an export takes from the current view at most. */
const EXPORT_LIMIT = 5000;
const LAMP_COLOURS = ["match", ["get", "status"], "working", "#f5c400", "broken", "#e03131", "#8d96a0"];

export async function mount(root, { app }) {
  const mapBox = el("div", { class: "map", id: "map" });
  const panel = el("aside", { class: "panel", id: "planner-panel" });
  root.append(el("div", { class: "desk" }, mapBox, panel));
  const map = createMap(mapBox, app);
  const cleanups = [];

  let catalogue, firstProposals;
  try {
    [catalogue, firstProposals] = await Promise.all([layerCatalogue(), api.get(`/api/layers/lamp_proposals?limit=${PROPOSAL_PAGE}`)]);
  } catch (err) {
    panel.append(el("p", { class: "error" }, failureText(err)));
    return () => map.remove();
  }
  const titles = titlesOf(catalogue);
  const breaks = severityBreaks(catalogue.blind_spots.quantiles?.severity);
  const proposals = [...firstProposals.features].sort((a, b) => a.properties.rank - b.properties.rank);
  let k = Math.min(proposals.length, 10);

  const proposalList = el("div", { id: "proposal-list" });
  const renderProposals = () => {
    map.getLayer("proposals") && map.setFilter("proposals", ["<=", ["get", "rank"], k]);
    const shown = proposals.slice(0, k);
    proposalList.replaceChildren(
      el("p", {}, t("planner.proposals_effect", { k, left: percent(shown.at(-1)?.properties.deficit_left_share ?? 1) })),
      table(
        [
          { label: t("planner.rank"), value: (f) => f.properties.rank, class: "num" },
          { label: t("planner.road_class"), value: (f) => term("road", f.properties.road_class) },
          { label: t("planner.gain_lx"), value: (f) => number(f.properties.gain_lx, 1), class: "num" },
          { label: t("planner.deficit_left"), value: (f) => percent(f.properties.deficit_left_share), class: "num" },
        ],
        shown,
        { class: "compact" },
      ),
    );
  };

  const counts = catalogue.blind_spots.kinds;
  const lampCounts = catalogue.lamps.kinds;
  /** The blind spots in the current view, fetched when an export is pressed. */
  const viewSpots = async () => (await api.get(`/api/layers/blind_spots?bbox=${viewBbox(map)}&limit=${EXPORT_LIMIT}`)).features;
  panel.append(
    el("h2", {}, t("planner.title")),
    el(
      "section",
      { class: "summary", id: "planner-summary" },
      el("p", {}, t("planner.blind_spot_counts", { corners: counts.corner || 0, stretches: counts.stretch || 0 })),
      el("p", {}, t("planner.lamp_counts", { working: lampCounts.working || 0, broken: lampCounts.broken || 0, unknown: lampCounts.unknown || 0 })),
      el("p", { class: "muted" }, t("planner.data_gap_note", { n: catalogue.data_gaps.features })),
    ),
    legend(titles, breaks),
    el("h3", {}, titles.lamp_proposals),
    el(
      "label",
      { class: "k-control" },
      t("planner.k"),
      el("input", {
        type: "range", min: 1, max: Math.max(proposals.length, 1), value: k, id: "k",
        oninput: (e) => {
          k = Number(e.target.value);
          e.target.nextElementSibling.textContent = k;
          renderProposals();
        },
      }),
      el("output", {}, k),
    ),
    proposalList,
    el("h3", {}, t("planner.repair_route")),
    el("div", { id: "repair-route" }),
    el("h3", {}, t("planner.exports")),
    el(
      "div",
      { class: "exports" },
      exportButton(t("planner.export_blind_spots_geojson"), "export-blind-spots", "blind-spots.geojson", "application/geo+json", async () => JSON.stringify({ type: "FeatureCollection", features: await viewSpots() })),
      downloadButton(t("planner.export_proposals_geojson"), "export-proposals", "lamp-proposals.geojson", "application/geo+json", () => JSON.stringify({ type: "FeatureCollection", features: proposals.slice(0, k) })),
      exportButton(t("planner.export_blind_spots_csv"), "export-blind-spots-csv", "blind-spots.csv", "text/csv", async () => blindSpotCsv(await viewSpots())),
      downloadButton(t("planner.export_proposals_csv"), "export-proposals-csv", "lamp-proposals.csv", "text/csv", () => proposalCsv(proposals.slice(0, k))),
    ),
    el("p", { class: "muted" }, t("planner.click_hint")),
  );
  renderProposals();

  await ready(map);
  drawLayers(map, catalogue, firstProposals, breaks);
  renderProposals();
  // The crews' plan is a large answer to parse: it waits until the map has drawn.
  map.once("idle", () => showRepairRoute(map, panel.querySelector("#repair-route"), cleanups));
  const onClick = (e) => showIlluminance(map, e);
  map.on("click", onClick);
  return () => {
    cleanups.forEach((c) => c());
    map.remove();
  };
}

/** The server's quantile breaks of severity (50%, 80%, 95%), so the colours split the district's
 *  own spots evenly. */
function severityBreaks(quantiles) {
  if (!quantiles?.length) return [1, 2, 3];
  const b = [...quantiles];
  // Strictly increasing stops, as MapLibre's `step` requires.
  for (let i = 1; i < b.length; i++) if (b[i] <= b[i - 1]) b[i] = b[i - 1] + 1e-6;
  return b;
}

const SEVERITY_COLOURS = ["#ffc078", "#fd7e14", "#d9480f", "#a61e4d"];

function severityColour(breaks) {
  return ["step", ["get", "severity"], SEVERITY_COLOURS[0], breaks[0], SEVERITY_COLOURS[1], breaks[1], SEVERITY_COLOURS[2], breaks[2], SEVERITY_COLOURS[3]];
}

/** The lamps from zoom 13 and the data gaps from zoom 12: over a whole city they are hundreds of
 *  thousands of marks that hide the blind spots under them and take seconds to draw without a GPU
 *  (`benches/http/views.mjs`); the blind spots and proposals show at every zoom. */
const LAMPS_FROM_ZOOM = 13;
const DATA_GAPS_FROM_ZOOM = 12;

function drawLayers(map, catalogue, firstProposals, breaks) {
  showTiles(map, catalogue.data_gaps, [
    { id: "data-gaps", type: "line", minzoom: DATA_GAPS_FROM_ZOOM, paint: { "line-color": "#9c36b5", "line-width": 2, "line-dasharray": [1, 1.5], "line-opacity": 0.7 } },
  ]);
  showTiles(map, catalogue.blind_spots, [
    { id: "blind-stretches", type: "line", filter: ["in", ["geometry-type"], ["literal", ["LineString", "MultiLineString"]]], layout: { "line-cap": "round" }, paint: { "line-color": severityColour(breaks), "line-width": ["interpolate", ["linear"], ["zoom"], 13, 2, 17, 6] } },
    { id: "blind-corners", type: "circle", filter: ["in", ["geometry-type"], ["literal", ["Point", "MultiPoint"]]], paint: { "circle-color": severityColour(breaks), "circle-radius": ["interpolate", ["linear"], ["zoom"], 13, 3, 17, 8], "circle-stroke-color": "#000", "circle-stroke-width": 0.5 } },
  ]);
  showTiles(map, catalogue.lamps, [
    { id: "lamps", type: "circle", minzoom: LAMPS_FROM_ZOOM, paint: { "circle-color": LAMP_COLOURS, "circle-radius": ["interpolate", ["linear"], ["zoom"], 13, 1.5, 17, 5], "circle-stroke-color": "#222", "circle-stroke-width": 0.5 } },
  ]);
  showGeoJson(map, "lamp_proposals", firstProposals, [
    { id: "proposals", type: "circle", paint: { "circle-color": "#2f9e44", "circle-radius": 8, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } },
  ]);
}

function legend(titles, breaks) {
  const swatch = (colour, line) => el("span", { class: `swatch${line ? " line" : ""}`, style: `background:${colour}` });
  const b = breaks.map((x) => number(x, 1));
  return el(
    "section",
    { class: "legend", id: "planner-legend" },
    el("h3", {}, titles.blind_spots, " · ", t("planner.severity")),
    el("ul", {}, [
      el("li", {}, swatch(SEVERITY_COLOURS[0]), `< ${b[0]}`),
      el("li", {}, swatch(SEVERITY_COLOURS[1]), `${b[0]} – ${b[1]}`),
      el("li", {}, swatch(SEVERITY_COLOURS[2]), `${b[1]} – ${b[2]}`),
      el("li", {}, swatch(SEVERITY_COLOURS[3]), `≥ ${b[2]}`),
    ]),
    el("ul", {}, [
      el("li", {}, swatch("#f5c400"), `${titles.lamps}: ${term("lamp", "working")}`),
      el("li", {}, swatch("#e03131"), `${titles.lamps}: ${term("lamp", "broken")}`),
      el("li", {}, swatch("#8d96a0"), `${titles.lamps}: ${term("lamp", "unknown")}`),
      el("li", {}, swatch("#9c36b5", true), titles.data_gaps),
      el("li", {}, swatch("#2f9e44"), titles.lamp_proposals),
      el("li", {}, swatch("#e8590c", true), t("planner.repair_route")),
    ]),
  );
}

async function showRepairRoute(map, box, cleanups) {
  let plan;
  try {
    plan = await api.get("/api/plans/today?duty=lighting&left_out=false");
  } catch (err) {
    box.append(el("p", { class: "muted" }, err.status === 404 ? t("planner.no_repair_route") : failureText(err)));
    return;
  }
  for (const route of plan.routes) {
    const id = `crew-${route.team_id}`;
    const layers = [{ id, type: "line", paint: { "line-color": "#e8590c", "line-width": 3, "line-dasharray": [3, 1] } }];
    cleanups.push(drawRoute(map, id, route, layers, (stop) => el("span", { class: "stop-marker crew" }, String(stop.seq))));
    box.append(
      el("p", {}, t("planner.crew_line", { team: route.team, stops: route.stops.length, start: planTime(route.start_s), end: planTime(route.end_s) })),
      el("ol", { class: "crew-stops" }, route.stops.map((s) => el("li", { title: s.name }, `${planTime(s.arrival_s)} ${crewJob(s)} · ${number(s.score, 1)} lx`))),
    );
  }
}

/** A crew stop in the page's language: a new lamp by its proposal rank, a repair by lamp id. */
function crewJob(stop) {
  return stop.target.kind === "proposal"
    ? t("planner.crew_install", { rank: stop.reason?.rank ?? stop.target.id })
    : t("planner.crew_repair", { id: stop.target.id });
}

/** Layers whose clicked feature the popup describes, with the catalogue layer it comes from. */
const CLICKABLE = { "blind-corners": "blind_spots", "blind-stretches": "blind_spots", lamps: "lamps", "data-gaps": "data_gaps" };

async function showIlluminance(map, { lngLat, point }) {
  const popup = new maplibregl.Popup({ maxWidth: "340px" }).setLngLat(lngLat).setHTML("…").addTo(map);
  const hit = map.queryRenderedFeatures(point, { layers: Object.keys(CLICKABLE).filter((id) => map.getLayer(id)) })[0];
  let at, details;
  try {
    [at, details] = await Promise.all([
      api.get(`/api/lighting/at?lon=${lngLat.lng.toFixed(7)}&lat=${lngLat.lat.toFixed(7)}`),
      hit && hit.id !== undefined ? featureDetails(CLICKABLE[hit.layer.id], hit.id) : null,
    ]);
  } catch (err) {
    popup.setDOMContent(el("p", { class: "error" }, failureText(err)));
    return;
  }
  const street = at.nearest_street;
  popup.setDOMContent(
    el(
      "div",
      { class: "lux-popup" },
      details ? featureSummary(CLICKABLE[hit.layer.id], details) : null,
      el("strong", {}, t("planner.lux_here", { lux: number(at.lux, 2) })),
      street
        ? el("p", {}, t("planner.street_requirement", { name: street.name || term("road", street.road_class), min: number(street.required_min_lux, 1), avg: number(street.required_avg_lux, 1) }))
        : null,
      at.lamps.length
        ? table(
            [
              { label: t("planner.lamp"), value: (l) => l.id },
              { label: t("planner.distance_m"), value: (l) => number(l.distance_m, 0), class: "num" },
              { label: t("planner.height_m"), value: (l) => number(l.height_m, 1), class: "num" },
              { label: "lx", value: (l) => number(l.lux, 2), class: "num" },
            ],
            at.lamps,
            { class: "compact" },
          )
        : el("p", { class: "muted" }, t("planner.no_lamps_near")),
    ),
  );
}

function blindSpotCsv(features) {
  const p = (f) => f.properties;
  return toCsv(
    [
      { label: "kind", value: (f) => p(f).kind },
      { label: "severity", value: (f) => p(f).severity.toFixed(3) },
      { label: "lux", value: (f) => p(f).lux },
      { label: "required_min_lx", value: (f) => p(f).required_min_lx },
      { label: "lighting_class", value: (f) => p(f).lighting_class },
      { label: "road_class", value: (f) => p(f).road_class },
      { label: "length_m", value: (f) => p(f).length_m?.toFixed(1) ?? "" },
      { label: "confirmed", value: (f) => p(f).confirmed },
      { label: "lon", value: (f) => p(f).darkest_lon ?? f.geometry.coordinates[0] },
      { label: "lat", value: (f) => p(f).darkest_lat ?? f.geometry.coordinates[1] },
    ],
    [...features].sort((a, b) => b.properties.severity - a.properties.severity),
  );
}

function proposalCsv(features) {
  return toCsv(
    [
      { label: "rank", value: (f) => f.properties.rank },
      { label: "lon", value: (f) => f.geometry.coordinates[0] },
      { label: "lat", value: (f) => f.geometry.coordinates[1] },
      { label: "road_class", value: (f) => f.properties.road_class },
      { label: "gain_lx", value: (f) => f.properties.gain_lx.toFixed(2) },
      { label: "removed_lx", value: (f) => f.properties.removed_lx.toFixed(2) },
      { label: "deficit_left_share", value: (f) => f.properties.deficit_left_share.toFixed(4) },
      { label: "height_m", value: (f) => f.properties.height_m },
      { label: "flux_lm", value: (f) => f.properties.flux_lm },
    ],
    features,
  );
}

/** A button that fetches what it saves when pressed (the blind spots in view), showing a failure
 *  beside itself. */
function exportButton(label, id, filename, type, make) {
  const button = el("button", {
    type: "button",
    id,
    onclick: async () => {
      button.nextElementSibling?.classList.contains("error") && button.nextElementSibling.remove();
      try {
        download(filename, await make(), type);
      } catch (err) {
        button.after(el("span", { class: "error" }, failureText(err)));
      }
    },
  }, label);
  return button;
}

/** The clicked blind spot, lamp or data gap in a line or two of the page's language. */
function featureSummary(layer, { id, properties: p }) {
  if (layer === "lamps") {
    return el("p", { class: "feature-details" }, t("planner.lamp_details", { id, status: term("lamp", p.status), height: number(p.height_m, 1), flux: number(p.flux_lm, 0) }));
  }
  if (layer === "blind_spots") {
    return el("p", { class: "feature-details" }, t("planner.blind_spot_details", { kind: term("blind_spot", p.kind), severity: number(p.severity, 2), lux: number(p.lux, 2), min: number(p.required_min_lx, 1), road: term("road", p.road_class) }));
  }
  return el("p", { class: "feature-details" }, t("planner.data_gap_details", { road: term("road", p.road_class), length: number(p.length_m, 0) }));
}
