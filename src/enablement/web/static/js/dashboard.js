// The marketer dashboard: sign-in, filters, the sticky section bar, the six audit views, each
// loading (and failing) on its own, with its summary, notes, chart, table and CSV download, and
// the experiments view and the tag review (which the filters do not narrow).

import { Api, ApiError } from "./api.js";
import { chartsAvailable, setUpCharts } from "./charts.js";
import { loadExperiments } from "./experiments.js";
import {
  FIELDS, apiParams, checkDates, describe, fillSelects, fromQuery, isoMinute, readForm, toQuery,
  wirePickers, writeForm,
} from "./filters.js";
import { setUpNav } from "./nav.js";
import { render, setStatus } from "./sections.js";
import { adoptTokenFromUrl, currentToken, forget, signIn } from "./session.js";
import { TagReview } from "./tags.js";
import { VIEWS } from "./views.js";

const $ = (id) => document.getElementById(id);
const NAMES = Object.keys(VIEWS);

const state = {
  api: null, taxonomy: null, filters: fromQuery(location.search), controller: null, relayout: () => {},
  tags: null,
};

function label(facet, id) {
  const terms = (state.taxonomy && state.taxonomy[facet]) || [];
  const term = terms.find((t) => t.id === id);
  return term ? term.label : id;
}

function announce(text) {
  $("announce").textContent = text;
}

// --- signing in and out ---

const SIGN_IN = {
  missing: ["Sign in to the dashboard", "Paste a marketer's API key or a dashboard token. A key is exchanged for an 8-hour token; only the token is kept, in this browser tab."],
  signed_out: ["You are signed out", "Paste a marketer's API key or a dashboard token to sign in again."],
  expired: ["Your session expired — sign in again", "Dashboard sign-ins last a few hours. Paste your API key or a new token to carry on."],
  invalid: ["Your sign-in is not valid — sign in again", "enablement does not recognise that token or key. Paste a valid API key or a new token."],
  forbidden: ["The dashboard needs the marketer role", "You are signed in with a rep's access, which cannot see the content audit. Sign in with a marketer's (or an admin's) API key or token."],
};

function showSignIn(reason) {
  if (state.controller) state.controller.abort();
  state.api = null;
  forget();
  const [title, text] = SIGN_IN[reason];
  $("sign-in-title").textContent = title;
  $("sign-in-text").textContent = text;
  $("sign-in").hidden = false;
  for (const id of ["filters", "sticky", "views", "sign-out"]) $(id).hidden = true;
  document.body.dataset.state = reason === "forbidden" ? "forbidden" : "signin";
  document.body.dataset.reason = reason;
  $("sign-in").focus();
}

async function submitSignIn(event) {
  event.preventDefault();
  const input = $("secret");
  const button = event.target.querySelector("button");
  $("sign-in-error").textContent = "";
  button.setAttribute("aria-busy", "true");
  try {
    const token = await signIn(input.value);
    input.value = "";
    await open(token);
  } catch (err) {
    const status = err instanceof ApiError ? err.status : 0;
    $("sign-in-error").textContent = status === 401
      ? "That key or token is not valid."
      : status === 403
        ? "That key cannot open the dashboard: it needs the marketer role."
        : err.message;
    input.focus();
  } finally {
    button.removeAttribute("aria-busy");
  }
}

/** Show the filters and views for `token`, then load everything. */
async function open(token) {
  state.api = new Api(token);
  $("sign-in").hidden = true;
  for (const id of ["filters", "sticky", "views", "sign-out"]) $(id).hidden = false;
  state.relayout();
  if (!state.taxonomy) {
    try {
      state.taxonomy = await state.api.taxonomy();
      fillSelects($("filters"), state.taxonomy);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return showSignIn(err.code === "token_expired" ? "expired" : "invalid");
      // Without the taxonomy the selects only offer "All" and ids stand in for labels.
    }
  }
  writeForm($("filters"), state.filters);
  setCoverageToggle();
  await loadAll();
}

// --- filters ---

function setCoverageToggle() {
  for (const radio of document.querySelectorAll('input[name="by"]')) radio.checked = radio.value === state.filters.by;
}

/** Show the views for `filters`, as a new history entry (Back returns to the previous ones). */
function applyFilters(filters) {
  state.filters = filters;
  history.pushState(null, "", `${location.pathname}${toQuery(filters)}`);
  return loadAll();
}

function showFilterError(err) {
  const box = $("filter-error");
  if (!box.hidden) return;
  $("filter-error-text").textContent = `The filters were not accepted: ${err.message.split(" Valid values:")[0]}`;
  const valid = err.valid.map((value) => Object.assign(document.createElement("li"), { textContent: value }));
  $("filter-error-valid").replaceChildren(...valid);
  $("filter-error-valid").hidden = valid.length === 0;
  box.hidden = false;
  const field = err.field && $("filters").elements[err.field];
  if (field && FIELDS.includes(err.field)) field.setAttribute("aria-invalid", "true");
}

// --- the views ---

