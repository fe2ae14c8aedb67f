// Dispatch end to end (issue 12), in Debian's headless Chromium driven by Playwright: a manager
// moves a stop from one night team to the other in the dispatcher view and publishes; that
// team's inspector, on a phone, is told the route changed and sees the new stop, skips a stop
// with no signal (where the off-plan picker says it needs the network) and comes back online,
// records an off-plan inspection of a venue near it from the server's nearby list and, having
// moved the map to a venue far from it, is refused that one with the server's reason on screen.
// The server is reached by the field name patrolmap.test (mapped to 127.0.0.1) over HTTPS with
// its self-signed certificate, as a district's phones reach it. Run by tests/web_dispatch.rs:
//   node tests/web/dispatch.mjs BASE_URL SCREENSHOT_DIR
// Prints one JSON line at the end for the Rust side to check against the server.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { FIELD_HOST, confinedContext } from "./field_host.mjs";

const [base, shots] = process.argv.slice(2);
assert.ok(base && shots, "usage: dispatch.mjs BASE_URL SCREENSHOT_DIR");
mkdirSync(shots, { recursive: true });
const PASSWORD = "patrolmap-demo";
const DATE = "2026-11-20";
/** The demo's plan day at 20:30 in the district (UTC+8): the night teams are out. */
const DEMO_EVENING = new Date("2026-11-20T12:30:00Z");
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESK = { viewport: { width: 1440, height: 900 } };
/** Team A gives a stop to team B; inspector2 is on team B (the demo's night team 2). */
const TEAM_A = 1;
const TEAM_B = 2;
const INSPECTOR_B = "inspector2";

const origin = (() => {
  const u = new URL(base);
  u.hostname = FIELD_HOST;
  return u.origin;
})();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // The phone trusts the district's certificate, so the service worker (offline use) runs.
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync", "--ignore-certificate-errors", `--host-resolver-rules=MAP ${FIELD_HOST} 127.0.0.1`],
});
const problems = [];
/** Refusals a step provokes on purpose, as [status, path]; Chromium logs each as an error. */
const provoked = [];
/** While the signal is off, every failed load is the test's doing. */
let offline = false;
const outside = [];
const result = {};

async function newContext(options) {
  const context = await confinedContext(browser, { ignoreHTTPSErrors: true, ...options }, outside);
  // CI has 2 cores: drawing the routes and re-optimising can outlast Playwright's 30 s default.
  context.setDefaultTimeout(90000);
  return context;
}

