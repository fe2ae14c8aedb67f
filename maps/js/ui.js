// Small DOM and file helpers the views share.

import { t } from "./i18n.js";

/** `el("button", {class: "x", onclick: f}, "text", child)`: an element with attributes and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Offers `text` as a file the browser saves. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A button that saves what `body()` makes, at the moment it is pressed. */
export function downloadButton(label, id, filename, type, body, attrs = {}) {
  return el("button", { type: "button", id, ...attrs, onclick: () => download(filename, body(), type) }, label);
}

function csvCell(value) {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row; a BOM so that Excel opens the Chinese text as UTF-8. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(","));
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

/** A plan-day second count (may pass 24:00 on night shifts) as HH:MM, marked when next day. */
export function planTime(seconds) {
  const minutes = Math.floor(seconds / 60);
  const hh = String(Math.floor(minutes / 60) % 24).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return minutes >= 24 * 60 ? `${hh}:${mm} ${t("time.next_day")}` : `${hh}:${mm}`;
}

/** The district's local time now as YYYY-MM-DDTHH:MM:SS (what the capture API takes). */
export function districtNow(utcOffsetMinutes) {
  return new Date(Date.now() + utcOffsetMinutes * 60000).toISOString().slice(0, 19);
}

/** A table with a header from `columns` ({label, value, class?}) and one row per item. */
export function table(columns, rows, attrs = {}) {
  return el(
    "table",
    attrs,
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c.label)))),
    el(
      "tbody",
      {},
      rows.map((r) => el("tr", {}, columns.map((c) => el("td", { class: c.class }, c.cell ? c.cell(r) : c.value(r))))),
    ),
  );
}

/** Shows a failure to the user in words, never a stack trace. */
export function failureText(err) {
  if (err?.status === 403) return t("error.forbidden");
  if (err?.status === 404) return t("error.not_found");
  if (err?.name === "Unreachable" || err?.constructor?.name === "Unreachable") return t("error.offline");
  return t("error.general", { message: err?.message || String(err) });
}
