// The web map as an inspector's phone in the field sees it: opened on the district server's
// address, not on the loopback. Browsers treat 127.0.0.1 as a secure context, so Chromium maps
// the name patrolmap.test to the loopback instead (`--host-resolver-rules`) and opens that:
// `http://patrolmap.test:PORT` is an insecure origin (no geolocation, no service worker, no
// `crypto.randomUUID`), `https://patrolmap.test:PORT` with the server's self-signed certificate a
// secure one. Run by tests/web_field.rs against the real server:
//   node tests/web/field.mjs BASE_URL SCREENSHOT_DIR [SECOND_URL]
//   node tests/web/field.mjs night SCREENSHOT_DIR URL_2340 URL_0030 URL_0330   (servers at --now)
// Each URL runs the scenario of its scheme (http: the insecure one, https: the secure one); its
// host is replaced by patrolmap.test, its port kept. Prints one JSON line at the end for the Rust
// side to check against the store.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { FIELD_HOST, confinedContext } from "./field_host.mjs";

const args = process.argv.slice(2);
/** `--next-day URL`: the same data served on the next day's evening (`--now`), for the phone's next shift. */
const nextDayAt = args.indexOf("--next-day");
const nextDay = nextDayAt >= 0 ? args.splice(nextDayAt, 2)[1] : null;
const [base, shots, second] = args;
assert.ok(base && shots, "usage: field.mjs BASE_URL SCREENSHOT_DIR [SECOND_URL] | field.mjs night SCREENSHOT_DIR URL_2340 URL_0030 URL_0330");
mkdirSync(shots, { recursive: true });
const PASSWORD = "patrolmap-demo";
/** The demo's plan day at 20:30 in the district (UTC+8): the night teams are out. */
const DEMO_EVENING = new Date("2026-11-20T12:30:00Z");
/** The next day at 20:30: the server at `--next-day` runs its clock there. */
const NEXT_EVENING = new Date("2026-11-21T12:30:00Z");
/** A phone: what an inspector holds. */
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
/** A 4×4 PNG: the server checks a photo's bytes against its type, so it must be a real one. */
const PHOTO = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM4YaMBRwzEcQDxwxLBXOwG1wAAAABJRU5ErkJggg==",
  "base64",
);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The manager's desk. */
const DESK = { viewport: { width: 1440, height: 900 } };
/** What the manager writes when sending the phone's record back. */
const SEND_BACK_REASON = "照片未拍到门牌和包厢，请重新检查并补拍";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-quic",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  `--host-resolver-rules=MAP ${FIELD_HOST} 127.0.0.1`,
];
const browsers = [];
async function launch(extra = []) {
  const b = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: [...ARGS, ...extra] });
  browsers.push(b);
  return b;
}
const problems = [];
const outside = [];
/** Failed loads a step provokes on purpose (the signal drops); Chromium logs each as an error. */
let offline = false;
const result = {};

/** The same server under the field name, so the browser does not see the loopback. */
function fieldOrigin(url) {
  const u = new URL(url);
  u.hostname = FIELD_HOST;
  return u.origin;
}

/** A fresh phone profile that may only talk to the field host. */
function newContext(browser, options) {
  return confinedContext(browser, { ...PHONE, ...options }, outside);
}

function watch(page, name) {
  page.on("console", (m) => {
    // With the network off, the map's tile reads fail and Chromium says so; that is the test's doing.
    if (offline && /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/.test(m.text())) return;
    if (m.type() === "error" || /no .* text for /.test(m.text())) problems.push(`${name}: console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${name}: page error: ${e.message}`));
}

async function signIn(page, origin, username, landed = ".stops li") {
  await page.goto(`${origin}/`);
  await page.waitForSelector("form.sign-in");
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('form.sign-in button[type="submit"]');
  await page.waitForSelector(landed);
}

/** A call of the API with the page's own session, as JSON both ways. */
function apiCall(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const s = JSON.parse(localStorage.getItem("patrolmap.session"));
      const headers = { authorization: `Bearer ${s.token}` };
      if (body !== undefined) headers["content-type"] = "application/json";
      const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    { method, path, body },
  );
}

/** The next response of the page to `method path` (path without the query). */
function nextResponse(page, method, path, query = () => true) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path && query(new URL(r.url()).searchParams), { timeout: 60000 });
}

