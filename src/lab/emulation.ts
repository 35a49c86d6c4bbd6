// The in-process lab: a topology's nodes as engine states, packets moved link by link with
// the same forwarding tables the real lab installs. At each node, in the kernel's order: the
// domain-edge filter on the ingress (raw PREROUTING), IOAM processing on receipt — Linux's
// Hop-by-Hop processing (node/transit.ts) on a kernel-only node; on a node running the data
// plane, decapsulation at a tunnel end or a domain edge, transit with the engine's features,
// and encapsulation by its policies — then the forwarding step (hop limit), the edge filter on
// the egress (mangle POSTROUTING) and the link MTU. No root, no I/O; time is virtual.

import type { Timestamp } from "../node/context.js";
import { type DecapRecord, decapsulate } from "../node/decap.js";
import { forwardHopLimit } from "../node/forward.js";
import { transitPacket } from "../node/transit.js";
import { buildPacket } from "../wire/build.js";
import { IPPROTO } from "../wire/ext-header.js";
import { formatIpv6Address, parseIpv6Address } from "../wire/ipv6-address.js";
import { decodePacket } from "../wire/packet.js";
import { matchesEdgeFilter } from "./edge-filter.js";
import { type EmulatedNode, emulatedNodes } from "./emulated-node.js";
import { prefixContains } from "./prefix.js";
import { type NextHop, nextHop } from "./routing.js";
import type { Topology } from "./topology.js";

/** A packet as it crossed a link (what a capture on the receiving interface would show). */
export interface LinkPacket {
  from: string;
  fromIf: string;
  to: string;
  toIf: string;
  link: number;
  packet: Uint8Array;
}

export type JourneyEnd = { kind: "delivered"; node: string } | { kind: "dropped"; node: string; reason: string };

/** What became of one packet: every link it crossed, how it ended, what decapsulating nodes handed to their sinks. */
export interface Journey {
  hops: LinkPacket[];
  end: JourneyEnd;
  sink: Array<{ node: string; record: DecapRecord }>;
  /** The destination's ICMPv6 Echo Reply to an Echo Request, as it travelled back. */
  reply?: Journey;
}

type Step = { kind: "send"; dev: string; packet: Uint8Array } | { kind: "end"; end: JourneyEnd };

const dstOf = (p: Uint8Array) => p.subarray(24, 40);
/** Virtual time between two link crossings. */
const HOP_NS = 10_000;

/**
 * What the emulation assumes of links and queues, when someone wants more than the defaults
 * (every crossing HOP_NS, every veth idle): the demo (src/ui/demo/) models delay and a queue.
 */
export interface EmulationModel {
  /** Nanoseconds from leaving `from` by `fromIf` to being processed at the next node. */
  crossingNs?(from: string, fromIf: string): number;
  /** The backlog (bytes) of `node`'s egress queue on `dev`, as the kernel reads the qdisc's. */
  queueDepth?(node: string, dev: string): number;
}

export class Emulation {
  readonly nodes: Map<string, EmulatedNode>;
  private nowNs: bigint;

  /** `start`: the virtual clock's first reading (default: now). */
  constructor(readonly topology: Topology, start: Timestamp = { sec: Math.floor(Date.now() / 1000), nsec: 0 }, private readonly model: EmulationModel = {}) {
    this.nodes = emulatedNodes(topology);
    this.nowNs = BigInt(start.sec) * 1_000_000_000n + BigInt(start.nsec);
  }

