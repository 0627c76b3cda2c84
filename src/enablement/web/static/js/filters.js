// The dashboard's filters: the form, the page's query string (bookmarkable, never the token),
// and the parameters every analytics view takes.

export const FIELDS = ["since", "until", "stage", "vertical", "type", "owner"];
const SELECTS = { stage: "stages", vertical: "verticals", type: "asset_types" };
const DEFAULT_DAYS = 90; // the API's default period: the last 90 days, today included

const DATES = { since: "From", until: "To" }; // the date fields and their labels
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD of a Date in UTC (the API's calendar). */
export function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

/** "YYYY-MM-DD HH:MM UTC" of a Date: every time the dashboard shows is ISO, in UTC. */
export function isoMinute(date) {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Whether `text` is a real day written YYYY-MM-DD (not 2026-02-30). */
function isDay(text) {
  return ISO_DAY.test(text) && !Number.isNaN(Date.parse(text)) && isoDay(new Date(text)) === text;
}

/** The first problem with the dates in `filters` as {field, message, valid}, or null: the page
 * says it in the form's words before asking the API. */
export function checkDates(filters) {
  for (const [name, label] of Object.entries(DATES)) {
    const value = filters[name];
    if (value && !isDay(value)) {
      return { field: name, valid: [], message: `${label} “${value}” is not a day: write it as YYYY-MM-DD, e.g. ${defaultPeriod().until}.` };
    }
  }
  if (filters.since && filters.until && filters.since > filters.until) {
    return { field: "since", valid: [], message: `From (${filters.since}) is after To (${filters.until}).` };
  }
  return null;
}

/** Each date field's calendar button opens the browser's date picker, whose choice is written
 * into the field as YYYY-MM-DD (the picker itself would show the browser's local format). */
export function wirePickers(form) {
  for (const button of form.querySelectorAll(".pick")) {
    const field = form.querySelector(`#${button.dataset.for}`);
    const picker = button.parentElement.querySelector(".picker");
    button.addEventListener("click", () => {
      picker.value = isDay(field.value) ? field.value : "";
      try {
        picker.showPicker();
      } catch {
        field.focus(); // no picker in this browser: the field takes typing as ever
      }
    });
    picker.addEventListener("change", () => {
      if (!picker.value) return;
      field.value = picker.value;
      field.removeAttribute("aria-invalid");
      field.focus();
    });
  }
}

/** The default period, as the API computes it: {since, until}. */
export function defaultPeriod(now = new Date()) {
  const until = isoDay(now);
  const since = isoDay(new Date(now.getTime() - (DEFAULT_DAYS - 1) * 86_400_000));
  return { since, until };
}

/** The filters and the coverage columns (`by`) from a query string. */
export function fromQuery(search) {
  const params = new URLSearchParams(search);
  const filters = {};
  for (const name of FIELDS) filters[name] = (params.get(name) || "").trim();
  filters.by = params.get("by") === "persona" ? "persona" : "vertical";
  return filters;
}

/** The query string for `filters`: only what differs from the defaults, so a bookmark of the
 * default period keeps meaning "the last 90 days". */
export function toQuery(filters, now = new Date()) {
  const period = defaultPeriod(now);
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = (filters[name] || "").trim();
    if (value && value !== period[name]) params.set(name, value);
  }
  if (filters.by === "persona") params.set("by", "persona");
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** The analytics parameters for `filters` (empty ones are left out by the API client). */
export function apiParams(filters) {
  return Object.fromEntries(FIELDS.map((name) => [name, filters[name] || ""]));
}

/** Fill the stage, vertical and type selects from /v1/taxonomy, with labels. */
export function fillSelects(form, taxonomy) {
  for (const [name, facet] of Object.entries(SELECTS)) {
    const select = form.elements[name];
    const first = select.options[0];
    const options = (taxonomy[facet] || []).map((term) => new Option(term.label, term.id));
    select.replaceChildren(first, ...options);
  }
}

/** Show `filters` in the form; the default period fills empty dates. A value the selects do not
 * offer (a hand-edited URL) is kept as an option, so the API can say what is wrong with it. */
export function writeForm(form, filters) {
  const period = defaultPeriod();
  for (const name of FIELDS) {
    const element = form.elements[name];
    const value = filters[name] || period[name] || "";
    if (element.tagName === "SELECT" && value && ![...element.options].some((o) => o.value === value)) {
      element.append(new Option(`${value} (unknown)`, value));
    }
    element.value = value;
    element.removeAttribute("aria-invalid");
  }
}

export function readForm(form, by) {
  const filters = { by };
  for (const name of FIELDS) filters[name] = form.elements[name].value.trim();
  return filters;
}

/** A line saying what the views show, from the filters the API applied and taxonomy labels. */
export function describe(applied, label) {
  const parts = [`${applied.since} to ${applied.until}`];
  if (applied.stage) parts.push(`stage ${label("stages", applied.stage)}`);
  if (applied.vertical) parts.push(`vertical ${label("verticals", applied.vertical)}`);
  if (applied.type) parts.push(`type ${label("asset_types", applied.type)}`);
  if (applied.owner) parts.push(`owner ${applied.owner}`);
  return `Showing ${parts.join(" · ")}`;
}
