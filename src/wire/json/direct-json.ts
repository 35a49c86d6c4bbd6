// The canonical JSON record written straight from the packet bytes, without building the
// record: `decode --json`'s fast path. It covers the shape of nearly all IOAM traffic (a
// chain of Hop-by-Hop / Destination Options headers, options a strict reader has nothing to
// say about) and declines everything else (Routing or Fragment headers, any issue, anything
// decodePacket would throw for): the caller then takes the record path, decodePacket +
// writePacketMembers, which stays the definition of the output.
// test/wire/direct-json.test.ts checks byte equality with that path for generated packets,
// the tshark corpus and mutated packets.

import { readU16, readU32 } from "../_be.js";
import { asciiPiece, putHexBytes, putHexGroup, putPiece, putUint } from "./ascii-put.js";
import { type DirectPlacement, NOT_DIRECT, putIoamOption } from "./direct-json-options.js";
import { IPPROTO, extHeaderLength } from "../ext-header.js";
import { IOAM_TYPE, isIoamOptionType } from "../ioam/option.js";
import { IPV6 } from "../ipv6.js";
import { zeroRunToCompress } from "../ipv6-address.js";
import type { JsonBytes } from "./json-bytes.js";
import { PAD1, tlvEnd } from "../tlv-options.js";
import { checksumFieldOffset } from "../upper-layer.js";

export { NOT_DIRECT } from "./direct-json-options.js";

const P = {
  ipv6_src: asciiPiece('"ipv6":{"src":"'),
  q_dst: asciiPiece('","dst":"'),
  q_trafficClass: asciiPiece('","trafficClass":'),
  c_flowLabel: asciiPiece(',"flowLabel":'),
  c_payloadLength: asciiPiece(',"payloadLength":'),
  c_nextHeader: asciiPiece(',"nextHeader":'),
  c_hopLimit: asciiPiece(',"hopLimit":'),
  end_extHeaders: asciiPiece('},"extHeaders":['),
  hop_offset: asciiPiece('{"kind":"hop","offset":'),
  dest_offset: asciiPiece('{"kind":"dest","offset":'),
  c_length: asciiPiece(',"length":'),
  c_tlvs: asciiPiece(',"tlvs":['),
  tlv_offset: asciiPiece('{"offset":'),
  c_type: asciiPiece(',"type":'),
  c_data_0x: asciiPiece(',"data":"0x'),
  end_header: asciiPiece("]}"),
  end_options: asciiPiece('],"options":['),
  end_upper_protocol: asciiPiece('],"upper":{"protocol":'),
  c_offset: asciiPiece(',"offset":'),
  c_srcPort: asciiPiece(',"srcPort":'),
  c_dstPort: asciiPiece(',"dstPort":'),
  c_icmpType: asciiPiece(',"icmpType":'),
  c_icmpCode: asciiPiece(',"icmpCode":'),
  c_checksumAt: asciiPiece(',"checksumAt":'),
  end_issues: asciiPiece('},"issues":[]'),
  c_payload_0x: asciiPiece(',"payload":"0x'),
} as const;

const COMMA = 0x2c;
const QUOTE = 0x22;
const COLON = 0x3a;
const CLOSE = 0x7d;

/** Options a packet may have on the fast path (more: the record path). */
const MAX_OPTIONS = 32;
/** Per option found in the header walk: TLV start and end, its header's start and index, hop (1) or dest (0). */
const found = new Int32Array(5 * MAX_OPTIONS);
const placement: DirectPlacement = { hop: true, headerIndex: 0, headerStart: 0 };

/**
 * Room to reserve for a packet of `n` bytes: no byte of a packet expands to more than 64
 * bytes of JSON (the worst, a 4-byte IOAM option of unknown type, takes ~140), plus constants.
 */
function jsonBound(n: number): number {
  return 64 * n + 4096;
}