/** What the page may use: the secure-context APIs are there or not as the origin decides. */
function capabilities(page) {
  return page.evaluate(() => ({
    secure: window.isSecureContext,
    randomUUID: typeof crypto.randomUUID,
    serviceWorker: "serviceWorker" in navigator,
  }));
}

/** Waits until the map has settled again after what `action` does to it. */
async function mapSettledAfter(page, action) {
  await page.evaluate(() => delete document.querySelector("#map").dataset.basemap);
  await action();
  await page.waitForFunction(() => document.querySelector("#map")?.dataset.basemap === "drawn", null, { timeout: 30000 });
}

/** Opens a stop's capture form (the map moves to the stop first) and picks the outcome. */
async function openCapture(page, stop, outcome) {
  await mapSettledAfter(page, () => stop.locator("button").click());
  await page.click("#record");
  await page.waitForSelector("#capture-form");
  await page.check(`input[name="outcome"][value="${outcome}"]`);
}

/** The next inspection the page posts, as the server answered it. */
function nextInspectionPost(page) {
  return page
    .waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/inspections", { timeout: 30000 })
    .then((response) => {
      const body = response.request().postDataBuffer()?.toString("latin1") || "";
      const uuid = body.match(/"client_uuid":"([^"]+)"/)?.[1];
      return { status: response.status(), uuid };
    });
}

/** What waits in the phone's outbox (IndexedDB), or null when the page has no IndexedDB. */
function outboxOnPhone(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        if (!window.indexedDB) return resolve(null);
        const open = indexedDB.open("patrolmap");
        open.onsuccess = () => {
          const get = open.result.transaction("outbox").objectStore("outbox").getAll();
          get.onsuccess = () => resolve(get.result.map((i) => i.uuid));
          get.onerror = () => reject(get.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png` });
}

// --- http://: told at once, no fix, and saving works online or says why it did not. ---
async function insecureField(origin) {
  const browser = await launch();
  const out = { records: [], not_saved: 0 };
  {
    const context = await newContext(browser, {
      // Granted, and still no fix: on an insecure origin the browser gives none.
      permissions: ["geolocation"],
      geolocation: { longitude: 24.9378, latitude: 60.1766, accuracy: 12 },
    });
    const page = await context.newPage();
    await page.clock.setFixedTime(DEMO_EVENING);
    watch(page, "http");
    await page.goto(`${origin}/`);
    await page.waitForSelector("#insecure-banner:not([hidden])");
    assert.deepEqual(await capabilities(page), { secure: false, randomUUID: "undefined", serviceWorker: false }, "the field name is an insecure origin");
    const banner = await page.textContent("#insecure-banner");
    for (const word of ["不安全", "定位", "离线", "保存记录", `https://${FIELD_HOST}`]) {
      assert.ok(banner.includes(word), `the banner names ${word}: ${banner}`);
    }
    await shot(page, "field-insecure-sign-in");

    await signIn(page, origin, "inspector1");
    assert.ok(await page.locator("#insecure-banner").isVisible(), "the banner stays after sign-in");
    await page.waitForFunction(() => document.querySelector("#map")?.dataset.basemap === "drawn", null, { timeout: 30000 });
    await shot(page, "field-insecure");

    // A record through the outbox (IndexedDB is there on http:// in Chromium), UUID made by hand.
    const stop = page.locator(".stops li").nth(0);
    const venue = Number(await stop.getAttribute("data-venue"));
    await openCapture(page, stop, "compliant");
    await page.waitForSelector("#gps-status .warn");
    assert.match(await page.textContent("#gps-status"), /无法定位/, "the form says why there is no fix");
    await page.locator("#gps-status").scrollIntoViewIfNeeded();
    await shot(page, "field-insecure-capture");
    const posted = nextInspectionPost(page);
    await page.click('#capture-form button[type="submit"]');
    const { status, uuid } = await posted;
    assert.equal(status, 201, "the server took the record");
    assert.match(uuid, UUID_V4, "a version 4 UUID without crypto.randomUUID");
    await page.waitForSelector(`.stops li.done[data-venue="${venue}"]`);
    await page.waitForSelector("#outbox-status.ok");
    assert.match(await page.textContent("#outbox-status"), /已全部上传/);
    assert.deepEqual(await outboxOnPhone(page), [], "the outbox emptied");
    out.records.push({ uuid, venue_id: venue, via: "outbox" });

    await page.click("#lang");
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await page.waitForSelector(".stops li");
    assert.match(await page.textContent("#insecure-banner"), /not secure.*location.*offline use.*saving records/s);
    await shot(page, "field-insecure-en");
    await context.close();
  }
  {
    // A browser that gives an insecure page no IndexedDB either: straight to the server, or a
    // message in the form when the signal is gone.
    const context = await newContext(browser, {});
    await context.addInitScript(() => Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true }));
    // A server that knows its HTTPS address says so in /api/app, and the banner links to it.
    const announced = `https://${FIELD_HOST}:8443/`;
    await context.route("**/api/app", async (route) => {
      // Fetched from Node, which knows patrolmap.test by its address only.
      const url = new URL(route.request().url());
      url.hostname = "127.0.0.1";
      const response = await route.fetch({ url: url.href });
      route.fulfill({ response, json: { ...(await response.json()), https_url: announced } });
    });
    const page = await context.newPage();
    await page.clock.setFixedTime(DEMO_EVENING);
    watch(page, "http, no IndexedDB");
    await signIn(page, origin, "inspector1");
    assert.equal(await outboxOnPhone(page), null, "this phone keeps nothing");
    assert.equal(await page.getAttribute("#insecure-banner #https-link", "href"), announced, "the banner links to the announced address");

    const online = page.locator(".stops li").nth(1);
    const onlineVenue = Number(await online.getAttribute("data-venue"));
    await openCapture(page, online, "compliant");
    await page.waitForSelector('#capture-form button[type="submit"]:text("需有信号")');
    const posted = nextInspectionPost(page);
    await page.click('#capture-form button[type="submit"]');
    const direct = await posted;
    assert.equal(direct.status, 201, "posted straight to the server");
    await page.waitForSelector(`.stops li.done[data-venue="${onlineVenue}"]`);
    out.records.push({ uuid: direct.uuid, venue_id: onlineVenue, via: "direct" });

    const later = page.locator(".stops li").nth(2);
    const laterVenue = Number(await later.getAttribute("data-venue"));
    await openCapture(page, later, "compliant");
    await context.setOffline(true);
    offline = true;
    await page.click('#capture-form button[type="submit"]');
    await page.waitForSelector("#capture-form .error:not(:empty)");
    const message = await page.textContent("#capture-form .error");
    assert.match(message, /未保存.*HTTPS/s, `the form says it was not saved and what to do: ${message}`);
    assert.ok(await page.locator("#capture-form").isVisible(), "the form stays, as filled in");
    out.not_saved += 1;
    await page.locator("#capture-form .actions").scrollIntoViewIfNeeded();
    await shot(page, "field-insecure-not-saved");

    // Signal again: the same form saves.
    await context.setOffline(false);
    offline = false;
    const retried = nextInspectionPost(page);
    await page.click('#capture-form button[type="submit"]');
    const again = await retried;
    assert.equal(again.status, 201, "saved once the signal is back");
    await page.waitForSelector(`.stops li.done[data-venue="${laterVenue}"]`);
    out.records.push({ uuid: again.uuid, venue_id: laterVenue, via: "direct" });
    await context.close();
  }
  for (const r of out.records) assert.match(r.uuid, UUID_V4);
  return out;
}

