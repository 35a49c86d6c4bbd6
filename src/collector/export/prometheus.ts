// Prometheus /metrics (text exposition format 0.0.4) from the collector's analytics: per-hop and
// per-path latency histograms whose `le` bounds are DDSketch bucket bounds (so every bucket count
// is exact for the sketch, the same one the store and `ioam analyze` use), queue depth, journeys,
// loss, flags and the collector's own health. Label cardinality is bounded: the first `maxPaths`
// paths get their own series; later ones are folded into path="other" (the cap is exported).

import { createServer, type Server } from "node:http";
import type { Analytics, PathStats } from "../analytics.js";
import type { CollectorHealth } from "../service.js";
import { Sketch, bucketOf, bucketUpper } from "../sketch.js";
import type { StoreStats } from "../store/store.js";
import type { Exporter, ExporterStats } from "./exporter.js";

/** Sketch buckets used as `le` bounds: about ×2 apart from 1 µs to 17 s (values in ns). */
export const LATENCY_BOUNDS: readonly number[] = (() => {
  const out: number[] = [];
  for (let i = bucketOf(1000); bucketUpper(i) < 2e10; i += 35) out.push(i);
  return out;
})();
/** Queue-depth bounds: sketch buckets about ×4 apart from 1 to ~16M. */
const QUEUE_BOUNDS: readonly number[] = (() => {
  const out: number[] = [];
  for (let i = bucketOf(1.5); bucketUpper(i) < 2e7; i += 70) out.push(i);
  return out;
})();

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string | number>) => "{" + Object.entries(l).map(([k, v]) => `${k}="${esc(String(v))}"`).join(",") + "}";
const fmt = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : "NaN");

function histogram(out: string[], name: string, l: Record<string, string | number>, s: Sketch, bounds: readonly number[], scale: number): void {
  for (const i of bounds) out.push(`${name}_bucket${labels({ ...l, le: fmt(bucketUpper(i) * scale) })} ${s.countAtMost(i)}`);
  out.push(`${name}_bucket${labels({ ...l, le: "+Inf" })} ${s.count}`, `${name}_sum${labels(l)} ${fmt(s.sum * scale)}`, `${name}_count${labels(l)} ${s.count}`);
}

/** Health the collector shows beside the analytics. */
export interface MetricsInputs {
  analytics: Analytics;
  health: CollectorHealth;
  store?: StoreStats;
  sources?: ReadonlyArray<{ name: string; records: number; problems: number }>;
  exporters?: ReadonlyArray<{ name: string } & ExporterStats>;
  journeysPerSecond?: number;
}

/** Renders /metrics with at most `maxPaths` path labels. */
export class MetricsRenderer {
  private readonly slots = new Map<string, string>();

  constructor(private readonly maxPaths: number) {}

  private label(key: string): string {
    let l = this.slots.get(key);
    if (l === undefined) this.slots.set(key, (l = this.slots.size < this.maxPaths ? key : "other"));
    return l;
  }

  /** Paths by their label, "other" merged (hop by hop). */
  private grouped(paths: Iterable<PathStats>): Map<string, PathStats> {
    const m = new Map<string, PathStats>();
    for (const p of paths) {
      const l = this.label(p.key);
      const g = m.get(l);
      if (!g) {
        m.set(l, l === p.key ? p : mergedCopy(p, l));
        continue;
      }
      g.journeys += p.journeys;
      g.latency.merge(p.latency);
      p.hops.forEach((h, i) => {
        const t = (g.hops[i] ??= { node: "other", latency: new Sketch(), transitDelay: new Sketch(), queueDepth: new Sketch(), bufferOccupancy: new Sketch() });
        t.latency.merge(h.latency);
        t.queueDepth.merge(h.queueDepth);
      });
    }
    return m;
  }

  render(x: MetricsInputs): string {
    const out: string[] = [];
    const paths = this.grouped(x.analytics.paths.values());
    out.push("# HELP ioam_hop_latency_seconds Time from the previous node's IOAM timestamp to this node's (DDSketch buckets).", "# TYPE ioam_hop_latency_seconds histogram");
    for (const [l, p] of paths) p.hops.forEach((h, i) => i > 0 && histogram(out, "ioam_hop_latency_seconds", { path: l, hop: i, node: h.node }, h.latency, LATENCY_BOUNDS, 1e-9));
    out.push("# HELP ioam_path_latency_seconds Time from the first node's IOAM timestamp to the last node's.", "# TYPE ioam_path_latency_seconds histogram");
    for (const [l, p] of paths) if (p.latency.count) histogram(out, "ioam_path_latency_seconds", { path: l }, p.latency, LATENCY_BOUNDS, 1e-9);
    out.push("# HELP ioam_hop_queue_depth Queue depth a node wrote (RFC 9197 §4.4.2.7).", "# TYPE ioam_hop_queue_depth histogram");
    for (const [l, p] of paths) p.hops.forEach((h, i) => h.queueDepth.count && histogram(out, "ioam_hop_queue_depth", { path: l, hop: i, node: h.node }, h.queueDepth, QUEUE_BOUNDS, 1));
    out.push("# HELP ioam_journeys_total Journeys stored, per path.", "# TYPE ioam_journeys_total counter");
    for (const [l, p] of paths) out.push(`ioam_journeys_total${labels({ path: l })} ${p.journeys}`);
    out.push("# HELP ioam_path_label_cap Paths with their own label before folding into path=\"other\".", "# TYPE ioam_path_label_cap gauge", `ioam_path_label_cap ${this.maxPaths}`);
    out.push(`ioam_paths_folded ${[...this.slots.values()].filter((v) => v === "other").length}`);
    this.loss(out, x.analytics);
    this.health(out, x);
    return out.join("\n") + "\n";
  }

