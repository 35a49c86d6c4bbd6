// Transit: what the kernel does with a received packet's Hop-by-Hop header (ip6_parse_tlv and
// ipv6_hop_ioam; linux-ioam6.md §3). Options are walked with the kernel's rules — at most 7
// octets of consecutive padding, PadN all zeros, at most 8 non-padding options, unknown
// options by their action bits — and each IOAM option gets the kernel's verdict, fill and
// event. Any failure drops the packet, counted as Ip6InHdrErrors, as the kernel counts it.

import { readU16, readU24, readU32 } from "../wire/_be.js";
import { IPPROTO } from "../wire/ext-header.js";
import { IOAM_OPT, IOAM_TYPE } from "../wire/ioam/option.js";
import { TRACE } from "../wire/ioam/trace.js";
import { IPV6 } from "../wire/ipv6.js";
import { type LinuxVerdict, linuxOptionVerdict } from "./linux-verdict.js";
import type { PacketContext } from "./context.js";
import type { NodeCounters } from "./counters.js";
import type { DexExportRecord, TraceEventRecord } from "./events.js";
import { fillTrace, nodeBlock } from "./fill.js";
import { incrementalInsert } from "./incremental.js";
import { isLoopbackRequest, loopbackCopy } from "./loopback.js";
import { POT_TYPE0_TLV_LENGTH, isVerifierKey, potTransit } from "./pot.js";
import { nodeLenOf } from "../wire/ioam/trace-type.js";
import { type NodeState, interfaces } from "./state.js";

const PAD1 = 0x00;
const PADN = 0x01;
const ROUTER_ALERT = 0x05;
const JUMBO = 0xc2;
/** net.ipv6.max_hbh_opts_number default (IP6_DEFAULT_MAX_HBH_OPTS_CNT). */
const MAX_HBH_OPTIONS = 8;

/** Why a packet was dropped in Hop-by-Hop processing. */
export type TransitDrop =
  | "truncated-header"
  | "bad-padding"
  | "too-many-options"
  | "option-overrun"
  | "unknown-option"
  | "bad-router-alert"
  | "jumbo"
  | Extract<LinuxVerdict, `drop-${string}`>;

/** "pass" with `packet` when the node grew the packet (Incremental Trace): send that one instead. */
export type TransitResult = { verdict: "pass"; packet?: Uint8Array } | { verdict: "drop"; reason: TransitDrop; offset: number };

const PASS: TransitResult = { verdict: "pass" };

/** Where a transit node's side outputs go; each is optional. */
export interface TransitHooks {
  /** What the kernel would send on ioam6_events. */
  onEvent?: (e: TraceEventRecord) => void;
  /** Direct Export records (node feature dexExport). */
  onExport?: (r: DexExportRecord) => void;
  /** Loopback copies to send back to the packet's source (node feature loopback, RFC 9322). */
  onLoopback?: (packet: Uint8Array) => void;
}
const NO_HOOKS: TransitHooks = {};

/**
 * Processes the Hop-by-Hop header of the IPv6 packet at b[start, end) in place, as a receiving
 * node. `hooks` receive the side outputs: kernel events, DEX exports, loopback copies.
 */
