// The encapsulating node, with the ioam6 lwtunnel's semantics (net/ipv6/ioam6_iptunnel.c: ioam6_build_state, ioam6_output):
// frequency k/n on a per-policy counter, inline / encap / auto, the Hop-by-Hop template built
// once (as ioam6_build_state does), inner header fields copied to the outer one, and the
// encapsulating node's own data filled when it knows the IOAM namespace (no event).
// Beyond the lwtunnel: the stage. At `prerouting` the kernel has not yet forwarded the packet,
// so hop limits are written such that after its forwarding step (−1 on the outermost header)
// the wire bytes equal what the lwtunnel would send; and a packet that would exceed the
// egress MTU is sent uninstrumented and counted.

import { writeU32 } from "../wire/_be.js";
import { IPPROTO } from "../wire/ext-header.js";
import { E2E_SEQ32, E2E_SEQ64, E2E_TS_FRAC, E2E_TS_SEC } from "../wire/ioam/e2e.js";
import { IOAM_OPT } from "../wire/ioam/option.js";
import { IPV6 } from "../wire/ipv6.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import type { TraceFlags } from "../wire/ioam/trace.js";
import { type PacketContext, optionTime } from "./context.js";
import { type HeadersTemplate, headersTemplate } from "./encap-template.js";
import { fillTrace } from "./fill.js";
import { setPayloadLength } from "./header-edit.js";
import { incrementalInsert } from "./incremental.js";
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
  /**
   * A Pre-allocated Trace to carry (the lwtunnel's only option), or beyond Linux an Incremental
   * one (`size` is then its RemainingLen budget; this node inserts its block like any other).
   */
  trace?: { namespaceId: number; traceType: number; size: number; flags?: TraceFlags; reserved?: number; variant?: "prealloc" | "incremental" };
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

/** An Opaque State Snapshot (RFC 9197 §4.4.2.13): 24-bit schema id and its data (a multiple of 4 octets). */
export interface OpaqueSnapshot {
  schemaId: number;
  data: Uint8Array;
}

/**
 * Per-packet facts beyond the PacketContext: the egress MTU and, without tunsrc, the source the
 * kernel would select; and, beyond Linux, where this node's own snapshot comes from.
 */
export interface EncapPacketFacts {
  mtu?: number;
  tunnelSource?: string;
  /**
   * This node's Opaque State Snapshot for the packet about to be instrumented (the original
   * packet, before any IOAM is added): e.g. the application's trace context (docs/cross-layer.md).
   * Undefined — or no hook — writes the namespace's fixed schema, as Linux does. Pre-allocated
   * Traces only (an Incremental Trace's block is sized once per node).
   */
  opaqueFor?: (packet: Uint8Array) => OpaqueSnapshot | undefined;
}


/**
 * Where an encapsulator's sequence numbers come from: the lwtunnel's frequency counter (one per
 * route, ioam6_output) and the E2E and DEX sequences. Per policy by default; a data plane
 * with several workers passes one shared set so that k/n stays exact across them.
 */
export interface EncapSequences {
  /** The count before this packet (u32, wraps at 2^32). */
  frequency(): number;
  e2e(): bigint;
  /** u32, wraps. */
  dex(): number;
}

/** Sequences kept in the encapsulator itself. */
export function localSequences(): EncapSequences {
  let f = 0;
  let e = 0n;
  let d = 0;
  return { frequency: () => ((f = (f + 1) >>> 0), (f - 1) >>> 0), e2e: () => e++, dex: () => ((d = (d + 1) >>> 0), (d - 1) >>> 0) };
}

const DRY_RUN: PacketContext = { stage: "output", clock: () => ({ sec: 0, nsec: 0 }) };

export class Encapsulator {
  /** What the last decide() (or process()) chose. */
  lastOutcome: EncapOutcome = "skipped-frequency";
  private readonly t: HeadersTemplate;
  private readonly tundst: Uint8Array | undefined;
  private readonly tunsrc: Uint8Array | undefined;
  /** The last selected tunnel source, parsed (it is the same packet after packet). */
  private lastSource: { text: string; bytes: Uint8Array } | undefined;
  /** Octets this node's Incremental Trace block adds, per node state (constant for one state). */
  private readonly incrementalGrowth = new WeakMap<NodeState, number>();

