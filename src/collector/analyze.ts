// `ioam analyze`'s engine: capture files streamed through the journey joiner into the analytics,
// in memory bounded by paths, flows and the join window — not by the file's size.

import { Analytics, type PathStats } from "./analytics.js";
import type { Flag } from "./flags.js";
import type { TsFormat } from "./hops.js";
import { Joiner } from "./journeys.js";
import { SKETCH_ALPHA, type Sketch } from "./sketch.js";
import { type FrameCounts, readCaptureObservations } from "./sources/pcap-source.js";

/** A distribution as reported: nearest-rank percentiles within the sketch's bound. */
export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

/** One hop of a path: its node, and the distributions it has values for (nanoseconds for times). */
export interface HopReport {
  node: string;
  latencyNs?: Distribution;
  transitDelayNs?: Distribution;
  queueDepth?: Distribution;
  bufferOccupancy?: Distribution;
}

/** The JSON report of `ioam analyze --json` (v 1). Latencies and delays in nanoseconds. */
export interface AnalysisReport {
  v: 1;
  files: string[];
  frames: number;
  notIpv6: number;
  noTrace: number;
  malformed: Record<string, number>;
  issues: Record<string, number>;
  journeys: number;
  hopRecords: number;
  overflow: number;
  /** Journeys closed before their join window ended (memory cap). */
  joinEvicted: number;
  paths: Array<{ path: string; namespaceId: number; journeys: number; share: number; overflow: number; hops: HopReport[] }>;
  loss: Array<{ flow: string; received: number; lost: number; duplicates: number; lossRatio: number }>;
  flags: Flag[];
  sketch: { name: "DDSketch"; relativeError: number; rule: string };
}

/** Options of analyzeFiles. */
export interface AnalyzeOptions {
  tsFormats?: ReadonlyMap<number, TsFormat>;
  /** Called after each batch of frames with the frames read so far. */
  onProgress?: (frames: number) => void;
  /** Join window in ms of capture time (default 500) and cap on open journeys (default 50 000). */
  windowMs?: number;
  maxOpen?: number;
}

/** Reads every file in turn and returns the report. Throws the capture's DecodeError for a corrupt file. */
export async function analyzeFiles(files: readonly string[], opts: AnalyzeOptions = {}): Promise<AnalysisReport> {
  const analytics = new Analytics(opts.tsFormats ? { tsFormats: opts.tsFormats } : {});
  const joiner = new Joiner((j) => analytics.add(j), { windowMs: opts.windowMs ?? 500, maxOpen: opts.maxOpen ?? 50_000 });
  const counts: FrameCounts = { frames: 0, notIpv6: 0, noTrace: 0, malformed: new Map() };
  for (const path of files) {
    await readCaptureObservations(path, { counts, each: (o) => joiner.add(o), batch: () => opts.onProgress?.(counts.frames) });
  }
  joiner.drain();
  return report(files, analytics, counts, joiner.evicted);
}

/** A sketch as a Distribution, or undefined when it holds nothing. */
export function distribution(s: Sketch): Distribution | undefined {
  if (s.count === 0) return undefined;
  return { count: s.count, p50: s.quantile(0.5), p90: s.quantile(0.9), p99: s.quantile(0.99), max: s.max, min: s.min, mean: s.sum / s.count };
}

/** A hop's report from its sketches: each distribution that holds values (ioam analyze, the UI's API). */
export function hopReport(node: string, h: { latency: Sketch; transitDelay: Sketch; queueDepth: Sketch; bufferOccupancy: Sketch }): HopReport {
  const out: HopReport = { node };
  const lat = distribution(h.latency);
  const td = distribution(h.transitDelay);
  const q = distribution(h.queueDepth);
  const b = distribution(h.bufferOccupancy);
  if (lat) out.latencyNs = lat;
  if (td) out.transitDelayNs = td;
  if (q) out.queueDepth = q;
  if (b) out.bufferOccupancy = b;
  return out;
}

function pathReport(p: PathStats, total: number): AnalysisReport["paths"][number] {
  return {
    path: p.key,
    namespaceId: p.namespaceId,
    journeys: p.journeys,
    share: total ? p.journeys / total : 0,
    overflow: p.overflow,
    hops: p.hops.map((h) => hopReport(h.node, h)),
  };
}

function report(files: readonly string[], a: Analytics, c: FrameCounts, evicted: number): AnalysisReport {
  const paths = [...a.paths.values()].sort((x, y) => y.journeys - x.journeys || (x.key < y.key ? -1 : 1));
  return {
    v: 1,
    files: [...files],
    frames: c.frames,
    notIpv6: c.notIpv6,
    noTrace: c.noTrace,
    malformed: Object.fromEntries(c.malformed),
    issues: Object.fromEntries(a.issues),
    journeys: a.journeys,
    hopRecords: a.hopRecords,
    overflow: paths.reduce((n, p) => n + p.overflow, 0),
    joinEvicted: evicted,
    paths: paths.map((p) => pathReport(p, a.journeys)),
    loss: a.lossReport().map((l) => ({ flow: l.flow, received: l.received, lost: l.lost, duplicates: l.duplicates, lossRatio: l.received + l.lost ? l.lost / (l.received + l.lost) : 0 })),
    flags: a.flags,
    sketch: { name: "DDSketch", relativeError: SKETCH_ALPHA, rule: "nearest-rank: the value at rank ceil(q*n), within 1% relative; min and max exact" },
  };
}
