// The dashboard's charts, drawn by Chart.js (and its matrix controller for the heat map), both
// served by enablement from static/vendor/ and loaded as globals before the modules run.

const INK = "#1b1f24";
const MUTED = "#4b5663";
const GRID = "#d3d9e0";
const ACCENT = "#0a55c7";
const BAD = "#c0262f";
const GOOD = "#1b6a34";
const LIGHT = [232, 240, 252]; // the heat map's palest cell
const DARK = [10, 61, 145]; // and its darkest

export function chartsAvailable() {
  return typeof window.Chart === "function";
}

/** Defaults that suit the page: its font and ink, no animation (nothing moves on a reload). */
export function setUpCharts() {
  const { Chart } = window;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = INK;
  Chart.defaults.borderColor = GRID;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

/** Draw `config` on `canvas`, replacing the chart it held. */
export function draw(canvas, config) {
  const previous = window.Chart.getChart(canvas);
  if (previous) previous.destroy();
  return new window.Chart(canvas, config);
}

export function shorten(text, max = 36) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A bar chart of one series; `horizontal` puts the labels on the side (long names), cut at
 * `longest` characters (the tooltip gives them whole). */
export function bars({ labels, values, label, horizontal = false, color = ACCENT, longest = 40 }) {
  const value = horizontal ? "x" : "y";
  const category = horizontal ? "y" : "x";
  return {
    type: "bar",
    data: { labels, datasets: [{ label, data: values, backgroundColor: color, maxBarThickness: 48 }] },
    options: {
      indexAxis: horizontal ? "y" : "x",
      plugins: { legend: { display: false } },
      scales: {
        [value]: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: label, color: MUTED } },
        [category]: { grid: { display: false }, ticks: { callback(tick) { return shorten(this.getLabelForValue(tick), longest); } } },
      },
    },
  };
}

function shade(t) {
  const mix = LIGHT.map((light, i) => Math.round(light + (DARK[i] - light) * t));
  return `rgb(${mix.join(",")})`;
}

/** Writes each heat-map cell's count, and "weak" under it, so the chart reads without colour. */
const cellLabels = {
  id: "cellLabels",
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const elements = chart.getDatasetMeta(0).data;
    const points = chart.data.datasets[0].data;
    ctx.save();
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    elements.forEach((element, index) => {
      const point = points[index];
      const { x, y } = element.getCenterPoint();
      ctx.fillStyle = point.t > 0.55 ? "#fff" : INK;
      ctx.font = `600 13px ${window.Chart.defaults.font.family}`;
      ctx.fillText(String(point.v), x, point.row.weak ? y - 7 : y);
      if (point.row.weak) {
        ctx.font = `11px ${window.Chart.defaults.font.family}`;
        ctx.fillText("weak", x, y + 8);
      }
    });
    ctx.restore();
  },
};

/** The stage × column heat map: shade by eligible assets, weak cells outlined and marked. */
export function heatmap({ rows, by, stages, columns, label, tooltip }) {
  const max = Math.max(1, ...rows.map((r) => r.eligible_assets));
  const data = rows.map((row) => ({
    x: row[by], y: row.stage, v: row.eligible_assets, t: row.eligible_assets / max, row,
  }));
  const axis = (ids, facet) => ({
    type: "category", labels: ids, offset: true, grid: { display: false },
    // `value` is the category's index in `ids` (the tick's own index may run the other way).
    ticks: { callback: (value) => shorten(label(facet, ids[value]), 18) },
  });
  return {
    type: "matrix",
    data: {
      datasets: [{
        label: "Eligible assets",
        data,
        backgroundColor: (c) => shade(c.raw ? c.raw.t : 0),
        borderColor: (c) => (c.raw && c.raw.row.weak ? BAD : "rgba(27,31,36,0.12)"),
        borderWidth: (c) => (c.raw && c.raw.row.weak ? 3 : 1),
        width: ({ chart }) => (chart.chartArea || {}).width / columns.length - 4,
        height: ({ chart }) => (chart.chartArea || {}).height / stages.length - 4,
      }],
    },
    options: {
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: () => "", label: (c) => tooltip(c.raw.row) } },
      },
      // The pipeline reads downwards, as in the table: the first stage at the top (the matrix
      // chart's own default runs the other way).
      scales: { x: { ...axis(columns, `${by}s`), position: "top" }, y: { ...axis(stages, "stages"), reverse: false } },
    },
    plugins: [cellLabels],
  };
}

/** A line at 0 on the value axis, drawn under the bars. */
const zeroLine = {
  id: "zeroLine",
  beforeDatasetsDraw(chart) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x.getPixelForValue(0);
    if (x < chartArea.left || x > chartArea.right) return;
    ctx.save();
    ctx.strokeStyle = INK;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, chartArea.top);
    ctx.lineTo(x, chartArea.bottom);
    ctx.stroke();
    ctx.restore();
  },
};

