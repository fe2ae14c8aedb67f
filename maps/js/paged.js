// A table that pages from the server (issue 14): the server sorts, filters and cuts the list;
// the page holds one page of rows and asks for the next. Column headers sort (aria-sort says
// how), a filter box or select narrows the list, previous/next and a page size move through
// it, and the CSV button downloads the whole filtered list from the server, not the page.
// Everything is a native button, input or select, so the keyboard works as it does anywhere.

import * as api from "./api.js";
import { number, t } from "./i18n.js";
import { el, failureText } from "./ui.js";

const PAGE_SIZES = [25, 50, 100, 200];
const FILTER_WAIT_MS = 300;

/**
 * `path` answers `{total, offset, limit, [rowsKey]: [...]}` for `limit`, `offset`, `sort`,
 * `order` and the filters' parameters. Columns are `{label, value, cell?, class?, sort?}`,
 * `sort` naming the server's column. `filters` are `{param, label, options?}`: a select with
 * `options` (`[{value, label}]`, "" for all), else a search box. `onPage(answer)` runs after
 * each page is drawn; `onRow(row)` makes rows activatable by click or Enter.
 */
export function pagedTable({ id, path, rowsKey, columns, params = {}, sort, order = "asc", pageSize = 50, filters = [], csvName, onPage, onRow, caption }) {
  const state = { ...params, sort, order, limit: pageSize, offset: 0 };
  let asked = 0;
  let last = null;

  const status = el("p", { class: "error", role: "status" });
  const range = el("span", { class: "page-range", "aria-live": "polite" });
  const previous = el("button", { type: "button", class: "page-previous", onclick: () => move(-1) }, t("paged.previous"));
  const next = el("button", { type: "button", class: "page-next", onclick: () => move(1) }, t("paged.next"));
  const size = el(
    "select",
    { class: "page-size", "aria-label": t("paged.page_size"), onchange: () => load({ limit: Number(size.value), offset: 0 }) },
    PAGE_SIZES.map((n) => el("option", { value: n, selected: n === pageSize }, t("paged.rows", { n }))),
  );
  const body = el("tbody");
  const headers = columns.map((c) => header(c));
  const tableEl = el("table", { class: `compact${onRow ? " clickable" : ""}`, id: `${id}-table` }, caption ? el("caption", { class: "visually-hidden" }, caption) : null, el("thead", {}, el("tr", {}, headers)), body);
  const controls = el("div", { class: "paged-controls" }, filters.map(filterControl), csvName ? csvButton() : null);
  const nav = el("div", { class: "paged-nav" }, previous, range, next, size);
  const element = el("div", { class: "paged", id }, controls, status, el("div", { class: "scroll" }, tableEl), nav);

  function header(c) {
    if (!c.sort) return el("th", { scope: "col" }, c.label);
    const button = el("button", { type: "button", class: "sort", dataset: { sort: c.sort }, onclick: () => {
      const flip = state.sort === c.sort && state.order === "asc" ? "desc" : "asc";
      load({ sort: c.sort, order: state.sort === c.sort ? flip : c.order || "asc", offset: 0 });
    } }, c.label, el("span", { class: "sort-mark", "aria-hidden": "true" }));
    return el("th", { scope: "col", "aria-sort": "none", dataset: { sort: c.sort } }, button);
  }

  function filterControl(f) {
    const apply = (value) => load({ [f.param]: value || undefined, offset: 0 });
    if (f.options) {
      return el(
        "label",
        { class: "paged-filter" },
        f.label,
        el("select", { name: f.param, dataset: { filter: f.param }, onchange: (e) => apply(e.target.value) }, f.options.map((o) => el("option", { value: o.value, selected: String(state[f.param] ?? "") === o.value }, o.label))),
      );
    }
    let timer;
    return el(
      "label",
      { class: "paged-filter" },
      f.label,
      el("input", { type: "search", name: f.param, dataset: { filter: f.param }, value: state[f.param] ?? "", oninput: (e) => {
        clearTimeout(timer);
        timer = setTimeout(() => apply(e.target.value.trim()), FILTER_WAIT_MS);
      }, onkeydown: (e) => {
        if (e.key === "Enter") {
          clearTimeout(timer);
          apply(e.target.value.trim());
        }
      } }),
    );
  }

  function query(extra = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...state, ...extra })) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    return q.toString();
  }

  function csvButton() {
    return el("button", { type: "button", class: "export", id: `export-${id}`, onclick: async () => {
      status.textContent = "";
      const q = new URLSearchParams(query({ format: "csv" }));
      q.delete("limit");
      q.delete("offset");
      try {
        await api.saveFile(`${path}?${q}`, typeof csvName === "function" ? csvName(last) : csvName);
      } catch (err) {
        status.textContent = failureText(err);
      }
    } }, t("manager.export_csv"));
  }

  function move(step) {
    load({ offset: Math.max(0, state.offset + step * state.limit) });
  }

  function draw(answer) {
    const rows = answer[rowsKey];
    body.replaceChildren(
      ...(rows.length
        ? rows.map((r) => {
            const tr = el("tr", {}, columns.map((c) => el("td", { class: c.class }, c.cell ? c.cell(r) : c.value(r))));
            if (onRow) {
              tr.tabIndex = 0;
              tr.addEventListener("click", () => onRow(r));
              tr.addEventListener("keydown", (e) => {
                if (e.key === "Enter" || e.key === " ") {
                  e.preventDefault();
                  onRow(r);
                }
              });
            }
            return tr;
          })
        : [el("tr", {}, el("td", { colspan: columns.length, class: "muted" }, t("paged.none")))]),
    );
    for (const th of headers) {
      const key = th.dataset.sort;
      if (!key) continue;
      const on = key === state.sort;
      th.setAttribute("aria-sort", on ? (state.order === "desc" ? "descending" : "ascending") : "none");
      th.querySelector(".sort-mark").textContent = on ? (state.order === "desc" ? " ▼" : " ▲") : "";
    }
    const first = rows.length ? answer.offset + 1 : 0;
    range.textContent = t("paged.range", { first: number(first), last: number(answer.offset + rows.length), total: number(answer.total) });
    previous.disabled = answer.offset === 0;
    next.disabled = answer.offset + rows.length >= answer.total;
    element.dataset.total = answer.total;
    element.dataset.offset = answer.offset;
  }

  /** Asks for the page `change` makes of the current one; a slower earlier answer is dropped. */
  async function load(change = {}) {
    Object.assign(state, change);
    const mine = ++asked;
    tableEl.setAttribute("aria-busy", "true");
    try {
      const answer = await api.get(`${path}?${query()}`);
      if (mine !== asked) return last;
      status.textContent = "";
      // A filter that shrank the list past this page: back to its last page.
      if (answer[rowsKey].length === 0 && answer.offset > 0 && answer.total > 0) {
        return load({ offset: Math.floor((answer.total - 1) / state.limit) * state.limit });
      }
      last = answer;
      draw(answer);
      onPage?.(answer);
      return answer;
    } catch (err) {
      if (mine !== asked) return last;
      if (!last) throw err;
      status.textContent = failureText(err);
      return last;
    } finally {
      if (mine === asked) tableEl.removeAttribute("aria-busy");
    }
  }

  return { element, load };
}
