// The inspector's day on a phone: today's route as a numbered list and on the map with each
// stop's status, the way to the next stop in the phone's map app, the capture and skip forms,
// which work with no signal, an off-plan visit, "your route changed" when the dispatcher
// publishes a new revision, and the team's records a reviewer sent back, with the reason.

import * as api from "./api.js";
import { language, number, t, term } from "./i18n.js";
import { boundsOf, createMap, drawRoute, ready } from "./map.js";
import { navigationLinks } from "./navigation.js";
import * as outbox from "./outbox.js";
import { renderOutbox } from "./outbox-view.js";
import { SENT_BACK_PATH, renderSentBack, sentBack, sentBackBox, sentBackLine, sentBackOf } from "./sentback.js";
import { openCaptureForm, openOffPlanPicker, openSkipForm } from "./capture.js";
import { keepForOffline } from "./offline.js";
import { el, failureText, planTime } from "./ui.js";

/** How often an open phone asks whether its route was revised (and on coming back online). */
const REVISION_CHECK_MS = 60000;
const STATUSES = ["pending", "arrived", "done", "skipped"];

export async function mount(root, { app, session }) {
  const banner = el("section", { class: "route-changed", id: "route-changed", role: "alert", hidden: true });
  const mapBox = el("div", { class: "map", id: "map" });
  const listBox = el("section", { class: "route-list", "aria-label": t("inspector.route") });
  const outboxBox = el("section", { class: "outbox", id: "outbox", "aria-live": "polite" });
  const sentBackList = el("section", { class: "sent-back-list", id: "sent-back", role: "status", hidden: true });
  const sheet = el("section", { class: "sheet", id: "sheet", hidden: true });
  root.append(el("div", { class: "inspector" }, banner, mapBox, outboxBox, sentBackList, listBox, sheet));

  const map = createMap(mapBox, app);
  const cleanups = [];
  const position = trackPosition(map, cleanups);
  const seen = seenRevision(session.account.username);
  /** The numbered badge of each stop on the map, by venue id. */
  const badges = new Map();
  /** The team's records sent back, by venue id. */
  let sentBackVenues = new Map();
  let undraw = null;

  // The plan whose shift is now (a night team's stays current past midnight), not the phone's
  // calendar day; 404 when the team has none for this shift (or none is published).
  let route = null;
  let plan = null;
  try {
    plan = await currentPlan(seen.get()?.revision);
    route = teamRoute(plan, session);
  } catch (err) {
    const text = err?.status === 404 ? t("inspector.no_shift_plan") : failureText(err);
    listBox.append(el("p", { class: err?.status === 404 ? "muted" : "error" }, text));
  }
  // Recorded and skipped marks belong to the plan's date, with what the server already holds.
  const date = plan?.current?.date || plan?.date || app.plan_date;
  const done = markStore(`patrolmap.recorded.${date}`, plan?.current?.recorded || []);
  const skipped = markStore(`patrolmap.skipped.${date}`);
  // Records sent back and recorded again on this phone (the earlier record of the venue does not count).
  const redone = markStore(`patrolmap.redone.${date}`);
  const status = (stop) => {
    if (done.has(stop.target.id)) return "done";
    if (skipped.has(stop.target.id)) return "skipped";
    return stop.status || "pending";
  };
  const learn = (p) => {
    for (const s of p.routes.flatMap((r) => r.stops)) {
      if (s.status === "done") done.add(s.target.id);
      else if (sentBackOf(s) && !redone.has(sentBackOf(s).uuid)) done.remove(s.target.id);
      if (s.status === "skipped") skipped.add(s.target.id);
    }
  };
  if (plan) learn(plan);
  const marked = () => {
    // MapLibre positions a marker by its element's own classes: change only the status ones.
    for (const [id, b] of badges) {
      b.classList.remove(...STATUSES);
      b.classList.add(status(route.stops.find((s) => s.target.id === id)));
    }
    renderList();
  };

  // A discarded record never reached the server: its stop is open again.
  const reopen = (item) => {
    (item.kind === "stop" ? skipped : done).remove(item.venue_id);
    if (route) marked();
  };
  const showOutbox = (items) => renderOutbox(outboxBox, items, reopen);
  cleanups.push(outbox.onChange(showOutbox));
  showOutbox(await outbox.list());
  outbox.startRetrying();

  const offPlan = () =>
    openOffPlanPicker(sheet, {
      app,
      map,
      position,
      onRoute: new Set((route?.stops || []).map((s) => s.target.id)),
      onPick: (venue) =>
        openCaptureForm(sheet, { app, stop: venue, position, offPlan: true, onSaved: (inspection) => offPlanResult(sheet, venue, inspection.client_uuid) }),
    });

  const openStop = (stop) => {
    sheet.hidden = false;
    const open = ["pending", "arrived"].includes(status(stop));
    sheet.replaceChildren(
      stopDetail(stop, {
        app,
        canSkip: open && (app.dispatch?.skip_reasons || []).length > 0,
        onRecord: () =>
          openCaptureForm(sheet, { app, stop, position, onSaved: () => {
            done.add(stop.target.id);
            if (sentBackOf(stop)) redone.add(sentBackOf(stop).uuid);
            marked();
          } }),
        onSkip: () =>
          openSkipForm(sheet, { app, stop, date, onSaved: () => {
            skipped.add(stop.target.id);
            marked();
          } }),
        onClose: () => {
          sheet.hidden = true;
        },
      }),
    );
    map.easeTo({ center: [stop.at.lon, stop.at.lat], zoom: Math.max(map.getZoom(), 16) });
  };

  function renderList() {
    if (!route) {
      if (plan) listBox.replaceChildren(el("p", {}, t("inspector.no_route")));
      return;
    }
    const next = route.stops.find((s) => ["pending", "arrived"].includes(status(s)));
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
      el("ol", { class: "stops" }, route.stops.map((s) => stopItem(s, status(s), openStop, sentBackVenues.get(s.target.id)))),
      el("button", { type: "button", id: "off-plan", onclick: offPlan }, t("off_plan.open")),
    );
  }
  renderList();

  // Records sent back: the list now (or as kept), read again with each new revision.
  const showSentBack = async () => {
    const answer = await sentBack(session.account.username);
    sentBackVenues = new Map(answer.items.map((i) => [i.venue_id, i]));
    renderList();
    const onOpen = (venueId) => {
      const stop = route?.stops.find((s) => s.target.kind === "venue" && s.target.id === venueId);
      if (stop) openStop(stop);
    };
    renderSentBack(sentBackList, answer, { app, onOpen });
  };
  showSentBack();

  /** Shows the plan of a new published revision: its route, and what changed since the one seen. */
  const showPlan = async (next) => {
    plan = next;
    route = teamRoute(plan, session);
    learn(plan);
    renderList();
    showChanges(banner, plan, seen);
    showSentBack();
    await ready(map);
    undraw?.();
    badges.clear();
    undraw = route ? showRoute(map, route, { status, badges, open: openStop }) : null;
  };
  if (plan) showChanges(banner, plan, seen);

  // Revisions published while the phone is open: asked for now and then, and on coming back online.
  const check = async () => {
    if (!navigator.onLine) return;
    try {
      const next = await currentPlan(seen.get()?.revision);
      if (next.current?.revision !== plan?.current?.revision) await showPlan(next);
    } catch (err) {
      // No signal, or no plan now: the phone keeps what it shows.
      if (!(err instanceof api.Unreachable || err?.status === 404)) console.warn("route check:", err.message);
    }
  };
  const timer = setInterval(check, REVISION_CHECK_MS);
  window.addEventListener("online", check);
  cleanups.push(() => {
    clearInterval(timer);
    window.removeEventListener("online", check);
  });

  const offlineNote = el("p", { class: "muted offline-note", id: "offline-ready" });
  listBox.before(offlineNote);
  keepForOffline({
    archive: app.basemap?.archive,
    paths: ["/api/plans/current", currentPath(seen.get()?.revision), SENT_BACK_PATH],
    extra: ["/api/app", `/i18n/${language()}.json`],
  })
    .then((kept) => {
      document.body.dataset.offlineReady = String(kept);
      if (kept) offlineNote.textContent = t("inspector.offline_ready");
    })
    .catch((e) => console.warn("offline copy not kept:", e.message));

  await ready(map);
  if (route) {
    undraw = showRoute(map, route, { status, badges, open: openStop });
    const b = boundsOf(route.path.length ? route.path : route.stops.map((s) => s.at));
    if (b) map.fitBounds(b, { padding: { top: 40, bottom: 40, left: 30, right: 60 }, animate: false });
  }
  return () => {
    cleanups.forEach((c) => c());
    undraw?.();
    map.remove();
  };
}

