// The server's one layer catalogue (the same names QGIS sees): titles in the page's language, so
// a legend never disagrees with the API; each tiled layer's tile URL, feature counts per kind and
// legend breaks, so a view draws and explains a layer without downloading it; and one feature's
// details when it is clicked.

import * as api from "./api.js";
import { language } from "./i18n.js";

/** Every layer's catalogue entry by id. */
export async function layerCatalogue() {
  const { layers } = await api.get("/api/layers");
  return Object.fromEntries(layers.map((l) => [l.id, l]));
}

export function titlesOf(catalogue) {
  const zh = language() === "zh-CN";
  return Object.fromEntries(Object.values(catalogue).map((l) => [l.id, zh ? l.title_zh : l.title]));
}

export async function layerTitles() {
  return titlesOf(await layerCatalogue());
}

/** One feature of a layer with all its properties (a tile carries only a few). */
export function featureDetails(layerId, featureId) {
  return api.get(`/ogc/collections/${encodeURIComponent(layerId)}/items/${encodeURIComponent(featureId)}`);
}
