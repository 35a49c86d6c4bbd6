// Transit: what the kernel does with a received packet's Hop-by-Hop header (ip6_parse_tlv and
// ipv6_hop_ioam in net/ipv6/exthdrs.c). Options are walked with the kernel's rules — at most 7
// octets of consecutive padding, PadN all zeros, at most 8 non-padding options, unknown
// options by their action bits — and each IOAM option gets the kernel's verdict, fill and
// event. Any failure drops the packet, counted as Ip6InHdrErrors, as the kernel counts it.

import { readU16, readU24, readU32 } from "../wire/_be.js";
import { IPPROTO } from "../wire/ext-header.js";
import { DEX, DEX_EXT_FLOW_ID, DEX_EXT_SEQ } from "../wire/ioam/dex.js";
import { IOAM_OPT, IOAM_TYPE, IPV6_OPT_IOAM, IPV6_OPT_IOAM_NOCHG } from "../wire/ioam/option-header.js";
import { CHECKSUM_COMPLEMENT_BIT } from "../wire/ioam/trace-type.js";
import { checkTraceOption, traceFreeEnd, traceNamespaceId, traceNodeLen, traceNodeLenMatches, TRACE } from "../wire/ioam/trace-view.js";
import { IPV6 } from "../wire/ipv6.js";
import { PAD1, PADN } from "../wire/tlv-options.js";
import type { PacketContext } from "./context.js";
import type { NodeCounters } from "./counters.js";
import type { DexExportRecord } from "./events.js";
import { fillTrace, nodeBlock } from "./fill.js";
import { incrementalInsert } from "./incremental.js";
import { type LinuxVerdict, linuxOptionVerdict } from "./linux-verdict.js";
import { isLoopbackRequest, loopbackCopy } from "./loopback.js";
import { POT_TYPE0_TLV_LENGTH, isVerifierKey, potTransit } from "./pot.js";
import type { NodeState } from "./state.js";
import type { TransitHooks } from "./transit-hooks.js";

export type { TransitHooks } from "./transit-hooks.js";

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

const NO_HOOKS: TransitHooks = {};

/** What processOption asks of the walk besides pass/drop: an Incremental Trace to insert into after it. */
const TAKE_INCREMENTAL: TransitResult = { verdict: "pass" };

/**
 * Processes the Hop-by-Hop header of the IPv6 packet at b[start, end) in place, as a receiving
 * node. `hooks` receive the side outputs: kernel events, DEX exports, loopback copies. Re-entrant:
 * every piece of state of a walk lives in this call (hooks may run the engine again).
 */
export function transitPacket(b: Uint8Array, start: number, end: number, node: NodeState, ctx: PacketContext, counters: NodeCounters, hooks: TransitHooks = NO_HOOKS): TransitResult {
  if (b[start + IPV6.NEXT_HEADER] !== IPPROTO.HOPOPTS) return PASS;
  const hbh = start + IPV6.LENGTH;
  if (hbh + 8 > end || hbh + (b[hbh + 1]! + 1) * 8 > end) return drop(counters, "truncated-header", hbh);
  const hbhEnd = hbh + (b[hbh + 1]! + 1) * 8;
  let off = hbh + 2;
  let padding = 0;
  let options = 0;
  let incrementalAt = -1;
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
      const r = processOption(b, start, off, optEnd, node, ctx, counters, hooks);
      if (r === TAKE_INCREMENTAL) {
        if (incrementalAt < 0) incrementalAt = off;
        else counters.ioamIgnored++; // only the first Incremental Trace is processed
      } else if (r !== PASS) return r;
      padding = 0;
    }
    off = optEnd;
  }
  if (incrementalAt < 0) return PASS;
  return insertIncremental(b, start, end, incrementalAt, node, ctx, counters);
}

/**
 * The first Incremental Trace of the walk gets this node's block, once the walk is done (growing
 * the packet moves what follows). The grown packet is a new array; Overflow is set in place.
 */
function insertIncremental(b: Uint8Array, start: number, end: number, opt: number, node: NodeState, ctx: PacketContext, counters: NodeCounters): TransitResult {
  const p = start === 0 && end === b.length ? b : b.subarray(start, end);
  const ns = node.namespaces.get(traceNamespaceId(b, opt + IOAM_OPT.BODY))!;
  const r = incrementalInsert(p, opt - start, node, ns, ctx, true, ctx.mtu);
  counters[r.outcome === "inserted" ? "ioamFilled" : r.outcome === "already-overflowed" ? "ioamAlreadyOverflowed" : "ioamOverflowed"]++;
  return r.packet === p ? PASS : { verdict: "pass", packet: r.packet };
}

/**
 * Proof of transit (beyond Linux, which ignores it): a node holding a share for the option's
 * namespace adds it. The verifier's key is used at decapsulation, not here.
 */
function processPot(b: Uint8Array, opt: number, optEnd: number, node: NodeState, counters: NodeCounters): TransitResult {
  const key = node.pot.get(readU16(b, opt + IOAM_OPT.BODY)); // Namespace-ID opens every IOAM option body
  if (!key || isVerifierKey(key) || optEnd - opt !== POT_TYPE0_TLV_LENGTH || b[opt + IOAM_OPT.BODY + 2] !== 0) {
    counters.ioamIgnored++;
    return PASS;
  }
  potTransit(b, opt, key);
  counters.potUpdated++;
  return PASS;
}

