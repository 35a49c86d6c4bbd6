// The decapsulating node at the IOAM domain edge (RFC 9197 §4; Linux leaves it to ip6_tunnel): it first
// processes the received Hop-by-Hop header as any IOAM node does (fill, event — Linux does the
// same on the outer header before its ip6 tunnel strips it), then removes the IOAM data — the
// whole outer header of an encap packet, or the IOAM options of an inline one (which Linux
// never removes) — and hands what the packet carried to a sink, where the collector listens.

import { IPPROTO } from "../wire/ext-header.js";
import type { IoamOption } from "../wire/ioam/option.js";
import { IPV6 } from "../wire/ipv6.js";
import { decodePacket } from "../wire/packet.js";
import type { PacketContext } from "./context.js";
import type { NodeCounters } from "./counters.js";
import type { TraceEventRecord } from "./events.js";
import { type TransitResult, transitPacket } from "./transit.js";
import { setPayloadLength, writePadding } from "./header-edit.js";
import { isVerifierKey, potVerify } from "./pot.js";
import type { NodeState } from "./state.js";

/** What reaches the sink: the IOAM options as they arrived here (after this node's fill). */
export interface DecapRecord {
  source: "decap";
  mode: "encap" | "inline";
  /** Addresses of the header that carried the options (the outer one for encap). */
  src: string;
  dst: string;
  options: IoamOption[];
  /** Proof of transit, for each POT option whose namespace this node verifies: did the path prove itself? */
  potVerified?: boolean[];
}

export type DecapResult =
  | { outcome: "decap-encap" | "decap-inline"; packet: Uint8Array }
  | { outcome: "no-ioam"; packet: Uint8Array }
  /** RFC 9322 Active flag: a measurement packet, which ends at the decapsulating node. */
  | { outcome: "terminated-active" }
  | { outcome: "drop"; transit: TransitResult };

/**
 * Decapsulates the IPv6 packet `p` received at this node. The returned packet is a new array
 * (or `p` itself when it carried no IOAM). `onEvent` gets the kernel-equivalent event.
 */
export function decapsulate(p: Uint8Array, node: NodeState, ctx: PacketContext, counters: NodeCounters, sink: (r: DecapRecord) => void, onEvent?: (e: TraceEventRecord) => void): DecapResult {
  const r = decapsulateInPlace(p.slice(), node, ctx, counters, sink, onEvent);
  return r.outcome === "no-ioam" ? { outcome: "no-ioam", packet: p } : r;
}

/**
 * decapsulate() without its copy, for a caller that owns `b` (a data plane's receive buffer):
 * `b` is processed in place, and the packet returned may be a view into it — valid as long as
 * `b` is. Copying 1300 octets twice per packet was a third of a decapsulating node's time.
 */
export function decapsulateInPlace(b: Uint8Array, node: NodeState, ctx: PacketContext, counters: NodeCounters, sink: (r: DecapRecord) => void, onEvent?: (e: TraceEventRecord) => void): DecapResult {
  const transit = transitPacket(b, 0, b.length, node, ctx, counters, onEvent ? { onEvent } : {});
  if (transit.verdict === "drop") return { outcome: "drop", transit };
  const rec = decodePacket(b);
  const hbh = rec.extHeaders[0];
  const last = rec.extHeaders[rec.extHeaders.length - 1];
  // Encap: the outer headers (Hop-by-Hop, maybe Destination Options with E2E) end in IPv6-in-IPv6.
  if (last && last.nextHeader === IPPROTO.IPV6 && rec.options.length > 0) {
    sink(withPot({ source: "decap", mode: "encap", src: rec.ipv6.src, dst: rec.ipv6.dst, options: rec.options }, b, node));
    if (isActive(rec.options)) return { outcome: "terminated-active" };
    return { outcome: "decap-encap", packet: b.subarray(last.offset + last.length) };
  }
  const ioam = rec.options.filter((o) => o.header === "hop");
  if (!hbh || hbh.kind !== "hop" || ioam.length === 0) return { outcome: "no-ioam", packet: b };
  sink(withPot({ source: "decap", mode: "inline", src: rec.ipv6.src, dst: rec.ipv6.dst, options: ioam }, b, node));
  if (isActive(ioam)) return { outcome: "terminated-active" };
  const others = hbh.tlvs.filter((t) => t.type > 1); // options other than Pad1/PadN stay
  const rebuilt = others.length === 0 ? new Uint8Array(0) : relaidHeader(b, hbh.offset, others);
  return { outcome: "decap-inline", packet: replaceHeader(b, hbh.offset, hbh.length, rebuilt) };
}

/** The verifier's verdict on each POT option it holds the key for. */
function withPot(r: DecapRecord, b: Uint8Array, node: NodeState): DecapRecord {
  const verdicts: boolean[] = [];
  for (const o of r.options) {
    const key = o.kind === "pot" ? node.pot.get(o.namespaceId) : undefined;
    if (key && isVerifierKey(key) && o.kind === "pot" && o.random !== undefined) verdicts.push(potVerify(b, o.offset, key));
  }
  if (verdicts.length) r.potVerified = verdicts;
  return r;
}

const isActive = (options: readonly IoamOption[]) => options.some((o) => o.kind === "trace" && o.flags.active);

/**
 * The packet with the extension header at [at, at + len) replaced by `header` (empty: removed,
 * its Next Header moving up); Payload Length follows.
 */
function replaceHeader(b: Uint8Array, at: number, len: number, header: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - len + header.length);
  out.set(b.subarray(0, at));
  out.set(header, at);
  out.set(b.subarray(at + len), at + header.length);
  if (header.length === 0) out[IPV6.NEXT_HEADER] = b[at]!; // a Hop-by-Hop header always follows the IPv6 header
  setPayloadLength(out);
  return out;
}

/**
 * A Hop-by-Hop header holding only `tlvs` (the non-IOAM options), each at its old offset
 * modulo 8 so its alignment requirement still holds, with at most 7 octets of padding in a
 * row (Linux drops more) and zero-filled PadN.
 */
function relaidHeader(b: Uint8Array, at: number, tlvs: ReadonlyArray<{ offset: number; type: number }>): Uint8Array {
  // Where each option goes: after the previous one, moved up to its old offset modulo 8.
  const places: number[] = [];
  let end = 2;
  for (const t of tlvs) {
    const place = end + ((((t.offset - at - end) % 8) + 8) % 8);
    places.push(place);
    end = place + 2 + b[t.offset + 1]!;
  }
  const out = new Uint8Array((end + 7) & ~7);
  out[0] = b[at]!;
  out[1] = out.length / 8 - 1;
  let from = 2;
  tlvs.forEach((t, i) => {
    writePadding(out, from, places[i]!);
    out.set(b.subarray(t.offset, t.offset + 2 + b[t.offset + 1]!), places[i]!);
    from = places[i]! + 2 + b[t.offset + 1]!;
  });
  writePadding(out, from, out.length);
  return out;
}
