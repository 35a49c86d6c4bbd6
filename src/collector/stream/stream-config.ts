// The `stream:` section of `ioam collect`'s configuration (docs/deployment.md, "Configuration"): where
// stream workers read (NATS, its stream and durable consumer) and how the stream is sized.

import { ConfigError } from "../../errors.js";
import { duration } from "../config.js";
import { natsConfig } from "./nats-config.js";
import { ASSEMBLY_DEFAULTS } from "./assembler.js";
import { WORKER_DEFAULTS, type WorkerOptions } from "./worker.js";

/** A worker's settings less the store's URL (given by store.url). */
export type StreamConfig = Omit<WorkerOptions, "storeUrl">;

/** The defaults with no servers yet (--source adds them). */
export function defaultStreamConfig(): StreamConfig {
  return { ...WORKER_DEFAULTS, nats: natsConfig(undefined), assembly: {} };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function count(v: unknown, path: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(path, `expected an integer from ${min} to ${max}`);
  return n;
}

/** Reads the section; undefined when absent. */
export function streamConfig(v: unknown): StreamConfig | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v)) throw new ConfigError("stream", "expected a mapping (nats, consumer, ackWait, duplicateWindow, maxAge, replicas, shards, grace, silentAfter, maxWait)");
  const c = defaultStreamConfig();
  c.nats = natsConfig(v.nats, "stream.nats");
  if (typeof v.consumer === "string") c.consumer = v.consumer;
  if (v.ackWait !== undefined) c.ackWaitMs = duration(v.ackWait, "stream.ackWait");
  if (v.duplicateWindow !== undefined) c.duplicateWindowMs = duration(v.duplicateWindow, "stream.duplicateWindow");
  if (v.maxAge !== undefined) c.maxAgeMs = duration(v.maxAge, "stream.maxAge");
  if (v.replicas !== undefined) c.replicas = count(v.replicas, "stream.replicas", 1, 5);
  if (v.shards !== undefined) c.shards = count(v.shards, "stream.shards", 1, 1024);
  if (v.fetch !== undefined) c.fetch = count(v.fetch, "stream.fetch", 1, 4096);
  if (v.grace !== undefined) c.assembly.graceMs = duration(v.grace, "stream.grace");
  if (v.silentAfter !== undefined) c.assembly.silentMs = duration(v.silentAfter, "stream.silentAfter");
  if (v.maxWait !== undefined) c.assembly.maxWaitMs = duration(v.maxWait, "stream.maxWait");
  const a = { ...ASSEMBLY_DEFAULTS, ...c.assembly };
  // The watermark holds a journey back until the wait limit; an agent is dropped from it after silentAfter.
  if (a.maxWaitMs <= a.graceMs) throw new ConfigError("stream.maxWait", `must be longer than stream.grace (${a.graceMs} ms), got ${a.maxWaitMs} ms`);
  if (a.silentMs <= a.graceMs) throw new ConfigError("stream.silentAfter", `must be longer than stream.grace (${a.graceMs} ms) and an agent's heartbeat (1 s), got ${a.silentMs} ms`);
  return c;
}
