// Layer titles come from the server's one layer catalogue (the same names QGIS sees), in the
// page's language, so a legend never disagrees with the API.

import * as api from "./api.js";
import { language } from "./i18n.js";

export async function layerTitles() {
  const { layers } = await api.get("/api/layers");
  const zh = language() === "zh-CN";
  return Object.fromEntries(layers.map((l) => [l.id, zh ? l.title_zh : l.title]));
}
