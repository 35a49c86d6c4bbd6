// Builds whole packets from option records: the IOAM options laid out with the padding Linux
// emits (PadN `01 00` before a first option, tail padding to 8n), a Destination Options
// header last before the upper layer (RFC 8200 §4.1), and a valid upper-layer checksum.

import { writeU16 } from "./_be.js";
import { IPPROTO } from "./ext-header.js";
import type { OptionsHeaderRecord } from "./ext-header.js";
import { type ExtHeaderKind, type IoamBody, type IoamOption, expectedPlacement, ioamOptionLength, ioamTypeOf } from "./ioam/option.js";
import { IPV6 } from "./ipv6.js";
import { type PacketRecord, encodePacket } from "./packet.js";
import { type TlvRecord, paddingTo, tlvLength } from "./tlv-options.js";
import { writeUpperLayerChecksum } from "./checksum.js";
import { checksumFieldOffset } from "./upper-layer.js";

/** An option to place: where defaults to RFC 9486's choice for its type. */
export type OptionSpec = IoamBody & { header?: ExtHeaderKind; ipv6OptType?: number };

/** What follows the headers. */
export type UpperSpec =
  | { kind: "icmp-echo"; id?: number; seq?: number; data?: Uint8Array }
  | { kind: "udp"; srcPort: number; dstPort: number; data?: Uint8Array }
  | { kind: "tcp"; srcPort: number; dstPort: number }
  | { kind: "none" }
  | { kind: "raw"; protocol: number; bytes: Uint8Array };

export interface PacketSpec {
  src: string;
  dst: string;
  hopLimit?: number;
  flowLabel?: number;
  trafficClass?: number;
  options: OptionSpec[];
  upper: UpperSpec;
}

/** Lays out options in a HbH/DOH header starting at packet offset `at`; returns the header. */
export function layoutOptionsHeader(kind: ExtHeaderKind, specs: readonly OptionSpec[], headerIndex: number, at: number, nextHeader: number) {
  const tlvs: TlvRecord[] = [];
  const options: IoamOption[] = [];
  let pos = 2;
  for (const spec of specs) {
    for (const pad of paddingTo(pos, 4)) {
      tlvs.push({ ...pad, offset: at + pos });
      pos += tlvLength(pad);
    }
    const exp = expectedPlacement(ioamTypeOf(spec));
    const { header: _h, ipv6OptType, ...body } = spec;
    options.push({ ...(body as IoamBody), header: kind, headerIndex, ipv6OptType: ipv6OptType ?? exp?.ipv6OptType ?? 0x31, offset: at + pos, optReserved: 0, issues: [] } as IoamOption);
    pos += ioamOptionLength(spec);
  }
  for (const pad of paddingTo(pos, 8)) {
    tlvs.push({ ...pad, offset: at + pos });
    pos += tlvLength(pad);
  }
  const header: OptionsHeaderRecord = { kind, offset: at, length: pos, nextHeader, tlvs };
  return { header, options };
}

function upperBytes(u: UpperSpec): { protocol: number; bytes: Uint8Array } {
  switch (u.kind) {
    case "icmp-echo": {
      const data = u.data ?? new Uint8Array(0);
      const b = new Uint8Array(8 + data.length);
      b[0] = 128;
      writeU16(b, 4, u.id ?? 0);
      writeU16(b, 6, u.seq ?? 0);
      b.set(data, 8);
      return { protocol: IPPROTO.ICMPV6, bytes: b };
    }
    case "udp": {
      const data = u.data ?? new Uint8Array(0);
      const b = new Uint8Array(8 + data.length);
      writeU16(b, 0, u.srcPort);
      writeU16(b, 2, u.dstPort);
      writeU16(b, 4, b.length);
      b.set(data, 8);
      return { protocol: IPPROTO.UDP, bytes: b };
    }
    case "tcp": {
      const b = new Uint8Array(20);
      writeU16(b, 0, u.srcPort);
      writeU16(b, 2, u.dstPort);
      b[12] = 5 << 4;
      b[13] = 0x02; // SYN
      writeU16(b, 14, 65535);
      return { protocol: IPPROTO.TCP, bytes: b };
    }
    case "none": return { protocol: IPPROTO.NONE, bytes: new Uint8Array(0) };
    case "raw": return { protocol: u.protocol, bytes: u.bytes };
  }
}

/** Builds the packet record for a spec (headers laid out, checksum not yet computed). */
export function buildPacketRecord(spec: PacketSpec): PacketRecord {
  const upper = upperBytes(spec.upper);
  const byHeader = (k: ExtHeaderKind) => spec.options.filter((o) => (o.header ?? expectedPlacement(ioamTypeOf(o))?.header ?? "hop") === k);
  const groups = (["hop", "dest"] as const).map((k) => ({ k, specs: byHeader(k) })).filter((g) => g.specs.length > 0);
  const rec: PacketRecord = {
    v: 1,
    ipv6: { trafficClass: spec.trafficClass ?? 0, flowLabel: spec.flowLabel ?? 0, payloadLength: 0, nextHeader: 0, hopLimit: spec.hopLimit ?? 64, src: spec.src, dst: spec.dst },
    extHeaders: [],
    options: [],
    upper: { protocol: upper.protocol, offset: 0, length: upper.bytes.length },
    payload: upper.bytes,
    issues: [],
  };
  let at: number = IPV6.LENGTH;
  groups.forEach((g, i) => {
    const next = groups[i + 1] ? IPPROTO.DSTOPTS : upper.protocol;
    const { header, options } = layoutOptionsHeader(g.k, g.specs, i, at, next);
    rec.extHeaders.push(header);
    rec.options.push(...options);
    at += header.length;
  });
  rec.ipv6.nextHeader = groups[0] ? (groups[0].k === "hop" ? IPPROTO.HOPOPTS : IPPROTO.DSTOPTS) : upper.protocol;
  rec.upper.offset = at;
  rec.ipv6.payloadLength = at - IPV6.LENGTH + upper.bytes.length;
  return rec;
}

/** Builds the packet bytes for a spec, with a valid UDP/TCP/ICMPv6 checksum. */
export function buildPacket(spec: PacketSpec): Uint8Array {
  const rec = buildPacketRecord(spec);
  const out = encodePacket(rec);
  const at = checksumFieldOffset(rec.upper.protocol);
  if (at >= 0 && rec.payload.length >= at + 2) writeUpperLayerChecksum(out, rec.upper.offset, out.length, rec.upper.protocol, at);
  return out;
}
