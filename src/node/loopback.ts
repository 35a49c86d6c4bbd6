// IOAM Loopback (RFC 9322 §4; ioam-wire.md §7): a node that receives a trace with the L flag
// and Trace-Type exactly 0x800000 sends a truncated copy — the IPv6 header and the trace,
// nothing after it — back to the packet's source, from its own address, with L cleared in
// the copy. The original packet continues unchanged.

import { IPPROTO } from "../wire/ext-header.js";
import { readU24 } from "../wire/_be.js";
import { TRACE, TRACE_FLAG_BITS } from "../wire/ioam/trace.js";
import { IPV6 } from "../wire/ipv6.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { setPayloadLength, writePadding } from "./header-edit.js";

/** Hop limit of the copy. RFC 9322 leaves it to the node; the usual default of a host. */
const COPY_HOP_LIMIT = 64;

/** True when the trace whose body starts at `body` asks for a loopback copy. */
export function isLoopbackRequest(b: Uint8Array, body: number): boolean {
  return (b[body + TRACE.NODELEN_FLAGS]! & TRACE_FLAG_BITS.LOOPBACK) !== 0 && readU24(b, body + TRACE.TYPE) === 0x800000;
}

/** The copy of the IOAM option TLV b[opt, optEnd) in a packet of its own, back to the source. */
export function loopbackCopy(b: Uint8Array, start: number, opt: number, optEnd: number, localAddress: string): Uint8Array {
  const from = parseIpv6Address(localAddress);
  if (!from) throw new RangeError(`local address "${localAddress}" is not an IPv6 address`);
  const tlv = optEnd - opt;
  const hbhLen = (4 + tlv + 7) & ~7; // nh, len, PadN 01 00 (option at 4n), the option, padding
  const out = new Uint8Array(IPV6.LENGTH + hbhLen);
  out.set(b.subarray(start, start + 4)); // version, traffic class, flow label
  out[IPV6.NEXT_HEADER] = IPPROTO.HOPOPTS;
  out[IPV6.HOP_LIMIT] = COPY_HOP_LIMIT;
  out.set(from, 8);
  out.set(b.subarray(start + 8, start + 24), 24); // to the original source
  const h = IPV6.LENGTH;
  out[h] = IPPROTO.NONE;
  out[h + 1] = hbhLen / 8 - 1;
  out[h + 2] = 0x01; // PadN, no data
  out.set(b.subarray(opt, optEnd), h + 4);
  const body = h + 4 + 4;
  out[body + TRACE.NODELEN_FLAGS] = out[body + TRACE.NODELEN_FLAGS]! & ~TRACE_FLAG_BITS.LOOPBACK;
  writePadding(out, h + 4 + tlv, h + hbhLen);
  setPayloadLength(out);
  return out;
}
