// The dispatcher's desk (managers, admins): a date's plan as the server holds it, every team's
// route on the map and as lists, the venues left out and why, and the actions that adjust it.
// Each action goes to the server, which re-optimises and answers with the new plan; the desk
// redraws from that answer alone, so it never shows a plan the server does not hold. Inspectors
// see a plan only once it is published.

import * as api from "./api.js";
import { t, term } from "./i18n.js";
import { boundsOf, createMap, ready, showGeoJson, theme } from "./map.js";
import { el, planTime } from "./ui.js";

/** One colour per team, told apart from each other on the day and the night palette. */
const COLOURS = ["#1d6fd8", "#e8590c", "#2b8a3e", "#ae3ec9", "#d6336c", "#0c8599", "#e0a100", "#7048e8"];
/** Left-out reasons a dispatcher can act on first, the registry's own verdicts last. */
const REASON_ORDER = [
  "mandatory_did_not_fit", "pinned_team_unavailable", "team_absent", "excluded", "skipped", "not_selected",
  "below_candidate_cut", "shut_during_shift", "no_team_with_units", "unreachable", "suspended", "closed",
];
const DATE_KEY = "patrolmap.dispatch.date";

/** Venues drawn at most for picking an ad-hoc stop in the map's view. */
const VIEW_VENUES = 2000;

