// A whole IPv6 packet as the canonical record (docs/architecture.md, "The canonical record"):
// fixed header, extension header chain, every IOAM option, upper layer.

import { IoamError } from "../errors.js";
import { DecodeError, type Issue } from "./errors.js";
import {
  type ExtHeaderRecord,
  type OptionsHeaderRecord,
  IPPROTO,
  decodeFragmentHeader,
  decodeRoutingHeader,
  encodeRoutingOrFragment,
  extHeaderLength,
  extHeaderOverrun,
  isOptionsHeader,
  isWalkedExtHeader,
} from "./ext-header.js";
import { type IoamOption, decodeIoamOption, encodeIoamOption, ioamOptionLength, isIoamOptionType } from "./ioam/option.js";
import { IPV6, type Ipv6Header, decodeIpv6Header, encodeIpv6Header } from "./ipv6.js";
import { ipv6PacketEnd } from "./jumbo.js";
import { type TlvRecord, PAD1, encodeTlv, tlvEnd, tlvLength } from "./tlv-options.js";
import { type UpperLayer, decodeUpperLayer } from "./upper-layer.js";

/** Version of the canonical record shape. */
export const RECORD_VERSION = 1;

/** One decoded IPv6 packet. Offsets are from the start of the IPv6 header. */
export interface PacketRecord {
  v: 1;
  ipv6: Ipv6Header;
  extHeaders: ExtHeaderRecord[];
  /** Every IOAM option in header order. */
  options: IoamOption[];
  upper: UpperLayer;
  /** The upper-layer bytes (header and data), aliasing the input. */
  payload: Uint8Array;
  /** Packet-level objections (e.g. an Incremental Trace after a Pre-allocated one). */
  issues: Issue[];
}

/**
 * Decodes the IPv6 packet at the start of `bytes`. Bytes after its Payload Length (link
 * padding) are ignored and never read; a jumbogram's length is its Jumbo Payload option's
 * (RFC 2675). Throws DecodeError for anything that cannot be walked.
 */
export function decodePacket(bytes: Uint8Array): PacketRecord {
  const end = ipv6PacketEnd(bytes);
  const b = bytes.subarray(0, end);
  const rec: PacketRecord = {
    v: 1,
    ipv6: decodeIpv6Header(b, 0),
    extHeaders: [],
    options: [],
    upper: { protocol: 0, offset: 0, length: 0 },
    payload: b.subarray(end),
    issues: [],
  };
  let nh = rec.ipv6.nextHeader;
  let pos: number = IPV6.LENGTH;
  let first = true;
  while (isWalkedExtHeader(nh) && first) {
    const len = extHeaderLength(b, nh, pos, end);
    if (len < 0) extHeaderOverrun(nh, pos, end);
    const h = decodeExtHeader(b, nh, pos, len, rec);
    rec.extHeaders.push(h);
    if (h.kind === "fragment" && h.fragmentOffset !== 0) first = false;
    nh = h.nextHeader;
    pos += len;
  }
  rec.upper = decodeUpperLayer(b, nh, pos, end, first);
  rec.payload = b.subarray(pos, end);
  checkTraceOrder(rec);
  return rec;
}

function decodeExtHeader(b: Uint8Array, nh: number, pos: number, len: number, rec: PacketRecord): ExtHeaderRecord {
  if (nh === IPPROTO.ROUTING) return decodeRoutingHeader(b, pos, len);
  if (nh === IPPROTO.FRAGMENT) return decodeFragmentHeader(b, pos);
  const kind = nh === IPPROTO.HOPOPTS ? "hop" : "dest";
  const headerIndex = rec.extHeaders.length;
  const tlvs: TlvRecord[] = [];
  const end = pos + len;
  for (let o = pos + 2; o < end; ) {
    const e = tlvEnd(b, o, end);
    if (e < 0) throw new DecodeError("BAD_OPTION_LENGTH", o + 1, "option", `option ${b[o]} at byte ${o} runs past the end of its ${kind === "hop" ? "Hop-by-Hop" : "Destination Options"} header (byte ${end})`);
    if (isIoamOptionType(b[o]!)) rec.options.push(decodeIoamOption(b, o, e, { header: kind, headerIndex, headerStart: pos }));
    else tlvs.push(b[o] === PAD1 ? { offset: o, type: PAD1 } : { offset: o, type: b[o]!, data: b.slice(o + 2, e) });
    o = e;
  }
  return { kind, offset: pos, length: len, nextHeader: b[pos]!, tlvs };
}

/** RFC 9197 §4.4: an Incremental Trace must precede a Pre-allocated one. */
function checkTraceOrder(rec: PacketRecord): void {
  let seenPrealloc = false;
  for (const o of rec.options) {
    if (o.kind !== "trace") continue;
    if (o.variant === "prealloc") seenPrealloc = true;
    else if (seenPrealloc) rec.issues.push({ code: "INCREMENTAL_AFTER_PREALLOC", offset: o.offset });
  }
}

/** Octets the record encodes to: 40 + its extension headers + payload. */
export function packetLength(rec: PacketRecord): number {
  return IPV6.LENGTH + rec.extHeaders.reduce((n, h) => n + h.length, 0) + rec.payload.length;
}

/**
 * Encodes the record exactly as laid out: every TLV and IOAM option at its recorded offset.
 * The IPv6 Payload Length is recomputed; checksums are left as they are (see checksum.ts).
 */
export function encodePacket(rec: PacketRecord): Uint8Array {
  const length = packetLength(rec);
  if (length - IPV6.LENGTH > 0xffff) throw new IoamError("MALFORMED", `IPv6 payload of ${length - IPV6.LENGTH} bytes exceeds Payload Length's 65535 (jumbograms are not supported)`);
  const out = new Uint8Array(length);
  encodeIpv6Header({ ...rec.ipv6, payloadLength: out.length - IPV6.LENGTH }, out, 0);
  let o: number = IPV6.LENGTH;
  rec.extHeaders.forEach((h, i) => {
    if (h.offset !== o) throw new DecodeError("MALFORMED", o, "ext-header", `extension header ${i} is recorded at byte ${h.offset} but would start at byte ${o}`);
    o = isOptionsHeader(h) ? encodeOptionsHeader(h, i, rec.options, out, o) : encodeRoutingOrFragment(h, out, o);
  });
  out.set(rec.payload, o);
  return out;
}

function encodeOptionsHeader(
  h: OptionsHeaderRecord,
  index: number,
  options: readonly IoamOption[],
  out: Uint8Array,
  o: number,
): number {
  out[o] = h.nextHeader;
  out[o + 1] = h.length / 8 - 1;
  const items: Array<{ offset: number; write: (at: number) => number; length: number }> = [
    ...h.tlvs.map((t) => ({ offset: t.offset, length: tlvLength(t), write: (at: number) => encodeTlv(t, out, at) })),
    ...options.filter((x) => x.headerIndex === index).map((x) => ({ offset: x.offset, length: ioamOptionLength(x), write: (at: number) => encodeIoamOption(x, out, at) })),
  ].sort((a, b) => a.offset - b.offset);
  let pos = o + 2;
  for (const it of items) {
    if (it.offset !== pos) throw new DecodeError("MALFORMED", pos, "option", `option recorded at byte ${it.offset} but the previous one ends at byte ${pos}`);
    pos = it.write(pos);
  }
  if (pos !== o + h.length) throw new DecodeError("MALFORMED", pos, "option", `options end at byte ${pos}, the header at byte ${o + h.length}`);
  return pos;
}
