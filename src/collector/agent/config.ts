// `ioam agent`'s configuration file (docs/deployment.md, "The agent"), YAML, `version: 1`. The node
// and domain name the subject (ioam.DOMAIN.NODE) and the record ids; secrets come from files
// or the environment (stream/nats-config.ts). Errors name the item (ConfigError path).

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parse } from "yaml";
import { ConfigError } from "../../errors.js";
import { type NatsConfig, natsConfig } from "../stream/nats-config.js";
import { TOKEN } from "../stream/record.js";

/** The agent's configuration. */
export interface AgentConfig {
  node: string;
  domain: string;
  nats: NatsConfig;
  spool: { dir: string; maxBytes: number; fsync: boolean };
  /** Records per published message, and the longest a record waits for its batch. */
  batch: { records: number; ms: number };
  sources: {
    /** Network namespaces whose ioam6_events to read ("self" = the agent's own). */
    events: string[];
    decap: string[];
    dex: Array<{ udp?: string; unix?: string; senders: string[] }>;
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** The defaults: events of the agent's own netns, this host's name, domain "default". */
export function defaultAgentConfig(): AgentConfig {
  const node = hostname().replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
  return { node, domain: "default", nats: natsConfig(undefined), spool: { dir: "/var/lib/ioamkit/spool", maxBytes: 64 << 20, fsync: false }, batch: { records: 500, ms: 20 }, sources: { events: ["self"], decap: [], dex: [] } };
}

/** A subject token (node, domain): refused when it would change the subject's shape. */
export function token(v: unknown, path: string): string {
  if (typeof v !== "string" || !TOKEN.test(v)) throw new ConfigError(path, `expected letters, digits, _ or - (a NATS subject token), got ${JSON.stringify(v)}`);
  return v;
}

function bytes(v: unknown, path: string): number {
  if (typeof v === "number" && v > 0) return v;
  const m = typeof v === "string" ? /^(\d+)\s*(KiB|MiB|GiB)?$/.exec(v.trim()) : null;
  if (!m) throw new ConfigError(path, `expected a size like 64MiB, got ${JSON.stringify(v)}`);
  return Number(m[1]) * (m[2] ? { KiB: 1024, MiB: 1 << 20, GiB: 1 << 30 }[m[2] as "KiB"] : 1);
}

function list(v: unknown, path: string): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map((x, i) => {
    if (typeof x !== "string" || x === "") throw new ConfigError(`${path}[${i}]`, "expected a non-empty string");
    return x;
  });
}

function sources(v: unknown, c: AgentConfig): void {
  if (v === undefined) return;
  if (!isObj(v)) throw new ConfigError("sources", "expected a mapping (events, decap, dex)");
  c.sources.events = list(v.events, "sources.events");
  c.sources.decap = list(v.decap, "sources.decap");
  const dex = v.dex === undefined ? [] : Array.isArray(v.dex) ? v.dex : [v.dex];
  c.sources.dex = dex.map((d, i) => {
    if (!isObj(d) || (typeof d.udp !== "string" && typeof d.unix !== "string")) throw new ConfigError(`sources.dex[${i}]`, "expected { udp: HOST:PORT, senders: [...] } or { unix: PATH }");
    const senders = list(d.senders, `sources.dex[${i}].senders`);
    if (typeof d.udp === "string" && senders.length === 0) throw new ConfigError(`sources.dex[${i}].senders`, "a UDP receiver needs its allowed senders (RFC 9326: a trusted receiver)");
    return { ...(typeof d.udp === "string" ? { udp: d.udp } : {}), ...(typeof d.unix === "string" ? { unix: d.unix } : {}), senders };
  });
}

/** Reads and checks the file. */
export function loadAgentConfig(file: string): AgentConfig {
  const doc: unknown = parse(readFileSync(file, "utf8"));
  if (!isObj(doc) || doc.version !== 1) throw new ConfigError(file, "expected a mapping with version: 1");
  const c = defaultAgentConfig();
  if (doc.node !== undefined) c.node = token(doc.node, "node");
  if (doc.domain !== undefined) c.domain = token(doc.domain, "domain");
  c.nats = natsConfig(doc.nats);
  if (doc.spool !== undefined) {
    if (!isObj(doc.spool)) throw new ConfigError("spool", "expected { dir, maxBytes, fsync }");
    if (typeof doc.spool.dir === "string") c.spool.dir = doc.spool.dir;
    if (doc.spool.maxBytes !== undefined) c.spool.maxBytes = bytes(doc.spool.maxBytes, "spool.maxBytes");
    c.spool.fsync = doc.spool.fsync === true;
  }
  if (isObj(doc.batch)) {
    if (doc.batch.records !== undefined) c.batch.records = Math.max(1, Number(doc.batch.records));
    if (doc.batch.ms !== undefined) c.batch.ms = Math.max(0, Number(doc.batch.ms));
  }
  sources(doc.sources, c);
  return c;
}
