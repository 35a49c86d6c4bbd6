// What the collector flags for an operator (docs/collector.md, "Flags"): a path change — the
// traffic between the same two ends (and of the same flow, when the source saw the packet)
// takes another path and stays on it for CONFIRM journeys in a row — and a latency anomaly — a
// hop's median over a window of WINDOW_MS rises to FACTOR times its running baseline.

import { Sketch } from "./sketch.js";

/** Journeys in a row on a new path before it counts as a change (ECMP flapping does not). */
export const PATH_CONFIRM = 3;

/** A flag raised by the analytics. */
export type Flag =
  | { kind: "path-change"; time: number; route: string; from: string; to: string }
  | { kind: "latency-anomaly"; time: number; path: string; hop: number; medianNs: number; baselineNs: number };

interface RouteState {
  path: string;
  candidate: string;
  run: number;
}

/** Path changes per route (the route's key is the caller's: ends, namespace, flow). */
export class PathChanges {
  private readonly routes = new Map<string, RouteState>();

  /** Returns a flag when this journey confirms a change of the route's path. */
  see(route: string, path: string, time: number): Flag | undefined {
    const r = this.routes.get(route);
    if (!r) {
      this.routes.set(route, { path, candidate: path, run: 0 });
      return undefined;
    }
    if (path === r.path) {
      r.run = 0;
      return undefined;
    }
    if (path !== r.candidate) (r.candidate = path), (r.run = 0);
    if (++r.run < PATH_CONFIRM) return undefined;
    const flag: Flag = { kind: "path-change", time, route, from: r.path, to: path };
    r.path = path;
    r.run = 0;
    return flag;
  }
}

/** Window over which a hop's median is compared with its baseline. */
export const ANOMALY_WINDOW_MS = 10_000;
/** The median must reach FACTOR × baseline to be flagged. */
export const ANOMALY_FACTOR = 3;
/** Windows of history before a baseline is trusted. */
const BASELINE_WINDOWS = 3;
/** Fewest samples in a window for its median to count. */
const MIN_SAMPLES = 20;

/** One hop's window and baseline; a caller may hold it to skip the lookup. */
export interface HopWindow {
  start: number;
  sketch: Sketch;
  baseline: number;
  windows: number;
  flagged: boolean;
}

/** Latency anomalies per (path, hop). The baseline is an EWMA of normal windows' medians. */
export class LatencyAnomalies {
  private readonly hops = new Map<string, HopWindow>();

  /** The window of (path, hop), made on first use. */
  window(path: string, hop: number, time: number): HopWindow {
    const key = path + "#" + hop;
    let w = this.hops.get(key);
    if (!w) this.hops.set(key, (w = { start: time, sketch: new Sketch(), baseline: 0, windows: 0, flagged: false }));
    return w;
  }

  /** Adds one latency sample; returns a flag when a window closes anomalous (once per episode). */
  see(path: string, hop: number, latencyNs: number, time: number, held?: HopWindow): Flag | undefined {
    const w = held ?? this.window(path, hop, time);
    let flag: Flag | undefined;
    if (time - w.start >= ANOMALY_WINDOW_MS) {
      flag = this.closeWindow(w, path, hop, time);
      w.start = time;
      w.sketch.reset();
    }
    w.sketch.add(latencyNs);
    return flag;
  }

  private closeWindow(w: HopWindow, path: string, hop: number, time: number): Flag | undefined {
    if (w.sketch.count < MIN_SAMPLES) return undefined;
    const median = w.sketch.quantile(0.5);
    const anomalous = w.windows >= BASELINE_WINDOWS && median >= ANOMALY_FACTOR * w.baseline && w.baseline > 0;
    if (!anomalous) {
      w.baseline = w.windows === 0 ? median : 0.8 * w.baseline + 0.2 * median;
      w.windows++;
      w.flagged = false;
      return undefined;
    }
    if (w.flagged) return undefined;
    w.flagged = true;
    return { kind: "latency-anomaly", time, path, hop, medianNs: median, baselineNs: w.baseline };
  }
}
