// What follows the extension header chain: enough of UDP, TCP and ICMPv6 to name the flow.

import { readU16 } from "./_be.js";
import { IPPROTO } from "./ext-header.js";

/** The upper-layer header as far as the record needs it. */
export interface UpperLayer {
  protocol: number;
  /** Offset from the start of the IPv6 packet. */
  offset: number;
  /** Octets from `offset` to the end of the IPv6 payload. */
  length: number;
  srcPort?: number;
  dstPort?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Offset of its checksum field within the upper-layer header, where it has one. */
  checksumAt?: number;
}

/** Offset of the checksum field within the header of `protocol`, or -1. */
export function checksumFieldOffset(protocol: number): number {
  switch (protocol) {
    case IPPROTO.UDP: return 6;
    case IPPROTO.TCP: return 16;
    case IPPROTO.ICMPV6: return 2;
    default: return -1;
  }
}

/** Reads ports or ICMPv6 type/code when the header is whole; `first` is false for later fragments. */
export function decodeUpperLayer(b: Uint8Array, protocol: number, o: number, end: number, first: boolean): UpperLayer {
  const u: UpperLayer = { protocol, offset: o, length: end - o };
  if (!first) return u;
  const len = end - o;
  if ((protocol === IPPROTO.UDP && len >= 8) || (protocol === IPPROTO.TCP && len >= 20)) {
    u.srcPort = readU16(b, o);
    u.dstPort = readU16(b, o + 2);
  } else if (protocol === IPPROTO.ICMPV6 && len >= 4) {
    u.icmpType = b[o]!;
    u.icmpCode = b[o + 1]!;
  }
  const at = checksumFieldOffset(protocol);
  if (at >= 0 && len >= at + 2) u.checksumAt = at;
  return u;
}