const currentPath = (seenRevision) => (seenRevision ? `/api/plans/current?seen=${seenRevision}` : "/api/plans/current");

/** The current plan, with what changed since the revision `seen`; offline, the last one kept. */
async function currentPlan(seenRevision) {
  try {
    return await api.get(currentPath(seenRevision));
  } catch (err) {
    // The service worker keeps the plain address for use without signal.
    if (err instanceof api.Unreachable && seenRevision) return api.get("/api/plans/current");
    throw err;
  }
}

function teamRoute(plan, session) {
  return plan.routes.find((r) => r.team_id === session.account.team_id) || plan.routes[0] || null;
}

/**
 * The published revision the inspector last acknowledged, per account, with its plan's date: a
 * revision of another day's plan says nothing about today's route.
 */
function seenRevision(username) {
  const key = `patrolmap.seen.${username}`;
  return {
    get: () => {
      try {
        return JSON.parse(localStorage.getItem(key));
      } catch {
        return null;
      }
    },
    set: (value) => localStorage.setItem(key, JSON.stringify(value)),
  };
}

/** The "your route changed" banner until the user dismisses it; the first view of a plan is seen. */
function showChanges(banner, plan, seen) {
  const current = plan.current || {};
  const now = { date: current.date || plan.date, revision: current.revision ?? plan.revision };
  const before = seen.get();
  if (now.revision === undefined || before?.revision === now.revision) return;
  const changes = current.changes;
  if (!before || before.date !== now.date || !changes) {
    seen.set(now);
    banner.hidden = true;
    return;
  }
  const names = (list) => list.map((x) => x.name).join(t("changes.separator"));
  const counts = [
    changes.added.length ? t("changes.added_n", { n: changes.added.length }) : null,
    changes.removed.length ? t("changes.removed_n", { n: changes.removed.length }) : null,
    changes.reordered ? t("changes.reordered") : null,
  ].filter(Boolean);
  const lists = [
    changes.added.length ? el("li", {}, t("changes.added", { names: names(changes.added) })) : null,
    changes.removed.length ? el("li", {}, t("changes.removed", { names: names(changes.removed) })) : null,
  ];
  banner.hidden = false;
  banner.replaceChildren(
    el("strong", {}, t("changes.title")),
    " ",
    el("span", {}, counts.length ? counts.join(t("changes.part_separator")) : t("changes.times_only")),
    lists.some(Boolean) ? el("details", {}, el("summary", {}, t("changes.details")), el("ul", {}, lists)) : null,
    el("button", { type: "button", id: "route-changed-ok", onclick: () => {
      seen.set(now);
      banner.hidden = true;
    } }, t("changes.dismiss")),
  );
}

