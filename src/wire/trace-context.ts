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

/** The value of a lowercase hex digit's character code. */
const nibble = (c: number) => (c <= 0x39 ? c - 0x30 : c - 0x57);

/** Writes the `n` octets of lowercase hex `h` at out[at] (per packet: no substring, no parseInt). */
function writeHex(out: Uint8Array, at: number, h: string, n: number): void {
  for (let i = 0; i < n; i++) out[at + i] = (nibble(h.charCodeAt(2 * i)) << 4) | nibble(h.charCodeAt(2 * i + 1));
}

/** The snapshot bytes for a context. */
export function encodeTraceContext(c: TraceContext): Uint8Array {
  const out = new Uint8Array(TRACE_CONTEXT_LENGTH);
  out[1] = c.sampled ? 1 : 0;
  writeHex(out, 4, c.traceId, 16);
  writeHex(out, 20, c.spanId, 8);
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

const LATIN1 = new TextDecoder("latin1");
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;
/** A traceparent header line (field names are case-insensitive, RFC 9110 §5.1; optional whitespace around the value). */
const TRACEPARENT_LINE = /\r\ntraceparent[ \t]*:[ \t]*([^\r\n]*)/i;

/** Where the header block of `b` ends (its blank line), or b.length when it goes on. */
function headerEnd(b: Uint8Array): number {
  for (let i = 3; i < b.length; i++) if (b[i] === 0x0a && b[i - 1] === 0x0d && b[i - 2] === 0x0a && b[i - 3] === 0x0d) return i - 1;
  return b.length;
}

/**
 * The traceparent header of a plaintext HTTP/1.x request at the start of a TCP payload, or
 * undefined (not a request, header absent or invalid). Reads at most the header block (8 KiB).
 */
export function traceparentFromHttp(payload: Uint8Array): TraceContext | undefined {
  const head = LATIN1.decode(payload.subarray(0, headerEnd(payload.subarray(0, 8192))));
  if (!REQUEST_LINE.test(head)) return undefined;
  const m = TRACEPARENT_LINE.exec(head);
  return m ? parseTraceparent(m[1]!) : undefined;
}
