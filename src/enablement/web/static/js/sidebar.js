// The CRM sidebar: recommendations for the deal in view, and the rep's actions on them.

import { Api, ApiError } from "./api.js";
import { buildCard, disableTracking, label, markSent, sentList, showLinkViews } from "./cards.js";
import {
  contextFromUrl, frameAncestors, framed, listenToHost, tellHost, withoutToken,
} from "./context.js";

const $ = (id) => document.getElementById(id);
const HOST_WAIT_MS = 5000;
const DEAL_FIELDS = ["deal_id", "stage", "vertical", "persona", "competitor", "language"];
// What content is matched to: without one of these there is nothing to recommend for.
const CONTEXT_FIELDS = ["stage", "vertical", "persona", "competitor", "questions", "products"];

const state = {
  api: null,
  deal: {},
  sent: new Set(), // asset ids already sent: from the context, and marked in this session
  links: new Map(), // asset id -> share link made in this session ({id, url, preview_url})
  result: null,
  controller: null,
  contextSeen: false,
};

function show(which) {
  $("loading").hidden = which !== "loading";
  $("problem").hidden = which !== "problem";
  $("empty").hidden = which !== "empty";
  $("results").hidden = which !== "results";
  if (which !== "results") {
    $("unanswered").hidden = true;
    $("already-sent").hidden = true;
  }
  $("main").setAttribute("aria-busy", String(which === "loading"));
}

function announce(text) {
  $("announce").textContent = text;
}

/** The request body for POST /v1/recommendations, from a context's loose deal. */
function requestBody(deal) {
  const body = {};
  for (const field of DEAL_FIELDS) {
    if (typeof deal[field] === "string" && deal[field].trim()) body[field] = deal[field].trim();
  }
  for (const field of ["questions", "products"]) {
    if (Array.isArray(deal[field])) body[field] = deal[field].filter((v) => typeof v === "string");
  }
  body.k = Number.isInteger(deal.k) ? deal.k : 5;
  if (deal.external_only === true) body.external_only = true;
  return body;
}

/** Whether the CRM passed anything content can be matched to (a deal id alone is not). */
function hasContext(deal) {
  return CONTEXT_FIELDS.some((field) => {
    const value = deal[field];
    if (Array.isArray(value)) return value.some((v) => typeof v === "string" && v.trim());
    return typeof value === "string" && value.trim() !== "";
  });
}

/** The empty state: what the CRM should pass, instead of an error or a generic list. */
function showEmpty() {
  $("deal").textContent = "";
  show("empty");
  document.body.dataset.state = "empty";
}

function problem({ title, text, list = [], action = null }) {
  $("problem-title").textContent = title;
  $("problem-text").textContent = text;
  const ul = $("problem-list");
  ul.replaceChildren(...list.map((value) => Object.assign(document.createElement("li"), { textContent: value })));
  ul.hidden = list.length === 0;
  const button = $("problem-action");
  button.hidden = !action;
  if (action) {
    button.textContent = action.label;
    button.onclick = action.run;
  }
  show("problem");
  document.body.dataset.state = "problem";
  $("problem").focus();
}

const SIGN_IN = {
  expired: ["Your session expired — sign in again",
    "For your security the sidebar's sign-in lasts a short while. Reload the CRM page to get a new one."],
  invalid: ["Your sign-in is not valid — sign in again",
    "The sidebar was opened with a sign-in token that enablement does not recognise. Reload the CRM page to get a new one."],
  missing: ["Sign in to see content for this deal",
    "Open the sidebar from your CRM, which signs you in: this address has no sign-in token."],
};

function signInAgain(reason) {
  const [title, text] = SIGN_IN[reason];
  const run = () => tellHost({ type: "enablement:session_expired" });
  problem({ title, text, action: framed() ? { label: "Sign in again", run } : null });
  document.body.dataset.state = "signin";
  tellHost({ type: "enablement:session_expired" });
}

