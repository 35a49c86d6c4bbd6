// Per-hop latency and queue-depth series and the latency heatmap (ECharts, canvas), each with
// its figures also in a table (data-* attributes) for screen readers and tests.

import * as echarts from "echarts/core";
import { BarChart, HeatmapChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import { type Heatmap, type Series, el, nodeLabel, usText } from "./api.js";
import { headRow } from "./table.js";

echarts.use([LineChart, HeatmapChart, BarChart, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

const charts = new Map<HTMLElement, echarts.ECharts>();

/** The chart in `box` (made once; animation off: a live view redraws every few seconds). */
export function chartIn(box: HTMLElement): echarts.ECharts {
  let c = charts.get(box);
  if (!c) charts.set(box, (c = echarts.init(box, undefined, { renderer: "canvas" })));
  return c;
}

window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

const GRID = { left: 56, right: 16, top: 28, bottom: 24 };

function lineOption(title: string, unit: string, series: Array<{ name: string; data: Array<[number, number]> }>): echarts.EChartsCoreOption {
  return {
    animation: false,
    grid: GRID,
    legend: { top: 0, textStyle: { fontSize: 11 } },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time", axisLabel: { fontSize: 10, hideOverlap: true, formatter: "{HH}:{mm}:{ss}" } },
    yAxis: { type: "value", name: unit, nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 } },
    series: series.map((s) => ({ type: "line", name: s.name, data: s.data, showSymbol: false, sampling: "lttb" })),
    aria: { enabled: true, label: { description: title } },
  };
}

const hopName = (s: Series, h: number, names: Record<string, string>) => `hop ${h} ${nodeLabel(s.hops[h] ?? String(h), names)}`;

/** One line per hop of `pick`'s values over time. */
function perHop(s: Series, pick: (r: Series["rows"][number]) => number | undefined): Map<number, Array<[number, number]>> {
  const out = new Map<number, Array<[number, number]>>();
  for (const r of s.rows) {
    const v = pick(r);
    if (v !== undefined) (out.get(r.hop) ?? out.set(r.hop, []).get(r.hop)!).push([r.bucketMs, v]);
  }
  return out;
}

/** Latency p50 per hop (from hop 1), µs. */
export function renderLatency(box: HTMLElement, s: Series, names: Record<string, string>): void {
  const lat = perHop(s, (r) => (r.latency && r.hop > 0 ? r.latency.p50 / 1000 : undefined));
  chartIn(box).setOption(lineOption("per-hop latency p50 (µs)", "µs", [...lat].map(([h, data]) => ({ name: hopName(s, h, names), data }))), { notMerge: true, lazyUpdate: true });
  box.dataset.points = String([...lat.values()].reduce((n, d) => n + d.length, 0));
}

/** Queue depth p50 per hop. */
export function renderQueue(box: HTMLElement, s: Series, names: Record<string, string>): void {
  const queue = perHop(s, (r) => r.queueDepth?.p50);
  chartIn(box).setOption(lineOption("per-hop queue depth p50", "queue", [...queue].map(([h, data]) => ({ name: hopName(s, h, names), data }))), { notMerge: true, lazyUpdate: true });
  box.dataset.points = String([...queue.values()].reduce((n, d) => n + d.length, 0));
}

/** Both series' figures as a table. */
export function renderSeriesTable(table: HTMLTableElement, s: Series, names: Record<string, string>): void {
  const rows: HTMLElement[] = [el("caption", {}, `Path ${s.pathId}, ${s.stepMs / 1000} s buckets`), headRow(["time", "hop", "count", "latency p50 µs", "p99 µs", "queue p50", "queue max"])];
  for (const r of s.rows) {
    const tr = el("tr", { "data-bucket-ms": r.bucketMs, "data-hop": r.hop, "data-count": r.count, "data-latency-p50-ns": r.latency?.p50 ?? "", "data-queue-p50": r.queueDepth?.p50 ?? "" });
    tr.append(el("td", {}, new Date(r.bucketMs).toLocaleTimeString()), el("td", {}, hopName(s, r.hop, names)), el("td", {}, String(r.count)), el("td", {}, usText(r.latency?.p50)), el("td", {}, usText(r.latency?.p99)), el("td", {}, r.queueDepth ? String(Math.round(r.queueDepth.p50)) : "–"), el("td", {}, r.queueDepth ? String(r.queueDepth.max) : "–"));
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}

/** Counts per (time bucket, latency bin) of the whole path. */
export function renderHeatmap(box: HTMLElement, table: HTMLTableElement, h: Heatmap): void {
  const times = [...new Set(h.cells.map((c) => c[0]))].sort((a, b) => a - b);
  const bins = h.cells.length ? [Math.min(...h.cells.map((c) => c[1])), Math.max(...h.cells.map((c) => c[1]))] : [0, 0];
  const binLabels: string[] = [];
  for (let b = bins[0]!; b <= bins[1]!; b++) binLabels.push(`≥${usText(h.binsNs[b])} µs`);
  const ti = new Map(times.map((t, i) => [t, i]));
  const data = h.cells.map(([t, b, n]) => [ti.get(t)!, b - bins[0]!, n]);
  const max = Math.max(1, ...h.cells.map((c) => c[2]));
  chartIn(box).setOption({
    animation: false,
    grid: { ...GRID, bottom: 40, right: 60 },
    tooltip: { position: "top" },
    xAxis: { type: "category", data: times.map((t) => new Date(t).toLocaleTimeString()), axisLabel: { fontSize: 10 } },
    yAxis: { type: "category", data: binLabels, axisLabel: { fontSize: 10 } },
    visualMap: { min: 0, max, calculable: false, orient: "vertical", right: 0, top: 20, itemHeight: 120, textStyle: { fontSize: 10 }, inRange: { color: ["#f4f6fa", "#7aa5f0", "#1d3f91", "#d8453b"] } },
    series: [{ type: "heatmap", name: "journeys", data }],
    aria: { enabled: true, label: { description: "latency heatmap: journeys per time bucket and latency bin" } },
  }, { notMerge: true, lazyUpdate: true });
  box.dataset.cells = String(h.cells.length);
  const rows: HTMLElement[] = [el("caption", {}, `Path ${h.pathId}: journeys per ${h.stepMs / 1000} s and latency bin (first to last node)`), headRow(["time", "latency from µs", "journeys"])];
  for (const [t, b, n] of h.cells) {
    const tr = el("tr", { "data-bucket-ms": t, "data-bin-from-ns": h.binsNs[b] ?? "", "data-count": n });
    tr.append(el("td", {}, new Date(t).toLocaleTimeString()), el("td", {}, usText(h.binsNs[b])), el("td", {}, String(n)));
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}
