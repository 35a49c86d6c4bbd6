// Puts a collector together from its configuration: the SQLite store, the sources, the
// exporters (OTLP, Prometheus) and the service. `ioam collect` is this plus signals and output.

import type { CollectConfig } from "./config.js";
import type { Exporter } from "./export/exporter.js";
import { OtlpExporter } from "./export/otlp.js";
import { PrometheusEndpoint } from "./export/prometheus.js";
import { Collector, type CollectorOptions } from "./service.js";
import { EventsSource } from "./sources/events-source.js";
import { CaptureSource } from "./sources/capture-source.js";
import { DecapSinkSource, DexReceiver } from "./sources/line-sources.js";
import { PcapSource } from "./sources/pcap-source.js";
import type { Source } from "./sources/source.js";
import { PgStore } from "./store/pg-store.js";
import { SqliteStore } from "./store/sqlite-store.js";
import type { Store } from "./store/store.js";

/** A running collector. */
export interface RunningCollector {
  collector: Collector;
  store: Store;
  sources: Source[];
  exporters: Exporter[];
  /** The /metrics port, when Prometheus is on. */
  metricsPort?: number;
  stop(): Promise<void>;
}

/** The sources a configuration names. */
export function sourcesOf(c: CollectConfig): Source[] {
  return [
    ...c.sources.events.map((n) => new EventsSource(n === "self" ? undefined : n)),
    ...c.sources.pcap.map((p) => new PcapSource(p)),
    ...c.sources.capture.map((p) => new CaptureSource(p)),
    ...c.sources.decap.map((p) => new DecapSinkSource(p)),
    ...c.sources.dex.map((d) => new DexReceiver(d)),
  ];
}

/** Opens the store, starts the exporters and the sources. */
export async function startCollector(c: CollectConfig, hooks: Pick<CollectorOptions, "onStored" | "batchSize" | "onFailure" | "onProblem"> = {}): Promise<RunningCollector> {
  const tsFormats = c.namespaces;
  const store = c.store.url ? await PgStore.open(c.store.url, { tsFormats, retention: c.store.retention }) : SqliteStore.open(c.store.path, { tsFormats, retention: c.store.retention, synchronous: c.store.synchronous });
  const sources = sourcesOf(c);
  const exporters: Exporter[] = [];
  if (c.otlp) exporters.push(new OtlpExporter({ ...c.otlp, tsFormats }));
  let prometheus: PrometheusEndpoint | undefined;
  const opts: CollectorOptions = { tsFormats, windowMs: c.windowMs, ...hooks, ...(c.namespaces.size ? { namespaces: new Set(c.namespaces.keys()) } : {}) };
  let collector: Collector | undefined;
  const rate = journeyRate(() => collector?.health.journeysStored ?? 0);
  if (c.prometheus) {
    prometheus = new PrometheusEndpoint(c.prometheus.maxPaths, () => ({
      analytics: collector!.analytics,
      health: collector!.health,
      store: store.stats(),
      sources: sources.map((s) => ({ name: s.name, ...s.stats() })),
      exporters: exporters.map((e) => ({ name: e.name, ...e.stats() })),
      journeysPerSecond: rate(),
    }));
    exporters.push(prometheus);
  }
  collector = new Collector(store, sources, exporters, opts);
  const metricsPort = prometheus ? await prometheus.listen(c.prometheus!.listen) : undefined;
  await collector.start();
  const maintenance = setInterval(() => void store.maintain(Date.now()), 3_600_000);
  maintenance.unref();
  const stop = async () => {
    clearInterval(maintenance);
    await collector!.stop();
    await store.close();
  };
  return { collector, store, sources, exporters, ...(metricsPort !== undefined ? { metricsPort } : {}), stop };
}

/** Journeys per second over the last ten seconds or so, sampled when asked. */
function journeyRate(total: () => number): () => number {
  let last = { t: Date.now(), n: 0 };
  let rate = 0;
  return () => {
    const now = Date.now();
    if (now - last.t >= 1000) {
      const n = total();
      rate = ((n - last.n) * 1000) / (now - last.t);
      if (now - last.t >= 10_000 || rate > 0) last = { t: now, n };
    }
    return rate;
  };
}