function showError(err) {
  if (!(err instanceof ApiError)) err = new ApiError(0, { error: { message: String(err) } });
  const retry = { label: "Try again", run: () => load() };
  if (err.status === 401) return signInAgain(err.code === "token_expired" ? "expired" : "invalid");
  if (err.code.startsWith("unknown_")) {
    const facet = err.code.slice("unknown_".length);
    return problem({
      title: `This deal's ${facet} is not one we know`,
      text: `${err.message.split(" Valid values:")[0]} Valid ${facet}s:`,
      list: err.valid,
    });
  }
  if (err.status === 403) return problem({ title: "You don't have access", text: err.message });
  if (err.status === 503) return problem({ title: "The content library isn't ready", text: err.message, action: retry });
  if (err.status === 429) {
    return problem({ title: "Too many requests", text: `Try again in ${err.retryAfter || "a few"} seconds.`, action: retry });
  }
  if (err.status === 0) return problem({ title: "Cannot reach enablement", text: err.message, action: retry });
  return problem({ title: "Something went wrong", text: err.message, action: retry });
}

function describeDeal(deal) {
  // The stage as the CRM names it ("Needs Analysis"), which is what the rep knows it by.
  const stage = deal.stage_name || label(deal.stage);
  const parts = [stage, ...[deal.vertical, deal.persona].map(label)].filter(Boolean);
  const questions = deal.questions.length;
  if (questions) parts.push(`${questions} buyer question${questions > 1 ? "s" : ""}`);
  $("deal").textContent = parts.join(" · ");
}

/** Says plainly which buyer questions nothing recommended answers (the API's calibrated claim). */
function noteUnanswered(questions) {
  const notice = $("unanswered");
  const open = questions.filter((q) => q.answered === false);
  notice.hidden = !open.length;
  if (!open.length) return;
  notice.textContent = open.length === questions.length
    ? "Nothing in the library answers this yet. These fit the deal; the question goes to marketing as unanswered."
    : `Nothing in the library answers ${open.map((q) => `“${q.question}”`).join(", ")} yet.`;
}

function render(result) {
  state.result = result;
  describeDeal(result.deal);
  const template = $("card-template");
  const cards = result.items.map((item) => {
    const card = buildCard(template, item);
    if (state.sent.has(item.asset_id)) markSent(card);
    if (!result.deal.deal_id) disableTracking(card, "no-deal-why");
    wire(card, item);
    return card;
  });
  $("results").replaceChildren(...cards);
  noteUnanswered(result.questions || []);
  const sent = result.already_sent || [];
  $("already-sent-list").replaceChildren(...sentList(sent));
  if (!cards.length && sent.length) {
    problem({ title: "Nothing new to suggest", text: "What fits this deal was already sent: see below. Add buyer questions for more." });
    $("already-sent").hidden = false;
    return;
  }
  if (!cards.length) {
    return problem({ title: "Nothing to suggest yet", text: "No asset in the library fits this deal. Add buyer questions or check the stage." });
  }
  show("results");
  $("already-sent").hidden = !sent.length;
  document.body.dataset.state = "ready";
  requestAnimationFrame(() => performance.mark("enablement:results-visible"));
}

async function refreshLinks() {
  const dealId = state.result && state.result.deal.deal_id;
  if (!dealId) return;
  try {
    const { items: links } = await state.api.shareLinks(dealId);
    for (const card of $("results").children) {
      showLinkViews(card, links.filter((l) => l.asset_id === card.dataset.assetId && !l.revoked_at));
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) showError(err);
  }
}

async function load(context) {
  if (context) {
    state.api = new Api(context.token);
    state.deal = context.deal;
    state.sent = new Set(Array.isArray(context.deal.sent) ? context.deal.sent : []);
    state.links = new Map();
  }
  if (state.controller) state.controller.abort();
  if (!hasContext(state.deal)) return showEmpty();
  const controller = new AbortController();
  state.controller = controller;
  show("loading");
  document.body.dataset.state = "loading";
  try {
    const result = await state.api.recommend(requestBody(state.deal), controller.signal);
    if (controller.signal.aborted) return;
    render(result);
    refreshLinks();
  } catch (err) {
    if (err.name !== "AbortError") showError(err);
  }
}

