// The web map end to end, in Debian's headless Chromium driven by Playwright: an inspector's
// night with a signal that drops, a planner's lighting review, a manager's coverage check.
// Run by tests/web_map.rs against the real server on 127.0.0.1 over a demo data folder:
//   node tests/web/e2e.mjs BASE_URL SCREENSHOT_DIR
// Prints one JSON line at the end for the Rust side to check against the store.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, shots] = process.argv.slice(2);
assert.ok(base && shots, "usage: e2e.mjs BASE_URL SCREENSHOT_DIR");
mkdirSync(shots, { recursive: true });
const PASSWORD = "patrolmap-demo";
/** The demo's plan day at 20:30 in the district (UTC+8): the night teams are out. */
const DEMO_EVENING = new Date("2026-11-20T12:30:00Z");
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);
/** The most features a view asks of a layer without a box (a page, never the layer). */
const LAYER_PAGE = 500;
/** No response a page needs may be larger (issue 14: a city must draw as quick as the demo). */
const MAX_RESPONSE = 2 * 1024 * 1024;
/** The review's area picker takes every township and community: a few hundred at most, never the
 *  grid, so not a dense layer. */
const SMALL_LAYER_QUERIES = new Set(["/api/layers/areas?kind=township%2Ccommunity&limit=10000", "/api/layers/areas?kind=township,community&limit=10000"]);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
const problems = [];
/** Failed loads a step provokes on purpose; Chromium logs every one of them as a console error. */
const provoked = [];
const outside = [];
/** Requests for a whole layer, and responses over MAX_RESPONSE, on any page. */
const wholeLayers = [];
const oversized = [];
const result = {};

/** Whether a request asks the GeoJSON API for a whole layer: no box, and no limit or one above a page. */
function asksWholeLayer(url) {
  if (!/^\/api\/layers\/[^/]+$/.test(url.pathname) || SMALL_LAYER_QUERIES.has(url.pathname + url.search)) return false;
  const limit = url.searchParams.get("limit");
  return !url.searchParams.has("bbox") && (limit === null || !(Number(limit) <= LAYER_PAGE));
}

/** A fresh browser profile that may only talk to the loopback, with its console watched. */
async function newContext(options) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || LOOPBACK.has(url.hostname)) return route.continue();
    outside.push(url.href);
    return route.abort("blockedbyclient");
  });
  context.on("request", (r) => {
    const url = new URL(r.url());
    if (!["data:", "blob:"].includes(url.protocol) && !LOOPBACK.has(url.hostname)) outside.push(url.href);
    if (asksWholeLayer(url)) wholeLayers.push(url.pathname + url.search);
  });
  context.on("response", async (r) => {
    const body = await r.body().catch(() => null);
    if (body && body.length > MAX_RESPONSE) oversized.push(`${r.url()}: ${body.length} bytes`);
  });
  return context;
}

