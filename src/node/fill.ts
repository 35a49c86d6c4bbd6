// The kernel's trace fill (ioam6_fill_trace_data, linux-ioam6.md §3.2, §3.3, §2): the node
// block is written just below the space already used, fields in bit order, then RemainingLen
// shrinks by NodeLen plus the opaque snapshot's words. Overflow instead when there is no room.

import { readU24, writeU16, writeU32 } from "../wire/_be.js";
import { TRACE, TRACE_FLAG_BITS } from "../wire/ioam/trace.js";
import { OSS_BIT, UNDEFINED_BITS_MASK, nodeLenOf } from "../wire/ioam/trace-type.js";
import type { PacketContext } from "./context.js";
import { type NamespaceState, type NodeState, UNAVAILABLE, interfaces } from "./state.js";

const U32_NONE = UNAVAILABLE.U32;

/**
 * Words of this node's Opaque State Snapshot for `traceType` (§2.2): 0 without bit 22, else the
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
  const flagsAt = body + TRACE.NODELEN_FLAGS;
  if (b[flagsAt]! & TRACE_FLAG_BITS.OVERFLOW) return "already-overflowed";
  const nodeLen = b[flagsAt]! >>> 3;
  const remAt = body + TRACE.REMLEN;
  const remLen = b[remAt]! & 0x7f;
  const type = readU24(b, body + TRACE.TYPE);
  const scLen = snapshotWords(type, ns);
  if (remLen === 0 || remLen < nodeLen + scLen) {
    b[flagsAt] = b[flagsAt]! | TRACE_FLAG_BITS.OVERFLOW;
    return "overflowed";
  }
  let at = body + TRACE.DATA + 4 * (remLen - nodeLen - scLen);
  const hop = (b[ipv6Start + 7]! - (isInput ? 1 : 0)) & 0xff;
  const inIf = interfaces.ingress(node, ctx.ingress);
  const outIf = interfaces.egress(node, ctx.egress);
  if (type & 0x800000) (writeU32(b, at, ((hop << 24) | (node.nodeId & 0xffffff)) >>> 0), (at += 4));
  if (type & 0x400000) {
    writeU16(b, at, inIf ? inIf.id : UNAVAILABLE.U16);
    writeU16(b, at + 2, outIf ? outIf.id : UNAVAILABLE.U16);
    at += 4;
  }
  const local = ctx.ingress === undefined;
  if (type & 0x200000) (writeU32(b, at, local ? U32_NONE : ctx.time.sec >>> 0), (at += 4));
  if (type & 0x100000) (writeU32(b, at, local ? U32_NONE : ns.tsFormat === "ptp" ? ctx.time.nsec : Math.floor(ctx.time.nsec / 1000)), (at += 4));
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
  b[remAt] = (b[remAt]! & 0x80) | (remLen - nodeLen - scLen);
  return "filled";
}

/** §2.2: 0x00FFFFFF without a schema; else (len/4) << 24 | schema id (an id over 24 bits spills into the length octet, as in the kernel), then the data. */
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
  const scratch = new Uint8Array(IPV6_HEADER + TRACE.DATA + 4 * words);
  scratch.set(b.subarray(ipv6Start, ipv6Start + IPV6_HEADER));
  scratch[IPV6_HEADER + TRACE.NODELEN_FLAGS] = nodeLenOf(traceType) << 3;
  scratch[IPV6_HEADER + TRACE.REMLEN] = words;
  scratch[IPV6_HEADER + TRACE.TYPE] = traceType >>> 16;
  scratch[IPV6_HEADER + TRACE.TYPE + 1] = (traceType >>> 8) & 0xff;
  scratch[IPV6_HEADER + TRACE.TYPE + 2] = traceType & 0xff;
  fillTrace(scratch, 0, IPV6_HEADER, node, ns, ctx, isInput);
  return scratch.subarray(IPV6_HEADER + TRACE.DATA);
}

const IPV6_HEADER = 40;
