// The encapsulating node, with the ioam6 lwtunnel's semantics (linux-ioam6.md §1.3, §5.2):
// frequency k/n on a per-policy counter, inline / encap / auto, the Hop-by-Hop template built
// once (as ioam6_build_state does), inner header fields copied to the outer one, and the
// encapsulating node's own data filled when it knows the IOAM namespace (no event).
// Beyond the lwtunnel: the stage. At `prerouting` the kernel has not yet forwarded the packet,
// so hop limits are written such that after its forwarding step (−1 on the outermost header)
// the wire bytes equal what the lwtunnel would send; and a packet that would exceed the
// egress MTU is sent uninstrumented and counted.

import { insertHopByHop } from "../wire/encap.js";
import { IPPROTO } from "../wire/ext-header.js";
import { IPV6 } from "../wire/ipv6.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import type { TraceFlags } from "../wire/ioam/trace.js";
import { nodeLenOf } from "../wire/ioam/trace-type.js";
import type { PacketContext } from "./context.js";
import { fillTrace } from "./fill.js";
import type { NodeState } from "./state.js";

export type EncapMode = "inline" | "encap" | "auto";

/** A route's `encap ioam6 …` (trace template as the kernel keeps it: NodeLen recomputed). */
export interface EncapPolicy {
  mode: EncapMode;
  freqK: number;
  freqN: number;
  tunsrc?: string;
  tundst?: string;
  trace: { namespaceId: number; traceType: number; size: number; flags?: TraceFlags; reserved?: number };
}

export type EncapOutcome = "inline" | "encap" | "skipped-frequency" | "skipped-hop-by-hop" | "skipped-mtu" | "skipped-hop-limit";

export interface EncapCounters {
  encapInline: number;
  encapOuter: number;
  encap_skipped_mtu: number;
}

/** Per-packet facts beyond the PacketContext: the egress MTU and, without tunsrc, the source the kernel would select. */
export interface EncapPacketFacts {
  mtu?: number;
  tunnelSource?: string;
}

const TRACE_BODY_IN_HBH = 8; // 2 (nh, len) + 2 (PadN 01 00) + 4 (option header)

export class Encapsulator {
  /** Packets that reached the frequency step (the lwtunnel's u32 counter). */
  private counter = 0;
  private readonly hbh: Uint8Array;
  private readonly tundst: Uint8Array | undefined;
  private readonly tunsrc: Uint8Array | undefined;

  constructor(readonly policy: EncapPolicy) {
    this.hbh = hopByHopTemplate(policy);
    this.tundst = policy.tundst === undefined ? undefined : address(policy.tundst, "tundst");
    this.tunsrc = policy.tunsrc === undefined ? undefined : address(policy.tunsrc, "tunsrc");
    if (policy.mode !== "inline" && !this.tundst) throw new RangeError(`mode ${policy.mode} needs a tunnel destination (tundst)`);
  }

  /**
   * Instruments the IPv6 packet `p` (whole, from offset 0) if the policy says so. Returns the
   * packet to send — a new array when instrumented, `p` itself otherwise — and what happened.
   */
  process(p: Uint8Array, node: NodeState, ctx: PacketContext, facts: EncapPacketFacts, counters: EncapCounters): { outcome: EncapOutcome; packet: Uint8Array } {
    const forwarding = ctx.stage === "prerouting";
    // At prerouting a packet the kernel will drop for its hop limit never reaches the lwtunnel.
    if (forwarding && p[IPV6.HOP_LIMIT]! <= 1) return { outcome: "skipped-hop-limit", packet: p };
    const c = this.counter;
    this.counter = (c + 1) >>> 0;
    if (c % this.policy.freqN >= this.policy.freqK) return { outcome: "skipped-frequency", packet: p };
    const inline = this.policy.mode === "inline" || (this.policy.mode === "auto" && ctx.ingress === undefined);
    if (inline && p[IPV6.NEXT_HEADER] === IPPROTO.HOPOPTS) return { outcome: "skipped-hop-by-hop", packet: p };
    const grow = this.hbh.length + (inline ? 0 : IPV6.LENGTH);
    if (facts.mtu !== undefined && p.length + grow > facts.mtu) {
      counters.encap_skipped_mtu++;
      return { outcome: "skipped-mtu", packet: p };
    }
    const out = inline ? this.insertInline(p) : this.encapsulate(p, facts, forwarding);
    const ns = node.namespaces.get(this.policy.trace.namespaceId);
    // The lwtunnel records the hop limit as it is after forwarding; at prerouting that is one less than now.
    if (ns) fillTrace(out, 0, IPV6.LENGTH + TRACE_BODY_IN_HBH, node, ns, ctx, forwarding);
    if (inline) counters.encapInline++;
    else counters.encapOuter++;
    return { outcome: inline ? "inline" : "encap", packet: out };
  }

