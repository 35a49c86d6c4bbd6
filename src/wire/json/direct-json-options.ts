// The IOAM options of the direct record writer (direct-json.ts): each option written straight
// from its bytes as record-json.ts would write its decoded form, for options a strict reader
// has nothing to say about. Anything that would decode with an issue, a kept-bytes member
// (freeSpace, rawData, data) or a DecodeError returns NOT_DIRECT, and the caller falls back
// to the record path, which stays the definition of the output.

import { readU16, readU24, readU32 } from "../_be.js";
import { asciiPiece, putHexBytes, putHexDigits, putPiece, putUint } from "./ascii-put.js";
import { POPCOUNT8 } from "../_bits.js";
import { DEX, DEX_EXT_FLOW_ID, DEX_EXT_SEQ, DEX_EXT_UNASSIGNED, dexOptionalLength } from "../ioam/dex.js";
import { E2E_SEQ32, E2E_SEQ64, E2E_TS_FRAC, E2E_TS_SEC, e2eDataLength } from "../ioam/e2e.js";
import { IOAM_OPT, IOAM_TYPE, optionHeaderIssues } from "../ioam/option-header.js";
import { OSS_BIT } from "../ioam/trace-type.js";
import { TRACE_TOO_SHORT, checkTraceOption, traceDataStart, traceFlagBits, traceFreeEnd, traceHeaderIssues, traceNamespaceId, traceNodeLen, traceRemainingLen, traceType } from "../ioam/trace-view.js";

/** Returned instead of a position when the option needs the record path. */
export const NOT_DIRECT = -1;

/** Where an option sits, as the record's placement members say it. */
export interface DirectPlacement {
  /** True in a Hop-by-Hop header, false in Destination Options. */
  hop: boolean;
  headerIndex: number;
  headerStart: number;
}

// Constant text, encoded once. Names: q_ = closes a string first, c_ = starts with a comma.
const P = {
  trace_prealloc: asciiPiece('{"kind":"trace","variant":"prealloc","namespaceId":'),
  trace_incremental: asciiPiece('{"kind":"trace","variant":"incremental","namespaceId":'),
  c_nodeLen: asciiPiece(',"nodeLen":'),
  c_traceType_0x: asciiPiece(',"traceType":"0x'),
  q_reserved0_nodes: asciiPiece('","reserved":0,"nodes":['),
  c_opaque_schemaId: asciiPiece(',"opaque":{"schemaId":'),
  c_data_0x: asciiPiece(',"data":"0x'),
  pot_namespaceId: asciiPiece('{"kind":"pot","namespaceId":'),
  c_potType0_flags: asciiPiece(',"potType":0,"flags":'),
  c_random_0x: asciiPiece(',"random":"0x'),
  q_cumulative_0x: asciiPiece('","cumulative":"0x'),
  e2e_namespaceId: asciiPiece('{"kind":"e2e","namespaceId":'),
  c_e2eType_0x: asciiPiece(',"e2eType":"0x'),
  c_seq64_0x: asciiPiece(',"seq64":"0x'),
  c_seq32: asciiPiece(',"seq32":'),
  c_tsSec: asciiPiece(',"tsSec":'),
  c_tsFrac: asciiPiece(',"tsFrac":'),
  dex_namespaceId: asciiPiece('{"kind":"dex","namespaceId":'),
  c_flags: asciiPiece(',"flags":'),
  c_extFlags: asciiPiece(',"extFlags":'),
  q_reserved: asciiPiece('","reserved":'),
  c_flowId: asciiPiece(',"flowId":'),
  c_seq: asciiPiece(',"seq":'),
  c_extWords: asciiPiece(',"extWords":['),
  unknown_ioamType: asciiPiece('{"kind":"unknown","ioamType":'),
  c_raw_0x: asciiPiece(',"raw":"0x'),
  c_header_hop_headerIndex: asciiPiece(',"header":"hop","headerIndex":'),
  c_header_dest_headerIndex: asciiPiece(',"header":"dest","headerIndex":'),
  c_ipv6OptType: asciiPiece(',"ipv6OptType":'),
  c_offset: asciiPiece(',"offset":'),
  c_optReserved0_issues_close: asciiPiece(',"optReserved":0,"issues":[]}'),
} as const;

