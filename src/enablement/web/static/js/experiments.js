// The experiments view: every experiment newest first (the running one marked), and the chosen
// one's results from /v1/experiments/{id}: an interleave's decision, its counts and the
// treatment's win share with its interval against 50%; a holdout's arms and their difference.

import { chartsAvailable, draw, shareInterval } from "./charts.js";
import { el, fillTable, format } from "./tables.js";

const KINDS = { interleave: "Interleave", holdout: "Holdout" };
const STATUSES = { running: "Running", stopped: "Stopped" };
export const DECISIONS = {
  treatment_better: "Treatment better",
  control_better: "Control better",
  undecided: "Not decided yet",
};
const FIXED = "The decision is a fixed-horizon test: decide once, at the number of deals you planned, not each time you look.";
const NONE = "No experiment yet. An admin starts one with “enablement experiments create --kind interleave --control linear --treatment NAME --name NAME” or POST /v1/experiments; its results show here.";

const isoDay = (text) => (text ? text.slice(0, 10) : "—");
// The rankers an experiment may name (README, "Experiments"), in a marketer's words; a learned
// ranker keeps its version, which tells two of them apart.
const RANKERS = {
  linear: "Weighted scorer",
  bm25_only: "Keyword match only",
  dense_only: "Meaning match only",
  no_metadata: "Text only, no deal fields",
};
const LEARNED = "lambdarank:";
const rankerLabel = (name) => RANKERS[name]
  || (name.startsWith(LEARNED) ? `Learned ranker ${name.slice(LEARNED.length)}` : name);
const rankers = (e) => (e.kind === "interleave"
  ? `${rankerLabel(e.control)} vs ${rankerLabel(e.treatment)}`
  : `${rankerLabel(e.control)} held out for ${format.percent(e.share)} of deals`);
const interval = (v) => `${format.percent(v.low)} to ${format.percent(v.high)}`;
const pointsInterval = (v) => `${format.points(v.low).replace(" pts", "")} to ${format.points(v.high)}`;

const COLUMNS = [
  { key: "name", label: "Experiment" },
  { key: "kind", label: "Kind", format: (v) => KINDS[v] || v },
  { key: "control", label: "Rankers", cell: rankers },
  { key: "status", label: "Status", cell: (e) => el("span", STATUSES[e.status] || e.status, `badge ${e.status}`) },
  { key: "created_at", label: "Started", format: isoDay },
  { key: "id", label: "Results", header: false, cell: (e) => showButton(e) },
];

function showButton(experiment) {
  const button = el("button", "Show results", "button show");
  button.type = "button";
  button.dataset.id = experiment.id;
  button.setAttribute("aria-label", `Show results of ${experiment.name}`);
  return button;
}

/** Fill `section` from the experiments API: the list, then the running (else newest) one's
 * results. Rejects with the API's error, for the caller to show. */
export async function loadExperiments(api, section, signal, setStatus) {
  const page = await api.experiments(signal);
  if (signal.aborted) return;
  const body = section.querySelector(".body");
  if (!page.items.length) {
    section.dataset.state = "empty";
    setStatus(section, NONE);
    body.hidden = true;
    return;
  }
  section.dataset.state = "ready";
  setStatus(section, "");
  const table = section.querySelector(".table-wrap table");
  fillTable(table, {
    caption: "Experiments, newest first", columns: COLUMNS, rows: page.items,
    rowClass: (e) => (e.status === "running" ? "running" : ""),
  });
  body.hidden = false;
  const chosen = page.items.find((e) => e.status === "running") || page.items[0];
  table.onclick = (event) => {
    const button = event.target.closest("button.show");
    if (button) showResults(api, section, button.dataset.id, setStatus);
  };
  await showResults(api, section, chosen.id, setStatus, signal);
}

async function showResults(api, section, id, setStatus, signal) {
  const box = section.querySelector(".results");
  box.setAttribute("aria-busy", "true");
  try {
    const detail = await api.experiment(id, signal);
    if (signal && signal.aborted) return;
    for (const b of section.querySelectorAll("button.show")) b.setAttribute("aria-pressed", String(b.dataset.id === id));
    box.querySelector("h3").textContent = `${detail.name}: ${KINDS[detail.kind] || detail.kind}, ${rankers(detail)}`;
    if (detail.kind === "interleave") interleave(box, detail.results);
    else holdout(box, detail.results);
    box.querySelector(".sentence").textContent = detail.results.summary;
    box.hidden = false;
  } catch (err) {
    if (err.name === "AbortError") return;
    box.hidden = true;
    section.dataset.state = "error";
    setStatus(section, `The results could not be loaded: ${err.message}`, { retry: true });
  } finally {
    box.removeAttribute("aria-busy");
  }
}

function figures(box, pairs) {
  box.querySelector(".summary").replaceChildren(...pairs.map(([label, value]) => {
    const item = document.createElement("div");
    item.append(el("dt", label), el("dd", value));
    return item;
  }));
}

function interleave(box, r) {
  figures(box, [
    ["Decision", DECISIONS[r.decision] || r.decision], ["Treatment won", format.count(r.wins)],
    ["Treatment lost", format.count(r.losses)], ["Tied", format.count(r.ties)],
    ["Deals", format.count(r.deals)], ["Lists", format.count(r.lists)],
  ]);
  box.querySelector(".fixed").textContent = `${FIXED} Treatment's win share of the deals not tied: ${format.percent(r.share)}, 95% interval ${interval(r)}; above 50% the treatment is preferred.`;
  box.querySelector(".arms").hidden = true;
  const figure = box.querySelector(".figure");
  figure.hidden = !chartsAvailable();
  if (figure.hidden) return;
  const canvas = figure.querySelector("canvas");
  canvas.setAttribute("aria-label", `Treatment's win share ${format.percent(r.share)} with its 95% interval ${interval(r)}, against 50% (no preference).`);
  draw(canvas, shareInterval(r));
}

const ARMS = { control: "Held-out control", live: "Live ranker" };

function holdout(box, r) {
  figures(box, [["Deals", format.count(r.deals)], ...Object.entries(ARMS).map(([arm, label]) => [`${label} deals`, format.count(r.arms[arm].deals)])]);
  box.querySelector(".fixed").textContent = `${FIXED} Deals were assigned to the arms at random, so a difference whose interval leaves out 0 is caused by the live ranker.`;
  const figure = box.querySelector(".figure");
  const existing = chartsAvailable() && window.Chart.getChart(figure.querySelector("canvas"));
  if (existing) existing.destroy();
  figure.hidden = true;
  const rows = [
    ...Object.entries(ARMS).map(([arm, label]) => ({ label, won: r.arms[arm].won, progressed: r.arms[arm].progressed, share: true })),
    { label: "Live minus control", won: r.difference.won, progressed: r.difference.progressed, share: false },
  ];
  const cell = (key, what) => (row) => {
    const v = row[key];
    if (row.share) return `${format.percent(v.share)} (${interval(v)})`;
    if (v.difference === null) return "—";
    const caused = v.low > 0 || v.high < 0;
    return `${format.points(v.difference)} (${pointsInterval(v)}): ${caused ? `caused by the live ranker` : `not shown to be caused by the live ranker`} (${what})`;
  };
  const table = box.querySelector(".arms");
  table.hidden = false;
  fillTable(table.querySelector("table"), {
    caption: "Won and progressed shares per arm with their 95% intervals, and the difference",
    columns: [{ key: "label", label: "Arm" }, { key: "won", label: "Won", cell: cell("won", "win rate") }, { key: "progressed", label: "Progressed a stage", cell: cell("progressed", "progression") }],
    rows,
  });
}