// --- https://: no banner, a fix near the venue, a photo, acknowledged by the server. ---
async function secureField(origin) {
  // A phone the district set up trusts the server's certificate. `ignoreHTTPSErrors` alone is not
  // that: Chromium still refuses to register a service worker from a certificate it does not
  // trust, so a phone that merely clicked through the warning gets no offline use.
  const browser = await launch(["--ignore-certificate-errors"]);
  const context = await newContext(browser, {
    ignoreHTTPSErrors: true,
    permissions: ["geolocation"],
    geolocation: { longitude: 24.9378, latitude: 60.1766, accuracy: 12 },
  });
  const page = await context.newPage();
  await page.clock.setFixedTime(DEMO_EVENING);
  watch(page, "https");
  await signIn(page, origin, "inspector1");
  assert.deepEqual(await capabilities(page), { secure: true, randomUUID: "function", serviceWorker: true }, "the HTTPS address is a secure origin");
  assert.ok(await page.locator("#insecure-banner").isHidden(), "no banner on the HTTPS address");
  const target = await page.evaluate(async () => {
    const s = JSON.parse(localStorage.getItem("patrolmap.session"));
    const plan = await (await fetch("/api/plans/today", { headers: { authorization: `Bearer ${s.token}` } })).json();
    const route = plan.routes.find((r) => r.team_id === s.account.team_id) || plan.routes[0];
    return { venue_id: route.stops[0].target.id, at: route.stops[0].at };
  });
  // Standing a few metres from the venue with a good fix.
  const fix = { latitude: target.at.lat + 0.00005, longitude: target.at.lon, accuracy: 8 };
  await context.setGeolocation(fix);
  await page.waitForSelector(".me");

  const stop = page.locator(`.stops li[data-venue="${target.venue_id}"]`);
  // A finding: it raises a follow-up, and the manager reviews it below.
  await openCapture(page, stop, "violation");
  await page.fill('textarea[name="notes"]', "包厢门窗遮挡，已拍照");
  await page.setInputFiles('input[type="file"]', { name: "door.png", mimeType: "image/png", buffer: PHOTO });
  await page.waitForSelector(".photo-list li");
  await page.waitForSelector("#gps-status .ok");
  assert.equal(await page.locator("#gps-status .warn").count(), 0, "a good fix near the venue warns of nothing");
  await page.locator("#gps-status").scrollIntoViewIfNeeded();
  await shot(page, "field-secure-capture");
  // Saved with no signal: the record waits on the phone, then goes when the signal is back.
  await context.setOffline(true);
  await page.click('#capture-form button[type="submit"]');
  await page.waitForSelector("#outbox li");
  assert.equal((await outboxOnPhone(page)).length, 1, "the record waits in the outbox while offline");
  const posted = nextInspectionPost(page);
  await context.setOffline(false);
  const { status, uuid } = await posted;
  assert.equal(status, 201, "the server took the record");
  await page.waitForSelector(`.stops li.done[data-venue="${target.venue_id}"]`);
  await page.waitForSelector("#outbox-status.ok");
  await page.waitForFunction(() => !document.querySelector("#outbox li"));
  assert.deepEqual(await outboxOnPhone(page), [], "the outbox emptied: the server acknowledged it");
  await shot(page, "field-secure");
  // And the day is kept for use without signal, which the http:// address cannot do.
  await page.waitForSelector('body[data-offline-ready="true"]', { timeout: 60000 });
  const sha256 = createHash("sha256").update(PHOTO).digest("hex");
  const review = await reviewAndSendBack(browser, origin, { uuid, venue_id: target.venue_id, sha256 });

  // --- The phone again: the record sent back, with the reviewer's reason, at once. ---
  await page.reload();
  await page.waitForSelector(".stops li");
  await page.waitForSelector(`#sent-back li[data-uuid="${uuid}"]`);
  const banner = await page.textContent("#sent-back");
  assert.ok(banner.includes(SEND_BACK_REASON), `the phone shows the reviewer's reason: ${banner}`);
  // Today's stop was recorded before the review: it stays done, and says it was sent back.
  await page.waitForFunction((v) => document.querySelector(`.stops li[data-venue="${v}"] .sent-back-reason`), target.venue_id);
  await shot(page, "field-sent-back-list");

  // --- The team's next shift: the venue is a mandatory stop marked as sent back, with the reason.
  // (A re-plan of the same shift keeps what the team recorded behind it, so it is the next day's.)
  assert.ok(nextDay, "field.mjs needs --next-day URL for the https scenario");
  const next = await context.newPage();
  await next.clock.setFixedTime(NEXT_EVENING);
  watch(next, "https, next day");
  await signIn(next, fieldOrigin(nextDay), "inspector1");
  await next.waitForSelector(`#sent-back li[data-uuid="${uuid}"]`);
  const again = next.locator(`.stops li.sent-back[data-venue="${target.venue_id}"]`);
  await again.waitFor();
  assert.match(await again.getAttribute("class"), /\bmandatory\b/, "the sent-back venue is a mandatory stop");
  assert.equal(await again.getAttribute("data-status"), "pending", "the record sent back does not count as the visit");
  const line = await again.textContent();
  assert.ok(line.includes(SEND_BACK_REASON) && line.includes("记录被退回"), `the stop says it was sent back and why: ${line}`);
  await next.waitForFunction(() => document.querySelector("#map")?.dataset.basemap === "drawn", null, { timeout: 30000 });
  await again.scrollIntoViewIfNeeded();
  await shot(next, "field-sent-back");
  await mapSettledAfter(next, () => again.locator("button").click());
  assert.ok((await next.textContent("#stop-sent-back")).includes(SEND_BACK_REASON), "the stop's sheet gives the reason");
  await shot(next, "field-sent-back-stop");
  await context.close();
  return {
    uuid,
    venue_id: target.venue_id,
    gps: { lon: fix.longitude, lat: fix.latitude, accuracy_m: fix.accuracy },
    photo: { sha256, bytes: PHOTO.length },
    review,
  };
}

