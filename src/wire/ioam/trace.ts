// Pre-allocated (IOAM type 0) and Incremental (type 1) Trace options (RFC 9197 §4.4) as
// records: decode and encode. The header layout and its accessors are in trace-view.ts; the
// node entries in trace-node.ts.

import { readU32, writeU16, writeU32 } from "../_be.js";
import { DecodeError, type Issue } from "../errors.js";
import { type TraceNode, decodeNodeFixed, encodeNode, nodeLength } from "./trace-node.js";
import { OSS_BIT, nodeLenOf } from "./trace-type.js";
import {
  TRACE,
  TRACE_HEADER_ISSUE,
  traceDataStart,
  traceFlagBits,
  traceHeaderIssues,
  traceNamespaceId,
  traceNodeLen,
  traceRemainingLen,
  traceReservedOctet,
  traceType,
  writeTraceLengthsAndFlags,
} from "./trace-view.js";

export { TRACE, TRACE_FLAG_BITS } from "./trace-view.js";

/** Trace flags (RFC 9197 §4.4.1, RFC 9322 §3); `unknownBits` holds the unassigned bit 3. */
export interface TraceFlags {
  overflow: boolean;
  loopback: boolean;
  active: boolean;
  unknownBits: number;
}

export type TraceVariant = "prealloc" | "incremental";

/** The decoded trace body (placement fields are added by the option layer). */
export interface TraceBody {
  kind: "trace";
  variant: TraceVariant;
  namespaceId: number;
  nodeLen: number;
  flags: TraceFlags;
  remainingLen: number;
  traceType: number;
  /** Reserved octet after the Trace-Type; 0 on send. */
  reserved: number;
  /** Wire order: newest first. */
  nodes: TraceNode[];
  /** Pre-allocated free space, present when not all zero or not 4·RemainingLen long. */
  freeSpace?: Uint8Array;
  /** Node data that could not be split into entries (see issues). */
  rawData?: Uint8Array;
}

/** The record's flags as the four bits of traceFlagBits(). */
function flagBitsOf(f: TraceFlags): number {
  return (f.overflow ? 8 : 0) | (f.loopback ? 4 : 0) | (f.active ? 2 : 0) | (f.unknownBits & 1);
}

/** The four flag bits of traceFlagBits() as the record's flags. */
function flagsOf(bits: number): TraceFlags {
  return { overflow: (bits & 8) !== 0, loopback: (bits & 4) !== 0, active: (bits & 2) !== 0, unknownBits: bits & 1 };
}

/**
 * Decodes a trace body in b[s, e); issue offsets are offsets into `b`.
 * Throws DecodeError MALFORMED only when the 8-octet trace header does not fit; every other
 * inconsistency becomes an issue and the bytes are kept.
 */
export function decodeTraceBody(b: Uint8Array, s: number, e: number, variant: TraceVariant, issues: Issue[]): TraceBody {
  if (e - s < TRACE.DATA) {
    throw new DecodeError("MALFORMED", s, "ioam", `trace option at byte ${s - 4}: ${e - s} body bytes, the trace header needs 8`);
  }
  const body: TraceBody = {
    kind: "trace",
    variant,
    namespaceId: traceNamespaceId(b, s),
    nodeLen: traceNodeLen(b, s),
    flags: flagsOf(traceFlagBits(b, s)),
    remainingLen: traceRemainingLen(b, s),
    traceType: traceType(b, s),
    reserved: traceReservedOctet(b, s),
    nodes: [],
  };
  const found = traceHeaderIssues(b, s, e, variant === "prealloc");
  headerIssues(found, s, issues);
  const d = traceDataStart(s);
  let from = d;
  if (variant === "prealloc") {
    from = Math.min(d + 4 * body.remainingLen, e);
    const free = b.subarray(d, from);
    if (from - d !== 4 * body.remainingLen || free.some((x) => x !== 0)) body.freeSpace = free.slice();
  }
  const stop = decodeEntries(b, from, e, body, issues);
  if (stop < e) body.rawData = b.slice(stop, e);
  return body;
}

