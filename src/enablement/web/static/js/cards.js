// One recommended asset as a card: title, type, the one-line reason, the passage that answers the
// buyer's question (tables as tables, with page or slide), the share link's views, and the rep's
// actions; and the deal's "Already sent" list.

const SVG = "http://www.w3.org/2000/svg";
// A thumb drawn for this page (pointing up; the "down" button turns it over in CSS).
const THUMB = "M2 9h3v10H2zM7 19V9.5l4.2-7.2c1.6 0 2.6 1.3 2.2 2.9L12.6 9H18c1.2 0 2.1 1.1 1.8 2.3l-1.7 6.2c-.2.9-1 1.5-1.9 1.5z";
const PASSAGE_CHARS = 180; // of text per passage; a card stays short enough for 2.5 per screen
const TABLE_ROWS = 2; // body rows shown of a table; the rest are counted
const SHORT_CELL = 12; // a figure like "5.2 days" is kept on one line
const LEAD_CHARS = 60; // a line before a table (its title, say) is shown when this short
const QUOTE_MARKS = "\"\u201c\u201d\u201e\u00ab\u00bb";
// Why "Copy link" and "Mark as sent" do nothing without a deal id (its title and description).
export const NO_DEAL = "Open this from a deal to track sends";

const ACRONYMS = new Set(["it", "faq", "roi", "poc", "ciso", "cio", "cto", "cfo", "ceo", "hr"]);