/** What the server said of an off-plan inspection, once it has said it. */
async function offPlanResult(sheet, venue, uuid) {
  const line = el("p", { id: "off-plan-result", class: "muted", role: "status" }, t("off_plan.sending"));
  sheet.hidden = false;
  sheet.replaceChildren(
    el(
      "div",
      { class: "off-plan" },
      el("header", {}, el("h2", {}, venue.name), el("button", { type: "button", class: "close", onclick: () => (sheet.hidden = true), "aria-label": t("common.close") }, "×")),
      line,
    ),
  );
  const result = await outbox.settled(uuid);
  line.className = result.state === "stored" ? "ok" : "error";
  line.textContent = result.state === "stored" ? t(result.answer?.off_plan ? "off_plan.accepted" : "off_plan.accepted_planned") : t("off_plan.refused", { reason: result.error });
  if (result.state !== "stored") line.after(el("p", { class: "muted" }, t("off_plan.refused_kept")));
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

function stopItem(stop, status, open, sentBackRecord) {
  return el(
    "li",
    { class: `stop ${status}${stop.mandatory ? " mandatory" : ""}${sentBackOf(stop) ? " sent-back" : ""}`, dataset: { venue: stop.target.id, status } },
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
          stop.mandatory ? ` · ${t(sentBackOf(stop) ? "inspector.mandatory_sent_back" : "inspector.mandatory")}` : "",
        ),
        sentBackLine(stop, sentBackRecord),
        el("small", { class: "status" }, term("stop_status", status)),
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

function stopDetail(stop, { app, canSkip, onRecord, onSkip, onClose }) {
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
    sentBackBox(stop, app),
    stop.note ? el("p", { class: "note" }, stop.note) : null,
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
    // An inspection is of a venue; an ad-hoc point (a complaint to look into) is only visited or skipped.
    stop.target.kind === "venue" ? el("button", { type: "button", class: "primary", onclick: onRecord, id: "record" }, t("inspector.record")) : null,
    canSkip ? el("button", { type: "button", onclick: onSkip, id: "skip" }, t("skip.open")) : null,
  );
}

/** Draws the route with a badge per stop; returns what takes the badges off again. */
function showRoute(map, route, { status, badges, open }) {
  const round = { "line-join": "round", "line-cap": "round" };
  const layers = [
    { id: "route-casing", type: "line", layout: round, paint: { "line-color": "#ffffff", "line-width": 7, "line-opacity": 0.8 } },
    { id: "route-line", type: "line", layout: round, paint: { "line-color": "#1d6fd8", "line-width": 4 } },
  ];
  const badge = (stop) => {
    const cls = `stop-marker ${status(stop)}${stop.mandatory ? " mandatory" : ""}${sentBackOf(stop) ? " sent-back" : ""}`;
    const b = el("button", { type: "button", class: cls, "aria-label": stop.name, onclick: () => open(stop) }, String(stop.seq));
    badges.set(stop.target.id, b);
    return b;
  };
  return drawRoute(map, "route", route, layers, badge);
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

/** Venues marked (recorded, skipped) for one plan under `key`: on this phone, kept across
 * reloads and offline, and those the server reports (`known`). */
function markStore(key, known = []) {
  const ids = new Set([...JSON.parse(localStorage.getItem(key) || "[]"), ...known]);
  const save = () => localStorage.setItem(key, JSON.stringify([...ids]));
  return {
    has: (id) => ids.has(id),
    add: (id) => {
      ids.add(id);
      save();
    },
    remove: (id) => {
      ids.delete(id);
      save();
    },
  };
}
