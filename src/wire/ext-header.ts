// The IPv6 extension header chain (RFC 8200 §4): Hop-by-Hop, Routing (incl. SRH, RFC
// 8754), Fragment and Destination Options are walked; anything else ends the chain.

import { DecodeError } from "./errors.js";
import { formatIpv6Address } from "./ipv6-address.js";
import { readU16, readU32, writeU16, writeU32 } from "./_be.js";
import type { TlvRecord } from "./tlv-options.js";

/** IP protocol numbers ioamkit names. */
export const IPPROTO = {
  HOPOPTS: 0,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
} as const;

/** True for the headers the chain walk steps over. */
export function isWalkedExtHeader(nh: number): boolean {
  return nh === IPPROTO.HOPOPTS || nh === IPPROTO.DSTOPTS || nh === IPPROTO.ROUTING || nh === IPPROTO.FRAGMENT;
}

/**
 * Length of the extension header `nh` at `pos`, or -1 when it does not fit before `end`.
 * Fragment is 8 octets; the others are (Hdr Ext Len + 1)·8.
 */
export function extHeaderLength(b: Uint8Array, nh: number, pos: number, end: number): number {
  if (pos + 8 > end) return -1;
  const len = nh === IPPROTO.FRAGMENT ? 8 : (b[pos + 1]! + 1) * 8;
  return pos + len > end ? -1 : len;
}

interface ExtHeaderBase {
  /** Offset from the start of the IPv6 packet. */
  offset: number;
  length: number;
  nextHeader: number;
}

/** Hop-by-Hop or Destination Options; IOAM options are in the packet's `options`. */
export interface OptionsHeaderRecord extends ExtHeaderBase {
  kind: "hop" | "dest";
  /** Every non-IOAM option (Pad1, PadN, others) with its offset. */
  tlvs: TlvRecord[];
}

/** Segment Routing Header fields (RFC 8754 §2), read from a Routing header of type 4. */
export interface SrhInfo {
  lastEntry: number;
  flags: number;
  tag: number;
  segments: string[];
}

export interface RoutingHeaderRecord extends ExtHeaderBase {
  kind: "routing";
  routingType: number;
  segmentsLeft: number;
  /** Type-specific data: octets 4…length of the header. */
  data: Uint8Array;
  srh?: SrhInfo;
}

export interface FragmentHeaderRecord extends ExtHeaderBase {
  kind: "fragment";
  fragmentOffset: number;
  more: boolean;
  identification: number;
  /** The Reserved octet and the two Res bits, kept for re-encoding. */
  reserved: number;
  resBits: number;
}

export type ExtHeaderRecord = OptionsHeaderRecord | RoutingHeaderRecord | FragmentHeaderRecord;

/** Throws the error for a header that does not fit. */
export function extHeaderOverrun(nh: number, pos: number, end: number): never {
  throw new DecodeError("TRUNCATED", end, "ext-header", `extension header ${nh} at byte ${pos} runs past the end of the IPv6 payload (byte ${end})`);
}

/** Decodes a Routing header at `pos` of known `length`. */
export function decodeRoutingHeader(b: Uint8Array, pos: number, length: number): RoutingHeaderRecord {
  const r: RoutingHeaderRecord = {
    kind: "routing",
    offset: pos,
    length,
    nextHeader: b[pos]!,
    routingType: b[pos + 2]!,
    segmentsLeft: b[pos + 3]!,
    data: b.slice(pos + 4, pos + length),
  };
  if (r.routingType === 4) {
    const lastEntry = b[pos + 4]!;
    const n = Math.min(lastEntry + 1, Math.floor((length - 8) / 16));
    const segments = Array.from({ length: n }, (_, i) => formatIpv6Address(b, pos + 8 + 16 * i));
    r.srh = { lastEntry, flags: b[pos + 5]!, tag: readU16(b, pos + 6), segments };
  }
  return r;
}

/** Decodes a Fragment header at `pos` (8 octets, bounds checked). */
export function decodeFragmentHeader(b: Uint8Array, pos: number): FragmentHeaderRecord {
  const w = readU16(b, pos + 2);
  return {
    kind: "fragment",
    offset: pos,
    length: 8,
    nextHeader: b[pos]!,
    fragmentOffset: w >>> 3,
    more: (w & 1) !== 0,
    identification: readU32(b, pos + 4),
    reserved: b[pos + 1]!,
    resBits: (w >>> 1) & 3,
  };
}

/** Writes a Routing or Fragment header at `o`; returns the end offset. */
export function encodeRoutingOrFragment(h: RoutingHeaderRecord | FragmentHeaderRecord, out: Uint8Array, o: number): number {
  out[o] = h.nextHeader;
  if (h.kind === "fragment") {
    out[o + 1] = h.reserved;
    writeU16(out, o + 2, (h.fragmentOffset << 3) | ((h.resBits & 3) << 1) | (h.more ? 1 : 0));
    writeU32(out, o + 4, h.identification);
    return o + 8;
  }
  out[o + 1] = (4 + h.data.length) / 8 - 1;
  out[o + 2] = h.routingType;
  out[o + 3] = h.segmentsLeft;
  out.set(h.data, o + 4);
  return o + 4 + h.data.length;
}

/** True for Hop-by-Hop and Destination Options headers. */
export function isOptionsHeader(h: ExtHeaderRecord): h is OptionsHeaderRecord {
  return h.kind === "hop" || h.kind === "dest";
}
