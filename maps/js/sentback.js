// Records of the inspector's team that a reviewer sent back (退回), with the reviewer's reason:
// read from the server when there is signal and kept on the phone per account, so the list is
// there with no signal, as the route is. The venue of each comes back in the team's next plan as
// a mandatory stop whose reason carries `sent_back`; the route list marks it (inspector.js).

import * as api from "./api.js";
import { t, term } from "./i18n.js";
import { fill, localTime } from "./records.js";
import { el } from "./ui.js";

export const SENT_BACK_PATH = "/api/inspections?review=rejected";

/** `{items, kept}`: the current sent-back records, or the copy kept when the server is out of reach. */
export async function sentBack(username) {
  const key = `patrolmap.sent_back.${username}`;
  try {
    const answer = await api.get(SENT_BACK_PATH);
    // A record corrected or redone since is dealt with.
    const items = (answer.items || []).filter((i) => !i.superseded_by && !i.redone_by);
    localStorage.setItem(key, JSON.stringify(items));
    return { items, kept: false };
  } catch (err) {
    if (!(err instanceof api.Unreachable)) console.warn("sent-back records:", err.message);
    try {
      return { items: JSON.parse(localStorage.getItem(key)) || [], kept: true };
    } catch {
      return { items: [], kept: true };
    }
  }
}

/** The banner: each record sent back, when it was recorded, the reviewer's reason, by whom. */
export function renderSentBack(box, { items, kept }, { app, onOpen }) {
  box.hidden = !items.length;
  if (!items.length) return box.replaceChildren();
  fill(box,
    el("strong", {}, t("sent_back.title", { n: items.length })),
    kept ? el("small", { class: "muted" }, ` ${t("sent_back.kept")}`) : null,
    el(
      "ul",
      {},
      items.map((i) =>
        el(
          "li",
          { dataset: { uuid: i.uuid, venue: i.venue_id } },
          el("button", { type: "button", class: "link", onclick: () => onOpen(i.venue_id) }, i.venue),
          el("small", {}, ` · ${t("sent_back.recorded", { at: localTime(i.finished_at || i.started_at, app.utc_offset_minutes), outcome: term("outcome", i.outcome) })}`),
          el("span", { class: "sent-back-reason" }, t("sent_back.reason", { reason: i.review?.reason || "" })),
          el("small", { class: "muted" }, [i.review?.by, localTime(i.review?.at, app.utc_offset_minutes)].filter(Boolean).join(" · ")),
        ),
      ),
    ),
  );
  return box;
}

/** What a stop's reason says of a record sent back, or null. */
export const sentBackOf = (stop) => stop?.reason?.sent_back || null;

/** The line under a stop whose venue's record was sent back: from the plan's stop, or from the
 * list (`record`) when the stop was made before the review (a stop already recorded today). */
export function sentBackLine(stop, record) {
  const reason = sentBackOf(stop)?.reason ?? record?.review?.reason;
  return reason !== undefined ? el("small", { class: "sent-back-reason" }, t("sent_back.stop_line", { reason: reason || "" })) : null;
}

/** The box in a sent-back stop's sheet: the reviewer's reason, by whom and when. */
export function sentBackBox(stop, app) {
  const s = sentBackOf(stop);
  if (!s) return null;
  return el(
    "div",
    { class: "sent-back-box", id: "stop-sent-back" },
    el("h3", {}, t("sent_back.stop_title")),
    el("p", {}, t("sent_back.reason", { reason: s.reason || "" })),
    el("small", { class: "muted" }, [s.by, localTime(s.at, app.utc_offset_minutes)].filter(Boolean).join(" · ")),
  );
}