function watch(page, name) {
  page.on("console", (m) => {
    const expected = provoked.some(([status, path]) => m.text().includes(`status of ${status}`) && m.location().url.endsWith(path));
    if (expected) return;
    if (m.type() === "error" || /no .* text for /.test(m.text())) problems.push(`${name}: console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
}

async function signIn(page, username) {
  await page.goto(base);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
}

async function toEnglish(page) {
  await page.click("#lang");
  await page.waitForFunction(() => document.documentElement.lang === "en");
}

async function mapSettled(page, overlay) {
  await page.waitForFunction(
    (overlay) => {
      const m = document.querySelector("#map");
      return m?.dataset.basemap === "drawn" && (!overlay || (m.dataset.drawn || "").split(" ").includes(overlay));
    },
    overlay,
    { timeout: 30000 },
  );
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png` });
}

// --- The inspector: route, map, offline capture with a photo, back online. ---
{
  const context = await newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    permissions: ["geolocation"],
    geolocation: { longitude: 24.9378, latitude: 60.1766, accuracy: 12 },
  });
  const page = await context.newPage();
  await page.clock.setFixedTime(DEMO_EVENING);
  watch(page, "inspector");
  await signIn(page, "inspector1");
  await page.waitForSelector(".stops li");
  const stops = await page.locator(".stops li").count();
  assert.ok(stops > 0, "the route list shows stops");
  await mapSettled(page, "route-line");
  assert.equal(await page.locator(".stop-marker").count(), stops, "every stop is numbered on the map");
  assert.ok(await page.locator(".me").isVisible(), "the inspector's own position is on the map");
  const next = await page.locator(".next-stop a").evaluateAll((as) => as.map((a) => a.href));
  assert.ok(next.some((h) => h.startsWith("https://uri.amap.com/navigation?to=")), "an AMap link to the next stop");
  assert.ok(next.some((h) => h.startsWith("geo:")), "a geo: link to the next stop");

  // The signal drops in front of the venue.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  const first = page.locator(".stops li").first();
  const venueId = Number(await first.getAttribute("data-venue"));
  await first.locator("button").click();
  await page.click("#record");
  await page.check('input[name="outcome"][value="violation"]');
  const firstCheck = page.locator(".checklist .check").first();
  await firstCheck.locator('input[value="no"]').check();
  await page.fill('textarea[name="notes"]', "包厢门锁未拆除，已责令整改");
  await page.setInputFiles('input[type="file"]', {
    name: "scene.png",
    mimeType: "image/png",
    buffer: readFileSync(new URL("./scene.png", import.meta.url)),
  });
  await page.waitForSelector(".photo-list li");
  await page.waitForSelector("#gps-status .ok");
  await page.click('#capture-form button[type="submit"]');
  await page.waitForSelector("#outbox li.waiting");
  assert.match(await page.textContent("#outbox-status"), /1/);
  const queued = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("patrolmap");
        open.onsuccess = () => {
          const get = open.result.transaction("outbox").objectStore("outbox").getAll();
          get.onsuccess = () => resolve(get.result.map((i) => ({ uuid: i.uuid, photos: i.photos.length })));
          get.onerror = () => reject(get.error);
        };
      }),
  );
  assert.equal(queued.length, 1, "the inspection waits in the outbox");
  assert.equal(queued[0].photos, 1, "with its photo");
  await shot(page, "inspector-offline-zh");

  await context.setOffline(false);
  await page.waitForSelector("#outbox li", { state: "detached", timeout: 60000 });
  await page.waitForSelector("#outbox-status.ok");
  await shot(page, "inspector-zh");

  // With no signal at all, the app still opens, with the day's route and map from the cache.
  await page.waitForSelector('body[data-offline-ready="true"]');
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector(".stops li.done");
  await mapSettled(page, "route-line");
  assert.equal(await page.locator(".stops li").count(), stops, "the whole route opens offline");
  await context.setOffline(false);
  // A record the server will not take (a day the team has no plan) stays, with the reason shown.
  await page.clock.setFixedTime(new Date("2026-11-25T12:30:00Z"));
  provoked.push([403, "/api/inspections"]);
  await page.locator(".stops li").nth(1).locator("button").click();
  await page.click("#record");
  await page.check('input[name="outcome"][value="compliant"]');
  await page.click('#capture-form button[type="submit"]');
  await page.waitForSelector("#outbox li.refused");
  assert.match(await page.textContent("#outbox li.refused"), /not on your team's plan/);
  await page.click("#outbox li.refused button");
  await page.waitForSelector("#outbox li", { state: "detached" });
  await page.waitForSelector(".stops li:nth-child(2):not(.done)");
  provoked.pop();
  await page.clock.setFixedTime(DEMO_EVENING);

  await toEnglish(page);
  await page.waitForSelector(".stops li");
  await mapSettled(page, "route-line");
  await shot(page, "inspector-en");
  await first.locator("button").click();
  await page.click("#record");
  await shot(page, "inspector-capture-en");
  result.inspection = { uuid: queued[0].uuid, venue_id: venueId, photos: 1 };
  await context.close();
}

