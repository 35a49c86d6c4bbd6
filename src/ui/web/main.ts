// The page: graph, paths, series, heatmap, journeys, waterfall and live tail, refreshed every
// few seconds over the API. URL parameters: from/to (ms: a fixed window, no refresh), journeys
// (how many to load, default 2000, at most 10 000), path (the path id to chart).

import "./style.css";
import { type ApiIndex, type Heatmap, type Journey, type Paths, type Series, type Topology, type Window, api, el, nodeLabel } from "./api.js";
import { JourneyList, startTail } from "./journeys.js";
import { headRow } from "./table.js";

// The chart libraries are separate chunks, loaded after the first paint and evaluated in their
// own tasks; every drawing step below runs in a task of its own too (`step`), so that no single
// main-thread task grows long however much data the window holds.
const graphModule = import("./graph.js");
const chartsModule = import("./charts.js");
const waterfallModule = import("./waterfall.js");

/** Runs `fn` in a new task (after a yield to the browser), measured as `ioam:NAME`. */
async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  await new Promise((r) => setTimeout(r, 0));
  const t = performance.now();
  try {
    return await fn();
  } finally {
    performance.measure(`ioam:${name}`, { start: t, end: performance.now() });
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const url = new URLSearchParams(location.search);
const fixed: Window | undefined = url.has("from") && url.has("to") ? { from: Number(url.get("from")), to: Number(url.get("to")) } : undefined;
const journeyTarget = Math.min(10_000, Math.max(1, Number(url.get("journeys") ?? 2000) || 2000));
let names: Record<string, string> = {};
let jaeger: string | null = null;
let clockSkew = 0;
let selectedPath: number | undefined = url.has("path") ? Number(url.get("path")) : undefined;

function windowNow(): Window {
  if (fixed) return fixed;
  const to = Date.now() + clockSkew;
  return { from: to - Number(($("span") as HTMLSelectElement).value), to };
}

async function showJourney(j: Journey): Promise<void> {
  const { renderWaterfall } = await waterfallModule;
  $("waterfall-id").textContent = `${j.id} (${new Date(j.timeMs).toLocaleTimeString()})`;
  renderWaterfall($("waterfall-chart"), $<HTMLTableElement>("waterfall-fields"), $<HTMLAnchorElement>("jaeger-link"), j, names, jaeger);
}

function renderPaths(p: Paths): void {
  const rows: HTMLElement[] = [el("caption", {}, `${p.journeys} journeys in the window; choose a path to chart it`), headRow(["path", "share", "journeys", "hops p50 µs"])];
  for (const x of p.paths) {
    const tr = el("tr", { "data-path-id": x.id, "data-share": x.share, "data-journeys": x.journeys, "aria-selected": String(x.id === selectedPath), tabindex: 0 });
    const text = x.path.slice(x.path.indexOf("|") + 1).split(">").map((h) => nodeLabel(h, names)).join(" → ");
    const bar = el("span", { class: "share" });
    bar.style.width = `${Math.round(60 * x.share)}px`;
    const share = el("td");
    share.append(bar, `${(100 * x.share).toFixed(1)} %`);
    const lat = x.hops.slice(1).map((h) => (h.latencyNs ? (h.latencyNs.p50 / 1000).toFixed(1) : "–")).join(" / ");
    tr.append(el("td", { title: x.path }, text), share, el("td", {}, String(x.journeys)), el("td", {}, lat));
    const pick = () => {
      selectedPath = x.id;
      void refresh();
    };
    tr.onclick = pick;
    tr.onkeydown = (e) => void (e.key === "Enter" && pick());
    rows.push(tr);
  }
  $<HTMLTableElement>("paths").replaceChildren(...rows);
}

async function refreshCharts(w: Window): Promise<void> {
  if (selectedPath === undefined) return;
  const [s, h] = await Promise.all([api<Series>(`/paths/${selectedPath}/series`, { ...w }), api<Heatmap>(`/paths/${selectedPath}/heatmap`, { ...w })]);
  const charts = await chartsModule;
  $("series-path").textContent = `— path ${s.hops.map((x) => nodeLabel(x, names)).join(" → ")}`;
  await step("latency", () => charts.renderLatency($("latency-chart"), s, names));
  await step("queue", () => charts.renderQueue($("queue-chart"), s, names));
  await step("series-table", () => charts.renderSeriesTable($<HTMLTableElement>("series-figures"), s, names));
  await step("heatmap", () => charts.renderHeatmap($("heatmap-chart"), $<HTMLTableElement>("heatmap-figures"), h));
}

async function refresh(): Promise<void> {
  const w = windowNow();
  try {
    const [t, p] = await Promise.all([api<Topology>("/topology", { ...w }), api<Paths>("/paths", { ...w })]);
    if (selectedPath === undefined || !p.paths.some((x) => x.id === selectedPath)) selectedPath = p.paths[0]?.id;
    const { renderGraph } = await graphModule;
    await renderGraph($("graph"), $<HTMLTableElement>("graph-figures"), t, step);
    await step("paths", () => renderPaths(p));
    await refreshCharts(w);
    $("status").textContent = `${p.journeys} journeys in the window · ${p.paths.length} paths · updated ${new Date().toLocaleTimeString()}`;
    document.body.dataset.window = JSON.stringify(w);
    document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? 0) + 1);
  } catch (e) {
    $("status").textContent = `API: ${(e as Error).message}`;
  }
}

async function loadJourneys(list: JourneyList): Promise<void> {
  const count = $("journeys-count");
  try {
    const items = await list.load(windowNow(), journeyTarget, (n) => (count.textContent = `(${n})`));
    if (items[0] && !$("waterfall-chart").dataset.journeyId) await step("waterfall", () => showJourney(items[0]!));
  } catch (e) {
    count.textContent = `(API: ${(e as Error).message})`;
  }
}

async function start(): Promise<void> {
  const index = await api<ApiIndex>("");
  names = index.nodeNames;
  jaeger = index.jaegerUrl;
  clockSkew = index.now - Date.now();
  const list = new JourneyList($("journeys"), () => names, (j) => void showJourney(j));
  await refresh();
  await loadJourneys(list);
  document.body.dataset.ready = "1";
  if (fixed) return;
  startTail($<HTMLOListElement>("tail"), $("tail-state"), () => names, (j) => void showJourney(j));
  setInterval(() => void refresh(), 3000);
  $("span").addEventListener("change", () => void refresh().then(() => loadJourneys(list)));
}

void start().catch((e: unknown) => ($("status").textContent = `cannot start: ${(e as Error).message}`));
