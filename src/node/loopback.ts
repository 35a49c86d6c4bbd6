// IOAM Loopback (RFC 9322 §4): a node that receives a trace with the L flag
// and Trace-Type exactly 0x800000 sends a truncated copy — the IPv6 header and the trace,
// nothing after it — back to the packet's source, from its own address, with L cleared in
// the copy. The original packet continues unchanged.

import { IPPROTO } from "../wire/ext-header.js";
import { IOAM_OPT } from "../wire/ioam/option-header.js";
import { clearTraceLoopback, traceLoopback, traceType } from "../wire/ioam/trace-view.js";
import { IPV6 } from "../wire/ipv6.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { PADN } from "../wire/tlv-options.js";
import { setPayloadLength, writePadding } from "./header-edit.js";

/** RFC 9322 §4: loopback is defined for traces that carry only hop limit and node id. */
const LOOPBACK_TRACE_TYPE = 0x800000;

/** Hop limit of the copy. RFC 9322 leaves it to the node; the usual default of a host. */
const COPY_HOP_LIMIT = 64;

/** True when the trace whose body starts at `body` asks for a loopback copy. */
export function isLoopbackRequest(b: Uint8Array, body: number): boolean {
  return traceLoopback(b, body) && traceType(b, body) === LOOPBACK_TRACE_TYPE;
}

/** The copy of the IOAM option TLV b[opt, optEnd) in a packet of its own, back to the source. */
export function loopbackCopy(b: Uint8Array, start: number, opt: number, optEnd: number, localAddress: string): Uint8Array {
  const from = parseIpv6Address(localAddress);
  if (!from) throw new RangeError(`local address "${localAddress}" is not an IPv6 address`);
  const tlv = optEnd - opt;
  const hbhLen = (4 + tlv + 7) & ~7; // nh, len, PadN 01 00 (option at 4n), the option, padding
  const out = new Uint8Array(IPV6.LENGTH + hbhLen);
  out.set(b.subarray(start + IPV6.VTF, start + IPV6.PAYLOAD_LENGTH)); // version, traffic class, flow label
  out[IPV6.NEXT_HEADER] = IPPROTO.HOPOPTS;
  out[IPV6.HOP_LIMIT] = COPY_HOP_LIMIT;
  out.set(from, IPV6.SRC);
  out.set(b.subarray(start + IPV6.SRC, start + IPV6.DST), IPV6.DST); // to the original source
  const h = IPV6.LENGTH;
  out[h] = IPPROTO.NONE;
  out[h + 1] = hbhLen / 8 - 1;
  out[h + 2] = PADN; // no data: the option starts at 4n
  out.set(b.subarray(opt, optEnd), h + 4);
  clearTraceLoopback(out, h + 4 + IOAM_OPT.BODY);
  writePadding(out, h + 4 + tlv, h + hbhLen);
  setPayloadLength(out);
  return out;
}
