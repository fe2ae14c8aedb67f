// One MapLibre map per view over the bundled basemap archive, read by byte ranges through the
// pmtiles protocol, with helpers for the overlays each view adds: the server's layer tiles
// (vector sources, fetched with the session's token) and small GeoJSON pieces.

import { session } from "./api.js";
import { basemapStyle } from "./basemap.js";

let protocolAdded = false;

export function theme() {
  return document.documentElement.dataset.theme === "night" ? "night" : "day";
}

export function createMap(container, app) {
  if (!protocolAdded) {
    maplibregl.addProtocol("pmtiles", new pmtiles.Protocol().tile);
    protocolAdded = true;
  }
  const basemap = app.basemap;
  const archive = basemap ? new URL(basemap.archive, location.origin).href : null;
  const style = archive
    ? basemapStyle(archive, theme(), app.attribution)
    : { version: 8, sources: {}, layers: [{ id: "background", type: "background", paint: { "background-color": "#e8e6e1" } }] };
  const map = new maplibregl.Map({
    container,
    style,
    center: basemap?.center || [0, 0],
    zoom: 14,
    minZoom: basemap ? Math.max(basemap.minzoom - 1, 0) : 0,
    maxZoom: 19,
    attributionControl: { compact: true },
    transformRequest: withSession,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  if (basemap?.bounds) map.fitBounds(basemap.bounds, { padding: 10, animate: false });
  map.on("idle", () => describeDrawn(map, container));
  return map;
}

/** Layer tiles need the signed-in session; the basemap and other hosts get no token. */
function withSession(url) {
  const s = session();
  if (s && url.startsWith(`${location.origin}/layers/`)) return { url, headers: { authorization: `Bearer ${s.token}` } };
  return { url };
}

/** Resolves once the style has loaded (at once if it already has). */
export function ready(map) {
  return map.isStyleLoaded() ? Promise.resolve() : new Promise((r) => map.once("load", r));
}

/** Sets (or replaces) a GeoJSON source and adds any of `layers` that are not on the map yet. */
export function showGeoJson(map, id, data, layers) {
  const source = map.getSource(id);
  if (source) source.setData(data);
  else map.addSource(id, { type: "geojson", data });
  for (const layer of layers) {
    if (!map.getLayer(layer.id)) map.addLayer({ source: id, ...layer });
  }
}

/**
 * A layer from the server's tiles: a vector source from its catalogue entry (`tiles`, zooms) and
 * the style `layers`, each drawing the tile layer of the same name.
 */
export function showTiles(map, entry, layers) {
  if (!map.getSource(entry.id)) {
    map.addSource(entry.id, { type: "vector", tiles: [entry.tiles], minzoom: entry.minzoom, maxzoom: entry.maxzoom });
  }
  for (const layer of layers) {
    if (!map.getLayer(layer.id)) map.addLayer({ source: entry.id, "source-layer": entry.id, ...layer });
  }
}

/** The map's current view as a `bbox` query value (west,south,east,north). */
export function viewBbox(map) {
  const b = map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
}

/**
 * A patrol or crew route on the map: its street path as a line styled by `layers`, and the
 * badge `badge(stop)` makes at each stop. Returns what takes the badges off again.
 */
export function drawRoute(map, id, route, layers, badge) {
  const line = {
    type: "Feature",
    geometry: { type: "LineString", coordinates: route.path.map((p) => [p.lon, p.lat]) },
    properties: {},
  };
  showGeoJson(map, id, line, layers);
  const markers = route.stops.map((stop) =>
    new maplibregl.Marker({ element: badge(stop) }).setLngLat([stop.at.lon, stop.at.lat]).addTo(map),
  );
  return () => markers.forEach((m) => m.remove());
}

/** The bounding box [[w,s],[e,n]] of LonLat points (`{lon, lat}`) or [lon, lat] pairs. */
export function boundsOf(points) {
  const b = [[Infinity, Infinity], [-Infinity, -Infinity]];
  for (const p of points) {
    const [lon, lat] = Array.isArray(p) ? p : [p.lon, p.lat];
    b[0][0] = Math.min(b[0][0], lon);
    b[0][1] = Math.min(b[0][1], lat);
    b[1][0] = Math.max(b[1][0], lon);
    b[1][1] = Math.max(b[1][1], lat);
  }
  return Number.isFinite(b[0][0]) ? b : null;
}

/**
 * Writes what the map shows into the container's data attributes once it settles: whether
 * basemap roads are drawn, which overlay layers have features on screen, and the view (centre
 * longitude, latitude, zoom). Screen readers and the end-to-end tests read these; the user sees
 * the map itself.
 */
function describeDrawn(map, container) {
  const roads = map.getSource("basemap") ? map.querySourceFeatures("basemap", { sourceLayer: "roads" }).length : 0;
  container.dataset.basemap = roads > 0 ? "drawn" : "empty";
  const overlays = map
    .getStyle()
    .layers.filter((l) => l.source && l.source !== "basemap")
    .filter((l) => map.queryRenderedFeatures({ layers: [l.id] }).length > 0)
    .map((l) => l.id);
  container.dataset.drawn = overlays.join(" ");
  const { lng, lat } = map.getCenter();
  container.dataset.view = [lng.toFixed(6), lat.toFixed(6), map.getZoom().toFixed(3)].join(",");
}
