// The inspector's day on a phone: today's route as a numbered list and on the map, the way to
// the next stop in the phone's map app, and the capture form, which works with no signal.

import * as api from "./api.js";
import { language, number, t, term } from "./i18n.js";
import { boundsOf, createMap, drawRoute, ready } from "./map.js";
import { navigationLinks } from "./navigation.js";
import * as outbox from "./outbox.js";
import { openCaptureForm } from "./capture.js";
import { keepForOffline } from "./offline.js";
import { el, failureText, planTime } from "./ui.js";

export async function mount(root, { app, session }) {
  const mapBox = el("div", { class: "map", id: "map" });
  const listBox = el("section", { class: "route-list", "aria-label": t("inspector.route") });
  const outboxBox = el("section", { class: "outbox", id: "outbox", "aria-live": "polite" });
  const sheet = el("section", { class: "sheet", id: "sheet", hidden: true });
  root.append(el("div", { class: "inspector" }, mapBox, outboxBox, listBox, sheet));

  const map = createMap(mapBox, app);
  const cleanups = [];
  const position = trackPosition(map, cleanups);
  /** The numbered badge of each stop on the map, by venue id. */
  const badges = new Map();

  // The plan whose shift is now (a night team's stays current past midnight), not the phone's
  // calendar day; 404 when the team has none for this shift.
  let route = null;
  let plan = null;
  try {
    plan = await api.get("/api/plans/current");
    route = plan.routes.find((r) => r.team_id === session.account.team_id) || plan.routes[0] || null;
  } catch (err) {
    const text = err?.status === 404 ? t("inspector.no_shift_plan") : failureText(err);
    listBox.append(el("p", { class: err?.status === 404 ? "muted" : "error" }, text));
  }
  // Recorded marks belong to the plan's date, with what the server already holds for it.
  const done = doneStore(plan?.current?.date || plan?.date || app.plan_date, plan?.current?.recorded || []);

  // A discarded record never reached the server: its stop is open again.
  const reopen = (item) => {
    done.remove(item.venue_id);
    badges.get(item.venue_id)?.classList.remove("done");
    if (route) renderList();
  };
  const showOutbox = (items) => renderOutbox(outboxBox, items, reopen);
  cleanups.push(outbox.onChange(showOutbox));
  showOutbox(await outbox.list());
  outbox.startRetrying();

  if (!route) {
    if (!listBox.childElementCount) listBox.append(el("p", {}, t("inspector.no_route")));
    return () => cleanups.forEach((c) => c());
  }

  const openStop = (stop) => {
    sheet.hidden = false;
    sheet.replaceChildren(
      stopDetail(stop, route, {
        onRecord: () =>
          openCaptureForm(sheet, { app, stop, position, onSaved: () => {
            done.add(stop.target.id);
            badges.get(stop.target.id)?.classList.add("done");
            renderList();
            sheet.hidden = true;
          } }),
        onClose: () => {
          sheet.hidden = true;
        },
      }),
    );
    map.easeTo({ center: [stop.at.lon, stop.at.lat], zoom: Math.max(map.getZoom(), 16) });
  };

  function renderList() {
    const next = route.stops.find((s) => !done.has(s.target.id));
    listBox.replaceChildren(
      el("h2", {}, t("inspector.route_title", { team: route.team, count: route.stops.length })),
      el(
        "p",
        { class: "muted" },
        t("inspector.route_summary", {
          start: planTime(route.start_s),
          end: planTime(route.end_s),
          travel: Math.round(route.travel_s / 60),
          mode: term("mode", route.mode),
        }),
      ),
      next ? nextStopBar(next) : el("p", { class: "all-done" }, t("inspector.all_done")),
      el("ol", { class: "stops" }, route.stops.map((s) => stopItem(s, done.has(s.target.id), openStop))),
    );
  }
  renderList();

  const offlineNote = el("p", { class: "muted offline-note", id: "offline-ready" });
  listBox.before(offlineNote);
  keepForOffline({
    archive: app.basemap?.archive,
    paths: ["/api/plans/current"],
    extra: ["/api/app", `/i18n/${language()}.json`],
  })
    .then((kept) => {
      document.body.dataset.offlineReady = String(kept);
      if (kept) offlineNote.textContent = t("inspector.offline_ready");
    })
    .catch((e) => console.warn("offline copy not kept:", e.message));

  await ready(map);
  showRoute(map, route, { done, badges, open: openStop, cleanups });
  const b = boundsOf(route.path.length ? route.path : route.stops.map((s) => s.at));
  if (b) map.fitBounds(b, { padding: { top: 40, bottom: 40, left: 30, right: 60 }, animate: false });
  return () => {
    cleanups.forEach((c) => c());
    map.remove();
  };
}

