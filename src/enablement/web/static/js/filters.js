// The dashboard's filters: the form, the page's query string (bookmarkable, never the token),
// and the parameters every analytics view takes.

export const FIELDS = ["since", "until", "stage", "vertical", "type", "owner"];
const SELECTS = { stage: "stages", vertical: "verticals", type: "asset_types" };
const DEFAULT_DAYS = 90; // the API's default period: the last 90 days, today included

/** YYYY-MM-DD of a Date in UTC (the API's calendar). */
function isoDay(date) {
  return date.toISOString().slice(0, 10);
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
