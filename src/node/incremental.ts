// Incremental Trace (IOAM type 1; RFC 9197 §4.4), which Linux ignores: a
// node inserts its block right after the trace header, in front of older entries, and the
// option, the Hop-by-Hop header (re-padded to 8 octets) and the IPv6 Payload Length grow.
// No room in the RemainingLen budget, in Opt Data Len (≤ 255) or under the egress MTU → the
// node sets Overflow instead. The block itself is written by the one fill (fill.ts), into a
// scratch Pre-allocated trace with room for exactly this node.

import { IOAM_OPT } from "../wire/ioam/option-header.js";
import { TRACE, setTraceOverflow, setTraceRemainingLen, traceNodeLen, traceOverflow, traceRemainingLen, traceType } from "../wire/ioam/trace-view.js";
import { IPV6 } from "../wire/ipv6.js";
import { PAD1, PADN } from "../wire/tlv-options.js";
import type { PacketContext } from "./context.js";
import { nodeBlock, snapshotWords } from "./fill.js";
import { setPayloadLength, writePadding } from "./header-edit.js";
import type { NamespaceState, NodeState } from "./state.js";

export type IncrementalOutcome = "inserted" | "already-overflowed" | "overflowed" | "overflowed-mtu";

/**
 * This node's insertion into the Incremental Trace option at `opt` of the packet `p`, whose
 * Hop-by-Hop header follows the IPv6 header. Returns the packet to send: a new, longer one
 * when inserted, else `p` (with Overflow set when there was no room).
 */
export function incrementalInsert(p: Uint8Array, opt: number, node: NodeState, ns: NamespaceState, ctx: PacketContext, isInput: boolean, mtu?: number): { outcome: IncrementalOutcome; packet: Uint8Array } {
  const body = opt + IOAM_OPT.BODY;
  if (traceOverflow(p, body)) return { outcome: "already-overflowed", packet: p };
  const type = traceType(p, body);
  const words = traceNodeLen(p, body) + snapshotWords(type, ns);
  const remLen = traceRemainingLen(p, body);
  const overflow = (outcome: IncrementalOutcome) => (setTraceOverflow(p, body), { outcome, packet: p });
  if (words === 0 || remLen < words || p[opt + IOAM_OPT.DATA_LEN]! + 4 * words > 255) return overflow("overflowed");
  const hbhEnd = IPV6.LENGTH + (p[IPV6.LENGTH + 1]! + 1) * 8;
  const contentEnd = lastOptionEnd(p, hbhEnd);
  const newHbhLen = (contentEnd - IPV6.LENGTH + 4 * words + 7) & ~7;
  const grow = newHbhLen - (hbhEnd - IPV6.LENGTH);
  if (mtu !== undefined && p.length + grow > mtu) return overflow("overflowed-mtu");

  const insertAt = body + TRACE.DATA;
  const out = new Uint8Array(p.length + grow);
  out.set(p.subarray(0, insertAt));
  out.set(nodeBlock(p, 0, type, node, ns, ctx, isInput), insertAt);
  out.set(p.subarray(insertAt, contentEnd), insertAt + 4 * words);
  writePadding(out, contentEnd + 4 * words, IPV6.LENGTH + newHbhLen);
  out.set(p.subarray(hbhEnd), IPV6.LENGTH + newHbhLen);
  out[opt + IOAM_OPT.DATA_LEN] = p[opt + IOAM_OPT.DATA_LEN]! + 4 * words;
  setTraceRemainingLen(out, body, remLen - words);
  out[IPV6.LENGTH + 1] = newHbhLen / 8 - 1;
  setPayloadLength(out);
  return { outcome: "inserted", packet: out };
}

/** End of the last non-padding option of the Hop-by-Hop header ending at `hbhEnd`. */
function lastOptionEnd(p: Uint8Array, hbhEnd: number): number {
  let end = IPV6.LENGTH + 2;
  for (let o = end; o < hbhEnd; ) {
    if (p[o] === PAD1) {
      o++;
      continue;
    }
    const next = o + 2 + p[o + 1]!;
    if (p[o] !== PADN) end = next;
    o = next;
  }
  return end;
}