/** A DEX option (RFC 9326 §3) asks this node to export its data for the DEX trace type, if it knows the namespace and IOAM is enabled on the ingress. */
function exportDex(b: Uint8Array, start: number, opt: number, optEnd: number, node: NodeState, ctx: PacketContext, to: (r: DexExportRecord) => void): void {
  const body = opt + IOAM_OPT.BODY;
  if (optEnd - body < DEX.OPTIONAL || ctx.ingress === undefined || !node.lookup.ingress(ctx.ingress)!.enabled) return;
  const namespaceId = readU16(b, body + DEX.NAMESPACE_ID);
  const ns = node.namespaces.get(namespaceId);
  if (!ns) return;
  const ext = b[body + DEX.EXT_FLAGS]!;
  const traceType = readU24(b, body + DEX.TYPE);
  const r: DexExportRecord = { namespaceId, traceType, data: nodeBlock(b, start, traceType & ~CHECKSUM_COMPLEMENT_BIT, node, ns, ctx, true) };
  let at = body + DEX.OPTIONAL;
  const word = () => (at + 4 <= optEnd ? readU32(b, at) : undefined);
  if (ext & DEX_EXT_FLOW_ID) (r.flowId = word()!, (at += 4));
  if (ext & DEX_EXT_SEQ) r.seq = word()!;
  to(r);
}

/** Whether a node with the incremental feature processes the type-1 option at `opt`: whole header, NodeLen right, namespace known (else ignored, as RFC 9197 nodes ignore what they cannot process). */
function takesIncremental(b: Uint8Array, opt: number, optEnd: number, node: NodeState): boolean {
  if (!node.features.incremental || b[opt + IOAM_OPT.IOAM_TYPE] !== IOAM_TYPE.INCREMENTAL_TRACE) return false;
  const body = checkTraceOption(b, opt, optEnd);
  return body >= 0 && traceNodeLenMatches(b, body) && node.namespaces.has(traceNamespaceId(b, body));
}

function processOption(b: Uint8Array, start: number, opt: number, optEnd: number, node: NodeState, ctx: PacketContext, counters: NodeCounters, hooks: TransitHooks): TransitResult {
  switch (b[opt]) {
    case ROUTER_ALERT:
      return optEnd - opt === 4 ? PASS : drop(counters, "bad-router-alert", opt);
    case JUMBO:
      return drop(counters, "jumbo", opt); // a jumbogram needs Payload Length 0, which ioamkit never sees
    case IPV6_OPT_IOAM:
      return processIoam(b, start, opt, optEnd, node, ctx, counters, hooks);
    case IPV6_OPT_IOAM_NOCHG: // IOAM, data that does not change en route: Linux skips it (action bits 00)
      if (node.features.dexExport && hooks.onExport && b[opt + IOAM_OPT.IOAM_TYPE] === IOAM_TYPE.DEX) exportDex(b, start, opt, optEnd, node, ctx, hooks.onExport);
      return PASS;
    default:
      // RFC 8200 §4.2 action bits: 00 skip; anything else discards (with ICMP for 10/11).
      return b[opt]! >>> 6 === 0 ? PASS : drop(counters, "unknown-option", opt);
  }
}

function processIoam(b: Uint8Array, start: number, opt: number, optEnd: number, node: NodeState, ctx: PacketContext, counters: NodeCounters, hooks: TransitHooks): TransitResult {
  // No receiving interface: nothing enables IOAM.
  const verdict: LinuxVerdict = ctx.ingress === undefined ? "ignore-disabled" : linuxOptionVerdict(b, opt, optEnd, start, node.lookup.ingress(ctx.ingress)!, node.namespaces);
  if (verdict.startsWith("drop-")) return drop(counters, verdict as TransitDrop, opt);
  if (verdict === "ignore-not-prealloc" && b[opt + IOAM_OPT.IOAM_TYPE] === IOAM_TYPE.POT) return processPot(b, opt, optEnd, node, counters);
  if (verdict === "ignore-not-prealloc" && takesIncremental(b, opt, optEnd, node)) return TAKE_INCREMENTAL;
  if (verdict !== "process") {
    counters.ioamIgnored++;
    return PASS;
  }
  const body = opt + IOAM_OPT.BODY;
  const namespaceId = traceNamespaceId(b, body);
  const outcome = fillTrace(b, start, body, node, node.namespaces.get(namespaceId)!, ctx, true);
  if (outcome === "filled") counters.ioamFilled++;
  else if (outcome === "overflowed") counters.ioamOverflowed++;
  else counters.ioamAlreadyOverflowed++;
  // The event is taken before the loopback hook runs: whatever the hook does, the event shows this fill.
  if (hooks.onEvent) hooks.onEvent({ namespaceId, nodeLen: traceNodeLen(b, body), typeWord: readU32(b, body + TRACE.TYPE), data: b.slice(traceFreeEnd(b, body), optEnd) });
  if (node.features.loopback && hooks.onLoopback && ctx.localAddress !== undefined && isLoopbackRequest(b, body)) hooks.onLoopback(loopbackCopy(b, start, opt, optEnd, ctx.localAddress));
  return PASS;
}

function drop(counters: NodeCounters, reason: TransitDrop, offset: number): TransitResult {
  counters.Ip6InHdrErrors++;
  return { verdict: "drop", reason, offset };
}
