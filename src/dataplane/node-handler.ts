// The data plane's per-packet work (docs/dataplane.md): each packet the queue rules send here is
// classified — to a tunnel address of this node (decapsulate), inline IOAM leaving the domain
// (decapsulate), in an encap policy's prefix (encapsulate), a Hop-by-Hop header on an ingress
// ioamkit owns (transit) — and handed to the engine, which is the only IOAM logic. Hot-path
// rules: nothing allocated per packet of ours on the encap and transit paths (one reused
// context, timestamp and counters; the engine writes into the path's send buffer); every packet
// gets exactly one verdict; an engine failure never loses a packet silently (counted, then
// accepted unchanged, or dropped when the node fails closed).

import type { PacketContext, Timestamp } from "../node/context.js";
import { type NodeCounters, newCounters } from "../node/counters.js";
import { type DecapRecord, decapsulateInPlace } from "../node/decap.js";
import type { EncapCounters, EncapOutcome, EncapPacketFacts } from "../node/encap.js";
import type { DexExportRecord } from "../node/events.js";
import { transitPacket, type TransitDrop, type TransitHooks } from "../node/transit.js";
import { IPPROTO } from "../wire/ext-header.js";
import { IPV6 } from "../wire/ipv6.js";
import type { RealtimeClock } from "./clock.js";
import type { HandlerSetup, PolicyEntry } from "./handler-setup.js";
import { C, type DropReason, dropCounter, recordLatency } from "./node-counters.js";
import type { PacketPath, PathPacket } from "./packet-path.js";
import { LOCAL_ROUTE, inPrefix } from "./route-table.js";
import { type RecordOrigin, writeDecapRecord, writeDexRecord } from "./sink-record.js";
import type { Sink } from "./sink.js";
import type { FlowContexts } from "./trace-context-api.js";

/** Counter of each way a packet goes unencapsulated (skipped-mtu: the engine counts it, encap_skipped_mtu). */
const SKIP_COUNTER: Record<EncapOutcome, number> = {
  inline: -1, encap: -1, "skipped-frequency": C.encap_skipped_frequency, "skipped-hop-by-hop": C.encap_skipped_hop_by_hop, "skipped-mtu": -1, "skipped-hop-limit": C.encap_skipped_hop_limit,
};

/** A mutable PacketContext: one per handler, rewritten for every packet. */
interface Context {
  /** prerouting (forwarded or arriving), or output (this host's own packets, queued at OUTPUT). */
  stage: "prerouting" | "output";
  ingress: string | undefined;
  egress: string | undefined;
  rxTime: Timestamp | undefined;
  clock: () => Timestamp;
}

export class NodeHandler {
  /** Engine counters (kept across reloads; copied into the shared region by syncCounters). */
  readonly engine: NodeCounters = newCounters();
  readonly encapCounters: EncapCounters = { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 };
  /** The trace contexts this thread's encap policies write (docs/cross-layer.md), when configured. */
  traceContexts: FlowContexts | undefined;
  private readonly ctx: Context;
  private readonly rx: Timestamp = { sec: 0, nsec: 0 };
  private readonly hooks: TransitHooks;
  private pendingDecap: DecapRecord | undefined;
  private readonly onDecap = (r: DecapRecord) => void (this.pendingDecap = r);
  private readonly origin: RecordOrigin;

  constructor(
    private readonly path: PacketPath,
    public setup: HandlerSetup,
    private readonly c: Float64Array,
    private readonly clock: RealtimeClock,
    private readonly sink: Sink,
    private readonly failClosed: boolean,
  ) {
    this.ctx = { stage: "prerouting", ingress: undefined, egress: undefined, rxTime: undefined, clock: clock.read };
    this.hooks = { onExport: (r) => this.dex(r) };
    this.origin = { time: this.rx, timeSource: "clock", nodeId: 0, netns: setup.netns, ingress: undefined };
  }

  /** The PacketPath handler. */
  readonly handle = (pkt: PathPacket): void => {
    this.c[C.seen]!++;
    try {
      this.dispatch(pkt);
      // Receive → verdict written (sent with the batch, at once when traffic is light).
      if (pkt.hasTimestamp) recordLatency(this.c, this.clock.microsSince(pkt.tsSec, pkt.tsNsec));
    } catch {
      // The engine refused something the set-up should have ruled out: never a silent loss.
      this.c[C.handler_errors]!++;
      if (this.failClosed) this.drop(pkt, "handler-error");
      else this.pass(pkt);
    }
  };

