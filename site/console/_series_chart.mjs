// @ts-check
// One destination's counters over time (GET /admin/stats/series) as a small SVG line chart, drawn
// here without a library: a line per counter that moved in the window, a dot where it did (its
// <title> says how many, when), the window's totals in the legend and the figure's label.
import { clock, el, svgEl } from "./_elements.mjs";

export const COUNTER_COLORS = {
  sent: "#1f7a45", retried: "#b57a00", failed: "#c0392b", deadLettered: "#7d1d12",
  deduplicated: "#6b7280", busy: "#7b3fe4", deferred: "#3558c8", dropped: "#111827",
};
// In the units of the page at 1280 px (three charts a row), so the labels read at their size.
const WIDTH = 360;
const HEIGHT = 140;
const PAD = { left: 30, right: 8, top: 10, bottom: 20 };

const sum = (values) => values.reduce((a, b) => a + b, 0);

// destination: its name; series: {counter: [n per bucket]}; window: {start, stepMs, bins (buckets a
// point), label ("last 60 minutes")}. → <figure data-destination>
export function seriesChart(destination, series, { start, stepMs, bins, label }) {
  const names = Object.keys(series);
  const buckets = series[names[0]]?.length ?? 0;
  const points = Math.max(1, Math.ceil(buckets / bins));
  const binned = Object.fromEntries(names.map((name) => [name, Array.from({ length: points }, (_, i) => sum(series[name].slice(i * bins, (i + 1) * bins)))]));
  const totals = Object.fromEntries(names.map((name) => [name, sum(series[name])]));
  const shown = names.filter((name) => totals[name] > 0);
  const max = Math.max(1, ...shown.flatMap((name) => binned[name]));
  const x = (i) => PAD.left + (points <= 1 ? (WIDTH - PAD.left - PAD.right) / 2 : (i * (WIDTH - PAD.left - PAD.right)) / (points - 1));
  const y = (v) => HEIGHT - PAD.bottom - (v * (HEIGHT - PAD.top - PAD.bottom)) / max;
  const pointStart = (i) => start + i * bins * stepMs;
  const summary = shown.length ? shown.map((name) => `${name} ${totals[name]}`).join(", ") : "nothing counted";
  const titleId = `chart-${destination.replace(/[^\w-]/g, "_")}-title`;

  // Drawn last to first, so `sent` is on top where lines meet.
  const lines = [...shown].reverse().map((name) => {
    const color = COUNTER_COLORS[name] ?? "#444";
    const values = binned[name];
    return svgEl("g", { class: "series", "data-counter": name, "data-total": totals[name], stroke: color, fill: color },
      svgEl("polyline", { fill: "none", "stroke-width": 1.6, points: values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ") }),
      values.map((v, i) => (v > 0
        ? svgEl("circle", { cx: x(i).toFixed(1), cy: y(v).toFixed(1), r: 2.6, "data-value": v },
            svgEl("title", {}, `${name}: ${v}, ${clock(pointStart(i))}–${clock(pointStart(i + 1))}`))
        : null)));
  });
  const chart = svgEl("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-labelledby": titleId, class: "chart-svg" },
    svgEl("title", { id: titleId }, `${destination}, ${label}: ${summary}`),
    svgEl("line", { class: "axis", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(0), y2: y(0) }),
    svgEl("line", { class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(max), y2: y(max) }),
    svgEl("text", { class: "tick", x: PAD.left - 6, y: y(0) + 4, "text-anchor": "end" }, "0"),
    svgEl("text", { class: "tick", x: PAD.left - 6, y: y(max) + 4, "text-anchor": "end" }, String(max)),
    svgEl("text", { class: "tick", x: PAD.left, y: HEIGHT - 6, "text-anchor": "start" }, clock(start)),
    svgEl("text", { class: "tick", x: WIDTH - PAD.right, y: HEIGHT - 6, "text-anchor": "end" }, "now"),
    lines);
  const legend = shown.length
    ? el("ul", { class: "legend" }, shown.map((name) => el("li", {}, el("span", { class: "swatch", style: `background:${COUNTER_COLORS[name] ?? "#444"}` }), `${name} `, el("strong", {}, String(totals[name])))))
    : el("p", { class: "legend quiet" }, `Nothing counted in the ${label}.`);
  return el("figure", { class: "chart", "data-destination": destination },
    el("figcaption", {}, el("h3", {}, destination), el("span", { class: "per" }, bins > 1 ? `per ${(bins * stepMs) / 60_000} minutes` : "per minute")),
    chart, legend);
}