export function transitPacket(b: Uint8Array, start: number, end: number, node: NodeState, ctx: PacketContext, counters: NodeCounters, hooks: TransitHooks = NO_HOOKS): TransitResult {
  const onEvent = hooks.onEvent;
  exportTo = node.features.dexExport ? hooks.onExport : undefined;
  loopbackTo = node.features.loopback && ctx.localAddress !== undefined ? hooks.onLoopback : undefined;
  if (b[start + IPV6.NEXT_HEADER] !== IPPROTO.HOPOPTS) return PASS;
  const hbh = start + IPV6.LENGTH;
  if (hbh + 8 > end || hbh + (b[hbh + 1]! + 1) * 8 > end) return drop(counters, "truncated-header", hbh);
  const hbhEnd = hbh + (b[hbh + 1]! + 1) * 8;
  let off = hbh + 2;
  let padding = 0;
  let options = 0;
  incrementalAt = -1;
  while (off < hbhEnd) {
    if (b[off] === PAD1) {
      if (++padding > 7) return drop(counters, "bad-padding", off);
      off++;
      continue;
    }
    if (hbhEnd - off < 2) return drop(counters, "option-overrun", off);
    const optEnd = off + 2 + b[off + 1]!;
    if (optEnd > hbhEnd) return drop(counters, "option-overrun", off);
    if (b[off] === PADN) {
      padding += optEnd - off;
      if (padding > 7) return drop(counters, "bad-padding", off);
      for (let i = off + 2; i < optEnd; i++) if (b[i] !== 0) return drop(counters, "bad-padding", i);
    } else {
      if (++options > MAX_HBH_OPTIONS) return drop(counters, "too-many-options", off);
      const r = processOption(b, start, off, optEnd, node, ctx, counters, onEvent);
      if (r !== PASS) return r;
      padding = 0;
    }
    off = optEnd;
  }
  // Growing the packet needs it alone in its buffer (the data plane's case); otherwise it is left as Linux leaves it.
  if (incrementalAt < 0 || start !== 0 || end !== b.length) return PASS;
  const ns = node.namespaces.get(readU16(b, incrementalAt + IOAM_OPT.BODY))!;
  const r = incrementalInsert(b, incrementalAt, node, ns, ctx, true, ctx.mtu);
  counters[r.outcome === "inserted" ? "ioamFilled" : r.outcome === "already-overflowed" ? "ioamAlreadyOverflowed" : "ioamOverflowed"]++;
  return r.packet === b ? PASS : { verdict: "pass", packet: r.packet };
}

/**
 * Proof of transit (beyond Linux, which ignores it): a node holding a share for the option's
 * namespace adds it. The verifier's key is used at decapsulation, not here.
 */
function processPot(b: Uint8Array, opt: number, optEnd: number, node: NodeState, counters: NodeCounters): TransitResult {
  const key = node.pot.get(readU16(b, opt + IOAM_OPT.BODY));
  if (!key || isVerifierKey(key) || optEnd - opt !== POT_TYPE0_TLV_LENGTH || b[opt + IOAM_OPT.BODY + 2] !== 0) {
    counters.ioamIgnored++;
    return PASS;
  }
  potTransit(b, opt, key);
  counters.potUpdated++;
  return PASS;
}

/** Where loopback copies go during this walk (undefined: the node does not loop back). */
let loopbackTo: ((packet: Uint8Array) => void) | undefined;

/** Where Direct Export records go during this walk (undefined: the node does not export). */
let exportTo: ((r: DexExportRecord) => void) | undefined;

/** A DEX option (RFC 9326 §3) asks this node to export its data for the DEX trace type, if it knows the namespace and IOAM is enabled on the ingress. */
function exportDex(b: Uint8Array, start: number, opt: number, optEnd: number, node: NodeState, ctx: PacketContext, to: (r: DexExportRecord) => void): void {
  const body = opt + IOAM_OPT.BODY;
  if (optEnd - body < 8 || ctx.ingress === undefined || !interfaces.ingress(node, ctx.ingress)!.enabled) return;
  const namespaceId = readU16(b, body);
  const ns = node.namespaces.get(namespaceId);
  if (!ns) return;
  const ext = b[body + 3]!;
  const traceType = readU24(b, body + 4);
  const r: DexExportRecord = { namespaceId, traceType, data: nodeBlock(b, start, traceType & ~CHECKSUM_COMPLEMENT_BIT, node, ns, ctx, true) };
  let at = body + 8;
  const word = () => (at + 4 <= optEnd ? readU32(b, at) : undefined);
  if (ext & 0x80) (r.flowId = word()!, (at += 4));
  if (ext & 0x40) r.seq = word()!;
  to(r);
}

/** RFC 9326 §3.2: the Checksum Complement bit SHOULD be 0 in a DEX and is ignored. */
const CHECKSUM_COMPLEMENT_BIT = 0x010000;

/** The first Incremental Trace this walk found to process (-1: none); set by processIoam. */
let incrementalAt = -1;