// --- The manager on the same HTTPS address: finds the phone's record through the filters, sees
// its photo (the bytes the phone sent), sends it back with a reason; the dispatcher re-plans. ---
async function reviewAndSendBack(browser, origin, { uuid, venue_id, sha256 }) {
  const context = await newContext(browser, { ...DESK, ignoreHTTPSErrors: true, isMobile: false, hasTouch: false, deviceScaleFactor: 1 });
  context.setDefaultTimeout(60000);
  const page = await context.newPage();
  await page.clock.setFixedTime(DEMO_EVENING);
  watch(page, "manager");
  await signIn(page, origin, "manager", '#views button[data-view="review"]');
  await page.click('#views button[data-view="review"]');
  await page.waitForSelector('#review-list[data-state="ready"]');
  const record = (await apiCall(page, "GET", `/api/inspections/${uuid}`)).body;
  assert.equal(record.outcome, "violation", "the phone's record is stored as a violation");
  assert.ok(record.follow_up?.id, "and it raised a follow-up");

  // Filtered in the form: the venue's community and the outcome.
  await page.selectOption("#filter-area", { label: record.community });
  await page.selectOption("#filter-outcome", "violation");
  const listed = nextResponse(page, "GET", "/api/inspections", (q) => q.get("outcome") === "violation" && q.has("area"));
  await page.click("#filter-apply");
  assert.equal((await listed).status(), 200, "the filtered list");
  await page.waitForSelector('#review-list[data-state="ready"]');
  const row = page.locator(`#review-table tr[data-uuid="${uuid}"]`);
  await row.waitFor();
  const outcomes = await page.locator("#review-table tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.outcome));
  assert.ok(outcomes.every((o) => o === "violation"), `only violations are listed: ${outcomes}`);
  await page.waitForFunction(() => document.querySelector("#map")?.dataset.drawn?.split(" ").includes("inspections"), null, { timeout: 30000 });
  await shot(page, "review-table");

  // The record whole, with the photo as the page shows it: the same bytes as the phone sent.
  await row.click();
  await page.waitForSelector(`#inspection-detail[data-state="ready"][data-uuid="${uuid}"]`);
  await page.waitForSelector('#record-photos img[data-loaded="true"]');
  const shown = await page.evaluate(async () => {
    const img = document.querySelector("#record-photos img");
    // The blob the page drew (the page's own CSP lets nothing fetch a blob: URL).
    const { photoBlob } = await import("/js/records.js");
    const bytes = await photoBlob(img).arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return { src: img.src, width: img.naturalWidth, sha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join("") };
  });
  assert.match(shown.src, /^blob:/, "the photo is read with the session's token and shown from a blob");
  assert.equal(shown.sha256, sha256, "the photo shown is the bytes the phone sent");
  assert.equal(shown.width, 4, "and it is drawn");
  assert.match(await page.textContent("#record-gps"), /±8/, "the fix's accuracy is shown");
  assert.match(await page.textContent("#record-notes"), /包厢门窗遮挡/);
  await page.waitForSelector('#follow-up[data-state="ready"]');
  await shot(page, "review-detail");

  // Sent back, with a reason, through the form.
  await page.click("#review-rejected");
  assert.match(await page.textContent("#review-error"), /原因/, "sending back without a reason is stopped in the page");
  await page.fill("#review-reason", SEND_BACK_REASON);
  const reviewed = nextResponse(page, "POST", `/api/inspections/${uuid}/review`);
  await page.click("#review-rejected");
  const answer = await reviewed;
  assert.equal(answer.status(), 200, "the review is taken");
  await page.waitForSelector(`#inspection-detail[data-state="ready"][data-review="rejected"]`);
  assert.ok((await page.textContent("#review-history")).includes(SEND_BACK_REASON), "the review history shows the reason");
  await page.waitForSelector(`#review-table tr[data-uuid="${uuid}"] [data-review="rejected"]`);
  await page.locator("#record-review").scrollIntoViewIfNeeded();
  await shot(page, "review-sent-back");

  // The dispatcher makes the team's next plan (the next day's) and publishes it.
  const today = (await apiCall(page, "GET", "/api/app")).body.plan_date;
  const date = new Date(Date.parse(`${today}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  const draft = await apiCall(page, "POST", `/api/plans/${date}/draft`, {});
  assert.ok([200, 201].includes(draft.status), `a new draft: ${draft.status} ${JSON.stringify(draft.body).slice(0, 300)}`);
  const published = await apiCall(page, "POST", `/api/plans/${date}/publish`);
  assert.equal(published.status, 200, `published: ${published.status} ${JSON.stringify(published.body).slice(0, 300)}`);
  const plan = published.body.plan ?? published.body;
  const stop = plan.routes.flatMap((r) => r.stops).find((s) => s.target.kind === "venue" && s.target.id === venue_id);
  const left = plan.left_out.find((l) => l.target.kind === "venue" && l.target.id === venue_id);
  assert.ok(stop?.mandatory && stop.reason?.sent_back?.uuid === uuid, `the venue is a mandatory, sent-back stop: ${JSON.stringify(stop ?? left ?? null)}`);
  await context.close();
  return { state: "rejected", reason: SEND_BACK_REASON, revision: plan.revision, date };
}

// --- A night team across midnight: the phone's clock and the server's (`--now`) at 23:30, then
// 00:30, then 03:30. Three servers over one data folder, one per moment. ---
async function nightShift(late, afterMidnight, morning) {
  const browser = await launch();
  const visit = async (origin, clock, name, record) => {
    const context = await newContext(browser, {});
    const page = await context.newPage();
    await page.clock.setFixedTime(clock);
    watch(page, name);
    await page.goto(`${origin}/`);
    await page.waitForSelector("form.sign-in");
    await page.fill('input[name="username"]', "inspector1");
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('form.sign-in button[type="submit"]');
    try {
      await page.waitForFunction(() => document.querySelector(".stops li") || /当前班次没有巡查计划/.test(document.body.textContent), null, { timeout: 30000 });
    } finally {
      await shot(page, `${name}-signed-in`);
    }
    if (record) {
      const posted = nextInspectionPost(page);
      const first = page.locator(".stops li").first();
      await openCapture(page, first, "compliant");
      await page.click('#capture-form button[type="submit"]');
      assert.equal((await posted).status, 201, "recorded at 23:40");
      await page.waitForSelector(".stops li.done");
    }
    const venues = (selector) => page.locator(selector).evaluateAll((ls) => ls.map((l) => l.dataset.venue));
    const seen = { stops: await venues(".stops li"), done: await venues(".stops li.done"), text: await page.textContent("main") };
    await shot(page, name);
    await context.close();
    return seen;
  };
  // The district is at UTC+8: 23:30 on the 20th is 15:30Z.
  const before = await visit(late, new Date("2026-11-20T15:40:00Z"), "night-2340", true);
  const after = await visit(afterMidnight, new Date("2026-11-20T16:30:00Z"), "night-0030", false);
  assert.ok(before.stops.length > 0 && before.done.length === 1, "a route, one stop recorded");
  assert.deepEqual(after.stops, before.stops, "the same route at 00:30 as at 23:40");
  assert.deepEqual(after.done, before.done, "the same recorded marks at 00:30");
  const done = await visit(morning, new Date("2026-11-20T19:30:00Z"), "night-0330", false);
  // The 404 that says "no plan now" is the answer asked for; Chromium logs every 404 it loads.
  const expected = /^night-0330: console error: Failed to load resource: .* 404 .*\/api\/plans\/current\)$/;
  problems.splice(0, problems.length, ...problems.filter((p) => !expected.test(p)));
  assert.deepEqual(done.stops, [], "no route once the shift is over");
  assert.match(done.text, /当前班次没有巡查计划/, "and the phone says there is no plan for the shift now");
  return { stops: before.stops.length, recorded: before.done };
}

try {
  if (base === "night") {
    const [late, afterMidnight, morning] = process.argv.slice(4).map(fieldOrigin);
    result.night = await nightShift(late, afterMidnight, morning);
  } else {
    for (const url of [base, second].filter(Boolean)) {
      const origin = fieldOrigin(url);
      if (origin.startsWith("https:")) result.https = await secureField(origin);
      else result.http = await insecureField(origin);
    }
  }
} catch (err) {
  // What the pages said before the step failed often explains it.
  for (const p of problems) console.error(p);
  throw err;
} finally {
  for (const b of browsers) await b.close();
}
assert.deepEqual(outside, [], "no request left the field host");
assert.deepEqual(problems, [], "the pages logged no errors");
console.log(JSON.stringify(result));
