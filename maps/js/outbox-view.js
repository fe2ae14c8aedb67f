// The phone's outbox as the inspector sees it: the badge in the header (all sent, waiting,
// refused) and the list of records still on the phone, each with why it waits or was refused;
// a refused one can be discarded once read.

import { t, term } from "./i18n.js";
import * as outbox from "./outbox.js";
import { el } from "./ui.js";

export function renderOutbox(box, items, onDiscard) {
  const status = document.getElementById("outbox-status");
  const waiting = items.filter((i) => i.state === "waiting");
  const refused = items.filter((i) => i.state === "refused");
  status.hidden = false;
  if (waiting.length) status.textContent = t("outbox.badge_waiting", { n: waiting.length });
  else status.textContent = refused.length ? t("outbox.badge_refused", { n: refused.length }) : t("outbox.badge_clear");
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
          i.kind === "stop"
            ? `${i.venue_name} · ${t("outbox.skip", { reason: term("skip_reason", i.stop.reason) })} · `
            : `${i.venue_name} · ${term("outcome", i.inspection.outcome)} · ${t("outbox.photos", { n: i.photos.length })} · `,
          i.state === "waiting"
            ? t("outbox.waiting", { attempts: i.attempts, reason: i.error ? t(`outbox.error.${i.error.startsWith("http_") ? "server" : i.error}`) : "" })
            : el("span", {}, t("outbox.refused", { reason: i.error }), " ", el("button", { type: "button", onclick: () => outbox.discard(i.uuid).then(() => onDiscard(i)) }, t("outbox.discard"))),
        ),
      ),
    ),
  );
}