async function loadAll() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  $("filter-error").hidden = true;
  for (const name of FIELDS) $("filters").elements[name].removeAttribute("aria-invalid");
  const problem = checkDates(state.filters);
  if (problem) {
    for (const name of NAMES) viewFailed($(name), new ApiError(422, { error: problem }));
    document.body.dataset.state = "ready";
    return;
  }
  document.body.dataset.state = "loading";
  const views = NAMES.map((name) => loadView(name, controller.signal));
  await Promise.all([...views, experimentsView(controller.signal), tagsView(controller.signal)]);
  if (controller.signal.aborted || !state.api) return;
  $("updated").textContent = `· updated ${isoMinute(new Date())}`;
  document.body.dataset.state = "ready";
  state.relayout();
  announce("The dashboard is up to date.");
}

async function loadView(name, signal) {
  const section = $(name);
  section.dataset.state = "loading";
  setStatus(section, "Loading…", { busy: true });
  const params = apiParams(state.filters);
  if (name === "coverage") params.by = state.filters.by;
  try {
    const table = await state.api.analytics(name, params, signal);
    if (signal.aborted) return;
    render(section, VIEWS[name], table, { by: state.filters.by, label });
    if (name === "funnel") $("applied").textContent = describe(table.filters, label);
    $("applied").hidden = false;
    state.relayout();
  } catch (err) {
    if (err.name === "AbortError" || signal.aborted) return;
    viewFailed(section, err);
  }
}

async function experimentsView(signal) {
  const section = $("experiments");
  section.dataset.state = "loading";
  setStatus(section, "Loading…", { busy: true });
  try {
    await loadExperiments(state.api, section, signal, setStatus);
  } catch (err) {
    if (err.name === "AbortError" || signal.aborted) return;
    viewFailed(section, err);
  }
}

async function tagsView(signal) {
  const section = $("tags");
  section.dataset.state = "loading";
  setStatus(section, "Loading…", { busy: true });
  try {
    await state.tags.load(signal);
  } catch (err) {
    if (err.name === "AbortError" || signal.aborted) return;
    viewFailed(section, err);
  }
}

function viewFailed(section, err) {
  if (!(err instanceof ApiError)) err = new ApiError(0, { error: { message: String(err) } });
  if (err.status === 401) return showSignIn(err.code === "token_expired" ? "expired" : "invalid");
  if (err.status === 403) return showSignIn("forbidden");
  section.dataset.state = "error";
  section.querySelector(".body").hidden = true;
  if (err.status === 422 && FIELDS.includes(err.field)) {
    showFilterError(err);
    return setStatus(section, "Not shown: the filters above were not accepted.");
  }
  const wait = err.status === 429 ? ` Try again in ${err.retryAfter || "a few"} seconds.` : "";
  setStatus(section, `This view could not be loaded: ${err.message}${wait}`, { retry: true });
}

async function download(name, button) {
  if (!state.api || button.getAttribute("aria-busy") === "true") return;
  const section = $(name);
  const params = apiParams(state.filters);
  if (name === "coverage") params.by = state.filters.by;
  button.setAttribute("aria-busy", "true");
  try {
    const text = await state.api.analyticsCsv(name, params);
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    const link = Object.assign(document.createElement("a"), { href: url, download: `${name}.csv`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    announce(`Downloaded ${name}.csv`);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return viewFailed(section, err);
    setStatus(section, `The CSV could not be downloaded: ${err.message}`);
  } finally {
    button.removeAttribute("aria-busy");
  }
}

// --- start ---

function wire() {
  const template = $("view-body");
  for (const name of NAMES) {
    const section = $(name);
    section.append(template.content.cloneNode(true));
    section.querySelector(".download").addEventListener("click", (e) => download(name, e.currentTarget));
    section.querySelector(".retry").addEventListener("click", () => loadView(name, state.controller.signal));
  }
  $("experiments").querySelector(".retry").addEventListener("click", () => experimentsView(state.controller.signal));
  state.tags = new TagReview($("tags"), {
    api: () => state.api, label, setStatus, announce, signIn: (err) => viewFailed($("tags"), err),
  });
  $("tags").querySelector(".retry").addEventListener("click", () => tagsView(state.controller.signal));
  state.relayout = setUpNav($("sticky"));
  wirePickers($("filters"));
  $("sign-in-form").addEventListener("submit", submitSignIn);
  $("sign-out").addEventListener("click", () => showSignIn("signed_out"));
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    applyFilters(readForm($("filters"), state.filters.by));
  });
  $("f-reset").addEventListener("click", () => {
    const filters = fromQuery("");
    writeForm($("filters"), filters);
    applyFilters(filters);
  });
  for (const radio of document.querySelectorAll('input[name="by"]')) {
    radio.addEventListener("change", () => {
      state.filters = { ...state.filters, by: radio.value };
      history.replaceState(history.state, "", `${location.pathname}${toQuery(state.filters)}`);
      loadView("coverage", state.controller.signal);
    });
  }
  window.addEventListener("popstate", () => {
    if (!state.api) return;
    state.filters = fromQuery(location.search);
    writeForm($("filters"), state.filters);
    setCoverageToggle();
    loadAll();
  });
}

function start() {
  adoptTokenFromUrl();
  if (chartsAvailable()) setUpCharts();
  wire();
  const token = currentToken();
  if (token) open(token);
  else showSignIn("missing");
}

start();