  private insertInline(p: Uint8Array): Uint8Array {
    const out = new Uint8Array(p.length + this.hbh.length);
    out.set(p.subarray(0, IPV6.LENGTH));
    out.set(this.hbh, IPV6.LENGTH);
    out[IPV6.LENGTH] = p[IPV6.NEXT_HEADER]!;
    out.set(p.subarray(IPV6.LENGTH), IPV6.LENGTH + this.hbh.length);
    out[IPV6.NEXT_HEADER] = IPPROTO.HOPOPTS;
    setPayloadLength(out, 0);
    return out;
  }

  private encapsulate(p: Uint8Array, facts: EncapPacketFacts, forwarding: boolean): Uint8Array {
    const src = this.tunsrc ?? (facts.tunnelSource === undefined ? undefined : address(facts.tunnelSource, "tunnel source"));
    if (!src) throw new RangeError("encap mode without tunsrc needs the selected tunnel source address (facts.tunnelSource)");
    const at = IPV6.LENGTH + this.hbh.length;
    const out = new Uint8Array(at + p.length);
    out.set(p.subarray(0, IPV6.LENGTH)); // version, traffic class, flow label, hop limit copied
    out[IPV6.NEXT_HEADER] = IPPROTO.HOPOPTS;
    out.set(src, 8);
    out.set(this.tundst!, 24);
    out.set(this.hbh, IPV6.LENGTH);
    out[IPV6.LENGTH] = IPPROTO.IPV6;
    out.set(p, at);
    // The kernel forwards (and decrements) only the outer header: the inner one must already
    // carry the value the lwtunnel, running after forwarding, would have copied.
    if (forwarding) out[at + IPV6.HOP_LIMIT] = p[IPV6.HOP_LIMIT]! - 1;
    setPayloadLength(out, 0);
    return out;
  }
}

function setPayloadLength(b: Uint8Array, start: number): void {
  const len = b.length - start - IPV6.LENGTH;
  b[start + 4] = len >>> 8;
  b[start + 5] = len & 0xff;
}

function address(text: string, what: string): Uint8Array {
  const a = parseIpv6Address(text);
  if (!a) throw new RangeError(`${what} "${text}" is not an IPv6 address`);
  return a;
}

/** The Hop-by-Hop header of §1.3 (PadN, the trace option with zeroed data space, tail PadN), laid out by the codec. */
function hopByHopTemplate(policy: EncapPolicy): Uint8Array {
  const t = policy.trace;
  const flags = t.flags ?? { overflow: false, loopback: false, active: false, unknownBits: 0 };
  const empty = new Uint8Array(IPV6.LENGTH);
  empty[0] = 0x60;
  empty[IPV6.NEXT_HEADER] = IPPROTO.NONE;
  const withHbh = insertHopByHop(empty, [{ kind: "trace", variant: "prealloc", namespaceId: t.namespaceId, nodeLen: nodeLenOf(t.traceType), flags, remainingLen: t.size / 4, traceType: t.traceType, reserved: t.reserved ?? 0, nodes: [] }])!;
  return withHbh.slice(IPV6.LENGTH);
}