  constructor(
    readonly policy: EncapPolicy,
    private readonly seq: EncapSequences = localSequences(),
  ) {
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
    const grow = this.decide(p, 0, p.length, node, ctx, facts, counters);
    if (grow < 0) return { outcome: this.lastOutcome, packet: p };
    const out = new Uint8Array(p.length + grow);
    this.writeInstrumented(p, 0, p.length, out, 0, node, ctx, facts);
    return { outcome: this.lastOutcome, packet: out };
  }

  /**
   * The lwtunnel's steps for the IPv6 packet p[start, start + length) — hop limit (at
   * prerouting), frequency, an existing Hop-by-Hop header (inline), the egress MTU — without
   * writing anything: returns the octets instrumenting it adds, or -1 when it goes unchanged
   * (`lastOutcome` says why). Counts the packet; call writeInstrumented next for this packet.
   */
  decide(p: Uint8Array, start: number, length: number, node: NodeState, ctx: PacketContext, facts: EncapPacketFacts, counters: EncapCounters): number {
    // At prerouting a packet the kernel will drop for its hop limit never reaches the lwtunnel.
    if (ctx.stage === "prerouting" && p[start + IPV6.HOP_LIMIT]! <= 1) return this.skip("skipped-hop-limit");
    if (this.seq.frequency() % this.policy.freqN >= this.policy.freqK) return this.skip("skipped-frequency");
    const inline = this.policy.mode === "inline" || (this.policy.mode === "auto" && ctx.ingress === undefined);
    if (inline && p[start + IPV6.NEXT_HEADER] === IPPROTO.HOPOPTS) return this.skip("skipped-hop-by-hop");
    const grow = this.t.bytes.length + (inline ? 0 : IPV6.LENGTH) + this.incrementalBlock(node);
    if (facts.mtu !== undefined && length + grow > facts.mtu) {
      counters.encap_skipped_mtu++;
      return this.skip("skipped-mtu");
    }
    if (inline) counters.encapInline++;
    else counters.encapOuter++;
    this.lastOutcome = inline ? "inline" : "encap";
    return grow;
  }

  /** Writes the packet decide() just accepted, instrumented, at out[at, at + length + grow). */
  writeInstrumented(p: Uint8Array, start: number, length: number, out: Uint8Array, at: number, node: NodeState, ctx: PacketContext, facts: EncapPacketFacts): void {
    const inline = this.lastOutcome === "inline";
    const forwarding = ctx.stage === "prerouting";
    const trace = this.policy.trace;
    const incremental = trace?.variant === "incremental" ? node.namespaces.get(trace.namespaceId) : undefined;
    // An Incremental Trace grows once more by this node's block: laid out in a scratch packet first.
    const to = incremental ? new Uint8Array(length + this.t.bytes.length + (inline ? 0 : IPV6.LENGTH)) : out;
    const base = incremental ? 0 : at;
    if (inline) this.insertInline(p, start, length, to, base);
    else this.encapsulate(p, start, length, to, base, facts, forwarding);
    const snapshot = incremental ? undefined : facts.opaqueFor?.(p.subarray(start, start + length));
    this.fillOptions(to, base, node, ctx, forwarding, snapshot);
    if (incremental) out.set(incrementalInsert(to, IPV6.LENGTH + this.t.traceAt, node, incremental, ctx, forwarding).packet, at);
  }

  private skip(outcome: EncapOutcome): number {
    this.lastOutcome = outcome;
    return -1;
  }

  /** Octets an Incremental Trace grows by with this node's block (0 without one, or when the node does not know its namespace). */
  private incrementalBlock(node: NodeState): number {
    const trace = this.policy.trace;
    const ns = trace?.variant === "incremental" ? node.namespaces.get(trace.namespaceId) : undefined;
    if (!ns) return 0;
    let grow = this.incrementalGrowth.get(node);
    if (grow === undefined) {
      // The growth depends on the template and the node's block size only: measured once, on a bare packet.
      const probe = new Uint8Array(IPV6.LENGTH + this.t.bytes.length);
      probe[0] = 0x60;
      probe[IPV6.NEXT_HEADER] = this.t.firstHeader;
      probe.set(this.t.bytes, IPV6.LENGTH);
      setPayloadLength(probe, 0);
      grow = incrementalInsert(probe, IPV6.LENGTH + this.t.traceAt, node, ns, DRY_RUN, false).packet.length - probe.length;
      this.incrementalGrowth.set(node, grow);
    }
    return grow;
  }