export async function mount(root, { app }) {
  const mapBox = el("div", { class: "map", id: "map" });
  const panel = el("aside", { class: "panel wide", id: "dispatch-panel" });
  const busy = el("div", { class: "busy", id: "dispatch-busy", role: "status", hidden: true }, el("span", {}, t("dispatch.busy")));
  root.append(el("div", { class: "desk" }, mapBox, panel, busy));
  const map = createMap(mapBox, app);
  const popup = new maplibregl.Popup({ maxWidth: "340px" });
  // The date is kept across a language or theme switch, which mounts the view again.
  const state = { date: sessionStorage.getItem(DATE_KEY) || app.plan_date, plan: null, error: "", open: new Set(), adhoc: false };
  let venues = [];
  let markers = [];

  const teams = () => {
    const all = [...(state.plan?.routes || []), ...(state.plan?.absent_teams || [])];
    return [...new Map(all.map((x) => [x.team_id, x.team])).entries()].sort((a, b) => a[0] - b[0]);
  };
  const colourOf = (teamId) => COLOURS[Math.max(0, teams().findIndex(([id]) => id === teamId)) % COLOURS.length];
  const teamName = (id) => teams().find(([tid]) => tid === id)?.[1] ?? `#${id}`;
  /** Teams that can take stops: on duty, with a route. */
  const onDuty = () => {
    const absent = new Set((state.plan?.absent_teams || []).map((a) => a.team_id));
    return (state.plan?.routes || []).filter((r) => !absent.has(r.team_id));
  };
  const venueName = (id) => {
    const plan = state.plan || { routes: [], left_out: [] };
    const named = [...plan.routes.flatMap((r) => r.stops), ...plan.left_out].find((x) => x.target.kind === "venue" && x.target.id === id);
    return named?.name ?? venues.find((f) => Number(f.id) === id)?.properties.name ?? `#${id}`;
  };

  /** One request with the desk busy (the server re-optimises for seconds); draws the plan it answers. */
  async function run(request) {
    busy.hidden = false;
    panel.inert = true;
    state.error = "";
    popup.remove();
    try {
      const answer = await request();
      // Actions and revocations answer {action?, plan}; reading, drafting and publishing the plan.
      state.plan = answer?.plan ?? answer;
    } catch (err) {
      state.error = err instanceof api.Unreachable ? t("dispatch.unreachable") : t("dispatch.server_said", { message: err.message });
    } finally {
      busy.hidden = true;
      panel.inert = false;
      render();
    }
  }
  const path = (rest = "") => `/api/plans/${state.date}${rest}`;
  const act = (body) => run(() => api.request(path("/actions"), { method: "POST", json: body }));
  const revoke = (id) => run(() => api.request(path(`/actions/${id}`), { method: "DELETE" }));
  const load = () =>
    run(async () => {
      try {
        return await api.get(path());
      } catch (err) {
        // No plan for the date yet: the desk offers to make one.
        if (err.status === 404) return null;
        throw err;
      }
    }).then(fitAll);

  async function fitAll() {
    await ready(map);
    const b = boundsOf((state.plan?.routes || []).flatMap((r) => r.path));
    if (b) map.fitBounds(b, { padding: 40, animate: false });
  }

  /** A button that asks for one line of text in place (a reason, a shift) before it acts. */
  function ask(label, { cls, prompt, placeholder }, submit) {
    const slot = el("span", { class: "ask" });
    const button = el("button", { type: "button", class: cls, onclick: () => {
      const input = el("input", { type: "text", name: cls, required: true, maxlength: 200, placeholder, "aria-label": prompt });
      const onsubmit = (e) => {
        e.preventDefault();
        if (input.value.trim()) submit(input.value.trim());
      };
      slot.replaceChildren(
        el(
          "form",
          { class: "inline-ask", onsubmit },
          el("span", {}, prompt),
          input,
          el("button", { type: "submit", class: "primary" }, t("dispatch.ok")),
          el("button", { type: "button", onclick: () => slot.replaceChildren(button) }, t("common.cancel")),
        ),
      );
      input.focus();
    } }, label);
    slot.append(button);
    return slot;
  }

  /** A "to team ▾" menu: choosing acts at once; `day` adds "any team, but today". */
  function teamMenu(label, cls, except, choose, { day = false } = {}) {
    const onchange = (e) => e.target.value && choose(e.target.value === "day" ? null : Number(e.target.value));
    return el(
      "select",
      { class: cls, "aria-label": label, onchange },
      el("option", { value: "" }, `${label} ▾`),
      day ? el("option", { value: "day" }, t("dispatch.pin_day")) : null,
      onDuty().filter((r) => r.team_id !== except).map((r) => el("option", { value: r.team_id }, r.team)),
    );
  }

  function stopActions(stop, route) {
    // Ad-hoc points are undone by revoking their action; recorded and skipped stops are history.
    if (stop.target.kind !== "venue" || !["pending", undefined].includes(stop.status)) return null;
    const venue_id = stop.target.id;
    return el(
      "span",
      { class: "row-actions" },
      teamMenu(t("dispatch.move_to"), "move", route.team_id, (team_id) => act({ action: "move", venue_id, team_id })),
      ask(t("dispatch.exclude"), { cls: "exclude", prompt: t("dispatch.exclude_reason") }, (reason) => act({ action: "exclude", venue_id, reason })),
    );
  }

  function stopLine(stop) {
    const status = stop.status || "pending";
    return [
      // "next day" once, on the arrival: the departure follows it.
      `${planTime(stop.arrival_s)}–${planTime(stop.departure_s).split(" ")[0]}`,
      stop.mandatory ? t("dispatch.mandatory") : null,
      term("stop_status", status),
      stop.skip_reason ? term("skip_reason", stop.skip_reason) : null,
      stop.note,
    ].filter(Boolean).join(" · ");
  }

  function routeBlock(route) {
    const key = `team:${route.team_id}`;
    const team_id = route.team_id;
    const details = el(
      "details",
      { class: "team", dataset: { team: team_id }, open: state.open.has(key) },
      el(
        "summary",
        {},
        el("span", { class: "swatch", style: `background:${colourOf(team_id)}` }),
        el("strong", {}, route.team),
        ` ${t("dispatch.route_line", { stops: route.stops.length, start: planTime(route.start_s), end: planTime(route.end_s) })}`,
        route.locked ? el("span", { class: "badge locked" }, t("dispatch.locked")) : null,
      ),
      el(
        "div",
        { class: "team-actions" },
        ask(t("dispatch.absent"), { cls: "absent", prompt: t("dispatch.absent_reason") }, (reason) => act({ action: "absent", team_id, reason })),
        el("button", { type: "button", class: "lock", onclick: () => act({ action: route.locked ? "unlock" : "lock", team_id }) }, t(route.locked ? "dispatch.unlock" : "dispatch.lock")),
        ask(t("dispatch.shift"), { cls: "shift", prompt: t("dispatch.shift_prompt"), placeholder: "19:00-03:00" }, (shift) => act({ action: "team", team_id, shift })),
      ),
      el(
        "ol",
        { class: "dispatch-stops" },
        route.stops.map((s) =>
          el(
            "li",
            { class: `dispatch-stop ${s.status || "pending"}`, dataset: { venue: s.target.id, kind: s.target.kind } },
            el("span", { class: "seq", style: `background:${colourOf(team_id)}` }, s.seq),
            el("span", { class: "what" }, el("strong", {}, s.name), el("small", {}, stopLine(s))),
            stopActions(s, route),
          ),
        ),
      ),
    );
    details.addEventListener("toggle", () => (details.open ? state.open.add(key) : state.open.delete(key)));
    return details;
  }

  function leftOutBlock(plan) {
    const groups = new Map();
    for (const l of plan.left_out) groups.set(l.reason, [...(groups.get(l.reason) || []), l]);
    const rank = (r) => (REASON_ORDER.includes(r) ? REASON_ORDER.indexOf(r) : REASON_ORDER.length);
    const detail = (l) => (l.reason === "skipped" ? term("skip_reason", l.detail) : l.detail);
    return el(
      "section",
      { id: "left-out" },
      el("h3", {}, t("dispatch.left_out", { n: plan.left_out.length })),
      [...groups].sort((a, b) => rank(a[0]) - rank(b[0])).map(([reason, items]) => {
        const key = `left:${reason}`;
        const details = el(
          "details",
          { class: "left-out", dataset: { reason }, open: state.open.has(key) },
          el("summary", {}, `${term("left_out", reason)} (${items.length})`),
          el(
            "ul",
            {},
            items.map((l) =>
              el(
                "li",
                { dataset: { venue: l.target.id, kind: l.target.kind } },
                el("span", { class: "what" }, el("strong", {}, l.name), l.detail ? el("small", {}, detail(l)) : null),
                l.target.kind === "venue"
                  ? teamMenu(t("dispatch.pin"), "pin", null, (team_id) => act({ action: "pin", venue_id: l.target.id, ...(team_id === null ? {} : { team_id }) }), { day: true })
                  : null,
              ),
            ),
          ),
        );
        details.addEventListener("toggle", () => (details.open ? state.open.add(key) : state.open.delete(key)));
        return details;
      }),
    );
  }

  /** An active action in words: what was done to which venue or team. */
  function describe(a) {
    const what = [
      a.shift ? t("dispatch.did.shift", { shift: a.shift }) : null,
      a.units ? a.units.map((u) => term("unit", u)).join("、") : null,
      a.start ? a.start.map((x) => Number(x).toFixed(5)).join(", ") : null,
    ].filter(Boolean).join("；");
    const vars = {
      venue: a.venue_id != null ? venueName(a.venue_id) : "",
      team: a.team_id != null ? teamName(a.team_id) : t("dispatch.any_team"),
      reason: a.reason ?? "",
      note: a.note ?? "",
      what,
    };
    const key = a.action === "pin" && a.team_id == null ? "pin_day" : a.action === "adhoc" ? (a.venue_id != null ? "adhoc_venue" : "adhoc_point") : a.action;
    return t(`dispatch.did.${key}`, vars);
  }

  function actionsBlock(plan) {
    const list = plan.actions || [];
    return el(
      "section",
      { id: "dispatch-actions" },
      el("h3", {}, t("dispatch.actions", { n: list.length })),
      list.length
        ? el(
            "ul",
            {},
            list.map((a) =>
              el(
                "li",
                { dataset: { action: a.id, kind: a.action } },
                el("span", {}, describe(a)),
                el("small", { class: "muted" }, ` · ${a.by} · ${localTime(a.at, app.utc_offset_minutes)} `),
                el("button", { type: "button", class: "revoke", onclick: () => revoke(a.id) }, t("dispatch.revoke")),
              ),
            ),
          )
        : el("p", { class: "muted" }, t("dispatch.no_actions")),
    );
  }

  function statusBlock(plan) {
    if (!plan) return el("p", { class: "muted", id: "plan-status" }, t("dispatch.no_plan", { date: state.date }));
    const by = plan.made_by ? `${term("made_by", plan.made_by.how)}${plan.made_by.account ? ` · ${plan.made_by.account}` : ""}` : "";
    let published;
    if (plan.status === "published") {
      // Published as it was made (the schedule, the command line) when no one published it.
      const who = plan.published_by ?? term("made_by", plan.made_by?.how);
      published = t("dispatch.published_at", { at: localTime(plan.published_at, app.utc_offset_minutes), by: who });
    } else {
      published = plan.published_revision ? t("dispatch.draft_after", { revision: plan.published_revision }) : t("dispatch.never_published");
    }
    return el(
      "section",
      { id: "plan-status", class: "plan-status", dataset: { status: plan.status, revision: plan.revision } },
      el("p", {}, el("span", { class: `badge ${plan.status}` }, term("plan_status", plan.status)), " ", t("dispatch.revision", { revision: plan.revision })),
      el("p", {}, t("dispatch.made", { at: localTime(plan.made_at, app.utc_offset_minutes), by })),
      el("p", { class: plan.status === "published" ? "muted" : "warn" }, published),
      // Another step (the schedule's draft, a team's re-plan) running while this was read.
      plan.planning ? el("p", { class: "warn", id: "planning-now" }, t("dispatch.planning", { since: localTime(plan.planning.since, app.utc_offset_minutes) })) : null,
      el("p", { class: "muted" }, t("dispatch.summary", { teams: plan.routes.length, stops: plan.summary.stops, mandatory: plan.summary.mandatory, unserved: plan.summary.mandatory_unserved })),
    );
  }

  function render() {
    const plan = state.plan;
    const published = plan?.status === "published";
    const onDate = (e) => {
      state.date = e.target.value;
      // Never the other date's plan under this date, should reading this one fail.
      state.plan = null;
      sessionStorage.setItem(DATE_KEY, state.date);
      load();
    };
    const parts = [
      el("h2", {}, t("dispatch.title")),
      el("label", { class: "date-pick" }, t("dispatch.date"), " ", el("input", { type: "date", id: "dispatch-date", value: state.date, onchange: onDate })),
      statusBlock(plan),
      el(
        "div",
        { class: "dispatch-buttons" },
        el("button", { type: "button", id: "publish", class: "primary publish", disabled: !plan || published, onclick: () => run(() => api.request(path("/publish"), { method: "POST" })) }, t(published ? "dispatch.is_published" : "dispatch.publish")),
        el("button", { type: "button", id: "make-draft", onclick: () => run(() => api.request(path("/draft"), { method: "POST", json: {} })) }, t("dispatch.make_draft")),
      ),
      el("p", { class: "error", id: "dispatch-error", role: "alert" }, state.error),
      plan
        ? [
            el("h3", {}, t("dispatch.routes")),
            el("div", { id: "dispatch-routes" }, plan.routes.map(routeBlock)),
            (plan.absent_teams || []).length
              ? el("section", { id: "absent-teams" }, el("h3", {}, t("dispatch.absent_teams")), el("ul", {}, plan.absent_teams.map((a) => el("li", { dataset: { team: a.team_id } }, `${a.team}：${a.reason}`))))
              : null,
            el(
              "section",
              { id: "adhoc" },
              el("button", { type: "button", id: "adhoc-toggle", "aria-pressed": String(state.adhoc), onclick: () => {
                state.adhoc = !state.adhoc;
                render();
                venuesInView();
              } }, t("dispatch.adhoc")),
              state.adhoc ? el("p", { class: "muted" }, t("dispatch.adhoc_hint")) : null,
            ),
            actionsBlock(plan),
            leftOutBlock(plan),
          ]
        : [],
    ];
    panel.replaceChildren(...parts.flat().filter(Boolean));
    drawMap().catch((e) => console.warn("dispatch map:", e.message));
  }

  function stopBadge(stop, route) {
    const onclick = (e) => {
      // The map's own click (an ad-hoc stop) is not meant.
      e.stopPropagation();
      const body = el("div", { class: "stop-popup" }, el("strong", {}, `${route.team} · ${stop.seq}. ${stop.name}`), el("p", {}, stopLine(stop)), stopActions(stop, route));
      popup.setLngLat([stop.at.lon, stop.at.lat]).setDOMContent(body).addTo(map);
    };
    const cls = `stop-marker dispatch ${stop.status || "pending"}${stop.mandatory ? " mandatory" : ""}`;
    return el("button", { type: "button", class: cls, style: `background:${colourOf(route.team_id)}`, dataset: { venue: stop.target.id, team: route.team_id }, "aria-label": `${route.team} ${stop.seq}. ${stop.name}`, onclick }, String(stop.seq));
  }

  async function drawMap() {
    await ready(map);
    const routes = state.plan?.routes || [];
    const points = venues.map((f) => ({ type: "Feature", geometry: f.geometry, properties: { venue_id: Number(f.id), name: f.properties.name } }));
    showGeoJson(map, "dispatch-venues", { type: "FeatureCollection", features: points }, [
      { id: "dispatch-venues", type: "circle", paint: { "circle-color": "#868e96", "circle-radius": 5, "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
    ]);
    const picking = state.adhoc && Boolean(state.plan);
    map.setLayoutProperty("dispatch-venues", "visibility", picking ? "visible" : "none");
    map.getCanvas().style.cursor = picking ? "crosshair" : "";
    const lines = routes.filter((r) => r.path.length > 1).map((r) => ({
      type: "Feature",
      geometry: { type: "LineString", coordinates: r.path.map((p) => [p.lon, p.lat]) },
      properties: { colour: colourOf(r.team_id) },
    }));
    const round = { "line-join": "round", "line-cap": "round" };
    showGeoJson(map, "dispatch-routes", { type: "FeatureCollection", features: lines }, [
      { id: "dispatch-route-casing", type: "line", layout: round, paint: { "line-color": theme() === "night" ? "#0b0e12" : "#ffffff", "line-width": 6, "line-opacity": 0.8 } },
      { id: "dispatch-route-line", type: "line", layout: round, paint: { "line-color": ["get", "colour"], "line-width": 3.5 } },
    ]);
    markers.forEach((m) => m.remove());
    markers = routes.flatMap((r) => r.stops.map((s) => new maplibregl.Marker({ element: stopBadge(s, r) }).setLngLat([s.at.lon, s.at.lat]).addTo(map)));
  }

  /** The ad-hoc stop form at a clicked venue, or at a point with a note; any team unless chosen. */
  function adhocForm(venue, at) {
    const note = el("input", { type: "text", name: "note", maxlength: 200, required: !venue });
    const team = el("select", { name: "team" }, el("option", { value: "" }, t("dispatch.any_team")), onDuty().map((r) => el("option", { value: r.team_id }, r.team)));
    const onsubmit = (e) => {
      e.preventDefault();
      const body = venue
        ? { action: "adhoc", venue_id: venue.properties.venue_id }
        : { action: "adhoc", at: [Number(at.lng.toFixed(6)), Number(at.lat.toFixed(6))], note: note.value.trim() };
      if (!venue && !body.note) return;
      if (team.value) body.team_id = Number(team.value);
      popup.remove();
      act(body);
    };
    return el(
      "form",
      { class: "adhoc-form", id: "adhoc-form", onsubmit },
      el("strong", {}, venue ? venue.properties.name : t("dispatch.adhoc_point")),
      venue ? null : el("label", {}, t("dispatch.adhoc_note"), note),
      el("label", {}, t("dispatch.adhoc_team"), team),
      el("button", { type: "submit", class: "primary" }, t("dispatch.adhoc_add")),
    );
  }

  map.on("click", (e) => {
    if (!state.adhoc || !state.plan) return;
    const { x, y } = e.point;
    const venue = map.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]], { layers: ["dispatch-venues"] })[0];
    popup.setLngLat(venue ? venue.geometry.coordinates : e.lngLat).setDOMContent(adhocForm(venue, e.lngLat)).addTo(map);
  });

  /** While an ad-hoc stop is being placed: the registered venues in the map's view, one bbox
   * page (never the whole layer, which is a city's worth of rentals), fetched again as it moves. */
  async function venuesInView() {
    if (!state.adhoc) return;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(",");
    try {
      venues = (await api.get(`/api/layers/venues?bbox=${bbox}&limit=${VIEW_VENUES}`)).features;
    } catch (err) {
      state.error = t("dispatch.server_said", { message: err.message });
    }
    drawMap();
  }
  map.on("moveend", venuesInView);

  render();
  await load();
  render();
  return () => {
    markers.forEach((m) => m.remove());
    popup.remove();
    map.remove();
  };
}

/** A UTC timestamp (RFC 3339) in district time, `YYYY-MM-DD HH:MM`; anything else as given. */
function localTime(iso, utcOffsetMinutes) {
  const ms = Date.parse(iso);
  if (!iso || !/(Z|[+-]\d\d:?\d\d)$/.test(iso) || Number.isNaN(ms)) return (iso || "").replace("T", " ");
  return new Date(ms + utcOffsetMinutes * 60000).toISOString().slice(0, 16).replace("T", " ");
}
