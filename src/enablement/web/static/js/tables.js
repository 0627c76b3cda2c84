// Tables and figures for the dashboard: formatting values and filling a <table> from rows.

const numbers = new Intl.NumberFormat("en");

export const format = {
  count: (value) => (value === null || value === undefined ? "—" : numbers.format(value)),
  /** A rate in [0, 1] as a percentage; null (nothing to divide by) as a dash. */
  percent: (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`),
  /** A difference of rates as signed percentage points. */
  points: (value) => {
    if (value === null || value === undefined) return "—";
    const points = value * 100;
    return `${points > 0 ? "+" : points < 0 ? "−" : ""}${Math.abs(points).toFixed(1)} pts`;
  },
  score: (value) => (value === null || value === undefined ? "—" : value.toFixed(2)),
  text: (value) => (value === null || value === undefined || value === "" ? "—" : String(value)),
};

/** The ids of a {label: count} mapping as "Label (count), …", labelled by `label`. */
export function countsText(counts, label) {
  return Object.entries(counts || {}).map(([id, n]) => `${label(id)} (${n})`).join(", ") || "—";
}

/** A table cell's content: text, or a node built by the column's `cell(row)`. */
function cellContent(column, row) {
  if (column.cell) return column.cell(row);
  const formatter = column.format || format.text;
  return formatter(row[column.key]);
}

/** Fill `table` with `columns` ({key, label, numeric, format, cell}) and the first `limit`
 * rows (all when limit is 0); `rowClass(row)` may name a class for a row. */
export function fillTable(table, { caption, columns, rows, limit = 0, rowClass }) {
  table.caption.textContent = caption;
  const head = document.createElement("tr");
  for (const column of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column.label;
    if (column.numeric) th.className = "num";
    head.append(th);
  }
  table.tHead.replaceChildren(head);
  const shown = limit ? rows.slice(0, limit) : rows;
  table.tBodies[0].replaceChildren(...shown.map((row) => {
    const tr = document.createElement("tr");
    if (rowClass && rowClass(row)) tr.className = rowClass(row);
    columns.forEach((column, index) => {
      const cell = document.createElement(index === 0 && column.header !== false ? "th" : "td");
      if (cell.tagName === "TH") cell.scope = "row";
      if (column.numeric) cell.className = "num";
      const content = cellContent(column, row);
      if (content instanceof Node) cell.append(content);
      else cell.textContent = content;
      tr.append(cell);
    });
    return tr;
  }));
  return shown.length;
}

/** A small element with text and an optional class, for table cells. */
export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** An asset's cell: its title (its id when it has none), its id beneath. */
export function assetCell(row) {
  const cell = el("span", row.title || row.asset_id, "asset");
  cell.append(el("span", row.asset_id, "asset-id"));
  return cell;
}

/** The list of `items` as a <ul>, for cells holding several values. */
export function list(items) {
  const ul = el("ul", undefined, "cell-list");
  ul.append(...items.map((item) => el("li", item)));
  return ul;
}