// --- The planner: blind spots, proposals with K, a point's illuminance, exports. ---
{
  const context = await newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const archiveReads = [];
  const layerTiles = {};
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (path === "/tiles/basemap.pmtiles") archiveReads.push(r.status());
    const tiled = path.match(/^\/layers\/(\w+)\/tiles\//);
    if (tiled) (layerTiles[tiled[1]] ||= []).push(r.status());
  });
  watch(page, "planner");
  await signIn(page, "planner");
  await page.waitForSelector("#planner-legend");
  await mapSettled(page, "blind-stretches");
  assert.ok(archiveReads.length > 0 && archiveReads.every((s) => s === 206), `the basemap is read from the PMTiles archive by ranges (${archiveReads})`);
  const drawn = await page.getAttribute("#map", "data-drawn");
  for (const layer of ["blind-corners", "proposals", "lamps"]) assert.ok(drawn.includes(layer), `${layer} is on the map (${drawn})`);
  for (const layer of ["blind_spots", "lamps", "data_gaps"]) {
    const statuses = layerTiles[layer] || [];
    assert.ok(statuses.length > 0 && statuses.every((s) => [200, 204, 304].includes(s)), `${layer} comes as tiles with the session (${statuses})`);
  }
  await page.waitForSelector(".crew-stops li");
  assert.ok((await page.locator(".crew-stops li", { hasText: "维修路灯" }).count()) > 0, "the crew's route repairs broken lamps");
  assert.match(await page.textContent("#planner-summary"), /损坏 [1-9]/, "broken lamps are counted");
  await page.locator("#k").fill("3");
  assert.equal(await page.locator("#proposal-list tbody tr").count(), 3, "K = 3 shows three proposals");
  const box = await page.locator("#map canvas").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector(".lux-popup");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-blind-spots")]);
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  assert.equal(exported.type, "FeatureCollection");
  assert.ok(exported.features.length > 0 && exported.features.every((f) => f.properties.severity > 0), "the export holds the blind spots");
  result.planner = { exported_blind_spots: exported.features.length };
  await shot(page, "planner-zh");
  await toEnglish(page);
  await page.waitForSelector("#planner-legend");
  await mapSettled(page, "blind-stretches");
  await shot(page, "planner-en");
  await context.close();
}

