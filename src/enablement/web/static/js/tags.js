// The tag review: the open tag suggestions, surest first, a page at a time ("Load more"),
// narrowed to one field if asked; each row's asset, field, value, confidence and why in words,
// with Accept and Reject; and a bulk accept of the listed suggestions at or above a confidence,
// confirmed by a second click, in one request. Decided rows leave the list; errors are shown in
// the API's words.

import { ApiError } from "./api.js";
import { assetCell, el, fillTable, format } from "./tables.js";

const PAGE = 100;
const MAX_BULK = 500; // the most ids POST /v1/tag-suggestions:accept takes
export const FIELDS = { type: "Asset type", stages: "Stage", verticals: "Vertical", personas: "Persona" };
const FACETS = { type: "asset_types", stages: "stages", verticals: "verticals", personas: "personas" };
export const NONE = "No tag suggestions waiting. They are made each time the library is indexed.";
const DONE = { accept: "Accepted", reject: "Rejected" };
const VERB = { accept: "Accept", reject: "Reject" };

/** "Words: hospital, clinic. Like: Title A, Title B", or a dash when nothing is given. */
export function whyText(why) {
  const parts = [];
  if (why && why.words && why.words.length) parts.push(`Words: ${why.words.join(", ")}.`);
  if (why && why.neighbours && why.neighbours.length) {
    parts.push(`Like: ${why.neighbours.map((n) => n.title || n.asset_id).join(", ")}.`);
  }
  return parts.join(" ") || "—";
}

/** The review list in `section`. `api()` gives the signed-in Api, `label(facet, id)` a
 * taxonomy label, `setStatus` the sections' status line and `signIn(err)` handles a 401/403. */
export class TagReview {
  constructor(section, { api, label, setStatus, signIn, announce }) {
    Object.assign(this, { section, api, label, setStatus, signIn, announce });
    this.items = [];
    this.next = null;
    this.confirming = false;
    this.generation = 0; // a newer load makes an older one's pages stale
    this.field = section.querySelector("#t-field");
    this.threshold = section.querySelector("#t-threshold");
    this.bulk = section.querySelector(".bulk");
    this.cancel = section.querySelector(".cancel");
    this.outcome = section.querySelector(".outcome");
    this.table = section.querySelector(".table-wrap table");
    this.more = section.querySelector(".load-more");
    this.wire();
  }

