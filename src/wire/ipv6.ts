// The IPv6 fixed header (RFC 8200 §3).
//
//  0                   1                   2                   3
// +-------+---------------+---------------------------------------+
// |Version| Traffic Class |              Flow Label               |
// +-------+---------------+-------+---------------+---------------+
// |         Payload Length        |  Next Header  |   Hop Limit   |
// +-------------------------------+---------------+---------------+
// |                 Source Address (16) | Destination Address (16)  |

import { readU16, readU32, writeU16, writeU32 } from "./_be.js";
import { IoamError } from "../errors.js";
import { DecodeError } from "./errors.js";
import { formatIpv6Address, parseIpv6Address } from "./ipv6-address.js";

export const IPV6 = {
  VTF: 0,
  PAYLOAD_LENGTH: 4,
  NEXT_HEADER: 6,
  HOP_LIMIT: 7,
  SRC: 8,
  DST: 24,
  LENGTH: 40,
} as const;

/** Parsed IPv6 fixed header. Addresses in RFC 5952 text. */
export interface Ipv6Header {
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit: number;
  src: string;
  dst: string;
}

/**
 * Checks that `b[o…]` holds a whole IPv6 packet: version 6 and Payload Length within the
 * bytes. Returns the end offset of the packet (o + 40 + Payload Length).
 * Throws DecodeError TRUNCATED (offset = b.length) or BAD_VERSION.
 */
export function checkIpv6(b: Uint8Array, o = 0): number {
  if (b.length - o < IPV6.LENGTH) {
    throw new DecodeError("TRUNCATED", b.length, "ipv6", `IPv6 header at byte ${o} needs 40 bytes, ${b.length - o} present`);
  }
  if (b[o]! >>> 4 !== 6) {
    throw new DecodeError("BAD_VERSION", o, "ipv6", `IP version ${b[o]! >>> 4} at byte ${o}, expected 6`);
  }
  const end = o + IPV6.LENGTH + readU16(b, o + IPV6.PAYLOAD_LENGTH);
  if (end > b.length) {
    throw new DecodeError(
      "TRUNCATED",
      b.length,
      "ipv6",
      `IPv6 Payload Length ${end - o - IPV6.LENGTH} runs past the end of the packet (${b.length - o - IPV6.LENGTH} bytes after the header)`,
    );
  }
  return end;
}

/** Decodes the fixed header at `o` (bounds already checked). */
export function decodeIpv6Header(b: Uint8Array, o = 0): Ipv6Header {
  const vtf = readU32(b, o);
  return {
    trafficClass: (vtf >>> 20) & 0xff,
    flowLabel: vtf & 0xfffff,
    payloadLength: readU16(b, o + IPV6.PAYLOAD_LENGTH),
    nextHeader: b[o + IPV6.NEXT_HEADER]!,
    hopLimit: b[o + IPV6.HOP_LIMIT]!,
    src: formatIpv6Address(b, o + IPV6.SRC),
    dst: formatIpv6Address(b, o + IPV6.DST),
  };
}

/** Writes the fixed header at `o`; returns o + 40. Throws on invalid address text. */
export function encodeIpv6Header(h: Ipv6Header, out: Uint8Array, o = 0): number {
  writeU32(out, o, ((6 << 28) | ((h.trafficClass & 0xff) << 20) | (h.flowLabel & 0xfffff)) >>> 0);
  writeU16(out, o + IPV6.PAYLOAD_LENGTH, h.payloadLength);
  out[o + IPV6.NEXT_HEADER] = h.nextHeader;
  out[o + IPV6.HOP_LIMIT] = h.hopLimit;
  out.set(addressBytes(h.src, "source"), o + IPV6.SRC);
  out.set(addressBytes(h.dst, "destination"), o + IPV6.DST);
  return o + IPV6.LENGTH;
}

function addressBytes(text: string, what: string): Uint8Array {
  const a = parseIpv6Address(text);
  if (!a) throw new IoamError("MALFORMED", `invalid IPv6 ${what} address "${text}"`);
  return a;
}
