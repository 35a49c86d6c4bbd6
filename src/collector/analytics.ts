// Per-path analytics over journeys (docs/collector.md, "Analytics"): count and share of each
// path, per hop the latency from the previous node's timestamp, the node's transit delay, queue
// depth and buffer occupancy (each a Sketch), overflow and issue counts, sequence loss per flow,
// path-change and latency-anomaly flags. Shared by `ioam analyze`, `ioam collect` and /metrics.

import { type Flag, type HopWindow, LatencyAnomalies, PathChanges } from "./flags.js";
import { bufferOccupancyOf, hopText, nodeIdText, queueDepthOf, timeDiffNs, transitDelayNs, type TsFormat } from "./hops.js";
import type { Journey } from "./journeys.js";
import { e2eScope } from "./observation.js";
import { type SeqCounts, SeqTracker } from "./loss.js";
import { Sketch } from "./sketch.js";

/** One hop of a path: the node and what was measured there. */
export interface HopStats {
  /** "node:in/out" as in the path key. */
  node: string;
  /** From the previous node's timestamp to this node's (absent for the first hop), ns. */
  latency: Sketch;
  transitDelay: Sketch;
  queueDepth: Sketch;
  bufferOccupancy: Sketch;
  /** Its latency-anomaly window (held here: no lookup per sample). */
  anomaly?: HopWindow;
}

/** One path's counters. */
export interface PathStats {
  key: string;
  namespaceId: number;
  journeys: number;
  overflow: number;
  firstTime: number;
  lastTime: number;
  /** From the first node's timestamp to the last node's, ns. */
  latency: Sketch;
  hops: HopStats[];
}

/** Settings of the analytics. */
export interface AnalyticsOptions {
  /** Timestamp format of each IOAM namespace (default "linux"). */
  tsFormats?: ReadonlyMap<number, TsFormat>;
  /** Called for each flag as it is raised. */
  onFlag?: (f: Flag) => void;
}

/** Aggregates journeys; memory grows with paths and flows, not with journeys. */
export class Analytics {
  readonly paths = new Map<string, PathStats>();
  readonly loss = new Map<string, SeqTracker>();
  /** Flows whose sequence numbers changed since the last lossReport({ changedOnly }). */
  private readonly lossChanged = new Set<string>();
  readonly flags: Flag[] = [];
  readonly issues = new Map<string, number>();
  journeys = 0;
  hopRecords = 0;
  private readonly changes = new PathChanges();
  private readonly anomalies = new LatencyAnomalies();

  constructor(private readonly opts: AnalyticsOptions = {}) {}

  add(j: Journey): void {
    this.journeys++;
    this.hopRecords += j.hops.length;
    const p = this.pathOf(j);
    p.journeys++;
    if (j.overflow) p.overflow++;
    if (j.time < p.firstTime) p.firstTime = j.time;
    if (j.time > p.lastTime) p.lastTime = j.time;
    this.hopValues(p, j);
    for (const code of j.issues ?? []) this.issues.set(code, (this.issues.get(code) ?? 0) + 1);
    this.sequence(j);
    if (j.hops.length > 0) this.raise(this.changes.see(routeKey(j), j.pathKey, j.time));
  }

  private pathOf(j: Journey): PathStats {
    let p = this.paths.get(j.pathKey);
    if (!p) {
      const hops = j.hops.map((n) => ({ node: hopText(n), latency: new Sketch(), transitDelay: new Sketch(), queueDepth: new Sketch(), bufferOccupancy: new Sketch() }));
      p = { key: j.pathKey, namespaceId: j.namespaceId, journeys: 0, overflow: 0, firstTime: j.time, lastTime: j.time, latency: new Sketch(), hops };
      this.paths.set(j.pathKey, p);
    }
    return p;
  }

  private hopValues(p: PathStats, j: Journey): void {
    const fmt = this.opts.tsFormats?.get(j.namespaceId) ?? "linux";
    const hops = j.hops;
    const whole = hops.length > 1 ? timeDiffNs(hops[0]!, hops[hops.length - 1]!, fmt) : undefined;
    if (whole !== undefined) p.latency.add(whole);
    for (let i = 0; i < hops.length; i++) {
      const n = hops[i]!;
      const h = p.hops[i]!;
      if (i > 0) {
        const d = timeDiffNs(hops[i - 1]!, n, fmt);
        if (d !== undefined) {
          h.latency.add(d);
          h.anomaly ??= this.anomalies.window(p.key, i, j.time);
          this.raise(this.anomalies.see(p.key, i, d, j.time, h.anomaly));
        }
      }
      const t = transitDelayNs(n);
      if (t !== undefined) h.transitDelay.add(t);
      const q = queueDepthOf(n);
      if (q !== undefined) h.queueDepth.add(q);
      const b = bufferOccupancyOf(n);
      if (b !== undefined) h.bufferOccupancy.add(b);
    }
  }

  private sequence(j: Journey): void {
    let key: string | undefined;
    let seq: number | undefined;
    if (j.e2eSeq !== undefined && j.flow) {
      const { src, dst } = e2eScope(j.flow);
      (key = `e2e ${j.namespaceId} ${src} > ${dst}`), (seq = Number(j.e2eSeq));
    }
    else if (j.dexFlowId !== undefined && j.dexSeq !== undefined) (key = `dex ${j.namespaceId} flow ${j.dexFlowId}`), (seq = j.dexSeq);
    if (key === undefined || seq === undefined) return;
    let t = this.loss.get(key);
    if (!t) this.loss.set(key, (t = new SeqTracker()));
    t.add(seq);
    this.lossChanged.add(key);
  }

  private raise(f: Flag | undefined): void {
    if (!f) return;
    this.flags.push(f);
    if (this.flags.length > 10_000) this.flags.shift();
    this.opts.onFlag?.(f);
  }

  /** Loss per flow as it stands (missing numbers in the window counted lost); `changedOnly`: the flows changed since the last such call. */
  lossReport(opts: { changedOnly?: boolean } = {}): Array<{ flow: string } & SeqCounts> {
    const flows = opts.changedOnly ? [...this.lossChanged] : [...this.loss.keys()];
    if (opts.changedOnly) this.lossChanged.clear();
    return flows.map((flow) => ({ flow, ...this.loss.get(flow)!.final() }));
  }
}

/** The ends of a journey's path, its namespace and flow: what a path change is judged per. */
export function routeKey(j: Journey): string {
  const first = nodeIdText(j.hops[0]!);
  const last = nodeIdText(j.hops[j.hops.length - 1]!);
  const f = j.flow;
  return `${j.namespaceId} ${first}..${last}` + (f ? ` ${f.src} > ${f.dst}` : "");
}
