// One audit view's section on the dashboard: its status line, summary figures, notes, chart
// (Chart.js) and table, filled from the API's {summary, notes, rows}; or, for a period with
// nothing to show, a sentence saying so instead.

import { chartsAvailable, draw } from "./charts.js";
import { fillTable } from "./tables.js";
import { coverageTable } from "./views.js";

/** The section's status line (loading, empty, failed, or a `notice` above a full view), its
 * spinner and Try again button. */
export function setStatus(section, text, { busy = false, retry = false, notice = false } = {}) {
  section.querySelector(".status-text").textContent = text;
  section.querySelector(".status").classList.toggle("notice", notice);
  section.querySelector(".status").hidden = !text;
  section.querySelector(".spinner").hidden = !busy;
  section.querySelector(".retry").hidden = !retry;
  section.setAttribute("aria-busy", String(busy));
}

/** Show an audit view's `table` in its `section`: summary figures, notes, chart, table. When
 * the view says the period is empty (`view.empty`), only its sentence is shown; when it has no
 * rows, the figures and notes with a sentence (`view.none`); `view.notice` adds a sentence to a
 * full view. */
export function render(section, view, table, { by, label }) {
  const body = section.querySelector(".body");
  const empty = view.empty && view.empty(table);
  if (empty) {
    section.dataset.state = "empty";
    setStatus(section, empty);
    clearChart(body);
    body.hidden = true;
    return;
  }
  const summary = view.summary.map(([key, text]) => {
    const item = document.createElement("div");
    item.append(
      Object.assign(document.createElement("dt"), { textContent: text }),
      Object.assign(document.createElement("dd"), { textContent: (table.summary[key] ?? 0).toLocaleString("en") }),
    );
    return item;
  });
  body.querySelector(".summary").replaceChildren(...summary);
  body.querySelector(".notes").replaceChildren(
    ...table.notes.map((note) => Object.assign(document.createElement("li"), { textContent: note })),
  );
  const none = table.rows.length === 0;
  section.dataset.state = none ? "empty" : "ready";
  const notice = view.notice && view.notice(table);
  setStatus(section, none ? view.none(table) : notice || "", { notice: Boolean(notice) && !none });
  renderChart(body, view, table, by, label);
  renderTable(section, view, table, by, label);
  body.hidden = false;
}

function clearChart(body) {
  const existing = chartsAvailable() && window.Chart.getChart(body.querySelector(".figure canvas"));
  if (existing) existing.destroy();
}

function renderChart(body, view, table, by, label) {
  const figure = body.querySelector(".figure");
  const canvas = figure.querySelector("canvas");
  clearChart(body);
  figure.hidden = table.rows.length === 0 || !chartsAvailable();
  if (figure.hidden) return;
  if (view.height) figure.style.height = `${view.height(table.rows)}px`;
  canvas.setAttribute("aria-label", view.describe(table, label, by));
  draw(canvas, view.chart(table, label, by));
}

function renderTable(section, view, table, by, label) {
  const wrap = section.querySelector(".table-wrap");
  const more = section.querySelector(".more");
  const element = wrap.querySelector("table");
  const title = section.querySelector("h2").textContent;
  wrap.setAttribute("aria-label", `${title}: table`);
  wrap.hidden = table.rows.length === 0;
  more.hidden = true;
  if (wrap.hidden) return;
  if (view.pivot) {
    element.caption.textContent = `${caption(view, table)}, ${by === "persona" ? "personas" : "verticals"} (columns)`;
    coverageTable(element, table.rows, by, label);
    return;
  }
  const fill = (all) => {
    const limit = all ? 0 : view.limit;
    const shown = fillTable(element, {
      caption: caption(view, table), columns: view.columns(label), rows: table.rows, limit, rowClass: view.rowClass,
    });
    if (shown < table.rows.length) element.caption.textContent += ` (top ${shown} of ${table.rows.length}; the CSV has all)`;
    more.hidden = !view.limit || table.rows.length <= view.limit;
    more.textContent = all ? "Show fewer" : `Show all ${table.rows.length} rows`;
    more.setAttribute("aria-expanded", String(all));
    more.onclick = () => fill(!all);
  };
  fill(false);
}

const caption = (view, table) => (typeof view.caption === "function" ? view.caption(table) : view.caption);
