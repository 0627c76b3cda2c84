// What each audit view shows on the dashboard: its summary figures, chart, accessible chart
// description and table, and what it says when the period holds nothing for it (`empty`), when
// it has no rows (`none`) or needs a word of warning (`notice`). Each function takes the API's
// table, some a `label(facet, id)` helper; every date shown is the API's YYYY-MM-DD.

import { bars, heatmap, intervals } from "./charts.js";
import { assetCell, countsText, el, format, list } from "./tables.js";

const REASONS = { never_recommended: "Never recommended", recommended_never_used: "Recommended, never opened or sent" };
const REASONS_SHORT = { never_recommended: "Never recommended", recommended_never_used: "Not opened or sent" };
const ISSUES = { expired: "Expired", stale: "Stale", expiring_soon: "Expiring soon", near_duplicate: "Near-duplicate" };
const STEPS = [
  ["recommended", "Recommended"], ["opened", "Opened"], ["sent", "Sent"],
  ["buyer_viewed", "Buyer viewed"], ["deals_won", "In won deals"],
];

const plural = (n, one, many = `${one}s`) => `${format.count(n)} ${n === 1 ? one : many}`;

/** What a sentence about the period says: its days, and whether filters narrowed it. */
const between = (table) => `between ${table.filters.since} and ${table.filters.until}`;
const narrowed = ({ filters }) => Boolean(filters.stage || filters.vertical || filters.type || filters.owner);
const widen = (table) => (narrowed(table) ? "Widen the dates or clear a filter." : "Widen the dates.");
const forThese = (table) => (narrowed(table) ? " for these filters" : "");
/** "No recommendations between 2026-01-01 and 2026-01-31. Widen the dates." */
const nothing = (what, table) => `No ${what} ${between(table)}${forThese(table)}. ${widen(table)}`;
const noAssets = "No assets match these filters.";

/** Whether an influence row's interval leaves out 0, and which way. */
export function verdict(row) {
  if (row.low > 0) return "helps";
  return row.high < 0 ? "hurts" : "unclear";
}
export const VERDICTS = { helps: "Clearly helps", hurts: "Clearly hurts", unclear: "Unclear" };
const VERDICT_WHY = {
  helps: "the whole interval is above 0",
  hurts: "the whole interval is below 0",
  unclear: "the interval includes 0",
};

function badge(row) {
  const kind = verdict(row);
  const cell = el("span", VERDICTS[kind], `badge ${kind}`);
  cell.title = `${VERDICTS[kind]}: ${VERDICT_WHY[kind]}`;
  return cell;
}

/** "Clearly helps (why): A, B. Clearly hurts (why): C." for the kinds present: the chart's text. */
function verdicts(rows) {
  const named = (kind) => rows.filter((r) => verdict(r) === kind).map((r) => r.title || r.asset_id);
  const parts = ["helps", "hurts"].filter((kind) => named(kind).length)
    .map((kind) => `${VERDICTS[kind]} (${VERDICT_WHY[kind]}): ${named(kind).join(", ")}.`);
  return parts.length ? parts.join(" ") : "No interval leaves out 0: none clearly helps or hurts.";
}

/** A count by id as "Label (n), …"; questions asked without a stage or vertical are "Not given". */
const facetCounts = (counts, label, facet) => countsText(counts, (id) => (id === "unknown" ? "Not given" : label(facet, id)));

function owner(row) {
  return row.owner ? el("span", row.owner, "owner") : el("span", "No owner", "missing");
}

const ASSET = { key: "title", label: "Asset", cell: assetCell };
const OWNER = { key: "owner", label: "Owner", cell: owner };
const type = (label) => ({ key: "type", label: "Type", format: (v) => (v ? label("asset_types", v) : "—") });
const count = (key, label) => ({ key, label, numeric: true, format: format.count });
const percent = (key, label) => ({ key, label, numeric: true, format: format.percent });

/** Bars of how many rows have each value of `key`, in the order of `names`. */
function tally(rows, key, names) {
  const counts = Object.fromEntries(Object.keys(names).map((name) => [name, 0]));
  for (const row of rows) counts[row[key]] = (counts[row[key]] || 0) + 1;
  const shown = Object.keys(counts).filter((name) => counts[name] > 0);
  return { labels: shown.map((name) => names[name] || name), values: shown.map((name) => counts[name]) };
}

const listing = (labels, values) => labels.map((l, i) => `${l} ${format.count(values[i])}`).join(", ");