/** Node member keys, each with its leading comma (the node's first comma becomes its "{"). */
const NK = {
  hopLimit: asciiPiece(',"hopLimit":'),
  nodeId: asciiPiece(',"nodeId":'),
  ingressIf: asciiPiece(',"ingressIf":'),
  egressIf: asciiPiece(',"egressIf":'),
  tsSec: asciiPiece(',"tsSec":'),
  tsFrac: asciiPiece(',"tsFrac":'),
  transitDelay: asciiPiece(',"transitDelay":'),
  nsData: asciiPiece(',"nsData":'),
  queueDepth: asciiPiece(',"queueDepth":'),
  csumComp: asciiPiece(',"csumComp":'),
  hopLimitWide: asciiPiece(',"hopLimitWide":'),
  nodeIdWide_0x: asciiPiece(',"nodeIdWide":"0x'),
  ingressIfWide: asciiPiece(',"ingressIfWide":'),
  egressIfWide: asciiPiece(',"egressIfWide":'),
  nsDataWide_0x: asciiPiece(',"nsDataWide":"0x'),
  bufferOccupancy: asciiPiece(',"bufferOccupancy":'),
} as const;

/** `,"flags":{…},"remainingLen":` for each value of the four flag bits (overflow first). */
const TRACE_FLAGS = Array.from({ length: 16 }, (_, f) =>
  asciiPiece(`,"flags":{"overflow":${(f & 8) !== 0},"loopback":${(f & 4) !== 0},"active":${(f & 2) !== 0},"unknownBits":${f & 1}},"remainingLen":`),
);

const COMMA = 0x2c;
const QUOTE = 0x22;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const RBR = 0x5d;


/**
 * Writes the IOAM option TLV src[o, e) (a whole TLV of type 0x31 or 0x11) at p as the
 * record would show it; returns the new position, or NOT_DIRECT.
 */
export function putIoamOption(d: DataView, p: number, src: Uint8Array, o: number, e: number, at: DirectPlacement): number {
  // The decoder's own rule: alignment, RFC 9486 placement, Reserved octet (any issue → the record path).
  if (e - o < IOAM_OPT.BODY || optionHeaderIssues(src, o, at.headerStart, at.hop ? "hop" : "dest") !== 0) return NOT_DIRECT;
  const optType = src[o + IOAM_OPT.TYPE]!;
  const ioamType = src[o + IOAM_OPT.IOAM_TYPE]!;
  const s = o + IOAM_OPT.BODY;
  switch (ioamType) {
    case IOAM_TYPE.PREALLOC_TRACE:
    case IOAM_TYPE.INCREMENTAL_TRACE:
      p = putTrace(d, p, src, s, e, ioamType === IOAM_TYPE.PREALLOC_TRACE);
      break;
    case IOAM_TYPE.POT:
      p = putPot(d, p, src, s, e);
      break;
    case IOAM_TYPE.E2E:
      p = putE2e(d, p, src, s, e);
      break;
    case IOAM_TYPE.DEX:
      p = putDex(d, p, src, s, e);
      break;
    default:
      p = putPiece(d, p, P.unknown_ioamType);
      p = putUint(d, p, ioamType);
      p = putPiece(d, p, P.c_raw_0x);
      p = putHexBytes(d, p, src, s, e);
      d.setUint8(p++, QUOTE);
  }
  if (p === NOT_DIRECT) return NOT_DIRECT;
  p = putPiece(d, p, at.hop ? P.c_header_hop_headerIndex : P.c_header_dest_headerIndex);
  p = putUint(d, p, at.headerIndex);
  p = putPiece(d, p, P.c_ipv6OptType);
  p = putUint(d, p, optType);
  p = putPiece(d, p, P.c_offset);
  p = putUint(d, p, o);
  return putPiece(d, p, P.c_optReserved0_issues_close);
}

