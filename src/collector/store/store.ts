// The Store interface (docs/collector.md, "Store"): where journeys, per-hop series, problems,
// flags and source checkpoints are kept, and the named queries the HTTP API serves. SQLite is the
// embedded default (sqlite-store.ts); a server database (issue 14) implements the same interface.
// Every method is asynchronous so that a networked store fits; a write resolves only once its
// batch is durable ("acknowledged": it survives the process being killed).

import type { Flag } from "../flags.js";
import type { Journey } from "../journeys.js";
import type { Checkpoint, Problem } from "../sources/source.js";
import type { TraceNode } from "../../wire/ioam/trace-node.js";

/** One atomic write: journeys with the checkpoints of the sources they came from. */
export interface WriteBatch {
  journeys: readonly Journey[];
  problems?: readonly Problem[];
  flags?: readonly Flag[];
  /** Each source's position after this batch; committed in the same transaction. */
  checkpoints?: ReadonlyArray<{ source: string; kind: string } & Checkpoint>;
  /** Per-flow sequence loss as it stands (replaces the flow's previous row). */
  loss?: ReadonlyArray<{ flow: string; received: number; lost: number; duplicates: number }>;
}

/** What a durable write stored. */
export interface WriteResult {
  journeys: number;
  /** Journeys already stored (same source position: a replay after a crash), not stored again. */
  duplicates: number;
}

/** Resolution of a per-hop series: one minute, or one hour (the downsampled rows). */
export type Resolution = "minute" | "hour";

/** A path with its traffic in a window. */
export interface PathRow {
  id: number;
  key: string;
  namespaceId: number;
  nodes: string[];
  journeys: number;
  firstMs: number;
  lastMs: number;
}

/** One bucket of one hop of a path: latency in ns (DDSketch nearest-rank, 1%), queue depth. */
export interface HopSeriesRow {
  bucketMs: number;
  hop: number;
  count: number;
  latency?: { p50: number; p90: number; p99: number; max: number; count: number };
  queueDepth?: { p50: number; max: number; count: number };
  transitDelay?: { p50: number; max: number; count: number };
}

/** A stored journey. */
export interface JourneyRow {
  id: number;
  timeMs: number;
  timeSource: string;
  pathId: number;
  pathKey: string;
  namespaceId: number;
  traceType: number;
  joinedBy: string;
  observations: number;
  at: string[];
  source: string;
  overflow: boolean;
  hops: TraceNode[];
  flow?: Journey["flow"];
  seq?: string;
  traceId?: string;
  spanId?: string;
}

/** The named queries' parameters. Times are ms since the epoch; `to` is exclusive. */
export interface Window {
  from: number;
  to: number;
}
export type JourneyQuery = ({ traceId: string } | ({ node?: string; pathId?: number } & Window)) & { limit?: number };

/** Retention: how long each kind of row is kept (ms). */
export interface Retention {
  journeysMs: number;
  minuteMs: number;
  hourMs: number;
  problemsMs: number;
  /** Most journeys kept whatever their age (oldest deleted first). */
  maxJourneys: number;
}

/** The store's own health for /metrics and `ioam collect`'s status. */
export interface StoreStats {
  bytes: number;
  journeys: number;
  writes: number;
  lastWriteMs: number;
}

export interface Store {
  write(batch: WriteBatch): Promise<WriteResult>;
  /** The checkpoint stored for a source, if any. */
  checkpoint(source: string): Promise<Checkpoint | undefined>;
  /** Paths with traffic in the window, busiest first. */
  paths(w: Window & { limit?: number }): Promise<PathRow[]>;
  /** Per-hop series of one path. */
  hopSeries(q: Window & { pathId: number; resolution?: Resolution }): Promise<HopSeriesRow[]>;
  /** Journeys by trace id, or by node / path and time window, newest first. */
  journeys(q: JourneyQuery): Promise<JourneyRow[]>;
  problems(w: Window & { limit?: number }): Promise<Problem[]>;
  flags(w: Window & { limit?: number }): Promise<Flag[]>;
  /** Applies retention and downsampling as of `nowMs`; returns the rows deleted. */
  maintain(nowMs: number): Promise<number>;
  stats(): StoreStats;
  close(): Promise<void>;
}
