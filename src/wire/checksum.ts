// Upper-layer checksum over the IPv6 pseudo-header (RFC 8200 §8.1) for UDP, TCP and ICMPv6.

import { readU16, writeU16 } from "./_be.js";
import { IPPROTO } from "./ext-header.js";
import { IPV6 } from "./ipv6.js";

function sum16(b: Uint8Array, from: number, to: number, acc: number): number {
  let i = from;
  for (; i + 1 < to; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (i < to) acc += b[i]! << 8;
  return acc;
}

function fold(acc: number): number {
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc;
}

/**
 * The Internet checksum of the upper-layer bytes b[o, end) with the pseudo-header of the
 * IPv6 packet at 0, its checksum field counted as zero. `finalDst` is the offset of the
 * final destination address (the IPv6 Destination, or the SRH's Segment List[0]).
 */
export function upperLayerChecksum(b: Uint8Array, o: number, end: number, protocol: number, checksumAt: number, finalDst: number = IPV6.DST): number {
  let acc = sum16(b, IPV6.SRC, IPV6.SRC + 16, 0);
  acc = sum16(b, finalDst, finalDst + 16, acc);
  const len = end - o;
  acc += Math.floor(len / 0x10000) + (len & 0xffff) + protocol;
  acc = sum16(b, o, end, acc) - readU16(b, o + checksumAt);
  const c = ~fold(acc) & 0xffff;
  // UDP carries 0 as "no checksum", so a computed 0 is sent as all ones (RFC 768, RFC 8200 §8.1).
  return c === 0 && protocol === IPPROTO.UDP ? 0xffff : c;
}

/** Recomputes and writes the checksum in place. */
export function writeUpperLayerChecksum(b: Uint8Array, o: number, end: number, protocol: number, checksumAt: number, finalDst: number = IPV6.DST): void {
  writeU16(b, o + checksumAt, upperLayerChecksum(b, o, end, protocol, checksumAt, finalDst));
}
