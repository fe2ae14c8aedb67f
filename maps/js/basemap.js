// The basemap style over the project's own PMTiles archive (layers water, green, buildings,
// roads; property `class`). Two palettes: night work is normal, so the dark one must read as well
// as the day one. No text layers: labels would need glyph fonts, which the map does not carry.

const PALETTES = {
  day: {
    background: "#f3f1ec",
    water: "#a9cbe8",
    green: "#cfe5c0",
    building: "#ddd6cc",
    buildingOutline: "#c9c0b4",
    major: "#f6c37a",
    majorCasing: "#d89a4a",
    minor: "#ffffff",
    minorCasing: "#c8c2b8",
    path: "#a39a8d",
  },
  night: {
    background: "#1b2129",
    water: "#22384f",
    green: "#213026",
    building: "#2a313b",
    buildingOutline: "#343c47",
    major: "#8a6d3b",
    majorCasing: "#5b4826",
    minor: "#46505c",
    minorCasing: "#2b323b",
    path: "#5c6672",
  },
};

const MAJOR = ["motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link", "primary_link"];
const MINOR = ["tertiary", "secondary_link", "tertiary_link", "residential", "unclassified", "living_street", "service"];
const PATHS = ["footway", "path", "pedestrian", "cycleway", "steps", "track", "bridleway", "corridor"];

/** Road width in pixels by zoom, wider for bigger classes. */
function width(base) {
  return ["interpolate", ["exponential", 1.6], ["zoom"], 11, base * 0.4, 14, base, 17, base * 4];
}

function inClass(list) {
  return ["in", ["get", "class"], ["literal", list]];
}

/** A road line for some classes; casings are the same line drawn wider underneath. */
function road(id, classes, colour, base) {
  return {
    id,
    type: "line",
    source: "basemap",
    "source-layer": "roads",
    filter: inClass(classes),
    layout: { "line-cap": "round", "line-join": "round" },
    paint: { "line-color": colour, "line-width": width(base) },
  };
}

export function basemapStyle(archiveUrl, theme, attribution) {
  const p = PALETTES[theme] || PALETTES.day;
  const src = { source: "basemap" };
  return {
    version: 8,
    sources: {
      basemap: { type: "vector", url: `pmtiles://${archiveUrl}`, attribution },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": p.background } },
      { id: "water", type: "fill", ...src, "source-layer": "water", paint: { "fill-color": p.water } },
      { id: "green", type: "fill", ...src, "source-layer": "green", paint: { "fill-color": p.green } },
      {
        id: "buildings",
        type: "fill",
        ...src,
        "source-layer": "buildings",
        minzoom: 14,
        paint: { "fill-color": p.building, "fill-outline-color": p.buildingOutline },
      },
      {
        id: "paths",
        type: "line",
        ...src,
        "source-layer": "roads",
        filter: inClass(PATHS),
        minzoom: 14,
        paint: { "line-color": p.path, "line-width": width(1), "line-dasharray": [2, 1.5] },
      },
      road("minor-casing", MINOR, p.minorCasing, 4),
      road("minor", MINOR, p.minor, 3),
      road("major-casing", MAJOR, p.majorCasing, 7),
      road("major", MAJOR, p.major, 5.5),
    ],
  };
}