export const VIEWS = {
  funnel: {
    summary: STEPS,
    limit: 10,
    empty: (table) => (STEPS.every(([key]) => !table.summary[key]) ? nothing("recommendations", table) : null),
    none: () => noAssets,
    chart(table) {
      return bars({ labels: STEPS.map(([, l]) => l), values: STEPS.map(([k]) => table.summary[k] || 0), label: "Count" });
    },
    describe(table) {
      return `Funnel totals: ${STEPS.map(([k, l]) => `${l.toLowerCase()} ${format.count(table.summary[k] || 0)}`).join(", ")}.`;
    },
    caption: "Per asset, most sent first",
    columns: (label) => [
      ASSET, type(label), OWNER, count("recommended", "Recommended"), count("opened", "Opened"),
      count("sent", "Sent"), count("buyer_viewed", "Buyer viewed"), percent("open_rate", "Open rate"),
      percent("send_rate", "Send rate"),
      { key: "deals_won", label: "Deals won / sent", numeric: true, cell: (r) => `${format.count(r.deals_won)} / ${format.count(r.deals_sent)}` },
      percent("won_deal_rate", "Won-deal rate"),
    ],
  },
  unused: {
    summary: [["assets", "Assets"], ["never_recommended", "Never recommended"], ["recommended_never_used", "Never opened or sent"]],
    limit: 10,
    // With nothing recommended in the period every asset is "never recommended": say why instead.
    empty(table) {
      const { assets = 0, never_recommended: never = 0, recommended_never_used: unopened = 0 } = table.summary;
      if (!assets || never < assets || unopened) return null;
      return `No recommendations ${between(table)}${forThese(table)}, so all ${plural(assets, "asset")} count as never recommended. ${widen(table)}`;
    },
    none: (table) => (table.summary.assets ? `Every asset was recommended, and opened or sent, ${between(table)}.` : noAssets),
    chart(table) {
      const { labels, values } = tally(table.rows, "reason", REASONS_SHORT);
      return bars({ labels, values, label: "Assets", horizontal: true });
    },
    describe(table) {
      const { labels, values } = tally(table.rows, "reason", REASONS);
      return `${plural(table.rows.length, "unused asset")}: ${listing(labels, values)}.`;
    },
    caption: "Unused assets and their owners",
    columns: (label) => [
      ASSET, type(label), OWNER, { key: "reason", label: "Why", format: (v) => REASONS[v] || v },
      count("recommended", "Recommended"),
    ],
  },
  health: {
    summary: [["assets", "Assets"], ["expired", "Expired"], ["expiring_soon", "Expiring soon"], ["stale", "Stale"], ["near_duplicate", "Near-duplicates"]],
    limit: 10,
    // Not made of events: an empty period still has expired and stale assets, as of its last day.
    none: (table) => (table.summary.assets ? `No expired, expiring, stale or near-duplicate assets as of ${table.filters.until}.` : noAssets),
    chart(table) {
      const { labels, values } = tally(table.rows, "issue", ISSUES);
      return bars({ labels, values, label: "Assets", horizontal: true, color: "#a3212b" });
    },
    describe(table) {
      const { labels, values } = tally(table.rows, "issue", ISSUES);
      return `${plural(table.rows.length, "health issue")}: ${listing(labels, values)}.`;
    },
    caption: (table) => `Assets needing attention as of ${table.filters.until}, and their owners`,
    columns: (label) => [
      { key: "issue", label: "Issue", format: (v) => ISSUES[v] || v }, ASSET, type(label), OWNER,
      { key: "detail", label: "Detail" },
    ],
  },
  coverage: {
    summary: [["cells", "Cells"], ["weak", "Weak cells"]],
    pivot: true,
    // The content is there whatever the dates; only the questions come from the period.
    notice(table) {
      if (table.rows.some((r) => r.questions)) return null;
      return `No buyer questions ${between(table)}${forThese(table)}: the cells count content only, and only a cell without a specific asset is weak. ${widen(table)}`;
    },
    none: () => "No stages or columns to show.",
    chart(table, label, by) {
      const stages = unique(table.rows.map((r) => r.stage));
      const columns = unique(table.rows.map((r) => r[by]));
      const tooltip = (row) => coverageText(row, by, label);
      return heatmap({ rows: table.rows, by, stages, columns, label, tooltip });
    },
    describe(table, label, by) {
      const weak = table.rows.filter((r) => r.weak);
      const names = weak.slice(0, 6).map((r) => `${label("stages", r.stage)} × ${label(`${by}s`, r[by])}`);
      const more = weak.length > names.length ? ` and ${weak.length - names.length} more` : "";
      return `Heat map of eligible assets by stage and ${by}: ${weak.length} of ${table.rows.length} cells are weak${names.length ? `, including ${names.join("; ")}${more}` : ""}. The table below gives every cell.`;
    },
    caption: "Eligible assets by stage (rows)",
  },
  demand: {
    summary: [["questions_asked", "Questions asked"], ["unanswered", "Unanswered"], ["themes", "Themes"]],
    limit: 0,
    empty: (table) => (table.summary.questions_asked ? null : nothing("buyer questions", table)),
    none: (table) => `Every buyer question ${between(table)} was answered.`,
    height: (rows) => 60 + 30 * rows.length,
    chart(table) {
      return bars({ labels: table.rows.map((r) => r.theme), values: table.rows.map((r) => r.questions), label: "Unanswered questions", horizontal: true, color: "#7a4a00", longest: 64 });
    },
    describe(table) {
      const top = table.rows.slice(0, 5).map((r) => `“${r.theme}” ${format.count(r.questions)}`);
      return `${plural(table.rows.length, "theme")} of unanswered questions, largest first: ${top.join(", ")}.`;
    },
    caption: "Themes, each named by its most typical question, with others asked",
    columns: (label) => [
      { key: "theme", label: "Theme" }, count("questions", "Questions"),
      { key: "mean_best_score", label: "Best match (mean)", numeric: true, format: format.score },
      { key: "examples", label: "Also asked", cell: (r) => alsoAsked(r) },
      { key: "stages", label: "Stages", cell: (r) => facetCounts(r.stages, label, "stages") },
      { key: "verticals", label: "Verticals", cell: (r) => facetCounts(r.verticals, label, "verticals") },
    ],
  },
  influence: {
    summary: [["closed_deals", "Closed deals"], ["won", "Won"], ["assets_shown", "Assets shown"]],
    limit: 0,
    empty: (table) => (table.summary.closed_deals ? null : nothing("closed deals", table)),
    none: (table) => `No asset was sent in enough of the ${plural(table.summary.closed_deals, "deal")} closed ${between(table)} to compare (see the note).`,
    height: (rows) => 100 + 34 * rows.length,
    chart: (table) => intervals({ rows: table.rows, verdict, names: VERDICTS }),
    describe(table) {
      const rows = table.rows.slice(0, 5).map((r) => `${r.title || r.asset_id}: ${format.points(r.difference)} (interval ${format.points(r.low)} to ${format.points(r.high)}, ${VERDICTS[verdict(r)].toLowerCase()})`);
      return `Difference in win rate where sent, with intervals, for ${plural(table.rows.length, "asset")}, surest gain first: ${rows.join("; ")}${table.rows.length > 5 ? "; …" : ""}. ${verdicts(table.rows)} Association, not cause.`;
    },
    caption: "Win rate where sent vs comparable deals, by the interval's lower end",
    rowClass: (row) => verdict(row),
    columns: () => [
      ASSET, { key: "verdict", label: "Reading", cell: badge },
      count("deals_sent", "Deals sent"), count("deals_compared", "Deals compared"),
      percent("win_rate_sent", "Win rate (sent)"), percent("win_rate_comparable", "Win rate (comparable)"),
      { key: "difference", label: "Difference", numeric: true, format: format.points },
      { key: "low", label: "Interval", numeric: true, cell: (r) => `${format.points(r.low).replace(" pts", "")} to ${format.points(r.high)}` },
    ],
  },
};

