// The encapsulating node, with the ioam6 lwtunnel's semantics (net/ipv6/ioam6_iptunnel.c: ioam6_build_state, ioam6_output):
// frequency k/n on a per-policy counter, inline / encap / auto, the Hop-by-Hop template built
// once (as ioam6_build_state does), inner header fields copied to the outer one, and the
// encapsulating node's own data filled when it knows the IOAM namespace (no event).
// Beyond the lwtunnel: the stage. At `prerouting` the kernel has not yet forwarded the packet,
// so hop limits are written such that after its forwarding step (−1 on the outermost header)
// the wire bytes equal what the lwtunnel would send; and a packet that would exceed the
// egress MTU is sent uninstrumented and counted.

import { writeU32 } from "../wire/_be.js";
import { type OptionSpec, buildPacketRecord } from "../wire/build.js";
import { IPPROTO } from "../wire/ext-header.js";
import { DEX_EXT_FLOW_ID, DEX_EXT_SEQ } from "../wire/ioam/dex.js";
import { E2E_SEQ32, E2E_SEQ64, E2E_TS_FRAC, E2E_TS_SEC } from "../wire/ioam/e2e.js";
import { IOAM_OPT } from "../wire/ioam/option.js";
import { encodePacket } from "../wire/packet.js";
import { IPV6 } from "../wire/ipv6.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import type { TraceFlags } from "../wire/ioam/trace.js";
import { nodeLenOf } from "../wire/ioam/trace-type.js";
import { type PacketContext, optionTime } from "./context.js";
import { fillTrace } from "./fill.js";
import { setPayloadLength } from "./header-edit.js";
import { potIngress } from "./pot.js";
import type { NodeState } from "./state.js";

export type EncapMode = "inline" | "encap" | "auto";

/** A route's `encap ioam6 …` (trace template as the kernel keeps it: NodeLen recomputed). */
export interface EncapPolicy {
  mode: EncapMode;
  freqK: number;
  freqN: number;
  tunsrc?: string;
  tundst?: string;
  /** A Pre-allocated Trace to carry (the lwtunnel's only option). */
  trace?: { namespaceId: number; traceType: number; size: number; flags?: TraceFlags; reserved?: number };
  /** Edge-to-Edge (RFC 9197 §4.6), in an outer Destination Options header: encap mode only. */
  e2e?: { namespaceId: number; e2eType: number };
  /**
   * Proof of transit: the encapsulating node draws RND (`random`, reduced mod the prime), sets
   * CML 0 and adds its share — its key is the node state's for `namespaceId`.
   */
  pot?: { namespaceId: number; random: () => bigint };
  /** Direct Export (RFC 9326): asks nodes to export `traceType`'s data; with a Flow ID and/or sequence numbers. */
  dex?: { namespaceId: number; traceType: number; flowId?: number; seq?: boolean };
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


export class Encapsulator {
  /** Packets that reached the frequency step (the lwtunnel's u32 counter). */
  private counter = 0;
  /** Sequence numbers of the E2E and DEX options (per policy: a policy is one packet group / flow). */
  private e2eSeq = 0n;
  private dexSeq = 0;
  private readonly t: HeadersTemplate;
  private readonly tundst: Uint8Array | undefined;
  private readonly tunsrc: Uint8Array | undefined;
  /** The last selected tunnel source, parsed (it is the same packet after packet). */
  private lastSource: { text: string; bytes: Uint8Array } | undefined;

  constructor(readonly policy: EncapPolicy) {
    if (policy.e2e && policy.mode !== "encap") throw new RangeError("an E2E option travels in an outer Destination Options header: it needs mode encap");
    this.t = headersTemplate(policy);
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
    const grow = this.t.bytes.length + (inline ? 0 : IPV6.LENGTH);
    if (facts.mtu !== undefined && p.length + grow > facts.mtu) {
      counters.encap_skipped_mtu++;
      return { outcome: "skipped-mtu", packet: p };
    }
    const out = inline ? this.insertInline(p) : this.encapsulate(p, facts, forwarding);
    this.fillOptions(out, node, ctx, forwarding);
    if (inline) counters.encapInline++;
    else counters.encapOuter++;
    return { outcome: inline ? "inline" : "encap", packet: out };
  }

