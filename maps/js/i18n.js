// Every word the page shows comes from one catalogue per language (i18n/zh-CN.json,
// i18n/en.json). Chinese first: district staff read it; English is a switch.

const LANG_KEY = "patrolmap.lang";
export const LANGUAGES = ["zh-CN", "en"];

let catalogue = {};
let current = "zh-CN";

export function language() {
  return current;
}

export async function loadLanguage(lang) {
  const wanted = LANGUAGES.includes(lang) ? lang : localStorage.getItem(LANG_KEY) || "zh-CN";
  const response = await fetch(`/i18n/${wanted}.json`);
  catalogue = await response.json();
  current = wanted;
  localStorage.setItem(LANG_KEY, wanted);
  document.documentElement.lang = wanted;
}

/** The text for `key`, with `{name}` placeholders filled from `vars`. A missing key shows itself. */
export function t(key, vars = {}) {
  const text = catalogue[key];
  if (text === undefined) {
    console.warn(`no ${current} text for ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Fills every `data-i18n` (text) and `data-i18n-title` / `-placeholder` attribute under root. */
export function translate(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute("aria-label", el.title);
  }
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}

/** A term from the server (kind, outcome, risk term, road class) in the current language. */
export function term(group, value) {
  const key = `${group}.${value}`;
  return key in catalogue ? catalogue[key] : String(value);
}

export function number(value, digits = 0) {
  return Number(value).toLocaleString(current, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function percent(share) {
  return Number(share).toLocaleString(current, { style: "percent", maximumFractionDigits: 0 });
}
