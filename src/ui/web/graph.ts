// The domain graph (Cytoscape.js): one node per IOAM node id, one edge per link between
// consecutive hops, labelled with its p50 latency; the same figures as a table (data-*
// attributes), since a canvas says nothing to a screen reader or a test.

import cytoscape from "cytoscape";
import { type Topology, el, usText } from "./api.js";
import { headRow } from "./table.js";

let cy: cytoscape.Core | undefined;
let shape = "";

const STYLE: cytoscape.StylesheetJson = [
  { selector: "node", style: { label: "data(label)", "background-color": "#3b6fd8", color: "#fff", "text-valign": "center", "text-halign": "center", "font-size": 15, "font-weight": "bold", "text-wrap": "wrap", width: 52, height: 52 } },
  { selector: "edge", style: { label: "data(label)", "curve-style": "bezier", "control-point-step-size": 44, "target-arrow-shape": "triangle", width: "data(width)", "line-color": "data(color)", "target-arrow-color": "data(color)", "font-size": 13, "text-rotation": "autorotate", "text-margin-y": -10, "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": "1px" } },
];

/** Green → red by latency against the slowest link. */
function color(p50: number | undefined, worst: number): string {
  if (p50 === undefined || worst <= 0) return "#9aa4b8";
  const x = Math.min(1, p50 / worst);
  return `hsl(${Math.round(130 - 130 * x)}, 65%, 42%)`;
}

function elements(t: Topology): cytoscape.ElementDefinition[] {
  const worst = Math.max(0, ...t.links.map((l) => l.latencyNs?.p50 ?? 0));
  const most = Math.max(1, ...t.links.map((l) => l.journeys));
  const nodes = t.nodes.map((n) => ({ data: { id: `n${n.id}`, label: n.name ? `${n.name}\n${n.id}` : n.id } }));
  const edges = t.links.map((l) => ({
    data: { id: `l${l.id}`, source: `n${l.from}`, target: `n${l.to}`, label: l.latencyNs ? `${usText(l.latencyNs.p50)} µs` : "", width: 1.5 + 4 * (l.journeys / most), color: color(l.latencyNs?.p50, worst) },
  }));
  return [...nodes, ...edges];
}

/** Lays the graph out from the busiest path's first node, left to right. */
function layout(c: cytoscape.Core, t: Topology): void {
  const root = t.nodes.slice().sort((a, b) => b.journeys - a.journeys || a.id.localeCompare(b.id))[0];
  c.layout({ name: "breadthfirst", directed: false, roots: root ? [`n${root.id}`] : [], spacingFactor: 1, padding: 20, transform: (_n: unknown, p: cytoscape.Position) => ({ x: 1.8 * p.y, y: p.x }) } as cytoscape.LayoutOptions).run();
  c.fit(undefined, 24);
  if (c.zoom() > 1.5) c.zoom(1.5), c.center();
}

/** The graph's core, headless (no renderer yet): a task of its own. */
function graphCore(): cytoscape.Core {
  return (cy ??= cytoscape({ headless: true, style: STYLE, elements: [], userZoomingEnabled: false, autoungrabify: true, pixelRatio: 1 }));
}

/**
 * The core with its canvas renderer: mounting (renderer and style) is most of what creating a
 * drawn graph costs, so it runs in a task apart from the core's creation (the 200 ms budget).
 */
function graphIn(container: HTMLElement): cytoscape.Core {
  const c = graphCore();
  if (c.container() !== container) c.mount(container);
  return c;
}

/** Draws (or updates) the graph and its table; each part in its own task. */
export async function renderGraph(container: HTMLElement, table: HTMLTableElement, t: Topology, step: (name: string, fn: () => void) => Promise<void>): Promise<void> {
  const els = elements(t);
  const nextShape = els.map((e) => e.data.id).sort().join(",");
  await step("graph-core", () => void graphCore());
  await step("graph-mount", () => void graphIn(container));
  await step("graph-elements", () => {
    const c = graphIn(container);
    if (nextShape !== shape) c.json({ elements: els });
    else for (const e of els) c.getElementById(e.data.id!).data(e.data);
  });
  if (nextShape !== shape) await step("graph-layout", () => layout(graphIn(container), t));
  shape = nextShape;
  container.dataset.nodes = String(t.nodes.length);
  container.dataset.links = String(t.links.length);
  await step("graph-table", () => renderGraphTable(table, t));
}

function renderGraphTable(table: HTMLTableElement, t: Topology): void {
  const rows: HTMLElement[] = [el("caption", {}, "Nodes and links of the window"), headRow(["item", "name", "journeys", "p50 µs", "p99 µs"])];
  for (const n of t.nodes) {
    const tr = el("tr", { "data-node-id": n.id, "data-node-name": n.name ?? "", "data-journeys": n.journeys });
    tr.append(el("td", {}, `node ${n.id}`), el("td", {}, n.name ?? ""), el("td", {}, String(n.journeys)), el("td", {}, ""), el("td", {}, ""));
    rows.push(tr);
  }
  for (const l of t.links) {
    const tr = el("tr", { "data-link-id": l.id, "data-from": l.from, "data-to": l.to, "data-journeys": l.journeys, "data-latency-p50-ns": l.latencyNs?.p50 ?? "", "data-latency-p99-ns": l.latencyNs?.p99 ?? "" });
    tr.append(el("td", {}, `link ${l.from} → ${l.to}`), el("td", {}, `if ${l.egressIf ?? "?"} → ${l.ingressIf ?? "?"}`), el("td", {}, String(l.journeys)), el("td", {}, usText(l.latencyNs?.p50)), el("td", {}, usText(l.latencyNs?.p99)));
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}
