// Cross-layer telemetry (docs/collector.md, "Cross-layer"): the application's W3C trace context
// carried in the encapsulating node's Opaque State Snapshot (RFC 9197 §4.4.2.13) under a schema
// id ioamkit documents, so the hop spans of a packet join the application's trace.
//
// Snapshot data (28 octets, 7 words), schema TRACE_CONTEXT_SCHEMA:
//   0      version (0)          1  trace-flags (W3C, bit 0 = sampled)   2–3  reserved (0)
//   4–19   trace-id (16 octets, W3C)                 20–27 parent-id (8 octets: the span the
//                                                          packet was sent in)

import type { TraceNode } from "./ioam/trace-node.js";

/** The Opaque State Snapshot schema id (24 bits) of an ioamkit trace context: "iok" in ASCII. */
export const TRACE_CONTEXT_SCHEMA = 0x696f6b;
/** Octets of the snapshot data. */
export const TRACE_CONTEXT_LENGTH = 28;

/** A W3C trace context as lowercase hex, as in a traceparent header. */
export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** The snapshot bytes for a context. */
export function encodeTraceContext(c: TraceContext): Uint8Array {
  const out = new Uint8Array(TRACE_CONTEXT_LENGTH);
  out[1] = c.sampled ? 1 : 0;
  for (let i = 0; i < 16; i++) out[4 + i] = parseInt(c.traceId.slice(2 * i, 2 * i + 2), 16);
  for (let i = 0; i < 8; i++) out[20 + i] = parseInt(c.spanId.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The context in a snapshot of schema TRACE_CONTEXT_SCHEMA, or undefined (other schema, bad size, all-zero ids). */
export function decodeTraceContext(schemaId: number, data: Uint8Array): TraceContext | undefined {
  if (schemaId !== TRACE_CONTEXT_SCHEMA || data.length < TRACE_CONTEXT_LENGTH || data[0] !== 0) return undefined;
  const traceId = hex(data.subarray(4, 20));
  const spanId = hex(data.subarray(20, 28));
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (data[1]! & 1) === 1 };
}

/** The context of a journey: from the first hop (traversal order) that carries one. */
export function journeyTraceContext(hops: readonly TraceNode[]): TraceContext | undefined {
  for (const h of hops) {
    const c = h.opaque && decodeTraceContext(h.opaque.schemaId, h.opaque.data);
    if (c) return c;
  }
  return undefined;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a W3C traceparent header value (Trace Context §3.2); undefined when invalid. */
export function parseTraceparent(v: string): TraceContext | undefined {
  const m = TRACEPARENT.exec(v.trim().toLowerCase());
  if (!m || m[1] === "ff" || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  return { traceId: m[2]!, spanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

/**
 * The traceparent header of a plaintext HTTP/1.x request at the start of a TCP payload, or
 * undefined (not a request, header absent or invalid). Reads at most the header block.
 */
export function traceparentFromHttp(payload: Uint8Array): TraceContext | undefined {
  const head = new TextDecoder("latin1").decode(payload.subarray(0, Math.min(payload.length, 8192)));
  if (!/^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/.test(head)) return undefined;
  const end = head.indexOf("\r\n\r\n");
  for (const line of (end < 0 ? head : head.slice(0, end)).split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === "traceparent") return parseTraceparent(line.slice(colon + 1));
  }
  return undefined;
}