  private dispatch(pkt: PathPacket): void {
    const b = pkt.bytes;
    const o = pkt.offset;
    if (pkt.length < IPV6.LENGTH || b[o]! >>> 4 !== 6) return this.pass(pkt);
    this.context(pkt);
    const s = this.setup;
    const hbh = b[o + IPV6.NEXT_HEADER] === IPPROTO.HOPOPTS;
    for (const t of s.tunnels) if (inPrefix(b, o + 24, t, 128)) return this.decap(pkt);
    // The fill's egress, as the kernel's (ipv6_hop_ioam routes the packet before it fills):
    // none at a tunnel end (delivered locally), the route's device at a domain edge.
    if (hbh) for (const e of s.edges) if (inPrefix(b, o + 24, e.prefix, e.len)) return this.decap(pkt, s.routes.egressName(s.routes.lookup(b, o + 24)));
    const route = s.routes.lookup(b, o + 24);
    if (s.routes.oif(route) !== LOCAL_ROUTE) {
      for (const p of s.policies) if (inPrefix(b, o + 24, p.prefix, p.len)) return this.encap(pkt, p, route, hbh);
    }
    if (hbh && s.ownsTransit && this.ctx.stage === "prerouting") return this.transit(pkt, route);
    this.pass(pkt);
  }

  /** Ingress, receive time (the kernel's, else the clock's per option), and its latency sample. */
  private context(pkt: PathPacket): void {
    const ctx = this.ctx;
    ctx.stage = pkt.stage === "output" ? "output" : "prerouting";
    ctx.ingress = this.setup.routes.names[pkt.ingressIfindex];
    ctx.egress = undefined;
    if (pkt.hasTimestamp) {
      this.rx.sec = pkt.tsSec;
      this.rx.nsec = pkt.tsNsec;
      ctx.rxTime = this.rx;
      this.c[C.ts_kernel]!++;
    } else {
      ctx.rxTime = undefined;
      this.c[C.ts_clock]!++;
    }
  }

  /** Transit on an owned ingress: the engine's fill, POT, incremental, DEX, drops, in place. */
  private transit(pkt: PathPacket, route: number): void {
    const s = this.setup;
    this.ctx.egress = s.routes.egressName(route);
    const e = this.engine;
    const before = e.ioamFilled + e.ioamOverflowed + e.potUpdated;
    const r = transitPacket(pkt.bytes, pkt.offset, pkt.offset + pkt.length, s.node, this.ctx as PacketContext, e, this.hooks);
    if (r.verdict === "drop") return this.drop(pkt, r.reason);
    if (r.packet) return this.replace(pkt, r.packet, 0, r.packet.length);
    if (e.ioamFilled + e.ioamOverflowed + e.potUpdated !== before) return this.replace(pkt, pkt.bytes, pkt.offset, pkt.length);
    this.pass(pkt);
  }

  /** Encapsulation (after transit on an owned ingress, as the kernel processes the arriving header first). */
  private encap(pkt: PathPacket, p: PolicyEntry, route: number, hbh: boolean): void {
    const s = this.setup;
    let src = pkt.bytes;
    let at = pkt.offset;
    let len = pkt.length;
    let changed = false;
    // The kernel fills arriving Hop-by-Hop options only (ipv6_hop_ioam): not this host's own packets.
    if (hbh && s.ownsTransit && this.ctx.stage === "prerouting") {
      this.ctx.egress = s.routes.egressName(route);
      const e = this.engine;
      const before = e.ioamFilled + e.ioamOverflowed + e.potUpdated;
      const r = transitPacket(src, at, at + len, s.node, this.ctx as PacketContext, e, this.hooks);
      if (r.verdict === "drop") return this.drop(pkt, r.reason);
      if (r.packet) (src = r.packet), (at = 0), (len = r.packet.length);
      changed = r.packet !== undefined || e.ioamFilled + e.ioamOverflowed + e.potUpdated !== before;
    }
    // The fill's egress is the policy route's device (the lwtunnel's route); the MTU is that of the way the packet leaves.
    this.ctx.egress = s.routes.egressName(route);
    p.facts.mtu = p.tunnel ? p.tunnel.mtu : s.routes.mtu(route);
    const grow = p.enc.decide(src, at, len, s.node, this.ctx as PacketContext, p.facts as EncapPacketFacts, this.encapCounters);
    if (grow < 0) {
      const k = SKIP_COUNTER[p.enc.lastOutcome];
      if (k >= 0) this.c[k]!++;
      return changed ? this.replace(pkt, src, at, len) : this.pass(pkt);
    }
    const out = this.path.beginReplace(pkt, len + grow);
    if (out < 0) return void this.c[C.too_long]!++;
    p.enc.writeInstrumented(src, at, len, this.path.out, out, s.node, this.ctx as PacketContext, p.facts as EncapPacketFacts);
    this.c[C.encapsulated]!++;
    this.c[C.replaced]!++;
  }

