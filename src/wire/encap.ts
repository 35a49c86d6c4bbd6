// IOAM carriage the way Linux's ioam6 lwtunnel does it (net/ipv6/ioam6_iptunnel.c ioam6_do_inline / ioam6_do_encap;
// RFC 9486 §4 C4): IPv6-in-IPv6 encapsulation with the IOAM options in an outer Hop-by-Hop
// header (Next Header 41), its decapsulation, and "inline" insertion of a Hop-by-Hop header
// into the packet itself. The options are laid out by build.ts (Linux padding).

import { type OptionSpec, layoutOptionsHeader } from "./build.js";
import { DecodeError } from "./errors.js";
import { IPPROTO } from "./ext-header.js";
import { IPV6, type Ipv6Header, checkIpv6, decodeIpv6Header } from "./ipv6.js";
import { type PacketRecord, decodePacket, encodePacket } from "./packet.js";

/** The outer header of an encapsulation. Unset fields are copied from the inner header. */
export interface EncapOptions {
  src: string;
  dst: string;
  /** IOAM options of an outer Hop-by-Hop header (their `header` is ignored); absent = none. */
  hopByHop?: OptionSpec[];
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

/** What decapsulation returns: the inner packet and the decoded outer headers. */
export interface Decapsulated {
  /** The inner IPv6 packet, aliasing the input. */
  inner: Uint8Array;
  /** The outer packet as decoded; its `options` hold the outer IOAM data. */
  outer: PacketRecord;
}

/**
 * Bytes of `ipv6` followed by a Hop-by-Hop header with `options` (none when undefined) and
 * then `payload`, which is copied untouched and announced as protocol `next`.
 */
function withHopByHop(ipv6: Ipv6Header, options: readonly OptionSpec[] | undefined, next: number, payload: Uint8Array): Uint8Array {
  const rec: PacketRecord = {
    v: 1,
    ipv6: { ...ipv6, nextHeader: next },
    extHeaders: [],
    options: [],
    upper: { protocol: next, offset: IPV6.LENGTH, length: payload.length },
    payload,
    issues: [],
  };
  if (options) {
    const { header, options: placed } = layoutOptionsHeader("hop", options, 0, IPV6.LENGTH, next);
    rec.extHeaders.push(header);
    rec.options = placed;
    rec.ipv6.nextHeader = IPPROTO.HOPOPTS;
    rec.upper.offset += header.length;
  }
  rec.ipv6.payloadLength = rec.upper.offset - IPV6.LENGTH + payload.length;
  return encodePacket(rec); // refuses a payload over 65535 bytes
}

/**
 * Wraps the IPv6 packet `inner` (up to its Payload Length; its bytes are not changed) in a
 * new outer IPv6 header, with an outer Hop-by-Hop header when `opts.hopByHop` is given.
 * Like Linux's encap mode, traffic class, flow label and hop limit default to the inner
 * header's. Throws DecodeError when `inner` is not a whole IPv6 packet.
 */
export function encapsulateIpv6(inner: Uint8Array, opts: EncapOptions): Uint8Array {
  const end = checkIpv6(inner);
  const h = decodeIpv6Header(inner);
  const outer: Ipv6Header = {
    trafficClass: opts.trafficClass ?? h.trafficClass,
    flowLabel: opts.flowLabel ?? h.flowLabel,
    payloadLength: 0,
    nextHeader: IPPROTO.IPV6,
    hopLimit: opts.hopLimit ?? h.hopLimit,
    src: opts.src,
    dst: opts.dst,
  };
  return withHopByHop(outer, opts.hopByHop, IPPROTO.IPV6, inner.subarray(0, end));
}

/**
 * Splits an IPv6-in-IPv6 packet: walks the outer header chain with decodePacket and returns
 * the inner packet (a subarray of `outer`) and the outer record, so that its IOAM data can be
 * exported. Throws DecodeError MALFORMED when the chain does not end in protocol 41 with a
 * whole IPv6 packet after it, or when the outer packet is a fragment (reassemble first).
 */
export function decapsulateIpv6(outer: Uint8Array): Decapsulated {
  const rec = decodePacket(outer);
  const last = rec.extHeaders[rec.extHeaders.length - 1];
  const nhAt = last ? last.offset : IPV6.NEXT_HEADER;
  const fragment = rec.extHeaders.find((x) => x.kind === "fragment");
  if (fragment) {
    throw new DecodeError("MALFORMED", fragment.offset, "ext-header", `not decapsulated: the outer packet is a fragment (Fragment header at byte ${fragment.offset}); reassemble it first`);
  }
  if (rec.upper.protocol !== IPPROTO.IPV6) {
    throw new DecodeError("MALFORMED", nhAt, "ipv6", `not IPv6-in-IPv6: the outer header chain ends in protocol ${rec.upper.protocol} (Next Header at byte ${nhAt}), expected 41`);
  }
  try {
    checkIpv6(rec.payload);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw new DecodeError("MALFORMED", rec.upper.offset, "ipv6", `not IPv6-in-IPv6: the inner packet at byte ${rec.upper.offset} is not a whole IPv6 packet (${e.message})`);
  }
  return { inner: rec.payload, outer: rec };
}

/**
 * Linux "inline" mode: a copy of `packet` with a Hop-by-Hop header carrying `options` right
 * after the IPv6 header (its Next Header = the old one, IPv6 Next Header 0, Payload Length
 * grown; the options' `header` is ignored). Returns undefined when the packet already has a
 * Hop-by-Hop header: Linux then sends it unchanged (no merge, no second header;
 * ioam6_do_inline in net/ipv6/ioam6_iptunnel.c).
 * Upper-layer checksums stay valid: extension headers are not in the pseudo-header.
 */
export function insertHopByHop(packet: Uint8Array, options: OptionSpec[]): Uint8Array | undefined {
  const end = checkIpv6(packet);
  const h = decodeIpv6Header(packet);
  if (h.nextHeader === IPPROTO.HOPOPTS) return undefined;
  return withHopByHop(h, options, h.nextHeader, packet.subarray(IPV6.LENGTH, end));
}
