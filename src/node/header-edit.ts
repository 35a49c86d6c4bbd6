// Edits the engine makes to headers it grows or shrinks: the IPv6 Payload Length, and the
// padding that keeps an options header a multiple of 8 octets (Pad1 or a zero PadN).

import { IPV6 } from "../wire/ipv6.js";
import { PAD1, PADN } from "../wire/tlv-options.js";

/** Sets the Payload Length of the IPv6 packet at b[start] to cover everything after its header. */
export function setPayloadLength(b: Uint8Array, start = 0): void {
  const len = b.length - start - IPV6.LENGTH;
  b[start + IPV6.PAYLOAD_LENGTH] = len >>> 8;
  b[start + IPV6.PAYLOAD_LENGTH + 1] = len & 0xff;
}

/** Pad1 or a zero-filled PadN over b[from, to). */
export function writePadding(b: Uint8Array, from: number, to: number): void {
  const n = to - from;
  if (n <= 0) return;
  b.fill(0, from, to);
  if (n > 1) (b[from] = PADN), (b[from + 1] = n - 2);
  else b[from] = PAD1;
}
