// The kernel's trace fill (ioam6_fill_trace_data in net/ipv6/ioam6.c): the node
// block is written just below the space already used, fields in bit order, then RemainingLen
// shrinks by NodeLen plus the opaque snapshot's words. Overflow instead when there is no room.

import { writeU16, writeU32 } from "../wire/_be.js";
import { OSS_BIT, UNDEFINED_BITS_MASK, nodeLenOf } from "../wire/ioam/trace-type.js";
import { TRACE, setTraceOverflow, setTraceRemainingLen, traceNodeLen, traceOverflow, traceRemainingLen, traceType, writeTraceHeader } from "../wire/ioam/trace-view.js";
import { IPV6 } from "../wire/ipv6.js";
import { type PacketContext, optionTime } from "./context.js";
import { type NamespaceState, type NodeState, UNAVAILABLE } from "./state.js";

const U32_NONE = UNAVAILABLE.U32;

/**
 * Words of this node's Opaque State Snapshot for `traceType`: 0 without bit 22, else the
 * header word plus the schema's data. Outside NodeLen, inside the room check and RemainingLen.
 */
export function snapshotWords(traceType: number, ns: NamespaceState): number {
  if (!(traceType & OSS_BIT)) return 0;
  return ns.schema ? 1 + (ns.schema.data.length >>> 2) : 1;
}

/** What a fill did: wrote a node block, found Overflow already set, or set it now. */
export type FillOutcome = "filled" | "already-overflowed" | "overflowed";

/**
 * Fills this node's data into the Pre-allocated Trace whose body starts at `body`, in an
 * option ending at `optEnd` (lengths already checked by the receive rules). `isInput` is true
 * on receive (hop limit recorded as received − 1) and false at the encapsulating node.
 */
export function fillTrace(b: Uint8Array, ipv6Start: number, body: number, node: NodeState, ns: NamespaceState, ctx: PacketContext, isInput: boolean): FillOutcome {
  if (traceOverflow(b, body)) return "already-overflowed";
  const type = traceType(b, body);
  const words = traceNodeLen(b, body) + snapshotWords(type, ns);
  const remLen = traceRemainingLen(b, body);
  if (remLen === 0 || remLen < words) {
    setTraceOverflow(b, body);
    return "overflowed";
  }
  let at = body + TRACE.DATA + 4 * (remLen - words);
  const hop = (b[ipv6Start + IPV6.HOP_LIMIT]! - (isInput ? 1 : 0)) & 0xff;
  const inIf = node.lookup.ingress(ctx.ingress);
  const outIf = node.lookup.egress(ctx.egress);
  // Fields in bit order: the hand-unrolled form of TRACE_FIELDS (test/wire/trace-ladders.test.ts holds it to the table).
  if (type & 0x800000) (writeU32(b, at, ((hop << 24) | (node.nodeId & 0xffffff)) >>> 0), (at += 4));
  if (type & 0x400000) {
    writeU16(b, at, inIf ? inIf.id : UNAVAILABLE.U16);
    writeU16(b, at + 2, outIf ? outIf.id : UNAVAILABLE.U16);
    at += 4;
  }
  if (type & 0x300000) {
    // One time for both bits, taken per option (optionTime); "not available" for a locally generated packet.
    const t = ctx.ingress === undefined ? undefined : optionTime(ctx);
    if (type & 0x200000) (writeU32(b, at, t ? t.sec >>> 0 : U32_NONE), (at += 4));
    if (type & 0x100000) (writeU32(b, at, t ? (ns.tsFormat === "ptp" ? t.nsec : Math.floor(t.nsec / 1000)) : U32_NONE), (at += 4));
  }
  if (type & 0x080000) (writeU32(b, at, U32_NONE), (at += 4)); // transit delay: not measured
  if (type & 0x040000) (writeU32(b, at, ns.data), (at += 4));
  if (type & 0x020000) (writeU32(b, at, outIf ? (ctx.queueDepth ?? U32_NONE) : U32_NONE), (at += 4));
  if (type & 0x010000) (writeU32(b, at, U32_NONE), (at += 4)); // checksum complement: not computed
  if (type & 0x008000) {
    writeU32(b, at, ((hop << 24) | node.nodeIdWideHi) >>> 0);
    writeU32(b, at + 4, node.nodeIdWideLo);
    at += 8;
  }
  if (type & 0x004000) {
    writeU32(b, at, inIf ? inIf.wide : U32_NONE);
    writeU32(b, at + 4, outIf ? outIf.wide : U32_NONE);
    at += 8;
  }
  if (type & 0x002000) (writeU32(b, at, ns.wideHi), writeU32(b, at + 4, ns.wideLo), (at += 8));
  if (type & 0x001000) (writeU32(b, at, U32_NONE), (at += 4)); // buffer occupancy: not measured
  for (let bit = 0x000800; bit & UNDEFINED_BITS_MASK; bit >>>= 1) if (type & bit) (writeU32(b, at, U32_NONE), (at += 4));
  if (type & OSS_BIT) writeOpaqueSnapshot(b, at, ns);
  setTraceRemainingLen(b, body, remLen - words);
  return "filled";
}

/** The snapshot as ioam6_fill_trace_data writes it: 0x00FFFFFF without a schema; else (len/4) << 24 | schema id (an id over 24 bits spills into the length octet, as in the kernel), then the data. */
function writeOpaqueSnapshot(b: Uint8Array, at: number, ns: NamespaceState): void {
  if (!ns.schema) return writeU32(b, at, 0x00ffffff);
  writeU32(b, at, (((ns.schema.data.length >>> 2) << 24) | ns.schema.id) >>> 0);
  b.set(ns.schema.data, at + 4);
}

/**
 * This node's block for `traceType` alone — what it would write into a trace, in 4·words
 * octets — filled by fillTrace into a scratch trace with room for exactly one block. Used
 * where the block does not go into a Pre-allocated Trace: Incremental Trace insertion and
 * Direct Export records. The hop limit comes from the IPv6 header at b[ipv6Start].
 */
export function nodeBlock(b: Uint8Array, ipv6Start: number, traceType: number, node: NodeState, ns: NamespaceState, ctx: PacketContext, isInput: boolean): Uint8Array {
  const words = nodeLenOf(traceType) + snapshotWords(traceType, ns);
  const scratch = new Uint8Array(IPV6.LENGTH + TRACE.DATA + 4 * words);
  scratch.set(b.subarray(ipv6Start, ipv6Start + IPV6.LENGTH));
  writeTraceHeader(scratch, IPV6.LENGTH, { namespaceId: 0, traceType, remainingLen: words });
  fillTrace(scratch, 0, IPV6.LENGTH, node, ns, ctx, isInput);
  return scratch.subarray(IPV6.LENGTH + TRACE.DATA);
}
