// The page: boot (service worker, the server's app settings, the language), sign-in, and the
// view each role works in. Views are modules with `mount(root, context)` returning an unmount.

import * as api from "./api.js";
import { LANGUAGES, language, loadLanguage, t, translate } from "./i18n.js";
import { renderInsecureBanner } from "./insecure.js";

const VIEWS = {
  inspector: () => import("./inspector.js"),
  planner: () => import("./planner.js"),
  manager: () => import("./manager.js"),
  dispatcher: () => import("./dispatcher.js"),
  review: () => import("./review.js"),
  assessment: () => import("./assessment.js"),
  units: () => import("./units.js"),
};
/** What each role may open; the first is where it lands. */
const VIEWS_BY_ROLE = {
  inspector: ["inspector"],
  planner: ["planner", "assessment"],
  manager: ["manager", "review", "dispatcher", "units", "planner", "assessment"],
  admin: ["manager", "review", "dispatcher", "units", "planner", "assessment"],
};
const THEME_KEY = "patrolmap.theme";

let app = null;
let unmount = null;
/** Counts renders, so a view whose module or data arrives after a newer render is dropped. */
let renders = 0;
let currentView = null;

async function boot() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch((e) => console.warn("no offline cache:", e.message));
  }
  app = await api.get("/api/app");
  await loadLanguage();
  applyTheme(localStorage.getItem(THEME_KEY) || themeByClock());
  wireHeader();
  window.addEventListener("patrolmap:signed-out", () => render());
  await render();
}

/** Night palette from 18:00 to 06:00 district time, unless the user chose one. */
function themeByClock() {
  const hour = new Date(Date.now() + app.utc_offset_minutes * 60000).getUTCHours();
  return hour >= 18 || hour < 6 ? "night" : "day";
}

function applyTheme(name) {
  document.documentElement.dataset.theme = name;
}

function wireHeader() {
  document.getElementById("lang").addEventListener("click", async () => {
    const next = LANGUAGES[(LANGUAGES.indexOf(language()) + 1) % LANGUAGES.length];
    await loadLanguage(next);
    await render(currentView);
  });
  document.getElementById("theme").addEventListener("click", async () => {
    const next = document.documentElement.dataset.theme === "night" ? "day" : "night";
    localStorage.setItem(THEME_KEY, next);
    applyTheme(next);
    await render(currentView);
  });
  document.getElementById("sign-out").addEventListener("click", async () => {
    await api.signOut();
    // What the server showed this account stays with it; the outbox keeps its records.
    navigator.serviceWorker?.controller?.postMessage({ type: "forget-data" });
    await render();
  });
}

async function render(view) {
  const mine = ++renders;
  if (unmount) unmount();
  unmount = null;
  translate();
  document.title = t("app.title");
  // Before sign-in too: the inspector should learn of the HTTPS address before relying on the app.
  renderInsecureBanner(document.getElementById("insecure-banner"), app);
  const session = api.session();
  const main = document.getElementById("main");
  main.replaceChildren();
  document.getElementById("sign-out").hidden = !session;
  const tabs = document.getElementById("views");
  tabs.replaceChildren();
  if (!session) {
    currentView = null;
    mountSignIn(main);
    return;
  }
  const allowed = VIEWS_BY_ROLE[session.account.role] || [];
  currentView = allowed.includes(view) ? view : allowed[0];
  document.getElementById("who").textContent = t("app.signed_in_as", {
    name: session.account.username,
    role: t(`role.${session.account.role}`),
  });
  if (allowed.length > 1) {
    for (const v of allowed) {
      const b = document.createElement("button");
      b.textContent = t(`view.${v}`);
      b.dataset.view = v;
      b.setAttribute("aria-pressed", String(v === currentView));
      b.addEventListener("click", () => render(v));
      tabs.append(b);
    }
  }
  const module = await VIEWS[currentView]();
  // A tab clicked while this view's module loaded: that render owns the page now.
  if (mine !== renders) return;
  document.body.dataset.view = currentView;
  const stop = await module.mount(main, { app, session });
  if (mine !== renders) {
    stop?.();
    return;
  }
  unmount = stop;
}

function mountSignIn(main) {
  document.getElementById("who").textContent = "";
  document.body.dataset.view = "sign-in";
  const form = document.getElementById("sign-in-template").content.cloneNode(true);
  main.append(form);
  translate(main);
  const el = main.querySelector("form");
  const message = el.querySelector(".error");
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "";
    const data = new FormData(el);
    try {
      await api.signIn(data.get("username").trim(), data.get("password"));
      await render();
    } catch (err) {
      if (err instanceof api.Unreachable) message.textContent = t("sign_in.offline");
      else if (err.status === 429) message.textContent = t("sign_in.locked");
      else message.textContent = t("sign_in.failed");
    }
  });
}

boot().catch((e) => {
  console.error(e);
  document.getElementById("main").textContent = `patrolmap: ${e.message}`;
});