function nextStopBar(stop) {
  const links = navigationLinks(stop.at, stop.name);
  return el(
    "div",
    { class: "next-stop" },
    el("span", {}, t("inspector.next", { seq: stop.seq, name: stop.name, time: planTime(stop.arrival_s) })),
    el(
      "span",
      { class: "nav-links" },
      el("a", { class: "button", href: links.amap, target: "_blank", rel: "noopener" }, t("nav.amap")),
      el("a", { class: "button", href: links.baidu, target: "_blank", rel: "noopener" }, t("nav.baidu")),
      el("a", { class: "button", href: links.geo }, t("nav.geo")),
    ),
  );
}

function stopItem(stop, isDone, open) {
  return el(
    "li",
    { class: `stop${isDone ? " done" : ""}${stop.mandatory ? " mandatory" : ""}`, dataset: { venue: stop.target.id } },
    el(
      "button",
      { type: "button", onclick: () => open(stop) },
      el("span", { class: "seq" }, stop.seq),
      el(
        "span",
        { class: "what" },
        el("strong", {}, stop.name),
        el(
          "small",
          {},
          `${term("kind", stop.category)} · ${planTime(stop.arrival_s)} · ${t("inspector.risk", { score: number(stop.score) })}`,
          stop.mandatory ? ` · ${t("inspector.mandatory")}` : "",
          isDone ? ` · ${t("inspector.recorded")}` : "",
        ),
        el("small", { class: "why" }, whyLine(stop.reason)),
      ),
    ),
  );
}

/** The two or three terms that put the stop on the list, largest first. */
function whyLine(reason) {
  const terms = (reason?.terms || []).filter((x) => x.points > 0).sort((a, b) => b.points - a.points);
  const parts = terms.slice(0, 3).map((x) => `${term("risk", x.term)} +${number(x.points)}`);
  if (reason?.follow_ups?.length) parts.unshift(t("inspector.follow_ups_due", { n: reason.follow_ups.length }));
  return parts.join(" · ");
}

function stopDetail(stop, route, { onRecord, onClose }) {
  const r = stop.reason || {};
  return el(
    "div",
    { class: "stop-detail" },
    el("header", {}, el("h2", {}, `${stop.seq}. ${stop.name}`), el("button", { type: "button", class: "close", onclick: onClose, "aria-label": t("common.close") }, "×")),
    el(
      "p",
      {},
      `${term("kind", stop.category)} · ${t("inspector.arrival", { time: planTime(stop.arrival_s) })} · ${t("inspector.service", { minutes: Math.round((stop.departure_s - stop.start_s) / 60) })}`,
    ),
    r.hours_note ? el("p", { class: "muted" }, r.hours_note) : null,
    (r.follow_ups || []).length
      ? el(
          "div",
          { class: "follow-ups" },
          el("h3", {}, t("inspector.follow_ups")),
          el("ul", {}, r.follow_ups.map((f) => el("li", {}, t("inspector.follow_up_line", { action: f.action, unit: term("unit", f.unit), deadline: f.deadline })))),
        )
      : null,
    el("h3", {}, t("inspector.why", { score: number(r.risk ?? stop.score, 1) })),
    el(
      "table",
      { class: "terms" },
      el("tbody", {}, (r.terms || []).map((x) => el("tr", {}, el("td", {}, term("risk", x.term)), el("td", { class: "num" }, typeof x.input === "number" ? number(x.input, 1) : term("value", x.input)), el("td", { class: "num" }, `+${number(x.points, 1)}`)))),
    ),
    el("button", { type: "button", class: "primary", onclick: onRecord, id: "record" }, t("inspector.record")),
  );
}