function watch(page, name) {
  page.on("console", (m) => {
    const text = m.text();
    if (offline && /ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(text)) return;
    if (provoked.some(([status, path]) => text.includes(`status of ${status}`) && m.location().url.includes(path))) return;
    if (m.type() === "error" || /no .* text for /.test(text)) problems.push(`${name}: console ${m.type()}: ${text} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
}

async function signIn(page, username) {
  await page.goto(`${origin}/`);
  await page.waitForSelector("form.sign-in");
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('form.sign-in button[type="submit"]');
}

/** A GET of the API with the page's own session. */
function apiGet(page, path) {
  return page.evaluate(async (path) => {
    const s = JSON.parse(localStorage.getItem("patrolmap.session"));
    const r = await fetch(path, { headers: { authorization: `Bearer ${s.token}` } });
    return r.json();
  }, path);
}

function nextResponse(page, method, path) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.startsWith(path), { timeout: 60000 });
}

async function mapSettled(page) {
  await page.waitForFunction(() => document.querySelector("#map")?.dataset.basemap === "drawn", null, { timeout: 30000 });
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png` });
}

/** Metres between two [lon, lat] points (equirectangular: a district is small). */
function metres([lon1, lat1], [lon2, lat2]) {
  const k = Math.PI / 180;
  const x = (lon2 - lon1) * k * Math.cos(((lat1 + lat2) / 2) * k);
  return Math.hypot(x, (lat2 - lat1) * k) * 6371000;
}

/** Metres from a point to a street path (a list of {lon, lat}), segment by segment. */
function fromPath(p, path) {
  let best = Infinity;
  for (let i = 1; i < path.length; i++) {
    const a = [path[i - 1].lon, path[i - 1].lat];
    const b = [path[i].lon, path[i].lat];
    // Enough for a test: the nearer of the ends and a few points between them.
    for (let s = 0; s <= 10; s++) best = Math.min(best, metres(p, [a[0] + ((b[0] - a[0]) * s) / 10, a[1] + ((b[1] - a[1]) * s) / 10]));
  }
  return best;
}

/** Drags the map until its centre (`#map[data-view]`) is within a few pixels of [lon, lat]. */
async function panTo(page, [lon, lat]) {
  for (let i = 0; i < 40; i++) {
    const [clon, clat, zoom] = (await page.getAttribute("#map", "data-view")).split(",").map(Number);
    // Web Mercator pixels of MapLibre's 512-pixel tiles at this zoom.
    const size = 512 * 2 ** zoom;
    const px = (lo, la) => [((lo + 180) / 360) * size, ((1 - Math.log(Math.tan(Math.PI / 4 + (la * Math.PI) / 360)) / Math.PI) / 2) * size];
    const [c, target] = [px(clon, clat), px(lon, lat)];
    const [dx, dy] = [c[0] - target[0], c[1] - target[1]];
    if (Math.hypot(dx, dy) < 4) return;
    // Short drags from an empty spot of the map, held still before release so the map does not fling.
    const k = Math.min(1, 100 / Math.hypot(dx, dy));
    const at = await page.evaluate(() => {
      const r = document.querySelector("#map").getBoundingClientRect();
      // Not on a stop's badge or the phone's dot, which would take the press as a tap.
      for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7])
        for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7]) {
          const [x, y] = [r.left + r.width * fx, r.top + r.height * fy];
          if (document.elementFromPoint(x, y)?.tagName === "CANVAS") return [x, y];
        }
      return null;
    });
    assert.ok(at, "an empty spot of the map to drag it by");
    await page.evaluate(() => delete document.querySelector("#map").dataset.view);
    await page.mouse.move(...at);
    await page.mouse.down();
    await page.mouse.move(at[0] + dx * k, at[1] + dy * k, { steps: 8 });
    await page.waitForTimeout(300);
    await page.mouse.up();
    await page.waitForSelector("#map[data-view]");
  }
  throw new Error(`the map did not come to ${lon}, ${lat}`);
}

