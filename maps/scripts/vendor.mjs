// Copies the pinned browser builds from node_modules into vendor/ (embedded in the binary, so the
// map runs with no internet and no npm at run time) and records their versions in VERSIONS.json,
// which a test compares with package.json.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const files = {
  "maplibre-gl": [
    ["dist/maplibre-gl.js", "maplibre-gl.js"],
    ["dist/maplibre-gl.css", "maplibre-gl.css"],
    ["LICENSE.txt", "LICENSE-maplibre-gl.txt"],
  ],
  pmtiles: [["dist/pmtiles.js", "pmtiles.js"]],
  gcoord: [
    ["dist/gcoord.esm-browser.prod.js", "gcoord.js"],
    ["LICENSE", "LICENSE-gcoord.txt"],
  ],
};
const versions = {};
for (const [pkg, list] of Object.entries(files)) {
  const dir = join(root, "node_modules", pkg);
  versions[pkg] = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  for (const [from, to] of list) copyFileSync(join(dir, from), join(root, "vendor", to));
}
writeFileSync(join(root, "vendor", "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log("vendored", versions);