function showRoute(map, route, { done, badges, open, cleanups }) {
  const round = { "line-join": "round", "line-cap": "round" };
  const layers = [
    { id: "route-casing", type: "line", layout: round, paint: { "line-color": "#ffffff", "line-width": 7, "line-opacity": 0.8 } },
    { id: "route-line", type: "line", layout: round, paint: { "line-color": "#1d6fd8", "line-width": 4 } },
  ];
  const badge = (stop) => {
    const b = el("button", { type: "button", class: `stop-marker${done.has(stop.target.id) ? " done" : ""}${stop.mandatory ? " mandatory" : ""}`, "aria-label": stop.name, onclick: () => open(stop) }, String(stop.seq));
    badges.set(stop.target.id, b);
    return b;
  };
  cleanups.push(drawRoute(map, "route", route, layers, badge));
}

/** The phone's position on the map, and the latest fix for the capture form. */
function trackPosition(map, cleanups) {
  const position = { fix: null, error: null };
  if (!("geolocation" in navigator)) {
    position.error = "unsupported";
    return position;
  }
  const dot = el("div", { class: "me", title: t("inspector.me") });
  const marker = new maplibregl.Marker({ element: dot });
  const id = navigator.geolocation.watchPosition(
    (p) => {
      position.fix = { lon: p.coords.longitude, lat: p.coords.latitude, accuracy_m: p.coords.accuracy };
      position.error = null;
      marker.setLngLat([p.coords.longitude, p.coords.latitude]).addTo(map);
    },
    (e) => {
      position.error = e.code === 1 ? "denied" : "unavailable";
    },
    { enableHighAccuracy: true, maximumAge: 10000, timeout: 30000 },
  );
  cleanups.push(() => {
    navigator.geolocation.clearWatch(id);
    marker.remove();
  });
  return position;
}

/** Venues recorded for the plan of `date`: on this phone (kept across reloads and offline) and
 * those the server reports recorded for it (`recorded`). */
function doneStore(date, recorded = []) {
  const key = `patrolmap.recorded.${date}`;
  const ids = new Set([...JSON.parse(localStorage.getItem(key) || "[]"), ...recorded]);
  return {
    has: (id) => ids.has(id),
    add: (id) => {
      ids.add(id);
      localStorage.setItem(key, JSON.stringify([...ids]));
    },
    remove: (id) => {
      ids.delete(id);
      localStorage.setItem(key, JSON.stringify([...ids]));
    },
  };
}

function renderOutbox(box, items, onDiscard) {
  const status = document.getElementById("outbox-status");
  const waiting = items.filter((i) => i.state === "waiting");
  const refused = items.filter((i) => i.state === "refused");
  status.hidden = false;
  status.textContent = waiting.length ? t("outbox.badge_waiting", { n: waiting.length }) : t("outbox.badge_clear");
  status.className = waiting.length || refused.length ? "warn" : "ok";
  box.replaceChildren();
  if (!items.length) return;
  box.append(
    el("h3", {}, t("outbox.title", { waiting: waiting.length, refused: refused.length })),
    el(
      "ul",
      {},
      items.map((i) =>
        el(
          "li",
          { class: i.state, dataset: { uuid: i.uuid } },
          `${i.venue_name} · ${term("outcome", i.inspection.outcome)} · ${t("outbox.photos", { n: i.photos.length })} · `,
          i.state === "waiting"
            ? t("outbox.waiting", { attempts: i.attempts, reason: i.error ? t(`outbox.error.${i.error.startsWith("http_") ? "server" : i.error}`) : "" })
            : el("span", {}, t("outbox.refused", { reason: i.error }), " ", el("button", { type: "button", onclick: () => outbox.discard(i.uuid).then(() => onDiscard(i)) }, t("outbox.discard"))),
        ),
      ),
    ),
  );
}