  /** Moves the virtual clock forward to `t` (never back): packets sent in real time. */
  advanceTo(t: Timestamp): void {
    const ns = BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);
    if (ns > this.nowNs) this.nowNs = ns;
  }

  /** The virtual clock's reading. */
  now(): Timestamp {
    return { sec: Number(this.nowNs / 1_000_000_000n), nsec: Number(this.nowNs % 1_000_000_000n) };
  }

  /** Sends the IPv6 packet `packet` from node `from`, as that node's own (locally generated) packet. */
  send(from: string, packet: Uint8Array, opts: { reply?: boolean } = {}): Journey {
    const j: Journey = { hops: [], sink: [], end: { kind: "dropped", node: from, reason: "routing loop" } };
    let at = this.nodes.get(from)!;
    let ingress: string | undefined;
    let p: Uint8Array = packet.slice();
    for (let crossings = 0; crossings < 4096; crossings++) {
      const step = this.step(at, ingress, p, j);
      if (step.kind === "end") {
        j.end = step.end;
        break;
      }
      const out = at.lab.interfaces.find((i) => i.name === step.dev)!;
      j.hops.push({ from: at.lab.name, fromIf: out.name, to: out.peer.node, toIf: out.peer.ifname, link: out.link, packet: step.packet.slice() });
      this.nowNs += BigInt(Math.max(0, Math.round(this.model.crossingNs?.(at.lab.name, out.name) ?? HOP_NS)));
      at = this.nodes.get(out.peer.node)!;
      ingress = out.peer.ifname;
      p = step.packet;
    }
    const reply = j.end.kind === "delivered" && opts.reply !== false ? echoReply(p) : undefined;
    if (reply) j.reply = this.send(j.end.node, reply, { reply: false });
    return j;
  }

  private clock(): () => Timestamp {
    const t = this.now();
    return () => t;
  }

  private step(n: EmulatedNode, ingress: string | undefined, packet: Uint8Array, j: Journey): Step {
    const lab = n.lab;
    const end = (reason: string): Step => ({ kind: "end", end: { kind: "dropped", node: lab.name, reason } });
    if (ingress !== undefined && lab.interfaces.find((i) => i.name === ingress)!.edge && matchesEdgeFilter(packet)) return end(`IOAM arriving on domain edge ${ingress} (RFC 9486 §5)`);
    let p = packet;
    let hop = nextHop(lab, dstOf(p));
    if (ingress !== undefined) {
      const r = n.dataplane ? this.dataplaneIn(n, ingress, p, hop, j) : this.kernelIn(n, ingress, p, hop);
      if (typeof r === "string") return end(r);
      p = r;
      hop = nextHop(lab, dstOf(p));
    }
    if (n.dataplane) {
      p = this.encapsulate(n, ingress, p, hop);
      hop = nextHop(lab, dstOf(p));
    }
    if (hop.kind === "local") return { kind: "end", end: { kind: "delivered", node: lab.name } };
    if (hop.kind === "unreachable") return end(`no route to ${formatIpv6Address(dstOf(p))}`);
    if (ingress !== undefined && lab.kind === "host") return end("a host does not forward");
    if (ingress !== undefined && forwardHopLimit(p, 0, n.counters) === "drop-hop-limit") return end("hop limit exceeded");
    const out = lab.interfaces.find((i) => i.name === hop.dev)!;
    if (out.edge && matchesEdgeFilter(p)) return end(`IOAM leaving through domain edge ${out.name} (RFC 9486 §5; a kernel-only node cannot remove it)`);
    if (p.length > out.mtu) return end(`packet of ${p.length} octets too big for ${out.name} (MTU ${out.mtu})`);
    return { kind: "send", dev: hop.dev, packet: p };
  }

  /** The engine's context; a lab link is an idle veth (noqueue): the kernel reads its backlog as 0, unless the model says otherwise. */
  private ctx(node: string, ingress: string | undefined, hop: NextHop, mtu?: number) {
    const queueDepth = hop.kind === "link" ? (this.model.queueDepth?.(node, hop.dev) ?? 0) : 0;
    return { stage: ingress === undefined ? ("output" as const) : ("prerouting" as const), ...(ingress !== undefined ? { ingress } : {}), ...(hop.kind === "link" ? { egress: hop.dev, queueDepth } : {}), ...(mtu !== undefined ? { mtu } : {}), clock: this.clock() };
  }

  /** Linux receiving a packet: Hop-by-Hop processing (ipv6_hop_ioam) with the route's egress. */
  private kernelIn(n: EmulatedNode, ingress: string, p: Uint8Array, hop: NextHop): Uint8Array | string {
    const r = transitPacket(p, 0, p.length, n.state, this.ctx(n.lab.name, ingress, hop), n.counters);
    return r.verdict === "drop" ? `Hop-by-Hop processing dropped it (${r.reason})` : p;
  }

  /** The data plane receiving a packet: decapsulate where the domain or a tunnel ends, else transit. */
  private dataplaneIn(n: EmulatedNode, ingress: string, p: Uint8Array, hop: NextHop, j: Journey): Uint8Array | string {
    const mtu = hop.kind === "link" ? n.lab.interfaces.find((i) => i.name === hop.dev)!.mtu : undefined;
    const ctx = this.ctx(n.lab.name, ingress, hop, mtu);
    const tunnelEnd = hop.kind === "local" && n.lab.roles!.tunnels.some((t) => !t.address || prefixContains({ address: t.address, length: 128 }, dstOf(p)));
    if (tunnelEnd || (hop.kind === "link" && n.stripOn.has(hop.dev))) {
      const r = decapsulate(p, n.state, ctx, n.counters, (record) => j.sink.push({ node: n.lab.name, record }));
      if (r.outcome === "drop") return `Hop-by-Hop processing dropped it (${r.transit.verdict === "drop" ? r.transit.reason : ""})`;
      if (r.outcome === "terminated-active") return "an Active measurement packet ends at the decapsulating node (RFC 9322)";
      return r.packet;
    }
    const r = transitPacket(p, 0, p.length, n.state, ctx, n.counters);
    if (r.verdict === "drop") return `Hop-by-Hop processing dropped it (${r.reason})`;
    return r.packet ?? p;
  }

  /** The first encap policy (longest prefix) matching the destination instruments the packet. */
  private encapsulate(n: EmulatedNode, ingress: string | undefined, p: Uint8Array, hop: NextHop): Uint8Array {
    if (hop.kind !== "link") return p;
    const match = n.encaps.filter((e) => prefixContains(e.role.prefix, dstOf(p))).sort((a, b) => b.role.prefix.length - a.role.prefix.length)[0];
    if (!match) return p;
    const out = n.lab.interfaces.find((i) => i.name === hop.dev)!;
    const tunnelHop = match.role.policy.tundst === undefined ? hop : nextHop(n.lab, parseIpv6Address(match.role.policy.tundst)!);
    const via = tunnelHop.kind === "link" ? n.lab.interfaces.find((i) => i.name === tunnelHop.dev)! : out;
    return match.enc.process(p, n.state, this.ctx(n.lab.name, ingress, hop), { mtu: out.mtu, tunnelSource: via.addressText }, n.encapCounters).packet;
  }
}

/** The ICMPv6 Echo Reply a Linux host sends to an Echo Request (hop limit 64), or undefined for anything else. */
export function echoReply(p: Uint8Array): Uint8Array | undefined {
  const rec = decodePacket(p);
  if (rec.upper.protocol !== IPPROTO.ICMPV6 || rec.upper.icmpType !== 128) return undefined;
  const icmp = p.slice(rec.upper.offset);
  icmp[0] = 129;
  icmp[2] = icmp[3] = 0;
  return buildPacket({ src: rec.ipv6.dst, dst: rec.ipv6.src, hopLimit: 64, options: [], upper: { kind: "raw", protocol: IPPROTO.ICMPV6, bytes: icmp } });
}