/** A trace body src[s, e) with no issue: NodeLen right, no undefined/reserved bits, whole entries. */
function putTrace(d: DataView, p: number, src: Uint8Array, s: number, e: number, prealloc: boolean): number {
  if (checkTraceOption(src, s - IOAM_OPT.BODY, e) === TRACE_TOO_SHORT || traceHeaderIssues(src, s, e, prealloc) !== 0) return NOT_DIRECT;
  const t = traceType(src, s);
  const nodeLen = traceNodeLen(src, s);
  const remainingLen = traceRemainingLen(src, s);
  const data = traceDataStart(s);
  let from = data;
  if (prealloc) {
    from = traceFreeEnd(src, s);
    for (let i = data; i < from; i++) if (src[i] !== 0) return NOT_DIRECT; // freeSpace would be shown
  }
  const fixed = 4 * nodeLen;
  const oss = (t & OSS_BIT) !== 0;
  if (fixed === 0 && !oss && from < e) return NOT_DIRECT;
  p = putPiece(d, p, prealloc ? P.trace_prealloc : P.trace_incremental);
  p = putUint(d, p, traceNamespaceId(src, s));
  p = putPiece(d, p, P.c_nodeLen);
  p = putUint(d, p, nodeLen);
  p = putPiece(d, p, TRACE_FLAGS[traceFlagBits(src, s)]!);
  p = putUint(d, p, remainingLen);
  p = putPiece(d, p, P.c_traceType_0x);
  p = putHexDigits(d, p, t, 6);
  p = putPiece(d, p, P.q_reserved0_nodes);
  const entry = fixed + (oss ? 4 : 0);
  for (let q = from; q < e; ) {
    if (e - q < entry) return NOT_DIRECT;
    if (q !== from) d.setUint8(p++, COMMA);
    const start = p;
    p = putNodeFields(d, p, src, q, t);
    let end = q + fixed;
    if (oss) {
      const words = src[end]!;
      if (e - end - 4 < 4 * words) return NOT_DIRECT;
      p = putPiece(d, p, P.c_opaque_schemaId);
      p = putUint(d, p, readU32(src, end) & 0xffffff);
      p = putPiece(d, p, P.c_data_0x);
      p = putHexBytes(d, p, src, end + 4, end + 4 + 4 * words);
      d.setUint8(p++, QUOTE);
      d.setUint8(p++, CLOSE);
      end += 4 + 4 * words;
    }
    d.setUint8(start, OPEN); // every member was written after a comma; the first one opens the node
    d.setUint8(p++, CLOSE);
    q = end;
  }
  d.setUint8(p++, RBR);
  return p;
}

/**
 * The fixed fields of the entry at src[o] with Trace-Type t (no undefined bits), each as
 * `,"key":value`, in the record's member order (trace-node.ts, record-json.ts writeNode).
 */
function putNodeFields(d: DataView, p: number, src: Uint8Array, o: number, t: number): number {
  let hopLimit = -1;
  if (t & 0x800000) {
    hopLimit = src[o]!;
    p = putPiece(d, p, NK.hopLimit);
    p = putUint(d, p, hopLimit);
    p = putPiece(d, p, NK.nodeId);
    p = putUint(d, p, readU24(src, o + 1));
    o += 4;
  } else if (t & 0x008000) {
    // Only bit 8 carries a hop limit: it is still the record's first member.
    p = putPiece(d, p, NK.hopLimit);
    p = putUint(d, p, src[o + 4 * POPCOUNT8[(t >>> 16) & 0x7f]!]!);
  }
  if (t & 0x400000) {
    p = putPiece(d, p, NK.ingressIf);
    p = putUint(d, p, readU16(src, o));
    p = putPiece(d, p, NK.egressIf);
    p = putUint(d, p, readU16(src, o + 2));
    o += 4;
  }
  if (t & 0x200000) (p = putPiece(d, p, NK.tsSec)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & 0x100000) (p = putPiece(d, p, NK.tsFrac)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & 0x080000) (p = putPiece(d, p, NK.transitDelay)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & 0x040000) (p = putPiece(d, p, NK.nsData)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & 0x020000) (p = putPiece(d, p, NK.queueDepth)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & 0x010000) (p = putPiece(d, p, NK.csumComp)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & 0x008000) {
    if (hopLimit >= 0 && src[o] !== hopLimit) (p = putPiece(d, p, NK.hopLimitWide)), (p = putUint(d, p, src[o]!));
    p = putPiece(d, p, NK.nodeIdWide_0x);
    p = putHexBytes(d, p, src, o + 1, o + 8);
    d.setUint8(p++, QUOTE);
    o += 8;
  }
  if (t & 0x004000) {
    p = putPiece(d, p, NK.ingressIfWide);
    p = putUint(d, p, readU32(src, o));
    p = putPiece(d, p, NK.egressIfWide);
    p = putUint(d, p, readU32(src, o + 4));
    o += 8;
  }
  if (t & 0x002000) {
    p = putPiece(d, p, NK.nsDataWide_0x);
    p = putHexBytes(d, p, src, o, o + 8);
    d.setUint8(p++, QUOTE);
    o += 8;
  }
  if (t & 0x001000) (p = putPiece(d, p, NK.bufferOccupancy)), (p = putUint(d, p, readU32(src, o)));
  return p;
}