/**
 * Writes the record members of the IPv6 packet at the start of `bytes` (from `"ipv6"` on,
 * without the enclosing braces), exactly as writePacketMembers(decodePacket(bytes)) would.
 * Returns the number of IOAM options, or NOT_DIRECT (and writes nothing) when the packet
 * needs the record path.
 */
export function writePacketMembersDirect(w: JsonBytes, bytes: Uint8Array, payload: boolean): number {
  if (bytes.length < IPV6.LENGTH || bytes[0]! >>> 4 !== 6) return NOT_DIRECT;
  const end = IPV6.LENGTH + readU16(bytes, IPV6.PAYLOAD_LENGTH);
  if (end > bytes.length) return NOT_DIRECT;
  w.reserve(jsonBound(end));
  const d = w.view;
  let p = putFixedHeader(d, w.pos, bytes);
  p = putPiece(d, p, P.end_extHeaders);
  // Pass 1: the header chain; IOAM options are noted for pass 2 (they follow in the record).
  let nh = bytes[IPV6.NEXT_HEADER]!;
  let pos: number = IPV6.LENGTH;
  let options = 0;
  for (let index = 0; nh === IPPROTO.HOPOPTS || nh === IPPROTO.DSTOPTS; index++) {
    const len = extHeaderLength(bytes, nh, pos, end);
    if (len < 0) return NOT_DIRECT;
    if (index) d.setUint8(p++, COMMA);
    p = putPiece(d, p, nh === IPPROTO.HOPOPTS ? P.hop_offset : P.dest_offset);
    p = putUint(d, p, pos);
    p = putPiece(d, p, P.c_length);
    p = putUint(d, p, len);
    p = putPiece(d, p, P.c_nextHeader);
    p = putUint(d, p, bytes[pos]!);
    p = putPiece(d, p, P.c_tlvs);
    const headerEnd = pos + len;
    let tlvs = 0;
    for (let o = pos + 2; o < headerEnd; ) {
      const e = tlvEnd(bytes, o, headerEnd);
      if (e < 0) return NOT_DIRECT;
      if (isIoamOptionType(bytes[o]!)) {
        if (options === MAX_OPTIONS) return NOT_DIRECT;
        const f = 5 * options++;
        (found[f] = o), (found[f + 1] = e), (found[f + 2] = pos), (found[f + 3] = index), (found[f + 4] = nh === IPPROTO.HOPOPTS ? 1 : 0);
      } else {
        if (tlvs++) d.setUint8(p++, COMMA);
        p = putPiece(d, p, P.tlv_offset);
        p = putUint(d, p, o);
        p = putPiece(d, p, P.c_type);
        p = putUint(d, p, bytes[o]!);
        if (bytes[o] !== PAD1) (p = putPiece(d, p, P.c_data_0x)), (p = putHexBytes(d, p, bytes, o + 2, e)), (d.setUint8(p++, QUOTE));
        d.setUint8(p++, CLOSE);
      }
      o = e;
    }
    p = putPiece(d, p, P.end_header);
    nh = bytes[pos]!;
    pos = headerEnd;
  }
  if (nh === IPPROTO.ROUTING || nh === IPPROTO.FRAGMENT) return NOT_DIRECT;
  p = putPiece(d, p, P.end_options);
  p = putOptions(d, p, bytes, options);
  if (p === NOT_DIRECT) return NOT_DIRECT;
  p = putPiece(d, p, P.end_upper_protocol);
  p = putUpper(d, p, bytes, nh, pos, end);
  p = putPiece(d, p, P.end_issues);
  if (payload) (p = putPiece(d, p, P.c_payload_0x)), (p = putHexBytes(d, p, bytes, pos, end)), (d.setUint8(p++, QUOTE));
  w.pos = p;
  return options;
}

