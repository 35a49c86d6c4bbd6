// Paths with their share and the domain's topology in a window (docs/api.md, "/paths",
// "/topology"). Counts and shares come from the store's "paths in a window" query (every
// journey); per-hop and per-link distributions from the newest `sample` journeys of the window,
// through the same Analytics and DDSketch as `ioam analyze`, so a path's `hops` have the shape
// of `ioam analyze --json`'s.

import { Analytics } from "../../collector/analytics.js";
import { type HopReport, distribution, hopReport } from "../../collector/analyze.js";
import { queueDepthOf, timeDiffNs } from "../../collector/hops.js";
import { Sketch } from "../../collector/sketch.js";
import type { JourneyRow, PathRow } from "../../collector/store/store.js";
import { type ApiContext, type Window, journeyOf } from "./context.js";

/** A hop of a path key: node id and interface ids ("2:21/22" → 2, 21, 22). */
export interface KeyHop {
  node: string;
  ingressIf?: string;
  egressIf?: string;
}

/** The hops of a path key as text ("123|1:11/12>2:21/22" → ["1:11/12", "2:21/22"]). */
export function keyHopTexts(key: string): string[] {
  const body = key.slice(key.indexOf("|") + 1);
  return body === "" ? [] : body.split(">");
}

/** The hops of a path key ("123|1:11/12>2:21/22"), in traversal order. */
export function keyHops(key: string): KeyHop[] {
  return keyHopTexts(key).map((h) => {
    const [node, ifs] = h.split(":");
    if (ifs === undefined) return { node: node! };
    const [i, e] = ifs.split("/");
    return { node: node!, ...(i ? { ingressIf: i } : {}), ...(e ? { egressIf: e } : {}) };
  });
}

/** A window's paths, the sampled journeys and their analytics: what /paths and /topology share. */
export interface WindowSummary {
  window: Window;
  paths: PathRow[];
  journeys: number;
  sample: JourneyRow[];
  analytics: Analytics;
}

/** Reads the window's paths and newest `sample` journeys. */
export async function windowSummary(ctx: ApiContext, window: Window, sample: number): Promise<WindowSummary> {
  const [paths, rows] = await Promise.all([ctx.store.paths({ ...window, limit: 1000 }), sample > 0 ? ctx.store.journeys({ ...window, limit: sample }) : Promise.resolve([])]);
  const analytics = new Analytics({ tsFormats: new Map(paths.map((p) => [p.namespaceId, ctx.tsFormat(p.namespaceId)])) });
  for (const r of rows) analytics.add(journeyOf(r));
  return { window, paths, journeys: paths.reduce((n, p) => n + p.journeys, 0), sample: rows, analytics };
}

function hopReports(s: WindowSummary, p: PathRow): HopReport[] {
  const stats = s.analytics.paths.get(p.key);
  return keyHopTexts(p.key).map((text, i) => {
    const st = stats?.hops[i];
    return st ? hopReport(text, st) : { node: text };
  });
}

/** GET /api/v1/paths. */
export function pathsJson(s: WindowSummary, limit: number): string {
  const paths = s.paths.slice(0, limit).map((p) => ({
    id: p.id, path: p.key, namespaceId: p.namespaceId, nodes: p.nodes, journeys: p.journeys, share: s.journeys ? p.journeys / s.journeys : 0,
    firstMs: p.firstMs, lastMs: p.lastMs, sampled: s.analytics.paths.get(p.key)?.journeys ?? 0, hops: hopReports(s, p),
  }));
  return JSON.stringify({ v: 1, window: s.window, journeys: s.journeys, sample: { journeys: s.sample.length }, paths });
}

interface LinkAcc {
  id: string;
  from: string;
  to: string;
  egressIf?: string;
  ingressIf?: string;
  journeys: number;
  paths: number[];
  latency: Sketch;
}

const linkId = (a: KeyHop, b: KeyHop) => `${a.node}:${a.egressIf ?? ""}>${b.node}:${b.ingressIf ?? ""}`;

function addLinks(links: Map<string, LinkAcc>, p: PathRow): void {
  const hops = keyHops(p.key);
  for (let i = 1; i < hops.length; i++) {
    const a = hops[i - 1]!;
    const b = hops[i]!;
    const id = linkId(a, b);
    let l = links.get(id);
    if (!l) links.set(id, (l = { id, from: a.node, to: b.node, ...(a.egressIf ? { egressIf: a.egressIf } : {}), ...(b.ingressIf ? { ingressIf: b.ingressIf } : {}), journeys: 0, paths: [], latency: new Sketch() }));
    l.journeys += p.journeys;
    l.paths.push(p.id);
  }
}

/** Samples each link's latency and each node's queue depth from the sampled journeys. */
function sampleLinks(ctx: ApiContext, s: WindowSummary, links: Map<string, LinkAcc>, queues: Map<string, Sketch>): void {
  for (const r of s.sample) {
    const hops = keyHops(r.pathKey);
    const fmt = ctx.tsFormat(r.namespaceId);
    for (let i = 0; i < r.hops.length && i < hops.length; i++) {
      const q = queueDepthOf(r.hops[i]!);
      if (q !== undefined) {
        const node = hops[i]!.node;
        if (!queues.has(node)) queues.set(node, new Sketch());
        queues.get(node)!.add(q);
      }
      if (i === 0) continue;
      const d = timeDiffNs(r.hops[i - 1]!, r.hops[i]!, fmt);
      if (d !== undefined) links.get(linkId(hops[i - 1]!, hops[i]!))?.latency.add(d);
    }
  }
}

/** GET /api/v1/topology: nodes (with names, interfaces, journeys through them) and links between consecutive hops. */
export function topologyJson(ctx: ApiContext, s: WindowSummary): string {
  const links = new Map<string, LinkAcc>();
  const nodes = new Map<string, { id: string; name?: string; interfaces: Set<string>; journeys: number; paths: number[] }>();
  for (const p of s.paths) {
    addLinks(links, p);
    for (const h of keyHops(p.key)) {
      let n = nodes.get(h.node);
      if (!n) nodes.set(h.node, (n = { id: h.node, ...(ctx.nodeNames.has(h.node) ? { name: ctx.nodeNames.get(h.node)! } : {}), interfaces: new Set(), journeys: 0, paths: [] }));
      for (const i of [h.ingressIf, h.egressIf]) if (i) n.interfaces.add(i);
      n.journeys += p.journeys;
      if (!n.paths.includes(p.id)) n.paths.push(p.id);
    }
  }
  const queues = new Map<string, Sketch>();
  sampleLinks(ctx, s, links, queues);
  const nodeList = [...nodes.values()].map((n) => {
    const q = queues.get(n.id);
    const qd = q ? distribution(q) : undefined;
    return { id: n.id, ...(n.name ? { name: n.name } : {}), interfaces: [...n.interfaces], journeys: n.journeys, paths: n.paths, ...(qd ? { queueDepth: qd } : {}) };
  });
  const linkList = [...links.values()].map(({ latency, ...l }) => {
    const d = distribution(latency);
    return { ...l, ...(d ? { latencyNs: d } : {}) };
  });
  return JSON.stringify({ v: 1, window: s.window, journeys: s.journeys, sample: { journeys: s.sample.length }, nodes: nodeList, links: linkList });
}
