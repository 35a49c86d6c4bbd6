// Cross-layer telemetry on the application's host (docs/cross-layer.md): where the encapsulating
// data plane learns which application trace a packet belongs to, so that it can write the W3C
// trace context into its node's Opaque State Snapshot (wire/trace-context.ts). Two ways, in
// order: (1) a small local API — the application (or its OpenTelemetry SDK hook) registers the
// current context for a flow over a unix socket; (2) a plaintext HTTP/1.x request's own
// `traceparent` header (W3C Trace Context §3.2), read from the packet.
//
// The daemon (`ioam node run`) needs one call per encapsulated packet: `snapshotFor(packet)`.

import { chmodSync, existsSync, lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { createServer, type Server } from "node:net";
import { IPPROTO, extHeaderLength, isWalkedExtHeader } from "../wire/ext-header.js";
import { IPV6 } from "../wire/ipv6.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { type TraceContext, TRACE_CONTEXT_SCHEMA, encodeTraceContext, parseTraceparent, traceparentFromHttp } from "../wire/trace-context.js";

/** A transport flow as the application sees it: addresses, protocol, ports. */
export interface FlowKey {
  src: string;
  dst: string;
  protocol: number;
  sport: number;
  dport: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The registry's key: both addresses' octets in hex, protocol, ports (no address text formatted per packet). */
function rawKey(src: Uint8Array, s: number, dst: Uint8Array, d: number, protocol: number, sport: number, dport: number): string {
  let k = "";
  for (let i = 0; i < 16; i++) k += HEX[src[s + i]!]!;
  for (let i = 0; i < 16; i++) k += HEX[dst[d + i]!]!;
  return `${k}|${protocol}|${sport}|${dport}`;
}

/** The key of a flow as the API gives it (any IPv6 text form); undefined when an address is not IPv6. */
function keyOf(f: FlowKey): string | undefined {
  const src = parseIpv6Address(f.src);
  const dst = parseIpv6Address(f.dst);
  return src && dst ? rawKey(src, 0, dst, 0, f.protocol, f.sport, f.dport) : undefined;
}

/** Transport protocols whose header starts with the source and destination ports. */
const PORTS_FIRST = new Set([IPPROTO.TCP, IPPROTO.UDP, 33 /* DCCP */, 132 /* SCTP */, 136 /* UDP-Lite */]);

/**
 * Protocol and offset of an IPv6 packet's transport header, past its extension headers
 * (RFC 8200 §4); undefined when truncated or fragmented (only a first fragment has ports, and
 * this host's own packets are fragmented after the data plane sees them).
 */
function upperOf(p: Uint8Array): { protocol: number; at: number } | undefined {
  if (p.length < IPV6.LENGTH || p[0]! >>> 4 !== 6) return undefined;
  let nh = p[IPV6.NEXT_HEADER]!;
  let at: number = IPV6.LENGTH;
  while (isWalkedExtHeader(nh)) {
    const l = extHeaderLength(p, nh, at, p.length);
    if (l < 0 || nh === IPPROTO.FRAGMENT) return undefined;
    nh = p[at]!;
    at += l;
  }
  return { protocol: nh, at };
}

/** What the daemon writes as its node's snapshot: schema and data. */
export interface Snapshot {
  schemaId: number;
  data: Uint8Array;
}

/**
 * What the local API changes: a flow's context set (for ttlMs) or deleted. A promise resolves
 * once the change is in force everywhere (every worker thread): the API answers only then.
 */
export interface FlowRegistry {
  set(flow: FlowKey, ctx: TraceContext, ttlMs?: number): void | Promise<void>;
  delete(flow: FlowKey): void | Promise<void>;
}

/** One change of the registry, as the daemon's main thread sends it to each worker (plain data). */
export type FlowChange = { op: "set"; flow: FlowKey; ctx: TraceContext; ttlMs: number } | { op: "delete"; flow: FlowKey };

/** Applies a change sent by the main thread. */
export function applyFlowChange(r: FlowRegistry, c: FlowChange): void {
  if (c.op === "set") r.set(c.flow, c.ctx, c.ttlMs);
  else r.delete(c.flow);
}

/** Contexts registered per flow, each for a limited time. */
export class FlowContexts implements FlowRegistry {
  /** Per flow: the context, its snapshot (encoded once) and when it expires. */
  private readonly byFlow = new Map<string, { ctx: TraceContext; snapshot: Snapshot; until: number }>();
  /** Lookups answered by the registry, by an HTTP header, or not at all. */
  readonly counts = { registered: 0, http: 0, none: 0 };

  constructor(private readonly clock: () => number = Date.now, private readonly max = 65536) {}

  /** Registers `ctx` for `flow`; throws a RangeError when an address is not IPv6. */
  set(flow: FlowKey, ctx: TraceContext, ttlMs = 30_000): void {
    const key = keyOf(flow);
    if (key === undefined) throw new RangeError(`flow ${flow.src} → ${flow.dst}: not IPv6 addresses`);
    if (this.byFlow.size >= this.max) this.prune();
    this.byFlow.set(key, { ctx, snapshot: { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext(ctx) }, until: this.clock() + ttlMs });
  }

  delete(flow: FlowKey): void {
    const key = keyOf(flow);
    if (key !== undefined) this.byFlow.delete(key);
  }

  get(flow: FlowKey): TraceContext | undefined {
    const key = keyOf(flow);
    return key === undefined ? undefined : this.lookup(key)?.ctx;
  }

  private lookup(key: string): { ctx: TraceContext; snapshot: Snapshot } | undefined {
    const e = this.byFlow.get(key);
    if (!e) return undefined;
    if (e.until < this.clock()) return void this.byFlow.delete(key);
    return e;
  }

  private prune(): void {
    const now = this.clock();
    for (const [k, e] of this.byFlow) if (e.until < now) this.byFlow.delete(k);
    if (this.byFlow.size >= this.max) this.byFlow.delete(this.byFlow.keys().next().value!);
  }

  /**
   * The snapshot to write for an (inner) IPv6 packet before encapsulation: the flow's registered
   * context, else the traceparent of a plaintext HTTP request it carries, else undefined (the
   * node writes no context; the journey is sampled like any other). Reads the packet's bytes
   * in place: no decode, no address text.
   */
  snapshotFor(packet: Uint8Array): Snapshot | undefined {
    const up = upperOf(packet);
    const snapshot = up && (this.registered(packet, up) ?? this.fromHttp(packet, up));
    if (!snapshot) this.counts.none++;
    return snapshot;
  }

  /** The registered flow's snapshot (shared: the fill copies it). */
  private registered(p: Uint8Array, up: { protocol: number; at: number }): Snapshot | undefined {
    if (this.byFlow.size === 0 || !PORTS_FIRST.has(up.protocol) || up.at + 4 > p.length) return undefined;
    const e = this.lookup(rawKey(p, 8, p, 24, up.protocol, (p[up.at]! << 8) | p[up.at + 1]!, (p[up.at + 2]! << 8) | p[up.at + 3]!));
    if (e) this.counts.registered++;
    return e?.snapshot;
  }

  /** A TCP segment whose data starts with an HTTP/1.x request line (an upper-case method first). */
  private fromHttp(p: Uint8Array, up: { protocol: number; at: number }): Snapshot | undefined {
    if (up.protocol !== IPPROTO.TCP || up.at + 20 > p.length) return undefined;
    const data = up.at + (p[up.at + 12]! >>> 4) * 4;
    if (data >= p.length || p[data]! < 0x41 || p[data]! > 0x5a) return undefined;
    const ctx = traceparentFromHttp(p.subarray(data));
    if (!ctx) return undefined;
    this.counts.http++;
    return { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext(ctx) };
  }
}

/**
 * Serves the local API on a unix stream socket (mode 0660): one JSON request per line, one
 * JSON answer per line, in order, each once the change is in force (a packet the application
 * sends after the answer carries the context).
 *   {"op":"set","flow":{"src","dst","protocol","sport","dport"},"traceparent":"00-…-…-01","ttlMs":30000}
 *   {"op":"delete","flow":{…}}
 * Answers {"ok":true} or {"ok":false,"error":"…"}.
 */
export function serveFlowContexts(path: string, contexts: FlowRegistry): Server {
  if (existsSync(path) && lstatSync(path).isSocket()) unlinkSync(path);
  const server = createServer((c) => {
    let rest = "";
    let answered: Promise<unknown> = Promise.resolve();
    c.setEncoding("utf8").on("data", (s: string) => {
      const lines = (rest + s).split("\n");
      rest = lines.pop()!;
      for (const l of lines) if (l.trim()) answered = answered.then(() => answer(l, contexts)).catch((e: Error) => ({ ok: false, error: e.message })).then((a) => c.writable && c.write(JSON.stringify(a) + "\n"));
    });
    c.on("error", () => c.destroy());
  });
  server.listen(path, () => chmodSync(path, 0o660));
  return server;
}

/** serveFlowContexts, once listening (its directory made if missing); rejects when it cannot listen. */
export async function listenFlowContexts(path: string, contexts: FlowRegistry): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  const server = serveFlowContexts(path, contexts);
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  return server;
}

async function answer(line: string, contexts: FlowRegistry): Promise<{ ok: boolean; error?: string }> {
  let r: { op?: unknown; flow?: Partial<FlowKey>; traceparent?: unknown; ttlMs?: unknown };
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const f = r.flow;
  if (!f || typeof f.src !== "string" || typeof f.dst !== "string" || ![f.protocol, f.sport, f.dport].every((x) => Number.isInteger(x))) return { ok: false, error: "flow needs src, dst, protocol, sport, dport" };
  const flow = f as FlowKey;
  if (!parseIpv6Address(flow.src) || !parseIpv6Address(flow.dst)) return { ok: false, error: "flow.src and flow.dst must be IPv6 addresses" };
  if (r.op === "delete") return (await contexts.delete(flow), { ok: true });
  if (r.op !== "set") return { ok: false, error: `unknown op ${JSON.stringify(r.op)} (set, delete)` };
  const ctx = typeof r.traceparent === "string" ? parseTraceparent(r.traceparent) : undefined;
  if (!ctx) return { ok: false, error: "traceparent is not a valid W3C traceparent" };
  await contexts.set(flow, ctx, typeof r.ttlMs === "number" && r.ttlMs > 0 ? r.ttlMs : 30_000);
  return { ok: true };
}