  /** The per-packet fields: this node's trace data, E2E sequence and timestamps, DEX sequence. */
  private fillOptions(out: Uint8Array, node: NodeState, ctx: PacketContext, forwarding: boolean): void {
    const { trace, e2e, dex, pot } = this.policy;
    const ns = trace && node.namespaces.get(trace.namespaceId);
    const potKey = pot && node.pot.get(pot.namespaceId);
    if (pot && !potKey) throw new RangeError(`proof of transit for IOAM namespace ${pot.namespaceId}: this node has no key for it`);
    if (potKey) potIngress(out, IPV6.LENGTH + this.t.potAt, pot!.random(), potKey);
    // The lwtunnel records the hop limit as it is after forwarding; at prerouting that is one less than now.
    if (ns) fillTrace(out, 0, IPV6.LENGTH + this.t.traceAt + IOAM_OPT.BODY, node, ns, ctx, forwarding);
    if (e2e) writeE2eFields(out, IPV6.LENGTH + this.t.e2eAt + IOAM_OPT.BODY + 4, e2e.e2eType, this.e2eSeq++, ctx, node.namespaces.get(e2e.namespaceId)?.tsFormat ?? "posix-us");
    if (dex?.seq) writeU32(out, IPV6.LENGTH + this.t.dexAt + IOAM_OPT.BODY + 8 + (dex.flowId !== undefined ? 4 : 0), this.dexSeq++ >>> 0);
  }

  private selectedSource(text: string | undefined): Uint8Array | undefined {
    if (text === undefined) return undefined;
    if (this.lastSource?.text !== text) this.lastSource = { text, bytes: address(text, "tunnel source") };
    return this.lastSource.bytes;
  }

  private insertInline(p: Uint8Array): Uint8Array {
    const tpl = this.t.bytes;
    const out = new Uint8Array(p.length + tpl.length);
    out.set(p.subarray(0, IPV6.LENGTH));
    out.set(tpl, IPV6.LENGTH);
    out[IPV6.LENGTH + this.t.nextHeaderAt] = p[IPV6.NEXT_HEADER]!;
    out.set(p.subarray(IPV6.LENGTH), IPV6.LENGTH + tpl.length);
    out[IPV6.NEXT_HEADER] = IPPROTO.HOPOPTS;
    setPayloadLength(out, 0);
    return out;
  }