  /** Decapsulation: the engine fills, strips and reports; the record goes to the sink. */
  private decap(pkt: PathPacket, egress?: string): void {
    const s = this.setup;
    this.ctx.egress = egress;
    const p = pkt.bytes.subarray(pkt.offset, pkt.offset + pkt.length);
    this.pendingDecap = undefined;
    const r = decapsulateInPlace(p, s.node, this.ctx as PacketContext, this.engine, this.onDecap);
    const rec = this.pendingDecap as DecapRecord | undefined;
    if (rec) this.record(rec, r.outcome === "decap-encap" || r.outcome === "decap-inline" ? r.packet : p);
    switch (r.outcome) {
      case "decap-encap":
      case "decap-inline":
        this.c[C.decapsulated]!++;
        if (r.packet.length < pkt.minReplaceLength) this.c[C.decap_padded]!++;
        return this.replace(pkt, r.packet, 0, r.packet.length);
      case "terminated-active":
        return this.drop(pkt, "active-terminated");
      case "drop":
        return this.drop(pkt, r.transit.verdict === "drop" ? r.transit.reason : "truncated-header");
      default:
        return this.pass(pkt);
    }
  }

  private record(r: DecapRecord, inner: Uint8Array): void {
    for (const v of r.potVerified ?? []) this.c[v ? C.pot_verified : C.pot_failed]!++;
    if (!this.sink.accepting()) return;
    writeDecapRecord(this.sink.w, this.originNow(), r, inner);
    this.sink.committed();
  }

  private dex(r: DexExportRecord): void {
    this.c[C.dex_exports]!++;
    if (!this.sink.accepting()) return;
    writeDexRecord(this.sink.w, this.originNow(), r);
    this.sink.committed();
  }

  private originNow(): RecordOrigin {
    const o = this.origin;
    const kernel = this.ctx.rxTime !== undefined;
    o.time = kernel ? this.rx : this.clock.now();
    o.timeSource = kernel ? "kernel" : "clock";
    o.nodeId = this.setup.node.nodeId;
    o.ingress = this.ctx.ingress;
    return o;
  }

  private replace(pkt: PathPacket, src: Uint8Array, at: number, len: number): void {
    if (this.path.replace(pkt, src, at, len)) this.c[C.replaced]!++;
    else this.c[C.too_long]!++;
  }

  private pass(pkt: PathPacket): void {
    this.c[C.passed]!++;
    this.path.accept(pkt);
  }

  private drop(pkt: PathPacket, reason: TransitDrop | DropReason): void {
    this.c[C.dropped]!++;
    this.c[dropCounter(reason)]!++;
    this.path.drop(pkt);
  }

  /** Copies the engine's counters into the shared region (the main thread reads it). */
  syncCounters(): void {
    const c = this.c;
    const e = this.engine;
    c[C.filled] = e.ioamFilled;
    c[C.overflowed] = e.ioamOverflowed;
    c[C.already_overflowed] = e.ioamAlreadyOverflowed;
    c[C.ignored] = e.ioamIgnored;
    c[C.pot_updated] = e.potUpdated;
    c[C.encap_skipped_mtu] = this.encapCounters.encap_skipped_mtu;
    c[C.encap_inline] = this.encapCounters.encapInline;
    c[C.encap_outer] = this.encapCounters.encapOuter;
    c[C.sink_records] = this.sink.records;
    c[C.sink_dropped] = this.sink.dropped;
    const t = this.traceContexts?.counts;
    if (t) (c[C.trace_context_registered] = t.registered), (c[C.trace_context_http] = t.http), (c[C.trace_context_none] = t.none);
  }
}