/** A taxonomy id as words: "case_study" -> "Case study", "it_security" -> "IT security". */
export function label(id) {
  if (!id) return "";
  const words = String(id).split(/[_-]+/).map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `text` in curly quotes, unless it already starts or ends with a quote mark. */
export function quote(text) {
  if (!text || QUOTE_MARKS.includes(text[0]) || QUOTE_MARKS.includes(text[text.length - 1])) return text;
  return `“${text}”`;
}

function clip(text, limit) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1).replace(/\s+\S*$/, "")}…`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function thumb() {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 20 20");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", THUMB);
  svg.append(path);
  return svg;
}

/** The passages to show: those answering a buyer question, else the best one as a preview. */
function passages(item) {
  const answering = item.passages.filter((p) => p.answers && p.question);
  return answering.length ? answering : item.passages.slice(0, 1);
}

/** The API's blocks (older servers send only `text`: one paragraph). */
function blocksOf(passage) {
  return Array.isArray(passage.blocks) && passage.blocks.length
    ? passage.blocks
    : [{ kind: "text", text: passage.text }];
}

function table(block) {
  const node = element("table", "passage-table");
  if (block.header) {
    const head = node.createTHead().insertRow();
    for (const name of block.header) head.append(Object.assign(element("th", "", name), { scope: "col" }));
  }
  const body = node.createTBody();
  for (const row of block.rows.slice(0, TABLE_ROWS)) {
    const tr = body.insertRow();
    for (const cell of row) tr.append(element("td", cell.length <= SHORT_CELL ? "short" : "", cell));
  }
  const more = block.rows.length - TABLE_ROWS;
  if (more > 0) node.createCaption().textContent = `${more} more row${more > 1 ? "s" : ""}`;
  return node;
}

/** Paragraphs on one line: a sentence's end needs no more, a heading or a slide's bullet gets
 * a middle dot, so "Built for PHI" and "BAA on Enterprise" do not run together. */
function joinLines(lines) {
  return lines.reduce((out, line) => {
    if (!out) return line;
    return /[.!?:;…"”)]$/.test(out) ? `${out} ${line}` : `${out} · ${line}`;
  }, "");
}

/** The passage as a rep reads it: its paragraphs on one line, in quote marks unless the text
 * brings its own; or, when it holds a table, the table (and a short lead-in line). */
function quoteBody(passage) {
  const body = element("blockquote");
  const blocks = blocksOf(passage);
  const at = blocks.findIndex((block) => block.kind === "table");
  if (at < 0) {
    const text = joinLines(blocks.map((block) => block.text));
    body.append(element("p", "", quote(clip(text, PASSAGE_CHARS))));
    return body;
  }
  const lead = joinLines(blocks.slice(0, at).map((block) => block.text));
  if (lead && lead.length <= LEAD_CHARS) body.append(element("p", "", lead));
  body.append(table(blocks[at]));
  return body;
}

function passageFigure(passage) {
  const figure = element("figure", "passage");
  const caption = document.createElement("figcaption");
  const where = passage.location ? ` · ${passage.location}` : "";
  const question = passage.question ? quote(clip(passage.question, 80)) : "";
  if (!question) caption.textContent = `Preview${where}`;
  else caption.textContent = passage.answers ? `Answers ${question}${where}` : `Closest to ${question}${where}`;
  figure.append(caption, quoteBody(passage));
  return figure;
}

function badge(text, kind) {
  return element("span", `badge ${kind}`, text);
}

/** The first passage, and any others behind a disclosure, so every card stays short. */
function passageList(item) {
  const [first, ...rest] = passages(item).map(passageFigure);
  const out = first ? [first] : [];
  if (rest.length) {
    const more = element("details", "more-passages");
    const summary = element("summary", "", `${rest.length} more answer${rest.length > 1 ? "s" : ""}`);
    more.append(summary, ...rest);
    out.push(more);
  }
  return out;
}

/** A card element for `item` (a RecommendationItem), from the page's <template>. */
export function buildCard(template, item) {
  const card = template.content.firstElementChild.cloneNode(true);
  const id = `asset-${item.rank}`;
  card.dataset.assetId = item.asset_id;
  const title = card.querySelector(".title");
  title.id = `${id}-title`;
  title.textContent = item.title;
  card.querySelector(".type").textContent = label(item.type) || "Asset";
  if (item.external === false) card.querySelector(".meta").append(badge("Internal only", "internal"));
  card.querySelector(".reason").textContent = item.summary;
  card.querySelector(".passages").append(...passageList(item));

  const open = card.querySelector(".open");
  if (item.url) {
    open.href = item.url;
    open.setAttribute("aria-describedby", title.id);
  } else {
    open.remove();
  }
  for (const button of card.querySelectorAll("button")) {
    button.setAttribute("aria-describedby", title.id);
  }
  card.querySelector(".up").append(thumb());
  card.querySelector(".up").setAttribute("aria-label", "Helpful");
  card.querySelector(".down").append(thumb());
  card.querySelector(".down").setAttribute("aria-label", "Not helpful");
  card.querySelector(".rate").setAttribute("aria-label", "Rate this suggestion");
  if (item.external !== true) {
    // Only assets marked external may be shared (the server refuses the rest); internal ones
    // are for preparing, not for buyers: nothing to share or send.
    card.querySelector(".copy").remove();
    if (item.external === false) card.querySelector(".sent").remove();
  }
  return card;
}

/** Disable a card's "Copy link" and "Mark as sent" (no deal id: nothing to track them under),
 * saying why in a tooltip and in the buttons' accessible description (`reasonId`). */
export function disableTracking(card, reasonId) {
  for (const button of card.querySelectorAll("button.copy, button.sent")) {
    button.setAttribute("aria-disabled", "true");
    button.classList.add("unavailable");
    button.title = NO_DEAL;
    button.setAttribute("aria-describedby", `${button.getAttribute("aria-describedby")} ${reasonId}`);
  }
}

/** Mark a card as sent to the buyer (from the `sent` list or the rep's click). */
export function markSent(card) {
  const meta = card.querySelector(".meta");
  if (!meta.querySelector(".badge.sent")) meta.append(badge("Sent", "sent"));
  card.classList.add("is-sent");
  const button = card.querySelector("button.sent");
  if (button) {
    button.textContent = "Sent ✓";
    button.classList.add("done");
    button.setAttribute("aria-disabled", "true");
  }
}

function when(iso) {
  const date = new Date(iso);
  return date.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "just now", "5 minutes ago", "yesterday", "2 days ago", from an ISO time. */
export function ago(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds > -60) return "just now";
  if (seconds > -3600) return RELATIVE.format(Math.round(seconds / 60), "minute");
  if (seconds > -86400) return RELATIVE.format(Math.round(seconds / 3600), "hour");
  return RELATIVE.format(Math.round(seconds / 86400), "day");
}

/** "Sent 2 days ago · viewed 3×" for an `already_sent` item of the API's response. */
export function sentStatus(item, now = Date.now()) {
  const how = item.via === "link" ? "Link shared" : "Sent";
  let status = `${how} ${ago(item.sent_at, now)}`;
  if (item.buyer_views === 0) status += " · not opened yet";
  else if (item.buyer_views) status += ` · viewed ${item.buyer_views}×`;
  return status;
}

/** The deal's "Already sent" list: what the buyer has, instead of offering it again. */
export function sentList(items) {
  return items.map((item) => {
    const li = element("li", "sent-item");
    li.dataset.assetId = item.asset_id;
    const status = element("time", "sent-status", sentStatus(item));
    status.dateTime = item.sent_at;
    status.title = when(item.sent_at);
    li.append(element("span", "sent-title", item.title || item.asset_id), " ", status);
    return li;
  });
}

/** Show what the buyer did with the deal's share links to this asset. */
export function showLinkViews(card, links) {
  const status = card.querySelector(".link-status");
  if (!links.length) {
    status.hidden = true;
    return;
  }
  const views = links.reduce((sum, link) => sum + link.views, 0);
  const last = links.map((l) => l.last_viewed_at).filter(Boolean).sort().pop();
  status.hidden = false;
  status.classList.toggle("viewed", views > 0);
  status.textContent = views
    ? `Buyer viewed it ${views}× · last ${when(last)}`
    : "Share link created · not opened yet";
}
