// Puts a stream worker together from `ioam collect`'s configuration: the PostgreSQL store
// (schema migrated on open), the worker, and the store's hourly retention.

import { ConfigError } from "../../errors.js";
import type { CollectConfig } from "../config.js";
import { PgStore } from "../store/pg-store.js";
import { StreamWorker, type WorkerStats } from "./worker.js";

/** A running stream worker. */
export interface RunningWorker {
  worker: StreamWorker;
  store: PgStore;
  stop(): Promise<void>;
}

/** Opens the store and starts consuming. */
export async function startWorker(c: CollectConfig, onCommit?: (s: WorkerStats) => void): Promise<RunningWorker> {
  const url = c.store.url;
  if (!c.stream) throw new ConfigError("stream", "no stream configured: give --source nats://HOST:PORT");
  if (!url) throw new ConfigError("store.url", "a stream worker stores into PostgreSQL: give --store postgres://USER@HOST/DB (password in PGPASSWORD or ~/.pgpass)");
  const store = await PgStore.open(url, { tsFormats: c.namespaces, retention: c.store.retention });
  const worker = new StreamWorker(store, { ...c.stream, storeUrl: url, assembly: { ...c.stream.assembly, windowMs: c.windowMs, tsFormats: c.namespaces } }, onCommit);
  try {
    await worker.start();
  } catch (e) {
    await worker.stop().catch(() => {});
    await store.close(); // an open pool would keep the failed process alive
    throw e;
  }
  const maintenance = setInterval(() => void store.maintain(Date.now()).catch(() => {}), 3_600_000);
  maintenance.unref();
  return {
    worker,
    store,
    stop: async () => {
      clearInterval(maintenance);
      await worker.stop();
      await store.close();
    },
  };
}
