// Load on a running patrolmap server, from a second process: basemap tiles, a venue bbox query
// and durable inspection writes. Prints requests per second and latency percentiles.
//
//   npm install --prefix benches/http
//   node benches/http/load.mjs --base http://127.0.0.1:8080 --bbox W,S,E,N [--seconds 10]
//
// Signs in as the demo manager unless --user/--password say otherwise.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const base = args.base ?? 'http://127.0.0.1:8080';
const seconds = Number(args.seconds ?? 10);
const connections = Number(args.connections ?? 16);

const login = await fetch(`${base}/api/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: args.user ?? 'manager', password: args.password ?? 'patrolmap-demo' }),
});
if (!login.ok) throw new Error(`login: ${login.status} ${await login.text()}`);
const { token } = await login.json();
const auth = { authorization: `Bearer ${token}` };

// Every basemap tile at z14..16 over the archive's bounds, fetched in turn.
const tj = await (await fetch(`${base}/tiles/basemap.json`)).json();
const [w, s, e, n] = tj.bounds;
const tileOf = (lon, lat, z) => {
  const k = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * k), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * k)];
};
const tiles = [];
for (let z = 14; z <= Math.min(16, tj.maxzoom); z++) {
  const [x0, y0] = tileOf(w, n, z);
  const [x1, y1] = tileOf(e, s, z);
  for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) tiles.push(`/tiles/basemap/${z}/${x}/${y}`);
}

const bbox = args.bbox ?? `${w},${s},${e},${n}`;
const probe = await (await fetch(`${base}/api/layers/venues?bbox=${bbox}&limit=100000`, { headers: auth })).json();
const venues = (await (await fetch(`${base}/api/layers/venues?limit=500`, { headers: auth })).json()).features.map((f) => Number(f.id));

function report(name, r, note) {
  const row = {
    scenario: name,
    requests_per_s: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    max_ms: r.latency.max,
    non_2xx: r.non2xx,
    errors: r.errors,
    connections,
    seconds,
    ...note,
  };
  console.log(JSON.stringify(row));
}

let t = 0;
report(
  'basemap tiles',
  await autocannon({
    url: base,
    connections,
    duration: seconds,
    headers: { 'accept-encoding': 'gzip' },
    requests: [{ setupRequest: (req) => ({ ...req, path: tiles[t++ % tiles.length] }) }],
  }),
  { tiles: tiles.length },
);

report(
  'venues bbox',
  await autocannon({ url: `${base}/api/layers/venues?bbox=${bbox}&limit=100000`, connections, duration: seconds, headers: { ...auth, 'accept-encoding': 'gzip' } }),
  { features_per_response: probe.numberReturned },
);

let k = 0;
report(
  'inspection writes (durable)',
  await autocannon({
    url: `${base}/api/inspections`,
    connections,
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
  }),
  {},
);
