// The Exporter interface (docs/collector.md, "Exports"): what receives journeys once the store
// has acknowledged them — OpenTelemetry traces (otlp.ts), Prometheus metrics (prometheus.ts),
// and (issue 14) a stream publisher. A drop is counted, never silent.

import type { Journey } from "../journeys.js";

/** An exporter's own counters. */
export interface ExporterStats {
  exported: number;
  /** Items it could not deliver (queue full, receiver refused), by count. */
  dropped: number;
  /** Journeys it chose not to export (sampling). */
  sampledOut: number;
}

export interface Exporter {
  readonly name: string;
  /** Takes stored journeys; must not block (queue and send in the background). */
  export(journeys: readonly Journey[]): void;
  /** Sends what is queued. */
  flush(): Promise<void>;
  /** Flushes and releases everything it holds. */
  shutdown(): Promise<void>;
  stats(): ExporterStats;
}