const points = (v) => `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v * 100).toFixed(0)} pts`;

/** The interval bars by what they read: [verdict, legend text, fill, border]. */
const KINDS = [
  ["helps", "interval above 0", "rgba(27,106,52,0.45)", GOOD],
  ["hurts", "interval below 0", "rgba(192,38,47,0.4)", BAD],
  ["unclear", "interval includes 0", "rgba(10,85,199,0.16)", ACCENT],
];

/** Each asset's difference in win rate: its interval as a floating bar [low, high], coloured by
 * `verdict(row)` (helps, hurts or unclear, named in `names`) with one legend entry for each
 * present, the estimate as a point, and a line at zero. */
export function intervals({ rows, verdict, names }) {
  // Whole tenths of a win rate (10 points) at each end, and 0 always in view.
  const low = Math.floor(Math.min(-0.1, ...rows.map((r) => r.low)) * 10) / 10;
  const high = Math.ceil(Math.max(0.1, ...rows.map((r) => r.high)) * 10) / 10;
  const kinds = rows.map(verdict);
  const bars = KINDS.filter(([kind]) => kinds.includes(kind)).map(([kind, why, fill, border]) => ({
    type: "bar", label: `${names[kind]} (${why})`, verdict: names[kind],
    data: rows.map((r, i) => (kinds[i] === kind ? [r.low, r.high] : null)),
    backgroundColor: fill, borderColor: border, borderWidth: kind === "unclear" ? 1 : 2,
    borderSkipped: false, barPercentage: 0.55, grouped: false,
  }));
  return {
    type: "bar",
    data: {
      labels: rows.map((r) => shorten(r.title || r.asset_id, 40)),
      datasets: [
        ...bars,
        {
          type: "line", label: "Difference in win rate", data: rows.map((r) => r.difference),
          showLine: false, pointStyle: "rectRot", pointRadius: 6, pointHoverRadius: 7,
          backgroundColor: INK, borderColor: INK,
        },
      ],
    },
    options: {
      indexAxis: "y",
      plugins: {
        legend: { position: "bottom", labels: { color: INK, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (c) => (Array.isArray(c.raw)
              ? `${c.dataset.verdict}: interval ${points(c.raw[0])} to ${points(c.raw[1])}`
              : `Difference: ${points(c.raw)}`),
          },
        },
      },
      scales: {
        x: {
          min: low, max: high,
          ticks: { stepSize: 0.1, callback: (value) => points(value) },
          title: { display: true, text: "Win rate where sent minus comparable deals", color: MUTED },
        },
        y: { grid: { display: false } },
      },
    },
    plugins: [zeroLine],
  };
}

/** A line at 50% on the value axis: no preference between the two rankings. */
const halfLine = {
  id: "halfLine",
  afterDatasetsDraw(chart) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x.getPixelForValue(0.5);
    ctx.save();
    ctx.strokeStyle = INK;
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(x, chartArea.top);
    ctx.lineTo(x, chartArea.bottom);
    ctx.stroke();
    ctx.restore();
  },
};

const percent = (v) => `${Math.round(v * 100)}%`;

/** An interleave's treatment win share: its 95% interval as a floating bar [low, high], the share
 * as a point, and a dashed line at 50%. */
export function shareInterval({ share, low, high }) {
  const clear = low > 0.5 ? [GOOD, "rgba(27,106,52,0.45)"] : high < 0.5 ? [BAD, "rgba(192,38,47,0.4)"] : [ACCENT, "rgba(10,85,199,0.16)"];
  return {
    type: "bar",
    data: {
      labels: ["Treatment"],
      datasets: [
        {
          type: "bar", label: "95% interval", data: [[low, high]], backgroundColor: clear[1],
          borderColor: clear[0], borderWidth: 2, borderSkipped: false, barPercentage: 0.5,
        },
        {
          type: "line", label: "Win share", data: [share], showLine: false, pointStyle: "rectRot",
          pointRadius: 7, backgroundColor: INK, borderColor: INK,
        },
      ],
    },
    options: {
      indexAxis: "y",
      plugins: {
        legend: { position: "bottom", labels: { color: INK, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (c) => (Array.isArray(c.raw) ? `95% interval: ${percent(c.raw[0])} to ${percent(c.raw[1])}` : `Win share: ${percent(c.raw)}`),
          },
        },
      },
      scales: {
        x: {
          min: 0, max: 1, ticks: { stepSize: 0.1, callback: (value) => percent(value) },
          title: { display: true, text: "Treatment's share of the deals not tied (50%: no preference)", color: MUTED },
        },
        y: { grid: { display: false } },
      },
    },
    plugins: [halfLine],
  };
}