/** POT type 0 with exactly its 16 data octets (anything else decodes with an issue). */
function putPot(d: DataView, p: number, src: Uint8Array, s: number, e: number): number {
  if (e - s !== 20 || src[s + 2] !== 0) return NOT_DIRECT;
  p = putPiece(d, p, P.pot_namespaceId);
  p = putUint(d, p, readU16(src, s));
  p = putPiece(d, p, P.c_potType0_flags);
  p = putUint(d, p, src[s + 3]!);
  p = putPiece(d, p, P.c_random_0x);
  p = putHexBytes(d, p, src, s + 4, s + 12);
  p = putPiece(d, p, P.q_cumulative_0x);
  p = putHexBytes(d, p, src, s + 12, s + 20);
  d.setUint8(p++, QUOTE);
  return p;
}

/** E2E with defined bits only, at most one sequence number, and exactly their data. */
function putE2e(d: DataView, p: number, src: Uint8Array, s: number, e: number): number {
  if (e - s < 4) return NOT_DIRECT;
  const t = readU16(src, s + 2);
  if ((t & 0x0fff) !== 0 || (t & (E2E_SEQ64 | E2E_SEQ32)) === (E2E_SEQ64 | E2E_SEQ32) || e - s - 4 !== e2eDataLength(t)) return NOT_DIRECT;
  p = putPiece(d, p, P.e2e_namespaceId);
  p = putUint(d, p, readU16(src, s));
  p = putPiece(d, p, P.c_e2eType_0x);
  p = putHexDigits(d, p, t, 4);
  d.setUint8(p++, QUOTE);
  let o = s + 4;
  if (t & E2E_SEQ64) (p = putPiece(d, p, P.c_seq64_0x)), (p = putHexBytes(d, p, src, o, o + 8)), (d.setUint8(p++, QUOTE)), (o += 8);
  if (t & E2E_SEQ32) (p = putPiece(d, p, P.c_seq32)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & E2E_TS_SEC) (p = putPiece(d, p, P.c_tsSec)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (t & E2E_TS_FRAC) (p = putPiece(d, p, P.c_tsFrac)), (p = putUint(d, p, readU32(src, o)));
  return p;
}

/** DEX whose length is exactly what its Extension-Flags announce. */
function putDex(d: DataView, p: number, src: Uint8Array, s: number, e: number): number {
  if (e - s < 8) return NOT_DIRECT;
  const ext = src[s + DEX.EXT_FLAGS]!;
  if (e - s - DEX.OPTIONAL !== dexOptionalLength(ext)) return NOT_DIRECT;
  const typeWord = readU32(src, s + DEX.TYPE);
  p = putPiece(d, p, P.dex_namespaceId);
  p = putUint(d, p, readU16(src, s + DEX.NAMESPACE_ID));
  p = putPiece(d, p, P.c_flags);
  p = putUint(d, p, src[s + DEX.FLAGS]!);
  p = putPiece(d, p, P.c_extFlags);
  p = putUint(d, p, ext);
  p = putPiece(d, p, P.c_traceType_0x);
  p = putHexDigits(d, p, typeWord >>> 8, 6);
  p = putPiece(d, p, P.q_reserved);
  p = putUint(d, p, typeWord & 0xff);
  let o = s + DEX.OPTIONAL;
  if (ext & DEX_EXT_FLOW_ID) (p = putPiece(d, p, P.c_flowId)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (ext & DEX_EXT_SEQ) (p = putPiece(d, p, P.c_seq)), (p = putUint(d, p, readU32(src, o))), (o += 4);
  if (ext & DEX_EXT_UNASSIGNED) {
    p = putPiece(d, p, P.c_extWords);
    for (const first = o; o < e; o += 4) {
      if (o !== first) d.setUint8(p++, COMMA);
      p = putUint(d, p, readU32(src, o));
    }
    d.setUint8(p++, RBR);
  }
  return p;
}
