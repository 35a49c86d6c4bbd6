// RFC 2675 Jumbograms: an IPv6 packet longer than 65,535 octets after its header says so with
// Payload Length 0 and a Jumbo Payload option (type 0xC2, 4 data octets) in its Hop-by-Hop
// header, whose value is the length after the IPv6 header, HbH and other headers included
// (RFC 2675 §2). Read as tshark reads it: the option gives the length, wherever it sits in
// the Hop-by-Hop header; its own rules (value > 65535, alignment 4n+2, no Fragment header)
// are a sender's, not a reason to leave the packet unread.

import { readU16, readU32 } from "./_be.js";
import { DecodeError } from "./errors.js";
import { IPV6, checkIpv6 } from "./ipv6.js";
import { tlvEnd } from "./tlv-options.js";

/** Option Type of the Jumbo Payload option (RFC 2675 §2). */
export const JUMBO_PAYLOAD_OPTION = 0xc2;
const HOPOPTS = 0;

/**
 * The Jumbo Payload Length of the IPv6 packet at the start of `b`, when its Payload Length
 * is 0 and a whole Hop-by-Hop header holds the option; undefined otherwise.
 */
export function jumboPayloadLength(b: Uint8Array): number | undefined {
  if (b.length < IPV6.LENGTH + 8 || readU16(b, IPV6.PAYLOAD_LENGTH) !== 0 || b[IPV6.NEXT_HEADER] !== HOPOPTS) return undefined;
  const end = IPV6.LENGTH + (b[IPV6.LENGTH + 1]! + 1) * 8;
  if (end > b.length) return undefined;
  for (let o = IPV6.LENGTH + 2; o < end; ) {
    const e = tlvEnd(b, o, end);
    if (e < 0) return undefined;
    if (b[o] === JUMBO_PAYLOAD_OPTION && e - o === 6) return readU32(b, o + 2);
    o = e;
  }
  return undefined;
}

/**
 * checkIpv6 for any IPv6 packet, jumbograms included: the end offset of the packet at the
 * start of `b` (40 + Payload Length, or 40 + Jumbo Payload Length). Throws as checkIpv6.
 */
export function ipv6PacketEnd(b: Uint8Array): number {
  const end = checkIpv6(b, 0);
  const jumbo = end === IPV6.LENGTH ? jumboPayloadLength(b) : undefined;
  if (jumbo === undefined) return end;
  if (IPV6.LENGTH + jumbo > b.length) {
    throw new DecodeError("TRUNCATED", b.length, "ipv6", `Jumbo Payload Length ${jumbo} runs past the end of the packet (${b.length - IPV6.LENGTH} bytes after the header)`);
  }
  return IPV6.LENGTH + jumbo;
}