  private encapsulate(p: Uint8Array, facts: EncapPacketFacts, forwarding: boolean): Uint8Array {
    const src = this.tunsrc ?? this.selectedSource(facts.tunnelSource);
    if (!src) throw new RangeError("encap mode without tunsrc needs the selected tunnel source address (facts.tunnelSource)");
    const at = IPV6.LENGTH + this.t.bytes.length;
    const out = new Uint8Array(at + p.length);
    out.set(p.subarray(0, IPV6.LENGTH)); // version, traffic class, flow label, hop limit copied
    out[IPV6.NEXT_HEADER] = this.t.firstHeader;
    out.set(src, 8);
    out.set(this.tundst!, 24);
    out.set(this.t.bytes, IPV6.LENGTH);
    out[IPV6.LENGTH + this.t.nextHeaderAt] = IPPROTO.IPV6;
    out.set(p, at);
    // The kernel forwards (and decrements) only the outer header: the inner one must already
    // carry the value the lwtunnel, running after forwarding, would have copied.
    if (forwarding) out[at + IPV6.HOP_LIMIT] = p[IPV6.HOP_LIMIT]! - 1;
    setPayloadLength(out, 0);
    return out;
  }
}

function address(text: string, what: string): Uint8Array {
  const a = parseIpv6Address(text);
  if (!a) throw new RangeError(`${what} "${text}" is not an IPv6 address`);
  return a;
}

/** The extension headers an encapsulator adds, laid out once, and where its per-packet fields are. */
interface HeadersTemplate {
  bytes: Uint8Array;
  /** Offsets within `bytes`: the IOAM option TLVs, and the Next Header octet of the last header. */
  traceAt: number;
  potAt: number;
  e2eAt: number;
  dexAt: number;
  nextHeaderAt: number;
  /** Protocol number of the first header (Hop-by-Hop, or Destination Options for E2E alone). */
  firstHeader: number;
}

/**
 * The headers of Linux's lwtunnel template (PadN, the trace option with zeroed data space, tail PadN), plus DEX in
 * the Hop-by-Hop header and E2E in a Destination Options header (RFC 9486 §4), laid out by the codec.
 */
function headersTemplate(policy: EncapPolicy): HeadersTemplate {
  const { trace, e2e, dex, pot } = policy;
  const options: OptionSpec[] = [];
  if (trace) {
    const flags = trace.flags ?? { overflow: false, loopback: false, active: false, unknownBits: 0 };
    options.push({ kind: "trace", variant: "prealloc", namespaceId: trace.namespaceId, nodeLen: nodeLenOf(trace.traceType), flags, remainingLen: trace.size / 4, traceType: trace.traceType, reserved: trace.reserved ?? 0, nodes: [] });
  }
  if (pot) options.push({ kind: "pot", namespaceId: pot.namespaceId, potType: 0, flags: 0, random: 0n, cumulative: 0n });
  if (dex) options.push({ kind: "dex", namespaceId: dex.namespaceId, flags: 0, extFlags: (dex.flowId !== undefined ? DEX_EXT_FLOW_ID : 0) | (dex.seq ? DEX_EXT_SEQ : 0), traceType: dex.traceType, reserved: 0, ...(dex.flowId !== undefined ? { flowId: dex.flowId } : {}), ...(dex.seq ? { seq: 0 } : {}) });
  if (e2e) options.push(e2eTemplate(e2e.namespaceId, e2e.e2eType));
  if (options.length === 0) throw new RangeError("an encap policy needs at least one option (trace, pot, e2e or dex)");
  const rec = buildPacketRecord({ src: "::", dst: "::", options, upper: { kind: "raw", protocol: IPPROTO.IPV6, bytes: new Uint8Array(0) } });
  const bytes = encodePacket(rec).slice(IPV6.LENGTH);
  const at = (kind: string) => (rec.options.find((o) => o.kind === kind)?.offset ?? IPV6.LENGTH) - IPV6.LENGTH;
  const last = rec.extHeaders[rec.extHeaders.length - 1]!;
  return { bytes, traceAt: at("trace"), potAt: at("pot"), e2eAt: at("e2e"), dexAt: at("dex"), nextHeaderAt: last.offset - IPV6.LENGTH, firstHeader: rec.ipv6.nextHeader };
}

function e2eTemplate(namespaceId: number, e2eType: number): OptionSpec {
  return { kind: "e2e", namespaceId, e2eType, ...(e2eType & E2E_SEQ64 ? { seq64: 0n } : {}), ...(e2eType & E2E_SEQ32 ? { seq32: 0 } : {}), ...(e2eType & E2E_TS_SEC ? { tsSec: 0 } : {}), ...(e2eType & E2E_TS_FRAC ? { tsFrac: 0 } : {}) };
}

/** E2E data in E2E-Type bit order: sequence number (64 or 32 bits), then the encapsulation time. */
function writeE2eFields(b: Uint8Array, at: number, e2eType: number, seq: bigint, ctx: PacketContext, tsFormat: "posix-us" | "ptp"): void {
  if (e2eType & E2E_SEQ64) (writeU32(b, at, Number((seq >> 32n) & 0xffffffffn)), writeU32(b, at + 4, Number(seq & 0xffffffffn)), (at += 8));
  else if (e2eType & E2E_SEQ32) (writeU32(b, at, Number(seq & 0xffffffffn)), (at += 4));
  if (!(e2eType & (E2E_TS_SEC | E2E_TS_FRAC))) return;
  const t = optionTime(ctx);
  if (e2eType & E2E_TS_SEC) (writeU32(b, at, t.sec >>> 0), (at += 4));
  if (e2eType & E2E_TS_FRAC) writeU32(b, at, tsFormat === "ptp" ? t.nsec : Math.floor(t.nsec / 1000));
}
