// `ioam collect`'s configuration file (docs/collector.md, "Configuration"), YAML, `version: 1`.
// Every section is optional; `ioam collect` alone means events from the current netns into
// ./ioam.db. Errors name the item (ConfigError path) and nothing starts.

import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError } from "../errors.js";
import type { TsFormat } from "./hops.js";
import { parseCaptureSpec } from "./sources/capture-source.js";
import type { Retention } from "./store/store.js";
import { type StreamConfig, streamConfig } from "./stream/stream-config.js";

/** The configuration as the service uses it. */
export interface CollectConfig {
  /** `url` (postgres://…) selects PostgreSQL; else SQLite at `path`. */
  store: { path: string; url?: string; synchronous: "normal" | "full"; retention: Partial<Retention> };
  /** Present: this collector is a stream worker (records from NATS JetStream, store PostgreSQL). */
  stream?: StreamConfig;
  /** Accepted IOAM namespaces and their timestamp formats; empty = accept all, Linux format. */
  namespaces: Map<number, TsFormat>;
  windowMs: number;
  sources: {
    /** Network namespaces whose ioam6_events to read ("self" = the current one). */
    events: string[];
    pcap: string[];
    /** Live captures: IFNAME or NETNS/IFNAME. */
    capture: string[];
    decap: string[];
    dex: Array<{ udp?: string; unix?: string; senders: string[] }>;
  };
  prometheus?: { listen: string; maxPaths: number };
  otlp?: { url: string; sampleRate: number; maxQueue: number };
}

/** The defaults: `ioam collect` with no file and no flags. */
export function defaultConfig(): CollectConfig {
  return { store: { path: "./ioam.db", synchronous: "normal", retention: {} }, namespaces: new Map(), windowMs: 500, sources: { events: ["self"], pcap: [], capture: [], decap: [], dex: [] } };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function list(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  const a = Array.isArray(v) ? v : [v];
  return a.map((x, i) => {
    if (typeof x !== "string" || x === "") throw new ConfigError(`${path}[${i}]`, "expected a non-empty string");
    return x;
  });
}

/** "7d", "12h", "30m", "90s" or milliseconds as a number → ms. */
export function duration(v: unknown, path: string): number {
  if (typeof v === "number" && v >= 0) return v;
  const m = typeof v === "string" ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(v.trim()) : null;
  if (!m) throw new ConfigError(path, `expected a duration like 7d, 12h, 30m, 90s, got ${JSON.stringify(v)}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "ms"];
}

function retention(v: unknown): Partial<Retention> {
  if (v === undefined) return {};
  if (!isObj(v)) throw new ConfigError("store.retention", "expected a mapping");
  const r: Partial<Retention> = {};
  const keys = { journeys: "journeysMs", minute: "minuteMs", hour: "hourMs", problems: "problemsMs" } as const;
  for (const [k, target] of Object.entries(keys)) if (v[k] !== undefined) r[target] = duration(v[k], `store.retention.${k}`);
  if (v.maxJourneys !== undefined) r.maxJourneys = Number(v.maxJourneys);
  return r;
}

function namespaces(v: unknown): Map<number, TsFormat> {
  const m = new Map<number, TsFormat>();
  if (v === undefined) return m;
  if (!isObj(v)) throw new ConfigError("namespaces", "expected a mapping of IOAM namespace ids");
  for (const [k, x] of Object.entries(v)) {
    const id = Number(k);
    const fmt = isObj(x) && x.tsFormat !== undefined ? x.tsFormat : "linux";
    if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new ConfigError(`namespaces.${k}`, "an IOAM namespace id is 0-65535");
    if (fmt !== "linux" && fmt !== "ptp" && fmt !== "ntp") throw new ConfigError(`namespaces.${k}.tsFormat`, "expected linux, ptp or ntp");
    m.set(id, fmt);
  }
  return m;
}

function checkCaptureSpec(spec: string, path: string): void {
  try {
    parseCaptureSpec(spec);
  } catch (e) {
    throw new ConfigError(path, (e as Error).message.replace(/^capture: /, ""));
  }
}

function sources(v: unknown, c: CollectConfig): void {
  if (v === undefined) return;
  if (!isObj(v)) throw new ConfigError("sources", "expected a mapping (events, pcap, capture, decap, dex)");
  c.sources.events = list(v.events, "sources.events");
  c.sources.pcap = list(v.pcap, "sources.pcap");
  c.sources.capture = list(v.capture, "sources.capture");
  c.sources.capture.forEach((s, i) => checkCaptureSpec(s, `sources.capture[${i}]`));
  c.sources.decap = list(v.decap, "sources.decap");
  const dex = v.dex === undefined ? [] : Array.isArray(v.dex) ? v.dex : [v.dex];
  c.sources.dex = dex.map((d, i) => {
    if (!isObj(d) || (d.udp === undefined && d.unix === undefined)) throw new ConfigError(`sources.dex[${i}]`, "expected { udp: HOST:PORT, senders: [...] } or { unix: PATH }");
    const senders = list(d.senders, `sources.dex[${i}].senders`);
    if (d.udp !== undefined && senders.length === 0) throw new ConfigError(`sources.dex[${i}].senders`, "a UDP receiver needs the list of allowed senders (RFC 9326: a trusted receiver)");
    return { ...(typeof d.udp === "string" ? { udp: d.udp } : {}), ...(typeof d.unix === "string" ? { unix: d.unix } : {}), senders };
  });
}

function exportsOf(v: unknown, c: CollectConfig): void {
  if (v === undefined) return;
  if (!isObj(v)) throw new ConfigError("exports", "expected a mapping (prometheus, otlp)");
  const p = v.prometheus;
  if (isObj(p)) c.prometheus = { listen: String(p.listen ?? "127.0.0.1:9464"), maxPaths: Number(p.maxPaths ?? 50) };
  const o = v.otlp;
  if (isObj(o)) {
    if (typeof o.url !== "string") throw new ConfigError("exports.otlp.url", "expected the OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces");
    const rate = Number(o.sampleRate ?? 0.01);
    if (!(rate >= 0 && rate <= 1)) throw new ConfigError("exports.otlp.sampleRate", "expected a number from 0 to 1");
    c.otlp = { url: o.url, sampleRate: rate, maxQueue: Number(o.maxQueue ?? 2048) };
  }
}

/** Reads and checks the file. */
export function loadConfig(file: string): CollectConfig {
  const doc: unknown = parse(readFileSync(file, "utf8"));
  if (!isObj(doc) || doc.version !== 1) throw new ConfigError(file, "expected a mapping with version: 1");
  const c = defaultConfig();
  if (isObj(doc.store)) {
    if (typeof doc.store.path === "string") c.store.path = doc.store.path;
    if (typeof doc.store.url === "string") c.store.url = doc.store.url;
    if (doc.store.synchronous === "full") c.store.synchronous = "full";
    c.store.retention = retention(doc.store.retention);
  }
  c.namespaces = namespaces(doc.namespaces);
  if (isObj(doc.join) && doc.join.window !== undefined) c.windowMs = duration(doc.join.window, "join.window");
  sources(doc.sources, c);
  const stream = streamConfig(doc.stream);
  if (stream) c.stream = stream;
  exportsOf(doc.exports, c);
  return c;
}
