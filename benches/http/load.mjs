// Load on a running patrolmap server, from a second process (autocannon): basemap tiles, layer
// tiles per zoom, a venue bbox query of about --features features, durable inspection writes
// alone and while --readers connections read layer tiles, the time from a write to the changed
// tile, and the server's memory. Prints one JSON row per scenario.
//
//   npm install --prefix benches/http
//   node benches/http/load.mjs --base http://127.0.0.1:8080 [--seconds 10] [--pid PID] [--only writes]
//
// Signs in as the manager (the demo's and the synthetic city's password) unless --user/--password
// say otherwise. --pid names the server process, whose VmRSS and VmHWM are read from /proc.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const base = args.base ?? 'http://127.0.0.1:8080';
const seconds = Number(args.seconds ?? 10);
const connections = Number(args.connections ?? 16);
const readers = Number(args.readers ?? 64);
const wantFeatures = Number(args.features ?? 1000);

const login = await fetch(`${base}/api/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: args.user ?? 'manager', password: args.password ?? 'patrolmap-demo' }),
});
if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
const { token } = await login.json();
const auth = { authorization: `Bearer ${token}` };

const tileOf = (lon, lat, z) => {
  const k = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * k), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * k)];
};
// Every tile of zoom z over a bounds [w, s, e, n], or an even sample of at most `most` of them.
function tilesOver([w, s, e, n], z, most = Infinity) {
  const [x0, y0] = tileOf(w, n, z);
  const [x1, y1] = tileOf(e, s, z);
  const all = [];
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) all.push([z, x, y]);
  if (all.length <= most) return all;
  const step = all.length / most;
  return Array.from({ length: most }, (_, i) => all[Math.floor(i * step)]);
}

function memory() {
  if (!args.pid) return {};
  const status = readFileSync(`/proc/${args.pid}/status`, 'utf8');
  const kb = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? 0);
  return { server_rss_mb: Math.round(kb('VmRSS') / 1024), server_peak_mb: Math.round(kb('VmHWM') / 1024) };
}

function report(name, r, note = {}) {
  console.log(
    JSON.stringify({
      scenario: name,
      requests_per_s: Math.round(r.requests.average),
      p50_ms: r.latency.p50,
      p99_ms: r.latency.p99,
      max_ms: r.latency.max,
      non_2xx: r.non2xx,
      errors: r.errors,
      connections: r.connections,
      seconds: r.duration,
      ...note,
      ...memory(),
    }),
  );
}

// Cycles through `paths`, GET with the session, gzip accepted as the map asks.
function reading(paths, conns = connections) {
  let i = 0;
  return autocannon({
    url: base,
    connections: conns,
    duration: seconds,
    headers: { ...auth, 'accept-encoding': 'gzip' },
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
  });
}

const catalogue = (await (await fetch(`${base}/api/layers`, { headers: auth })).json()).layers;
const venuesLayer = catalogue.find((l) => l.id === 'venues');
const { west: w, south: s, east: e, north: n } = venuesLayer.extent;
console.log(JSON.stringify({ layers: Object.fromEntries(catalogue.map((l) => [l.id, l.features])), ...memory() }));

// Basemap tiles at z14..16 over the archive's bounds.
const tj = await (await fetch(`${base}/tiles/basemap.json`)).json();
const basemap = [];
for (let z = 14; z <= Math.min(16, tj.maxzoom); z++) {
  basemap.push(...tilesOver(tj.bounds, z, 4000).map(([z, x, y]) => `/tiles/basemap/${z}/${x}/${y}`));
}
// --only writes: the write scenarios alone (the tiles they read are cut once first).
const reads = args.only !== 'writes';
if (reads) report('basemap tiles z14-16', await reading(basemap), { tiles: basemap.length });

// Layer tiles, zoom by zoom, each over the venues' extent (the first pass cuts, later ones hit
// the cache: both are what a city's morning looks like).
const tiled = catalogue.filter((l) => l.tiles && ['venues', 'lamps', 'blind_spots', 'areas'].includes(l.id));
for (let z = 12; z <= 16 && reads; z++) {
  const paths = tiled.flatMap((l) => tilesOver([w, s, e, n], z, 1500).map(([z, x, y]) => `/layers/${l.id}/tiles/${z}/${x}/${y}`));
  report(`layer tiles z${z}`, await reading(paths), { tiles: paths.length, layers: tiled.map((l) => l.id).join(',') });
}

// A square bbox around the extent's middle, grown until it holds about wantFeatures venues.
const [cx, cy] = [(w + e) / 2, (s + n) / 2];
let half = 0.002;
let bbox = '';
let returned = 0;
for (let round = 0; round < 30; round++) {
  bbox = [cx - half, cy - half * 0.6, cx + half, cy + half * 0.6].map((v) => v.toFixed(6)).join(',');
  const page = await (await fetch(`${base}/api/layers/venues?bbox=${bbox}&limit=5000`, { headers: auth })).json();
  returned = page.features.length;
  if (returned >= wantFeatures) break;
  half *= Math.sqrt(Math.max(1.2, Math.min(4, wantFeatures / Math.max(returned, 1))));
}
if (reads) {
  const page = [`/api/layers/venues?bbox=${bbox}&limit=5000`];
  report('venues bbox', await reading(page), { bbox, features_per_response: returned });
  // One client at a time: the time one answer takes, without the queue of the run above.
  report('venues bbox, one connection', await reading(page, 1), { bbox, features_per_response: returned });
}

// Venues to write about: those in the bbox above.
const venues = (await (await fetch(`${base}/api/layers/venues?bbox=${bbox}&limit=500`, { headers: auth })).json()).features.map((f) => Number(f.id));
let k = 0;
const writing = (conns) =>
  autocannon({
    url: `${base}/api/inspections`,
    connections: conns,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({
            client_uuid: randomUUID(),
            venue_id: venues[k++ % venues.length],
            started_at: '2026-11-20T22:00',
            outcome: 'compliant',
            notes: 'load test',
          }),
        }),
      },
    ],
  });
report('inspection writes (durable), alone', await writing(connections));

// Writes while `readers` connections read layer tiles at z14-16 (already cut once above).
const busy = tiled.flatMap((l) => [14, 15, 16].flatMap((z) => tilesOver([w, s, e, n], z, 500).map(([z, x, y]) => `/layers/${l.id}/tiles/${z}/${x}/${y}`)));
for (let i = 0; !reads && i < busy.length; i += 16) {
  await Promise.all(busy.slice(i, i + 16).map((p) => fetch(`${base}${p}`, { headers: auth }).then((r) => r.arrayBuffer())));
}
const [writes, readsMeanwhile] = await Promise.all([writing(4), reading(busy, readers)]);
report('inspection writes (durable), while tiles are read', writes);
report(`layer tiles z14-16 read by ${readers} connections, while writes run`, readsMeanwhile, { tiles: busy.length });

// From a write to the changed tile: the venue's own z16 venues tile gets a new ETag.
const venue = (await (await fetch(`${base}/ogc/collections/venues/items/${venues[0]}`, { headers: auth })).json());
const [lon, lat] = venue.geometry.coordinates;
const [tx, ty] = tileOf(lon, lat, 16);
const tileUrl = `${base}/layers/venues/tiles/16/${tx}/${ty}`;
const etagOf = async () => (await fetch(tileUrl, { headers: auth })).headers.get('etag');
const delays = [];
for (let round = 0; round < 20; round++) {
  const before = await etagOf();
  const t0 = performance.now();
  const posted = await fetch(`${base}/api/inspections`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ client_uuid: randomUUID(), venue_id: venues[0], started_at: '2026-11-20T22:00', outcome: round % 2 ? 'compliant' : 'violation', notes: 'tile delay' }),
  });
  if (!posted.ok) throw new Error(`write: ${posted.status} ${await posted.text()}`);
  while ((await etagOf()) === before) {
    if (performance.now() - t0 > 10000) throw new Error('the tile did not change within 10 s of the write');
  }
  delays.push(performance.now() - t0);
}
delays.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    scenario: 'write to changed tile',
    rounds: delays.length,
    p50_ms: Math.round(delays[Math.floor(delays.length / 2)] * 10) / 10,
    max_ms: Math.round(delays[delays.length - 1] * 10) / 10,
    ...memory(),
  }),
);