/** Everything a phone keeps in its outbox (IndexedDB), as kind and UUID. */
function outboxOnPhone(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("patrolmap");
        open.onsuccess = () => {
          const get = open.result.transaction("outbox").objectStore("outbox").getAll();
          get.onsuccess = () => resolve(get.result.map((i) => ({ kind: i.kind, uuid: i.uuid, state: i.state })));
          get.onerror = () => reject(get.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
}

try {
  // --- Team B's inspector opens the published route: that revision is now the one seen. ---
  const phone = await newContext({ ...PHONE, permissions: ["geolocation"], geolocation: { longitude: 24.9378, latitude: 60.1766, accuracy: 10 } });
  const inspector = await phone.newPage();
  await inspector.clock.setFixedTime(DEMO_EVENING);
  watch(inspector, "inspector");
  await signIn(inspector, INSPECTOR_B);
  await inspector.waitForSelector(".stops li");
  const before = await inspector.locator(".stops li").evaluateAll((ls) => ls.map((l) => Number(l.dataset.venue)));
  const seenFirst = await inspector.evaluate((u) => JSON.parse(localStorage.getItem(`patrolmap.seen.${u}`)), INSPECTOR_B);
  assert.ok(seenFirst?.revision, "the first revision shown is kept as seen");
  assert.ok(await inspector.locator("#route-changed").isHidden(), "no banner on the first view");

  // --- The dispatcher moves a stop of team A to team B, sees the re-optimised draft, publishes. ---
  const desk = await newContext(DESK);
  const manager = await desk.newPage();
  await manager.clock.setFixedTime(DEMO_EVENING);
  watch(manager, "manager");
  await signIn(manager, "manager");
  await manager.click('#views button[data-view="dispatcher"]');
  await manager.waitForSelector("#plan-status[data-status]");
  await mapSettled(manager);
  const plan = await apiGet(manager, `/api/plans/${DATE}`);
  assert.equal(plan.status, "published", "the demo's plan is published");
  const routeA = plan.routes.find((r) => r.team_id === TEAM_A);
  const moved = routeA.stops.find((s) => s.target.kind === "venue" && s.status === "pending" && !s.mandatory);
  assert.ok(moved, "team A has a stop to give away");
  const venue = moved.target.id;
  // Every stop numbered on the map (drawn once the map's style has loaded).
  const stops = plan.routes.reduce((n, r) => n + r.stops.length, 0);
  await manager.waitForFunction((n) => document.querySelectorAll(".stop-marker.dispatch").length === n, stops);
  assert.ok((await manager.locator("#left-out details").count()) > 0, "the left-out venues are listed by reason");
  await shot(manager, "dispatch-desk-zh");

  await manager.click(`details[data-team="${TEAM_A}"] summary`);
  const acted = nextResponse(manager, "POST", `/api/plans/${DATE}/actions`);
  await manager.locator(`details[data-team="${TEAM_A}"] li[data-venue="${venue}"] select.move`).selectOption(String(TEAM_B));
  await manager.waitForSelector("#dispatch-busy:not([hidden])");
  await shot(manager, "dispatch-busy-zh");
  assert.equal((await acted).status(), 200, "the move is taken");
  await manager.waitForSelector("#dispatch-busy", { state: "hidden" });
  await manager.waitForSelector('#plan-status[data-status="draft"]');
  assert.equal(await manager.locator(`details[data-team="${TEAM_B}"] li[data-venue="${venue}"]`).count(), 1, "the stop is on team B's route");
  assert.equal(await manager.locator(`details[data-team="${TEAM_A}"] li[data-venue="${venue}"]`).count(), 0, "and off team A's");
  assert.match(await manager.textContent('#dispatch-actions li[data-kind="move"]'), new RegExp(`调到 ${plan.routes.find((r) => r.team_id === TEAM_B).team}`));

  // A refusal from the server is shown as the server words it.
  await manager.click(`details[data-team="${TEAM_A}"] button.shift`);
  await manager.fill(`details[data-team="${TEAM_A}"] input[name="shift"]`, "25:99-03:00");
  provoked.push([400, `/api/plans/${DATE}/actions`]);
  const refused = nextResponse(manager, "POST", `/api/plans/${DATE}/actions`);
  await manager.click(`details[data-team="${TEAM_A}"] form.inline-ask button[type="submit"]`);
  assert.equal((await refused).status(), 400, "a shift that is no time of day is refused");
  await manager.waitForSelector("#dispatch-busy", { state: "hidden" });
  const message = await manager.textContent("#dispatch-error");
  assert.match(message, /^服务器未执行：.*[a-z]/, `the server's own message is shown: ${message}`);
  await shot(manager, "dispatch-error-zh");
  await manager.click(`details[data-team="${TEAM_B}"] summary`);
  await manager.locator(`details[data-team="${TEAM_B}"] li[data-venue="${venue}"]`).scrollIntoViewIfNeeded();
  await shot(manager, "dispatch-moved-zh");

  const published = nextResponse(manager, "POST", `/api/plans/${DATE}/publish`);
  await manager.click("#publish");
  assert.equal((await published).status(), 200, "published");
  await manager.waitForSelector('#plan-status[data-status="published"]');
  const revision = Number(await manager.getAttribute("#plan-status", "data-revision"));
  assert.ok(revision > seenFirst.revision, "a new revision is published");
  await manager.evaluate(() => document.querySelector("#dispatch-panel").scrollTo(0, 0));
  await shot(manager, "dispatch-published-zh");
  await manager.click("#lang");
  await manager.waitForSelector('#plan-status[data-status="published"]');
  await mapSettled(manager);
  await manager.click(`details[data-team="${TEAM_B}"] summary`);
  await shot(manager, "dispatch-published-en");
  const routeB = (await apiGet(manager, `/api/plans/${DATE}`)).routes.find((r) => r.team_id === TEAM_B);
  result.moved = { venue_id: venue, from: TEAM_A, to: TEAM_B, revision };

  // --- The phone is told its route changed, and what; dismissed, the new revision is the seen one. ---
  await inspector.reload();
  await inspector.waitForSelector("#route-changed:not([hidden])");
  const banner = await inspector.textContent("#route-changed");
  assert.match(banner, /您的路线已更改/);
  assert.ok(banner.includes(moved.name), `the banner names the new stop ${moved.name}: ${banner}`);
  assert.equal(await inspector.locator(`.stops li[data-venue="${venue}"]`).count(), 1, "the new stop is on the phone's list");
  assert.ok(!before.includes(venue), "and was not before");
  await mapSettled(inspector);
  await shot(inspector, "dispatch-phone-changed-zh");
  await inspector.click("#route-changed-ok");
  await inspector.waitForSelector("#route-changed", { state: "hidden" });
  const seenNow = await inspector.evaluate((u) => JSON.parse(localStorage.getItem(`patrolmap.seen.${u}`)), INSPECTOR_B);
  assert.equal(seenNow.revision, revision, "the published revision is now the seen one");
  await inspector.reload();
  await inspector.waitForSelector(".stops li");
  assert.ok(await inspector.locator("#route-changed").isHidden(), "no banner once seen");

  // --- A stop skipped with no signal reaches the server once the signal is back. ---
  await inspector.waitForSelector('body[data-offline-ready="true"]', { timeout: 60000 });
  const skip = routeB.stops.filter((s) => s.target.kind === "venue" && s.target.id !== venue && s.status === "pending").at(-1);
  await phone.setOffline(true);
  offline = true;
  await inspector.locator(`.stops li[data-venue="${skip.target.id}"] button`).click();
  await inspector.click("#skip");
  await inspector.waitForSelector("#skip-form");
  await inspector.click('#skip-form button[type="submit"]');
  assert.match(await inspector.textContent("#skip-form .error"), /请选择跳过原因/, "a skip needs a reason");
  await inspector.check('#skip-form input[name="reason"][value="other"]');
  await inspector.click('#skip-form button[type="submit"]');
  assert.match(await inspector.textContent("#skip-form .error"), /请填写说明/, "and 'other' a note");
  await inspector.check('#skip-form input[name="reason"][value="closed"]');
  await shot(inspector, "dispatch-phone-skip-zh");
  await inspector.click('#skip-form button[type="submit"]');
  await inspector.waitForSelector(`.stops li.skipped[data-venue="${skip.target.id}"]`);
  await inspector.waitForSelector("#outbox li.waiting");
  const waiting = await outboxOnPhone(inspector);
  assert.deepEqual(waiting.map((i) => [i.kind, i.state]), [["stop", "waiting"]], "the skip waits in the outbox");
  await inspector.locator(`.stops li[data-venue="${skip.target.id}"]`).scrollIntoViewIfNeeded();
  await shot(inspector, "dispatch-phone-skip-offline-zh");
  // The off-plan picker lists what the server finds nearby: with no signal it says so.
  await inspector.click("#off-plan");
  assert.match(await inspector.textContent("#off-plan-offline"), /需要网络/, "the picker says it needs the network");
  await shot(inspector, "dispatch-phone-off-plan-offline-zh");
  await inspector.click("#sheet .close");
  const sent = nextResponse(inspector, "POST", "/api/stops");
  await phone.setOffline(false);
  offline = false;
  assert.equal((await sent).status(), 201, "the server took the skip");
  await inspector.waitForSelector("#outbox li", { state: "detached" });
  assert.deepEqual(await outboxOnPhone(inspector), [], "the outbox emptied");
  result.skip = { venue_id: skip.target.id, uuid: waiting[0].uuid };

  // --- Off-plan: a venue near the route is taken, one far from it and the phone refused. ---
  const onRoute = new Set(routeB.stops.map((s) => s.target.id));
  const first = routeB.stops[0].at;
  const fix = [first.lon + 0.0002, first.lat];
  await phone.setGeolocation({ longitude: fix[0], latitude: fix[1], accuracy: 10 });
  const venues = (await apiGet(manager, "/api/layers/venues?limit=100000")).features;
  const offRoute = venues
    .filter((f) => !onRoute.has(Number(f.id)) && f.properties.status === "active")
    .map((f) => ({ id: Number(f.id), name: f.properties.name, at: f.geometry.coordinates, me: metres(fix, f.geometry.coordinates), route: fromPath(f.geometry.coordinates, routeB.path) }))
    .sort((a, b) => a.me - b.me);
  // The nearest venue to the phone, and the nearest one far from both the phone and the route.
  const near = offRoute.find((v) => v.me < 150);
  const far = offRoute.find((v) => v.me > 450 && v.route > 450);
  assert.ok(near && far, "the demo has a venue near team B and one far from it");

  const offPlan = async (v, expected, around) => {
    await inspector.click("#off-plan");
    if (around === "centre") await inspector.click("#off-plan-centre");
    await inspector.waitForSelector(`#off-plan-list[data-around="${around}"] li`);
    assert.ok(
      (await inspector.locator("#off-plan-list li[data-venue]").count()) > 0,
      "the phone lists registered venues off its route (GET /api/venues/nearby as the inspector)",
    );
    await shot(inspector, `dispatch-phone-pick-${around}-zh`);
    await inspector.fill("#off-plan-filter", v.name);
    await inspector.click(`#off-plan-list li[data-venue="${v.id}"] button`);
    await inspector.waitForSelector("#capture-form");
    await inspector.check('input[name="outcome"][value="compliant"]');
    const posted = nextResponse(inspector, "POST", "/api/inspections");
    await inspector.click('#capture-form button[type="submit"]');
    assert.equal((await posted).status(), expected);
    await inspector.waitForSelector(`#off-plan-result.${expected === 201 ? "ok" : "error"}`);
    return inspector.textContent("#off-plan-result");
  };
  await inspector.waitForSelector(".me");
  assert.match(await offPlan(near, 201, "me"), /计划外检查已记录/);
  await shot(inspector, "dispatch-phone-off-plan-zh");
  await inspector.click("#sheet .close");
  provoked.push([403, "/api/inspections"]);
  // The far venue is not among the phone's 50 nearest: the inspector moves the map to it.
  await panTo(inspector, far.at);
  const refusal = await offPlan(far, 403, "centre");
  assert.match(refusal, /服务器拒收：venue \d+ .*from your team's route and your position: an off-plan inspection must be within 300 m/, refusal);
  await inspector.waitForSelector("#outbox li.refused");
  await shot(inspector, "dispatch-phone-refused-zh");
  await inspector.click("#lang");
  await inspector.waitForSelector(".stops li");
  await mapSettled(inspector);
  await shot(inspector, "dispatch-phone-en");
  result.off_plan = { near: near.id, far: far.id, refusal };
  await phone.close();
  await desk.close();
} catch (err) {
  // What the pages said before the step failed often explains it.
  for (const p of problems) console.error(p);
  throw err;
} finally {
  await browser.close();
}
assert.deepEqual(outside, [], "no request left the field host");
assert.deepEqual(problems, [], "the pages logged no errors");
console.log(JSON.stringify(result));