// --- The manager: the coverage map, the overdue list, follow-ups, the findings chart. ---
{
  const context = await newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  watch(page, "manager");
  await signIn(page, "manager");
  await page.waitForSelector("#coverage-legend");
  await mapSettled(page, "coverage-fill");
  // A click on an area fetches its figures, which the tiles do not carry.
  const mapBox = await page.locator("#map canvas").boundingBox();
  const details = page.waitForResponse((r) => /\/ogc\/collections\/areas\/items\/\d+$/.test(new URL(r.url()).pathname));
  await page.mouse.click(mapBox.x + mapBox.width / 2, mapBox.y + mapBox.height / 2);
  assert.equal((await details).status(), 200);
  await page.waitForSelector(".maplibregl-popup strong");
  assert.match(await page.textContent(".maplibregl-popup"), /\d+\/\d+/, "the area's coverage is in the popup");
  await page.locator(".maplibregl-popup-close-button").click();
  // Every table is a page the server cut, with the whole list's total.
  const pageRows = await page.locator("#overdue-table tbody tr").count();
  const overdue = Number(await page.getAttribute("#overdue", "data-total"));
  assert.ok(pageRows > 0 && pageRows <= 50 && overdue >= pageRows, `the overdue list has venues (${pageRows} of ${overdue})`);
  assert.ok((await page.locator("#follow-ups-table tbody tr").count()) > 0, "open follow-ups are listed");
  assert.ok((await page.locator("#areas-table tbody tr").count()) > 0, "the areas are listed");
  assert.ok((await page.locator("#findings svg rect").count()) > 0, "the findings chart has bars");
  const tableAsks = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (["/api/overdue", "/api/follow-ups", "/api/coverage"].includes(url.pathname)) tableAsks.push(url);
  });
  // Sorting by a header asks the server for that order and says so in aria-sort.
  const byName = page.locator('#overdue-table th[data-sort="name"]');
  await byName.locator("button").click();
  await page.waitForSelector('#overdue-table th[data-sort="name"][aria-sort="ascending"]');
  await page.waitForSelector("#overdue-table:not([aria-busy])");
  const names = await page.locator("#overdue-table tbody tr td:first-child").allTextContents();
  assert.deepEqual(names, [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), "sorted by name");
  // From the keyboard: focus the header's button and press Enter for the other direction.
  await byName.locator("button").focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector('#overdue-table th[data-sort="name"][aria-sort="descending"]');
  await page.waitForSelector("#overdue-table:not([aria-busy])");
  const last = tableAsks.at(-1);
  assert.equal(last.searchParams.get("sort"), "name");
  assert.equal(last.searchParams.get("order"), "desc");
  // A smaller page, then the next one, from the server.
  await page.selectOption("#overdue .page-size", "25");
  await page.waitForSelector("#overdue-table:not([aria-busy])");
  if (overdue > 25) {
    await page.click("#overdue .page-next");
    await page.waitForSelector('#overdue[data-offset="25"]');
    assert.equal(tableAsks.at(-1).searchParams.get("offset"), "25");
  }
  // A filter narrows the list on the server; the total follows.
  await page.selectOption('#follow-ups select[data-filter="late"]', "true");
  await page.waitForSelector("#follow-ups-table:not([aria-busy])");
  assert.ok(tableAsks.some((u) => u.pathname === "/api/follow-ups" && u.searchParams.get("late") === "true"), "the late filter is the server's");
  assert.ok(tableAsks.every((u) => Number(u.searchParams.get("limit")) <= 200), "no table asks for more than a page");
  // The CSV is the whole list, from the server, not the page on the screen.
  await page.click('#overdue-table th[data-sort="days_overdue"] button');
  await page.waitForSelector("#overdue-table:not([aria-busy])");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-overdue")]);
  const csvText = readFileSync(await download.path(), "utf8");
  assert.ok(csvText.startsWith("\ufeff场所,"), "the overdue CSV is the server's: a BOM and the Chinese header");
  const csv = csvText.trim().split(/\r\n|\n/);
  assert.equal(csv.length, overdue + 1, "the overdue CSV has a header and one row per overdue venue");
  result.manager = { overdue };

  // The service worker: with nothing kept, a slow answer is waited for as long as it takes (more
  // than the 5 s it used to give up after); with a copy kept, a slow network gets the copy.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem("patrolmap.session")).token);
  const findings3 = (url) => url.pathname === "/api/findings" && url.searchParams.get("weeks") === "3";
  const byWorker = [];
  const slowly = (ms, fulfil) => async (route) => {
    byWorker.push(route.request().serviceWorker() !== null);
    await new Promise((resolve) => setTimeout(resolve, ms));
    try {
      await (fulfil ? route.fulfill(fulfil) : route.continue());
    } catch {
      // The page was done with it and closed first.
    }
  };
  const ask = () =>
    page.evaluate(async (token) => {
      const r = await fetch("/api/findings?weeks=3", { headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, weeks: (await r.json()).weeks.length };
    }, token);
  let handler = slowly(7000);
  await context.route(findings3, handler);
  assert.deepEqual(await ask(), { status: 200, weeks: 3 }, "a slow answer with nothing kept still arrives");
  assert.ok(byWorker.includes(true), `the slow request was the service worker's (${byWorker})`);
  await context.unroute(findings3, handler);
  await page.waitForFunction(async () => Boolean(await caches.match("/api/findings?weeks=3")));
  handler = slowly(9000, { json: { weeks: [] } });
  await context.route(findings3, handler);
  assert.deepEqual(await ask(), { status: 200, weeks: 3 }, "with a copy kept, a slow network gets the copy");
  await context.unroute(findings3, handler);
  await shot(page, "manager-zh");
  // Each responsible unit's list, downloaded as the CSV the unit gets.
  await page.click('#views button[data-view="units"]');
  await page.waitForSelector("#units-table tbody tr");
  await page.waitForSelector("#unit-detail h3");
  const [unitCsv] = await Promise.all([page.waitForEvent("download"), page.click("#unit-csv")]);
  const unitText = readFileSync(await unitCsv.path(), "utf8");
  assert.ok(unitText.startsWith("\ufeff"), "the unit's CSV opens in Excel (UTF-8 with BOM)");
  result.units = await page.locator("#units-table tbody tr").count();
  await shot(page, "units-zh");
  // The assessment of the month, and its XLSX.
  await page.click('#views button[data-view="assessment"]');
  await page.waitForSelector("#assessment-areas tbody tr");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.click("#assessment-xlsx")]);
  assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), "PK", "an XLSX is a zip");
  await shot(page, "assessment-zh");
  await page.click('#views button[data-view="manager"]');
  await page.waitForSelector("#coverage-legend");
  await mapSettled(page, "coverage-fill");
  await page.click('button[data-level="community"]');
  await mapSettled(page, "coverage-fill");
  await toEnglish(page);
  await page.waitForSelector("#coverage-legend");
  await mapSettled(page, "coverage-fill");
  await shot(page, "manager-en");
  await context.close();
}

await browser.close();
assert.deepEqual(outside, [], "no request left the loopback");
assert.deepEqual(wholeLayers, [], "no page asked for a whole layer");
assert.deepEqual(oversized, [], `no response over ${MAX_RESPONSE} bytes`);
assert.deepEqual(problems, [], "the pages logged no errors");
console.log(JSON.stringify(result));
