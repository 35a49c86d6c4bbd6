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
import { IPPROTO } from "../wire/ext-header.js";
import { type TraceContext, TRACE_CONTEXT_SCHEMA, encodeTraceContext, parseTraceparent, traceparentFromHttp } from "../wire/trace-context.js";
import { decodePacket } from "../wire/packet.js";

/** A transport flow as the application sees it: addresses, protocol, ports. */
export interface FlowKey {
  src: string;
  dst: string;
  protocol: number;
  sport: number;
  dport: number;
}

const keyOf = (f: FlowKey) => `${f.src}|${f.dst}|${f.protocol}|${f.sport}|${f.dport}`;

/** What the daemon writes as its node's snapshot: schema and data. */
export interface Snapshot {
  schemaId: number;
  data: Uint8Array;
}

/** What the local API changes: a flow's context set (for ttlMs) or deleted. */
export interface FlowRegistry {
  set(flow: FlowKey, ctx: TraceContext, ttlMs?: number): void;
  delete(flow: FlowKey): void;
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
  private readonly byFlow = new Map<string, { ctx: TraceContext; until: number }>();
  /** Lookups answered by the registry, by an HTTP header, or not at all. */
  readonly counts = { registered: 0, http: 0, none: 0 };

  constructor(private readonly clock: () => number = Date.now, private readonly max = 65536) {}

  set(flow: FlowKey, ctx: TraceContext, ttlMs = 30_000): void {
    if (this.byFlow.size >= this.max) this.prune();
    this.byFlow.set(keyOf(flow), { ctx, until: this.clock() + ttlMs });
  }

  delete(flow: FlowKey): void {
    this.byFlow.delete(keyOf(flow));
  }

  get(flow: FlowKey): TraceContext | undefined {
    const e = this.byFlow.get(keyOf(flow));
    if (!e) return undefined;
    if (e.until < this.clock()) return void this.byFlow.delete(keyOf(flow));
    return e.ctx;
  }

  private prune(): void {
    const now = this.clock();
    for (const [k, e] of this.byFlow) if (e.until < now) this.byFlow.delete(k);
    if (this.byFlow.size >= this.max) this.byFlow.delete(this.byFlow.keys().next().value!);
  }

  /**
   * The snapshot to write for an (inner) IPv6 packet before encapsulation: the flow's registered
   * context, else the traceparent of a plaintext HTTP request it carries, else undefined (the
   * node writes no context; the journey is sampled like any other).
   */
  snapshotFor(packet: Uint8Array): Snapshot | undefined {
    let ctx: TraceContext | undefined;
    try {
      const rec = decodePacket(packet);
      const u = rec.upper;
      if (u.srcPort !== undefined && u.dstPort !== undefined) ctx = this.get({ src: rec.ipv6.src, dst: rec.ipv6.dst, protocol: u.protocol, sport: u.srcPort, dport: u.dstPort });
      if (ctx) this.counts.registered++;
      else if (u.protocol === IPPROTO.TCP && rec.payload.length > 20) {
        ctx = traceparentFromHttp(rec.payload.subarray((rec.payload[12]! >>> 4) * 4));
        if (ctx) this.counts.http++;
      }
    } catch {
      ctx = undefined; // a packet the codec cannot walk carries no context
    }
    if (!ctx) return void this.counts.none++;
    return { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext(ctx) };
  }
}

/**
 * Serves the local API on a unix stream socket (mode 0660): one JSON request per line, one
 * JSON answer per line.
 *   {"op":"set","flow":{"src","dst","protocol","sport","dport"},"traceparent":"00-…-…-01","ttlMs":30000}
 *   {"op":"delete","flow":{…}}
 * Answers {"ok":true} or {"ok":false,"error":"…"}.
 */
export function serveFlowContexts(path: string, contexts: FlowRegistry): Server {
  if (existsSync(path) && lstatSync(path).isSocket()) unlinkSync(path);
  const server = createServer((c) => {
    let rest = "";
    c.setEncoding("utf8").on("data", (s: string) => {
      const lines = (rest + s).split("\n");
      rest = lines.pop()!;
      for (const l of lines) if (l.trim()) c.write(JSON.stringify(answer(l, contexts)) + "\n");
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

function answer(line: string, contexts: FlowRegistry): { ok: boolean; error?: string } {
  let r: { op?: unknown; flow?: Partial<FlowKey>; traceparent?: unknown; ttlMs?: unknown };
  try {
    r = JSON.parse(line) as typeof r;
  } catch {
    return { ok: false, error: "not JSON" };
  }
  const f = r.flow;
  if (!f || typeof f.src !== "string" || typeof f.dst !== "string" || ![f.protocol, f.sport, f.dport].every((x) => Number.isInteger(x))) return { ok: false, error: "flow needs src, dst, protocol, sport, dport" };
  const flow = f as FlowKey;
  if (r.op === "delete") return (contexts.delete(flow), { ok: true });
  if (r.op !== "set") return { ok: false, error: `unknown op ${JSON.stringify(r.op)} (set, delete)` };
  const ctx = typeof r.traceparent === "string" ? parseTraceparent(r.traceparent) : undefined;
  if (!ctx) return { ok: false, error: "traceparent is not a valid W3C traceparent" };
  contexts.set(flow, ctx, typeof r.ttlMs === "number" && r.ttlMs > 0 ? r.ttlMs : 30_000);
  return { ok: true };
}
