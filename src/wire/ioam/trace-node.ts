// One node entry of a trace's node data list (RFC 9197 §4.4.2): the fixed fields in bit
// order, one word per undefined bit 12–21, then the Opaque State Snapshot (bit 22).

import { readU16, readU24, readU32, writeU16, writeU24, writeU32, writeUBig } from "../_be.js";
import { OSS_BIT, TRACE_FIELDS, type TraceFieldPart, type TraceNodeKey, UNDEFINED_BITS_MASK, nodeLenOf, traceBit } from "./trace-type.js";

/** Opaque State Snapshot: schema id (24 bits) and data (4·Length octets). */
export interface OpaqueSnapshot {
  schemaId: number;
  data: Uint8Array;
}

/**
 * One node's data, only the fields its Trace-Type carries. "Not available" values stay as
 * sent (e.g. 0xffffffff). `hopLimitWide` appears only when bits 0 and 8 are both set and
 * carry different hop limits; otherwise `hopLimit` serves both.
 */
export interface TraceNode {
  hopLimit?: number;
  nodeId?: number;
  ingressIf?: number;
  egressIf?: number;
  tsSec?: number;
  tsFrac?: number;
  transitDelay?: number;
  nsData?: number;
  queueDepth?: number;
  csumComp?: number;
  hopLimitWide?: number;
  nodeIdWide?: bigint;
  ingressIfWide?: number;
  egressIfWide?: number;
  nsDataWide?: bigint;
  bufferOccupancy?: number;
  undefinedWords?: number[];
  opaque?: OpaqueSnapshot;
}

const NA32 = 0xffffffff;

/** Octets of one entry with this type and snapshot (4·NodeLen + OSS header + data). */
export function nodeEntryLength(traceType: number, opaqueDataLength: number): number {
  const oss = traceType & OSS_BIT ? 4 + opaqueDataLength : 0;
  return 4 * nodeLenOf(traceType) + oss;
}

/**
 * Reads the fixed part of one entry at `o` (4·NodeLen octets, bounds checked by the caller).
 * The OSS is read separately by the caller, which knows how much room is left.
 * Unrolled in bit order (the TRACE_FIELDS table order) because `decode --json` lives here.
 */
export function decodeNodeFixed(b: Uint8Array, o: number, t: number): TraceNode {
  const n: TraceNode = {};
  if (t & 0x800000) { n.hopLimit = b[o]!; n.nodeId = readU24(b, o + 1); o += 4; }
  if (t & 0x400000) { n.ingressIf = readU16(b, o); n.egressIf = readU16(b, o + 2); o += 4; }
  if (t & 0x200000) { n.tsSec = readU32(b, o); o += 4; }
  if (t & 0x100000) { n.tsFrac = readU32(b, o); o += 4; }
  if (t & 0x080000) { n.transitDelay = readU32(b, o); o += 4; }
  if (t & 0x040000) { n.nsData = readU32(b, o); o += 4; }
  if (t & 0x020000) { n.queueDepth = readU32(b, o); o += 4; }
  if (t & 0x010000) { n.csumComp = readU32(b, o); o += 4; }
  if (t & 0x008000) { readWideHopLimit(n, b[o]!); n.nodeIdWide = (BigInt(readU24(b, o + 1)) << 32n) | BigInt(readU32(b, o + 4)); o += 8; }
  if (t & 0x004000) { n.ingressIfWide = readU32(b, o); n.egressIfWide = readU32(b, o + 4); o += 8; }
  if (t & 0x002000) { n.nsDataWide = (BigInt(readU32(b, o)) << 32n) | BigInt(readU32(b, o + 4)); o += 8; }
  if (t & 0x001000) { n.bufferOccupancy = readU32(b, o); o += 4; }
  if (t & UNDEFINED_BITS_MASK) {
    const words: number[] = [];
    for (let bit = 12; bit <= 21; bit++) {
      if (t & traceBit(bit)) {
        words.push(readU32(b, o));
        o += 4;
      }
    }
    n.undefinedWords = words;
  }
  return n;
}

function readWideHopLimit(n: TraceNode, v: number): void {
  if (n.hopLimit === undefined) n.hopLimit = v;
  else if (n.hopLimit !== v) n.hopLimitWide = v;
}

/** Writes one node entry at `o`, field by field from TRACE_FIELDS; values the node lacks are written "not available" (all ones). */
export function encodeNode(n: TraceNode, traceType: number, out: Uint8Array, o: number): number {
  for (const f of TRACE_FIELDS) {
    if (!(traceType & f.mask)) continue;
    for (const p of f.parts) writePart(out, o + p.at, p.octets, partValue(n, p.key));
    o += f.octets;
  }
  let u = 0;
  for (let bit = 12; bit <= 21; bit++) {
    if (!(traceType & traceBit(bit))) continue;
    writeU32(out, o, n.undefinedWords?.[u++] ?? NA32);
    o += 4;
  }
  if (traceType & OSS_BIT) o = encodeOpaque(n.opaque, out, o);
  return o;
}

/** The record's value for a part; bit 8's hop limit is `hopLimit` unless a different `hopLimitWide` was kept. */
function partValue(n: TraceNode, key: TraceNodeKey): number | bigint | undefined {
  return key === "hopLimitWide" ? (n.hopLimitWide ?? n.hopLimit) : n[key];
}

function writePart(out: Uint8Array, o: number, octets: TraceFieldPart["octets"], v: number | bigint | undefined): void {
  if (octets >= 7) return writeUBig(out, o, typeof v === "bigint" ? v : (1n << BigInt(8 * octets)) - 1n, octets);
  const n = typeof v === "number" ? v : 2 ** (8 * octets) - 1;
  if (octets === 1) out[o] = n;
  else if (octets === 2) writeU16(out, o, n);
  else if (octets === 3) writeU24(out, o, n);
  else writeU32(out, o, n);
}

/** OSS with no schema: Length 0, Schema ID 0xFFFFFF (what Linux writes). */
export const NO_SCHEMA_ID = 0xffffff;

/**
 * Opaque snapshot data as it travels: in 4-octet words (its Length field counts words, RFC 9197
 * §4.4.2.12), zero-padded. The kernel keeps schema data the same way (ioam6_genl_addsc).
 */
export function opaqueDataPadded(d: Uint8Array): Uint8Array {
  const out = new Uint8Array((d.length + 3) & ~3);
  out.set(d);
  return out;
}

function encodeOpaque(s: OpaqueSnapshot | undefined, out: Uint8Array, o: number): number {
  const data = opaqueDataPadded(s?.data ?? new Uint8Array(0));
  writeU32(out, o, (((data.length >>> 2) << 24) | ((s?.schemaId ?? NO_SCHEMA_ID) & 0xffffff)) >>> 0);
  out.set(data, o + 4);
  return o + 4 + data.length;
}

/** Octets an entry for `n` takes with this Trace-Type (OSS data rounded up to 4). */
export function nodeLength(n: TraceNode, traceType: number): number {
  const oss = n.opaque ? Math.ceil(n.opaque.data.length / 4) * 4 : 0;
  return nodeEntryLength(traceType, oss);
}
