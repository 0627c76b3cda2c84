// One recommended asset as a card: title, type, the one-line reason, the passages that answer
// the buyer's questions (with page or slide), the share link's views, and the rep's actions.

const SVG = "http://www.w3.org/2000/svg";
// A thumb drawn for this page (pointing up; the "down" button turns it over in CSS).
const THUMB = "M2 9h3v10H2zM7 19V9.5l4.2-7.2c1.6 0 2.6 1.3 2.2 2.9L12.6 9H18c1.2 0 2.1 1.1 1.8 2.3l-1.7 6.2c-.2.9-1 1.5-1.9 1.5z";
const PASSAGE_CHARS = 240;

const ACRONYMS = new Set(["it", "faq", "roi", "poc", "ciso", "cio", "cto", "cfo", "ceo", "hr"]);

/** A taxonomy id as words: "case_study" -> "Case study", "it_security" -> "IT security". */
export function label(id) {
  if (!id) return "";
  const words = String(id).split(/[_-]+/).map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function clip(text, limit) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= limit ? flat : `${flat.slice(0, limit - 1).replace(/\s+\S*$/, "")}…`;
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

function passageFigure(passage) {
  const figure = document.createElement("figure");
  figure.className = "passage";
  const caption = document.createElement("figcaption");
  const where = passage.location ? ` · ${passage.location}` : "";
  const question = passage.question ? `“${clip(passage.question, 80)}”` : "";
  if (!question) caption.textContent = `Preview${where}`;
  else caption.textContent = passage.answers ? `Answers ${question}${where}` : `Closest to ${question}${where}`;
  const quote = document.createElement("blockquote");
  quote.textContent = `“${clip(passage.text, PASSAGE_CHARS)}”`;
  figure.append(caption, quote);
  return figure;
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
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
  card.querySelector(".passages").append(...passages(item).map(passageFigure));

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

/** Mark a card as sent to the buyer (from the `sent` list or the rep's click). */
export function markSent(card) {
  const meta = card.querySelector(".meta");
  if (!meta.querySelector(".badge.sent")) meta.append(badge("Sent", "sent"));
  card.classList.add("is-sent");
  const button = card.querySelector("button.sent");
  if (button) {
    button.textContent = "Sent ✓";
    button.setAttribute("aria-disabled", "true");
  }
}

function when(iso) {
  const date = new Date(iso);
  return date.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
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