  wire() {
    this.field.addEventListener("change", () => this.reload());
    this.threshold.addEventListener("input", () => { this.unconfirm(); this.showBulk(); });
    this.threshold.addEventListener("change", () => this.cover().catch((err) => this.failed(err, "Not loaded")));
    this.bulk.addEventListener("click", () => this.bulkClick());
    this.cancel.addEventListener("click", () => { this.unconfirm(); this.showBulk(); this.bulk.focus(); });
    this.section.querySelector(".tag-controls").addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.confirming) {
        this.unconfirm();
        this.showBulk();
        this.bulk.focus();
      }
    });
    this.more.addEventListener("click", () => this.loadMore());
    this.table.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-how]");
      if (button) this.decide(button.dataset.id, button.dataset.how);
    });
  }

  /** Load the first page (and as many more as the bulk threshold needs). Rejects with the
   * API's error, for the dashboard to show as the view's failure. */
  async load(signal) {
    this.unconfirm();
    this.generation += 1;
    const generation = this.generation;
    this.items = [];
    this.next = null;
    await this.fetchPage(null, signal);
    if ((signal && signal.aborted) || generation !== this.generation) return;
    await this.cover(signal);
  }

  /** Load again after a change of field or a bulk accept; a failure is shown in the section. */
  async reload() {
    this.section.setAttribute("aria-busy", "true");
    try {
      await this.load();
    } catch (err) {
      this.failed(err, "The suggestions could not be loaded");
    } finally {
      this.section.setAttribute("aria-busy", "false");
    }
  }

  async fetchPage(cursor, signal) {
    const params = { field: this.field.value, cursor, limit: PAGE };
    const generation = this.generation;
    const page = await this.api().tagSuggestions(params, signal);
    if ((signal && signal.aborted) || generation !== this.generation) return 0;
    this.items = cursor ? [...this.items, ...page.items] : page.items;
    this.next = page.next;
    this.render();
    return page.items.length;
  }

  /** Load pages until every suggestion at or above the threshold is listed (the API lists
   * the surest first), so the bulk accept takes them all; at most MAX_BULK. */
  async cover(signal) {
    const floor = this.floor();
    const generation = this.generation;
    while (floor !== null && this.next && this.items.length < MAX_BULK) {
      const last = this.items[this.items.length - 1];
      if (last && last.confidence < floor) break;
      await this.fetchPage(this.next, signal);
      if ((signal && signal.aborted) || generation !== this.generation) return;
    }
  }

  async loadMore() {
    if (!this.next || this.more.getAttribute("aria-busy") === "true") return;
    const before = this.items.length;
    this.more.setAttribute("aria-busy", "true");
    try {
      const added = await this.fetchPage(this.next);
      this.announce(`${added} more suggestions shown.`);
      const first = this.table.querySelectorAll("tbody tr")[before];
      const button = first && first.querySelector("button[data-how=accept]");
      (button || this.table.closest(".table-wrap")).focus();
    } catch (err) {
      this.failed(err, "More suggestions could not be loaded");
    } finally {
      this.more.removeAttribute("aria-busy");
    }
  }

  /** The bulk threshold as a confidence in [0, 1], or null (and the field marked) if invalid. */
  floor() {
    const text = this.threshold.value.trim();
    const value = Number(text);
    const valid = text !== "" && Number.isFinite(value) && value >= 0 && value <= 100;
    if (valid) this.threshold.removeAttribute("aria-invalid");
    else this.threshold.setAttribute("aria-invalid", "true");
    this.section.querySelector("#t-threshold-error").textContent = valid
      ? "" : "Give a confidence from 0 to 100 (a percentage).";
    return valid ? value / 100 : null;
  }

  /** The listed suggestions the bulk accept takes: those at or above the threshold. */
  chosen() {
    const floor = this.floor();
    if (floor === null) return [];
    return this.items.filter((s) => s.confidence >= floor).slice(0, MAX_BULK);
  }

  percentText() {
    return `${Number(this.threshold.value.trim())}%`;
  }

  showBulk() {
    const count = this.chosen().length;
    this.bulk.disabled = count === 0;
    this.cancel.hidden = !this.confirming;
    this.bulk.textContent = this.confirming
      ? `Confirm: accept ${count} ${count === 1 ? "suggestion" : "suggestions"} at or above ${this.percentText()}`
      : `Accept all at or above ${this.floor() === null ? "…" : this.percentText()} (${count})`;
  }

  unconfirm() {
    this.confirming = false;
    this.bulk.classList.remove("confirming");
  }

  async bulkClick() {
    const chosen = this.chosen();
    if (!chosen.length || this.bulk.getAttribute("aria-busy") === "true") return;
    if (!this.confirming) {
      this.confirming = true;
      this.bulk.classList.add("confirming");
      this.showBulk();
      this.say(`Accept ${chosen.length} ${chosen.length === 1 ? "suggestion" : "suggestions"} at or above ${this.percentText()}? Press the button again to confirm, or Cancel.`);
      return;
    }
    this.unconfirm();
    this.bulk.setAttribute("aria-busy", "true");
    try {
      const done = await this.api().acceptTags(chosen.map((s) => s.id));
      this.say(`Accepted ${done.items.length} ${done.items.length === 1 ? "suggestion" : "suggestions"} at or above ${this.percentText()}.`);
    } catch (err) {
      this.failed(err, "Nothing was accepted");
    } finally {
      this.bulk.removeAttribute("aria-busy");
    }
    await this.reload();
    (this.bulk.disabled ? this.field : this.bulk).focus();
  }

  /** Accept or reject one suggestion; it leaves the list and the focus moves to the next row. */
  async decide(id, how) {
    const index = this.items.findIndex((s) => s.id === id);
    if (index < 0) return;
    const what = this.describe(this.items[index]);
    try {
      await this.api().decideTag(id, how);
    } catch (err) {
      this.failed(err, `Not ${DONE[how].toLowerCase()}`);
      return;
    }
    this.items = this.items.filter((s) => s.id !== id);
    this.unconfirm();
    this.render();
    this.say(`${DONE[how]} ${what}.`);
    const rows = this.table.querySelectorAll("tbody tr");
    const row = rows[Math.min(index, rows.length - 1)];
    const next = row && row.querySelector(`button[data-how=${how}]`);
    (next || this.field).focus();
  }

  /** An action's error in the API's words; a dead sign-in goes back to the sign-in form. */
  failed(err, what) {
    if (!(err instanceof ApiError)) err = new ApiError(0, { error: { message: String(err) } });
    if (err.status === 401 || err.status === 403) return this.signIn(err);
    const wait = err.status === 429 ? ` Try again in ${err.retryAfter || "a few"} seconds.` : "";
    this.say(`${what}: ${err.message}${wait}`, true);
    return undefined;
  }

  say(text, error = false) {
    this.outcome.textContent = text;
    this.outcome.classList.toggle("error-text", error);
  }

  describe(s) {
    return `${FIELDS[s.field] || s.field} “${this.valueLabel(s)}” for ${s.title || s.asset_id}`;
  }

  valueLabel(s) {
    return this.label(FACETS[s.field] || s.field, s.value);
  }

  render() {
    const body = this.section.querySelector(".body");
    this.showBulk();
    if (!this.items.length && !this.next) {
      this.section.dataset.state = "empty";
      const narrowed = this.field.value
        ? `No ${FIELDS[this.field.value].toLowerCase()} suggestions waiting. Choose “All fields” to see the others.`
        : NONE;
      this.setStatus(this.section, narrowed);
      body.hidden = true;
      return;
    }
    this.section.dataset.state = "ready";
    this.setStatus(this.section, "");
    const more = this.next ? "; more to load" : "";
    fillTable(this.table, {
      caption: `Open tag suggestions, surest first (${format.count(this.items.length)} shown${more})`,
      columns: this.columns(),
      rows: this.items,
    });
    this.more.hidden = !this.next;
    body.hidden = false;
  }

  columns() {
    return [
      { key: "asset_id", label: "Asset", cell: assetCell },
      { key: "field", label: "Field", format: (v) => FIELDS[v] || v },
      { key: "value", label: "Suggested value", cell: (s) => this.valueLabel(s) },
      { key: "confidence", label: "Confidence", numeric: true, format: format.percent },
      { key: "why", label: "Why", cell: (s) => whyText(s.why) },
      { key: "id", label: "Decision", cell: (s) => this.buttons(s) },
    ];
  }

  buttons(s) {
    const box = el("div", undefined, "decide");
    for (const how of ["accept", "reject"]) {
      const button = el("button", VERB[how], `button ${how}`);
      button.type = "button";
      button.dataset.id = s.id;
      button.dataset.how = how;
      button.setAttribute("aria-label", `${VERB[how]} ${this.describe(s)}`);
      box.append(button);
    }
    return box;
  }
}