  /** The per-packet fields: this node's trace data, POT, E2E sequence and timestamps, DEX sequence. */
  private fillOptions(out: Uint8Array, at: number, node: NodeState, ctx: PacketContext, forwarding: boolean, snapshot: OpaqueSnapshot | undefined): void {
    const { trace, e2e, dex, pot } = this.policy;
    const base = at + IPV6.LENGTH;
    const known = trace && trace.variant !== "incremental" ? node.namespaces.get(trace.namespaceId) : undefined;
    // This packet's own snapshot replaces the namespace's schema for this one fill.
    const ns = known && snapshot ? { ...known, schema: { id: snapshot.schemaId, data: snapshot.data } } : known;
    const potKey = pot && node.pot.get(pot.namespaceId);
    if (pot && !potKey) throw new RangeError(`proof of transit for IOAM namespace ${pot.namespaceId}: this node has no key for it`);
    if (potKey) potIngress(out, base + this.t.potAt, pot!.random(), potKey);
    // The lwtunnel records the hop limit as it is after forwarding; at prerouting that is one less than now.
    if (ns) fillTrace(out, at, base + this.t.traceAt + IOAM_OPT.BODY, node, ns, ctx, forwarding);
    if (e2e) writeE2eFields(out, base + this.t.e2eAt + IOAM_OPT.BODY + 4, e2e.e2eType, this.seq.e2e(), ctx, node.namespaces.get(e2e.namespaceId)?.tsFormat ?? "posix-us");
    if (dex?.seq) writeU32(out, base + this.t.dexAt + IOAM_OPT.BODY + 8 + (dex.flowId !== undefined ? 4 : 0), this.seq.dex());
  }

  private selectedSource(text: string | undefined): Uint8Array | undefined {
    if (text === undefined) return undefined;
    if (this.lastSource?.text !== text) this.lastSource = { text, bytes: address(text, "tunnel source") };
    return this.lastSource.bytes;
  }

  private insertInline(p: Uint8Array, s: number, length: number, out: Uint8Array, at: number): void {
    const tpl = this.t.bytes;
    out.set(p.subarray(s, s + IPV6.LENGTH), at);
    out.set(tpl, at + IPV6.LENGTH);
    out[at + IPV6.LENGTH + this.t.nextHeaderAt] = p[s + IPV6.NEXT_HEADER]!;
    out.set(p.subarray(s + IPV6.LENGTH, s + length), at + IPV6.LENGTH + tpl.length);
    out[at + IPV6.NEXT_HEADER] = IPPROTO.HOPOPTS;
    setLength(out, at, length + tpl.length);
  }

  private encapsulate(p: Uint8Array, s: number, length: number, out: Uint8Array, at: number, facts: EncapPacketFacts, forwarding: boolean): void {
    const src = this.tunsrc ?? this.selectedSource(facts.tunnelSource);
    if (!src) throw new RangeError("encap mode without tunsrc needs the selected tunnel source address (facts.tunnelSource)");
    const inner = at + IPV6.LENGTH + this.t.bytes.length;
    out.set(p.subarray(s, s + IPV6.LENGTH), at); // version, traffic class, flow label, hop limit copied
    out[at + IPV6.NEXT_HEADER] = this.t.firstHeader;
    out.set(src, at + 8);
    out.set(this.tundst!, at + 24);
    out.set(this.t.bytes, at + IPV6.LENGTH);
    out[at + IPV6.LENGTH + this.t.nextHeaderAt] = IPPROTO.IPV6;
    out.set(p.subarray(s, s + length), inner);
    // The kernel forwards (and decrements) only the outer header: the inner one must already
    // carry the value the lwtunnel, running after forwarding, would have copied.
    if (forwarding) out[inner + IPV6.HOP_LIMIT] = p[s + IPV6.HOP_LIMIT]! - 1;
    setLength(out, at, inner - at + length);
  }
}

/** Payload Length of the IPv6 packet of `total` octets at b[at]. */
function setLength(b: Uint8Array, at: number, total: number): void {
  const len = total - IPV6.LENGTH;
  b[at + IPV6.PAYLOAD_LENGTH] = len >>> 8;
  b[at + IPV6.PAYLOAD_LENGTH + 1] = len & 0xff;
}

function address(text: string, what: string): Uint8Array {
  const a = parseIpv6Address(text);
  if (!a) throw new RangeError(`${what} "${text}" is not an IPv6 address`);
  return a;
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
