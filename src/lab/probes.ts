// The probes of `ioam lab trace`: ICMPv6 Echo Requests and UDP datagrams from one node to
// another, built by the codec (so the real lab and the emulation send the same bytes), each
// recognisable wherever it is seen — also inside an IPv6-in-IPv6 tunnel — by its key.

import { UsageError } from "../errors.js";
import { type OptionSpec, buildPacket } from "../wire/build.js";
import { IPPROTO } from "../wire/ext-header.js";
import { formatIpv6Address, parseIpv6Address } from "../wire/ipv6-address.js";
import { decodePacket } from "../wire/packet.js";
import { nextHop } from "./routing.js";
import type { Topology } from "./topology.js";

export type ProbeProto = "icmp" | "udp";

export interface Probe {
  seq: number;
  proto: ProbeProto;
  src: string;
  dst: string;
  key: string;
  packet: Uint8Array;
}

export interface ProbeOptions {
  count: number;
  protos: readonly ProbeProto[];
  hopLimit: number;
  /** IOAM options the probes leave the source with (empty, as `ioam encode` builds them). */
  insert: OptionSpec[];
  /** ICMP identifier and UDP source port: this process's, so that two traces never mix. */
  ident?: number;
}

/** UDP probes go to the traceroute port range (RFC 792's unassigned "33434"), one port per probe. */
const UDP_BASE_PORT = 33434;
const PAYLOAD = new TextEncoder().encode("ioam lab probe..");

/** The source node's address towards `dst` (the interface its route leaves by), and the destination address. */
export function probeAddresses(t: Topology, src: string, dst: string): { src: string; dst: string } {
  const from = t.nodes.get(src);
  if (!from) throw new UsageError(`unknown node "${src}" (nodes: ${[...t.nodes.keys()].join(", ")})`);
  const to = t.nodes.get(dst);
  const dstAddr = to ? to.interfaces[0]?.address : parseIpv6Address(dst);
  if (!dstAddr) throw new UsageError(`"${dst}" is neither a node of the lab nor an IPv6 address`);
  const hop = nextHop(from, dstAddr);
  if (hop.kind !== "link") throw new UsageError(`${src} ${hop.kind === "local" ? "is itself" : "has no route to"} ${dst}`);
  return { src: from.interfaces.find((i) => i.name === hop.dev)!.addressText, dst: formatIpv6Address(dstAddr) };
}

/** Builds count probes of each protocol, alternating. */
export function buildProbes(t: Topology, src: string, dst: string, o: ProbeOptions): Probe[] {
  const a = probeAddresses(t, src, dst);
  const ident = (o.ident ?? process.pid) & 0xffff;
  const out: Probe[] = [];
  for (let i = 0; i < o.count; i++) {
    for (const proto of o.protos) {
      const seq = out.length + 1;
      const upper = proto === "icmp" ? { kind: "icmp-echo" as const, id: ident, seq, data: PAYLOAD } : { kind: "udp" as const, srcPort: 0x8000 | (ident & 0x7fff), dstPort: UDP_BASE_PORT + seq, data: PAYLOAD };
      const packet = buildPacket({ src: a.src, dst: a.dst, hopLimit: o.hopLimit, options: o.insert, upper });
      out.push({ seq, proto, src: a.src, dst: a.dst, packet, key: probeKey(packet)! });
    }
  }
  return out;
}

/** "icmp ID SEQ" for an Echo Request, "udp SPORT DPORT" for UDP, looking inside IPv6-in-IPv6; else undefined. */
export function probeKey(p: Uint8Array): string | undefined {
  for (let at = 0, depth = 0; depth < 4; depth++) {
    let rec;
    try {
      rec = decodePacket(p.subarray(at));
    } catch {
      return undefined;
    }
    const u = rec.upper;
    if (u.protocol === IPPROTO.IPV6) {
      at += u.offset;
      continue;
    }
    if (u.protocol === IPPROTO.ICMPV6 && u.icmpType === 128) return `icmp ${readU16(p, at + u.offset + 4)} ${readU16(p, at + u.offset + 6)}`;
    if (u.protocol === IPPROTO.UDP) return `udp ${u.srcPort} ${u.dstPort}`;
    return undefined;
  }
  return undefined;
}

const readU16 = (b: Uint8Array, at: number) => (b[at]! << 8) | b[at + 1]!;