  private loss(out: string[], a: Analytics): void {
    out.push("# HELP ioam_lost_packets_total Packets missing from sequence numbers (E2E, DEX), per flow.", "# TYPE ioam_lost_packets_total counter");
    const rows = a.lossReport();
    let other = 0;
    rows.forEach((r, i) => (i < this.maxPaths ? out.push(`ioam_lost_packets_total${labels({ flow: r.flow })} ${r.lost}`) : (other += r.lost)));
    if (rows.length > this.maxPaths) out.push(`ioam_lost_packets_total${labels({ flow: "other" })} ${other}`);
    const byKind = (k: string) => a.flags.filter((f) => f.kind === k).length;
    out.push("# TYPE ioam_path_changes_total counter", `ioam_path_changes_total ${byKind("path-change")}`, "# TYPE ioam_latency_anomalies_total counter", `ioam_latency_anomalies_total ${byKind("latency-anomaly")}`);
  }

  private health(out: string[], x: MetricsInputs): void {
    const h = x.health;
    out.push("# TYPE ioam_collector_records_total counter", `ioam_collector_records_total ${h.recordsIn}`);
    out.push("# TYPE ioam_collector_journeys_stored_total counter", `ioam_collector_journeys_stored_total ${h.journeysStored}`);
    out.push("# TYPE ioam_collector_journeys_per_second gauge", `ioam_collector_journeys_per_second ${x.journeysPerSecond ?? 0}`);
    out.push("# HELP ioam_collector_problems_total Records lost or refused, by reason (overrun: occurrences, count unknown).", "# TYPE ioam_collector_problems_total counter");
    for (const [r, n] of Object.entries(h.problemsByReason)) out.push(`ioam_collector_problems_total${labels({ reason: r })} ${n}`);
    out.push("# TYPE ioam_collector_pending gauge", `ioam_collector_pending ${h.pending + h.openJourneys}`);
    out.push("# TYPE ioam_collector_lag_seconds gauge", `ioam_collector_lag_seconds ${h.lagMs / 1000}`);
    if (x.store) out.push("# TYPE ioam_collector_store_bytes gauge", `ioam_collector_store_bytes ${x.store.bytes}`);
    out.push("# TYPE ioam_source_records_total counter");
    for (const s of x.sources ?? []) out.push(`ioam_source_records_total${labels({ source: s.name })} ${s.records}`);
    out.push("# TYPE ioam_exporter_dropped_total counter");
    for (const e of x.exporters ?? []) out.push(`ioam_exporter_dropped_total${labels({ exporter: e.name })} ${e.dropped}`);
  }
}

function mergedCopy(p: PathStats, label: string): PathStats {
  const hops = p.hops.map((h) => {
    const c = { node: label === "other" ? "other" : h.node, latency: new Sketch(), transitDelay: new Sketch(), queueDepth: new Sketch(), bufferOccupancy: new Sketch() };
    c.latency.merge(h.latency);
    c.queueDepth.merge(h.queueDepth);
    return c;
  });
  const latency = new Sketch();
  latency.merge(p.latency);
  return { ...p, key: label, latency, hops };
}

/** Serves GET /metrics at `listen` ("127.0.0.1:9464"); the exporter side is a no-op (it reads the analytics). */
export class PrometheusEndpoint implements Exporter {
  readonly name = "prometheus";
  private server: Server | undefined;
  private readonly renderer: MetricsRenderer;

  constructor(maxPaths: number, private readonly inputs: () => MetricsInputs) {
    this.renderer = new MetricsRenderer(maxPaths);
  }

  /** Starts listening; resolves with the bound port. */
  listen(listen: string): Promise<number> {
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen);
    if (!m) return Promise.reject(new Error(`metrics listen "${listen}": expected HOST:PORT`));
    this.server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") return void res.writeHead(404).end("only GET /metrics\n");
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(this.renderer.render(this.inputs()));
    });
    return new Promise((resolve, reject) => {
      this.server!.once("error", reject).listen(Number(m[2]), m[1], () => {
        const a = this.server!.address();
        resolve(typeof a === "object" && a ? a.port : 0);
      });
    });
  }

  export(): void {}
  async flush(): Promise<void> {}
  async shutdown(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
  stats(): ExporterStats {
    return { exported: 0, dropped: 0, sampledOut: 0 };
  }
}
