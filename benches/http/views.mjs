// Time to draw of each view in headless Chromium against a running server (the synthetic city,
// say): from pressing "sign in" to the view's own overlay on screen, with whether the basemap's
// roads were drawn by then.
// Also the largest response each view needed and any request for a whole layer.
//
//   npm install --prefix benches/http
//   node benches/http/views.mjs --base http://127.0.0.1:8080 [--runs 3] [--shots DIR] [--trace]
//     [--views USERS] [--maps DIR]
//
// --trace prints, for each view's first run, the requests made after sign-in, in order.
// --views planner,manager times only those views.
// --maps DIR serves the web map's own files (pages, scripts, styles) from DIR instead of the
// server, with the service worker off: a change to the map can be timed without rebuilding the
// release binary that embeds it. Final figures come from the embedded files, without --maps.
//
// Accounts: manager, planner and inspector1 with the demo's password (the synthetic city's too).
import { chromium } from 'playwright-core';
import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const base = args.base ?? 'http://127.0.0.1:8080';
const runs = Number(args.runs ?? 3);
const password = args.password ?? 'patrolmap-demo';
// What each view draws once it is ready: the manager's coverage, the planner's blind spots, the
// inspector's route.
const VIEWS = [
  { user: 'manager', overlay: 'coverage-fill' },
  { user: 'planner', overlay: 'blind-stretches' },
  { user: args.inspector ?? 'inspector1', overlay: 'route-line' },
];

/** The request's file under --maps when there is one there, else the server's answer. */
async function fromMaps(route) {
  const path = new URL(route.request().url()).pathname;
  const file = normalize(join(args.maps, path === '/' ? 'index.html' : path));
  if (file.startsWith(normalize(args.maps)) && existsSync(file) && statSync(file).isFile()) return route.fulfill({ path: file });
  return route.continue();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});

for (const view of VIEWS.filter((v) => !args.views || args.views.split(',').includes(v.user))) {
  const times = [];
  let largest = { bytes: 0, url: '' };
  const whole = new Set();
  let basemap = '';
  for (let run = 0; run < runs; run++) {
    // A fresh profile each run: nothing cached, as on a colleague's first morning.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: args.maps ? 'block' : 'allow' });
    if (args.maps) await context.route(`${base}/**`, fromMaps);
    context.on('response', async (r) => {
      const body = await r.body().catch(() => null);
      if (body && body.length > largest.bytes) largest = { bytes: body.length, url: new URL(r.url()).pathname };
    });
    context.on('request', (r) => {
      const url = new URL(r.url());
      if (/^\/api\/layers\/[^/]+$/.test(url.pathname) && !url.searchParams.has('bbox') && !(Number(url.searchParams.get('limit')) <= 500)) {
        whole.add(url.pathname + url.search);
      }
    });
    const finished = [];
    context.on('requestfinished', (r) => {
      const t = r.timing();
      finished.push({ path: new URL(r.url()).pathname + new URL(r.url()).search, start: t.startTime, ms: Math.round(t.responseEnd) });
    });
    const page = await context.newPage();
    await page.goto(base);
    await page.fill('input[name="username"]', view.user);
    await page.fill('input[name="password"]', password);
    const t0 = Date.now();
    await page.click('button[type="submit"]');
    const drawn = await page
      .waitForFunction(
        (overlay) => {
          const m = document.querySelector('#map');
          return (m?.dataset.drawn || '').split(' ').includes(overlay);
        },
        view.overlay,
        { timeout: 60000, polling: 50 },
      )
      .then(() => true, () => false);
    if (!drawn) {
      if (args.shots) await page.screenshot({ path: `${args.shots}/city-${view.user}-not-drawn.png` });
      const seen = await page.evaluate(() => ({ ...document.querySelector('#map')?.dataset }));
      console.log(JSON.stringify({ view: view.user, overlay: view.overlay, drawn: false, map: seen }));
      await context.close();
      break;
    }
    times.push(Date.now() - t0);
    if ('trace' in args && run === 0) {
      const ended = finished
        .filter((f) => f.start >= t0)
        .map((f) => ({ path: f.path.slice(0, 90), from_ms: Math.round(f.start - t0), took_ms: f.ms }))
        .sort((a, b) => a.from_ms - b.from_ms)
        .slice(0, 60);
      console.log(JSON.stringify({ view: view.user, last_requests: ended }));
    }
    basemap = await page.evaluate(() => document.querySelector('#map')?.dataset.basemap);
    if (args.shots && run === 0) await page.screenshot({ path: `${args.shots}/city-${view.user}.png` });
    await context.close();
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      view: view.user,
      overlay: view.overlay,
      runs,
      draw_ms: times,
      median_ms: times[Math.floor(times.length / 2)],
      largest_response_bytes: largest.bytes,
      largest_response: largest.url,
      whole_layer_requests: [...whole],
      basemap_roads_at_draw: basemap,
    }),
  );
}
await browser.close();