/** Pass 2: the options noted in `found`; NOT_DIRECT also for an Incremental after a Pre-allocated Trace (a packet issue). */
function putOptions(d: DataView, p: number, bytes: Uint8Array, options: number): number {
  let seenPrealloc = false;
  for (let i = 0; i < options; i++) {
    const f = 5 * i;
    const o = found[f]!;
    const type = found[f + 1]! - o >= 4 ? bytes[o + 3] : -1;
    if (type === IOAM_TYPE.PREALLOC_TRACE) seenPrealloc = true;
    else if (type === IOAM_TYPE.INCREMENTAL_TRACE && seenPrealloc) return NOT_DIRECT;
    if (i) d.setUint8(p++, COMMA);
    placement.headerStart = found[f + 2]!;
    placement.headerIndex = found[f + 3]!;
    placement.hop = found[f + 4] === 1;
    p = putIoamOption(d, p, bytes, o, found[f + 1]!, placement);
    if (p === NOT_DIRECT) return NOT_DIRECT;
  }
  return p;
}

/** `…"src":"…","dst":"…",…,"hopLimit":N` of the fixed header (after `"ipv6":{`). */
function putFixedHeader(d: DataView, p: number, bytes: Uint8Array): number {
  const vtf = readU32(bytes, 0);
  p = putPiece(d, p, P.ipv6_src);
  p = putIpv6Address(d, p, bytes, IPV6.SRC);
  p = putPiece(d, p, P.q_dst);
  p = putIpv6Address(d, p, bytes, IPV6.DST);
  p = putPiece(d, p, P.q_trafficClass);
  p = putUint(d, p, (vtf >>> 20) & 0xff);
  p = putPiece(d, p, P.c_flowLabel);
  p = putUint(d, p, vtf & 0xfffff);
  p = putPiece(d, p, P.c_payloadLength);
  p = putUint(d, p, readU16(bytes, IPV6.PAYLOAD_LENGTH));
  p = putPiece(d, p, P.c_nextHeader);
  p = putUint(d, p, bytes[IPV6.NEXT_HEADER]!);
  p = putPiece(d, p, P.c_hopLimit);
  return putUint(d, p, bytes[IPV6.HOP_LIMIT]!);
}

/** The 16 octets at src[o] in RFC 5952 text, as formatIpv6Address writes it. */
function putIpv6Address(d: DataView, p: number, src: Uint8Array, o: number): number {
  const run = zeroRunToCompress(src, o);
  const bestStart = run < 0 ? -1 : run >>> 4;
  const bestLen = run & 15;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      if (i === 0) d.setUint8(p++, COLON);
      d.setUint8(p++, COLON);
      i += bestLen - 1;
      continue;
    }
    p = putHexGroup(d, p, readU16(src, o + 2 * i));
    if (i < 7) d.setUint8(p++, COLON);
  }
  return p;
}

/** The upper-layer members after `"protocol":`, as decodeUpperLayer + writeUpper give them (first fragment). */
function putUpper(d: DataView, p: number, bytes: Uint8Array, protocol: number, o: number, end: number): number {
  const len = end - o;
  p = putUint(d, p, protocol);
  p = putPiece(d, p, P.c_offset);
  p = putUint(d, p, o);
  p = putPiece(d, p, P.c_length);
  p = putUint(d, p, len);
  if ((protocol === IPPROTO.UDP && len >= 8) || (protocol === IPPROTO.TCP && len >= 20)) {
    p = putPiece(d, p, P.c_srcPort);
    p = putUint(d, p, readU16(bytes, o));
    p = putPiece(d, p, P.c_dstPort);
    p = putUint(d, p, readU16(bytes, o + 2));
  } else if (protocol === IPPROTO.ICMPV6 && len >= 4) {
    p = putPiece(d, p, P.c_icmpType);
    p = putUint(d, p, bytes[o]!);
    p = putPiece(d, p, P.c_icmpCode);
    p = putUint(d, p, bytes[o + 1]!);
  }
  const at = checksumFieldOffset(protocol);
  if (at >= 0 && len >= at + 2) (p = putPiece(d, p, P.c_checksumAt)), (p = putUint(d, p, at));
  return p;
}