// --- the rep's actions; each click is one event, whose retries reuse its idempotency key ---

function eventFor(item, type, extra = {}) {
  const deal = state.result.deal;
  return {
    type, deal_id: deal.deal_id, asset_id: item.asset_id, stage: deal.stage || undefined,
    vertical: deal.vertical || undefined, persona: deal.persona || undefined,
    recommendation_id: state.result.recommendation_id, rank: item.rank, ...extra,
  };
}

/** Run `work` for a button once at a time, reporting the outcome on the card. */
async function act(card, button, work, done) {
  if (button.getAttribute("aria-busy") === "true" || button.getAttribute("aria-disabled") === "true") return;
  const note = card.querySelector(".card-note");
  if (!state.result.deal.deal_id) {
    note.textContent = "This deal has no id, so the action cannot be recorded.";
    return;
  }
  button.setAttribute("aria-busy", "true");
  try {
    await work();
    note.textContent = "";
    announce(done);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showError(err);
    note.textContent = `Not saved: ${err.message}`;
  } finally {
    button.removeAttribute("aria-busy");
  }
}

async function copyLink(card, item) {
  let link = state.links.get(item.asset_id);
  if (!link) {
    const deal = state.result.deal;
    link = await state.api.createShareLink({
      deal_id: deal.deal_id, asset_id: item.asset_id, stage: deal.stage, vertical: deal.vertical,
    });
    state.links.set(item.asset_id, link);
    refreshLinks();
  }
  const box = card.querySelector(".share");
  const input = box.querySelector("input");
  input.value = link.url;
  // The rep's own look at the link: never counted as the buyer's view (nor are later opens of
  // the link in this browser; the server marks it).
  box.querySelector(".preview").href = link.preview_url;
  box.hidden = false;
  try {
    await navigator.clipboard.writeText(link.url);
  } catch {
    input.focus();
    input.select();
    throw new Error("the link is ready below; copy it with Ctrl+C (the browser blocked the clipboard).");
  }
}

function wire(card, item) {
  const on = (selector, handler) => {
    const element = card.querySelector(selector);
    if (element) element.addEventListener("click", (event) => handler(event, element));
  };
  on(".open", (_event, link) => {
    act(card, link, () => state.api.record(eventFor(item, "opened")), `Opened ${item.title}`);
  });
  on(".copy", (_event, button) => act(card, button, () => copyLink(card, item), "Share link copied"));
  on("button.sent", (_event, button) => act(card, button, async () => {
    const link = state.links.get(item.asset_id);
    await state.api.record(eventFor(item, "sent", link ? { link_id: link.id } : {}));
    state.sent.add(item.asset_id);
    markSent(card);
  }, `Marked ${item.title} as sent`));
  for (const [selector, rating] of [[".up", "up"], [".down", "down"]]) {
    on(selector, (_event, button) => {
      if (button.getAttribute("aria-pressed") === "true") return;
      act(card, button, async () => {
        await state.api.record(eventFor(item, "feedback", { rating }));
        for (const b of card.querySelectorAll(".rate button")) b.setAttribute("aria-pressed", String(b === button));
      }, rating === "up" ? "Thanks: marked as helpful" : "Thanks: marked as not helpful");
    });
  }
}

function start() {
  const fromUrl = contextFromUrl(location.href);
  if (fromUrl.token) history.replaceState(history.state, "", withoutToken(location.href));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.result) refreshLinks();
  });
  if (framed()) {
    listenToHost(frameAncestors(), (context) => {
      state.contextSeen = true;
      load({ token: context.token, deal: context.deal });
    });
  }
  if (fromUrl.token) return load(fromUrl);
  if (!framed()) return signInAgain("missing");
  $("loading-text").textContent = "Waiting for the CRM…";
  setTimeout(() => {
    if (!state.contextSeen) {
      problem({ title: "No deal yet", text: "The CRM page did not send the deal to the sidebar. Reload the page to try again." });
    }
  }, HOST_WAIT_MS);
}

start();