/** The header issues in the order a reader meets them, at the offsets of their fields. */
function headerIssues(found: number, s: number, issues: Issue[]): void {
  if (found & TRACE_HEADER_ISSUE.NODELEN_MISMATCH) issues.push({ code: "NODELEN_MISMATCH", offset: s + TRACE.NODELEN_FLAGS });
  if (found & TRACE_HEADER_ISSUE.UNDEFINED_TRACE_BITS) issues.push({ code: "UNDEFINED_TRACE_BITS", offset: s + TRACE.TYPE });
  if (found & TRACE_HEADER_ISSUE.RESERVED_TRACE_BIT) issues.push({ code: "RESERVED_TRACE_BIT", offset: s + TRACE.TYPE });
  if (found & TRACE_HEADER_ISSUE.RESERVED_NONZERO) issues.push({ code: "RESERVED_NONZERO", offset: s + TRACE.RESERVED });
  if (found & TRACE_HEADER_ISSUE.REMLEN_EXCEEDS_DATA) issues.push({ code: "REMLEN_EXCEEDS_DATA", offset: s + TRACE.REMLEN });
  if (found & TRACE_HEADER_ISSUE.DATA_NOT_WORD_ALIGNED) issues.push({ code: "DATA_NOT_WORD_ALIGNED", offset: traceDataStart(s) });
}

/** Parses whole entries from b[o, e); returns where parsing stopped. */
function decodeEntries(b: Uint8Array, o: number, e: number, t: TraceBody, issues: Issue[]): number {
  if (t.nodeLen !== nodeLenOf(t.traceType)) return o; // entry size unknown: keep the bytes raw
  const fixed = 4 * t.nodeLen;
  const oss = (t.traceType & OSS_BIT) !== 0;
  if (fixed === 0 && !oss) {
    if (o < e) issues.push({ code: "TRAILING_DATA", offset: o });
    return o;
  }
  while (o < e) {
    const need = fixed + (oss ? 4 : 0);
    if (e - o < need) return stopAt(o, "TRAILING_DATA", issues);
    const node = decodeNodeFixed(b, o, t.traceType);
    let end = o + fixed;
    if (oss) {
      const words = b[end]!;
      if (e - end - 4 < 4 * words) return stopAt(o, "MALFORMED", issues);
      node.opaque = { schemaId: readU32(b, end) & 0xffffff, data: b.slice(end + 4, end + 4 + 4 * words) };
      end += 4 + 4 * words;
    }
    t.nodes.push(node);
    o = end;
  }
  return o;
}

function stopAt(o: number, code: "TRAILING_DATA" | "MALFORMED", issues: Issue[]): number {
  issues.push({ code, offset: o });
  return o;
}

/** Octets of the node data list this body encodes to. */
export function traceDataLength(t: TraceBody): number {
  let n = t.freeSpace ? t.freeSpace.length : t.variant === "prealloc" ? 4 * t.remainingLen : 0;
  for (const node of t.nodes) n += nodeLength(node, t.traceType);
  return n + (t.rawData?.length ?? 0);
}

/** Octets of the whole trace body (header + data list). */
export function traceBodyLength(t: TraceBody): number {
  return TRACE.DATA + traceDataLength(t);
}

/** Writes the trace body at `o`; returns the end offset. */
export function encodeTraceBody(t: TraceBody, out: Uint8Array, o: number): number {
  writeU16(out, o, t.namespaceId);
  writeTraceLengthsAndFlags(out, o, t.nodeLen, flagBitsOf(t.flags), t.remainingLen);
  writeU32(out, o + TRACE.TYPE, (((t.traceType & 0xffffff) << 8) | (t.reserved & 0xff)) >>> 0);
  o += TRACE.DATA;
  if (t.freeSpace) {
    out.set(t.freeSpace, o);
    o += t.freeSpace.length;
  } else if (t.variant === "prealloc") {
    out.fill(0, o, o + 4 * t.remainingLen);
    o += 4 * t.remainingLen;
  }
  for (const node of t.nodes) o = encodeNode(node, t.traceType, out, o);
  if (t.rawData) {
    out.set(t.rawData, o);
    o += t.rawData.length;
  }
  return o;
}