/** Whether a node with the incremental feature processes the type-1 option at `opt`: whole header, NodeLen right, namespace known (else ignored, as RFC 9197 nodes ignore what they cannot process). */
function takesIncremental(b: Uint8Array, opt: number, optEnd: number, node: NodeState): boolean {
  const body = opt + IOAM_OPT.BODY;
  if (!node.features.incremental || b[opt + IOAM_OPT.IOAM_TYPE] !== 1 || incrementalAt >= 0 || optEnd - body < TRACE.DATA) return false;
  return b[body + TRACE.NODELEN_FLAGS]! >>> 3 === nodeLenOf(readU24(b, body + TRACE.TYPE)) && node.namespaces.has(readU16(b, body));
}

function processOption(b: Uint8Array, start: number, opt: number, optEnd: number, node: NodeState, ctx: PacketContext, counters: NodeCounters, onEvent?: (e: TraceEventRecord) => void): TransitResult {
  switch (b[opt]) {
    case ROUTER_ALERT:
      return optEnd - opt === 4 ? PASS : drop(counters, "bad-router-alert", opt);
    case JUMBO:
      return drop(counters, "jumbo", opt); // a jumbogram needs Payload Length 0, which ioamkit never sees
    case 0x31:
      return processIoam(b, start, opt, optEnd, node, ctx, counters, onEvent);
    case 0x11: // IOAM, data that does not change en route: Linux skips it (action bits 00)
      if (exportTo && b[opt + IOAM_OPT.IOAM_TYPE] === IOAM_TYPE.DEX) exportDex(b, start, opt, optEnd, node, ctx, exportTo);
      return PASS;
    default:
      // RFC 8200 §4.2 action bits: 00 skip; anything else discards (with ICMP for 10/11).
      return b[opt]! >>> 6 === 0 ? PASS : drop(counters, "unknown-option", opt);
  }
}

/** The ingress facts the receive verdict needs; one reused object, so the hot path allocates nothing. */
const ingressFacts = {
  ioam6Enabled: false,
  node: undefined as NodeState | undefined,
  hasNamespace(id: number): boolean {
    return this.node!.namespaces.has(id);
  },
};

function processIoam(b: Uint8Array, start: number, opt: number, optEnd: number, node: NodeState, ctx: PacketContext, counters: NodeCounters, onEvent?: (e: TraceEventRecord) => void): TransitResult {
  let verdict: LinuxVerdict = "ignore-disabled"; // no receiving interface: nothing enables IOAM
  if (ctx.ingress !== undefined) {
    ingressFacts.ioam6Enabled = interfaces.ingress(node, ctx.ingress)!.enabled;
    ingressFacts.node = node;
    verdict = linuxOptionVerdict(b, opt, optEnd, start, ingressFacts);
  }
  if (verdict.startsWith("drop-")) return drop(counters, verdict as TransitDrop, opt);
  if (verdict === "ignore-not-prealloc" && b[opt + IOAM_OPT.IOAM_TYPE] === IOAM_TYPE.POT) return processPot(b, opt, optEnd, node, counters);
  if (verdict === "ignore-not-prealloc" && takesIncremental(b, opt, optEnd, node)) {
    incrementalAt = opt; // inserted after the walk: growing the packet moves what follows
    return PASS;
  }
  if (verdict !== "process") {
    counters.ioamIgnored++;
    return PASS;
  }
  const body = opt + IOAM_OPT.BODY;
  const namespaceId = readU16(b, body);
  const ns = node.namespaces.get(namespaceId)!;
  const outcome = fillTrace(b, start, body, node, ns, ctx, true);
  if (outcome === "filled") counters.ioamFilled++;
  else if (outcome === "overflowed") counters.ioamOverflowed++;
  else counters.ioamAlreadyOverflowed++;
  if (loopbackTo && isLoopbackRequest(b, body)) loopbackTo(loopbackCopy(b, start, opt, optEnd, ctx.localAddress!));
  if (onEvent) {
    const dataStart = body + TRACE.DATA + 4 * (b[body + TRACE.REMLEN]! & 0x7f);
    onEvent({ namespaceId, nodeLen: b[body + TRACE.NODELEN_FLAGS]! >>> 3, typeWord: readU32(b, body + TRACE.TYPE), data: b.slice(dataStart, optEnd) });
  }
  return PASS;
}

function drop(counters: NodeCounters, reason: TransitDrop, offset: number): TransitResult {
  counters.Ip6InHdrErrors++;
  return { verdict: "drop", reason, offset };
}