/** A theme's other questions (its name is one of them already). */
function alsoAsked(row) {
  const others = (row.examples || []).filter((q) => q !== row.theme);
  return others.length ? list(others) : "—";
}

function unique(values) {
  return [...new Set(values)];
}

function coverageText(row, by, label) {
  const parts = [
    `${label("stages", row.stage)} × ${label(`${by}s`, row[by])}`,
    `${plural(row.eligible_assets, "eligible asset")} (${format.count(row.specific_assets)} specific)`,
    row.questions ? `${plural(row.questions, "question")}, ${format.percent(row.answered_share)} answered` : "no questions asked",
  ];
  if (row.weak) parts.push("weak");
  return parts.join(" · ");
}

/** The coverage table: stages as rows, verticals (or personas) as columns, each cell with its
 * eligible and specific assets, questions and score, and "Weak" when it is. */
export function coverageTable(table, rows, by, label) {
  const stages = unique(rows.map((r) => r.stage));
  const columns = unique(rows.map((r) => r[by]));
  const cells = new Map(rows.map((r) => [`${r.stage}|${r[by]}`, r]));
  const head = document.createElement("tr");
  head.append(el("th", "Stage"), ...columns.map((c) => el("th", label(`${by}s`, c))));
  for (const th of head.children) th.scope = "col";
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...stages.map((stage) => {
    const tr = document.createElement("tr");
    const th = el("th", label("stages", stage));
    th.scope = "row";
    tr.append(th, ...columns.map((column) => coverageCell(cells.get(`${stage}|${column}`))));
    return tr;
  }));
  return stages.length;
}

function coverageCell(row) {
  const td = el("td", undefined, row && row.weak ? "weak" : "");
  if (!row) return td;
  td.append(el("span", `${format.count(row.eligible_assets)} eligible`, "cell-main"));
  td.append(el("span", `${format.count(row.specific_assets)} specific`, "cell-sub"));
  if (row.questions) td.append(el("span", `${plural(row.questions, "question")} · ${format.percent(row.answered_share)} answered`, "cell-sub"));
  if (row.weak) td.append(el("span", "Weak", "flag"));
  return td;
}
