// What a trace's node entries say about each hop: path identity (ordered node and interface ids),
// latency between consecutive nodes from their timestamps, transit delay, queue depth and buffer
// occupancy — with RFC 9197's "not available" values left out (§4.4.2: all ones).

import type { TraceNode } from "../wire/ioam/trace-node.js";

/**
 * How an IOAM namespace's timestamps are written (RFC 9197 §5): "linux" — POSIX seconds and
 * microseconds, what Linux writes (net/ipv6/ioam6.c, ioam6_fill_trace_data); "ptp" — seconds
 * and nanoseconds (§5.1); "ntp" — seconds and a 2^-32 s fraction (§5.2).
 */
export type TsFormat = "linux" | "ptp" | "ntp";

const NA32 = 0xffffffff;

/** Nanoseconds per fraction unit of a format (ntp: 1e9 / 2^32). */
function fracNs(f: TsFormat): number {
  return f === "linux" ? 1000 : f === "ptp" ? 1 : 1e9 / 4294967296;
}

/** True when the node carries a usable timestamp (both words present and available). */
export function hasTimestamp(n: TraceNode): boolean {
  return n.tsSec !== undefined && n.tsFrac !== undefined && n.tsSec !== NA32 && n.tsFrac !== NA32;
}

/** b's time minus a's, in nanoseconds, or undefined when either lacks a timestamp. */
export function timeDiffNs(a: TraceNode, b: TraceNode, f: TsFormat): number | undefined {
  if (!hasTimestamp(a) || !hasTimestamp(b)) return undefined;
  return (b.tsSec! - a.tsSec!) * 1e9 + (b.tsFrac! - a.tsFrac!) * fracNs(f);
}

/** The node's time in ms since its format's epoch (for series), or undefined. */
export function nodeTimeMs(n: TraceNode, f: TsFormat): number | undefined {
  return hasTimestamp(n) ? n.tsSec! * 1000 + (n.tsFrac! * fracNs(f)) / 1e6 : undefined;
}

/** Transit delay in ns (RFC 9197 §4.4.2.5: 31 bits, the top bit says it overflowed), or undefined. */
export function transitDelayNs(n: TraceNode): number | undefined {
  const d = n.transitDelay;
  return d === undefined || d === NA32 || d & 0x80000000 ? undefined : d;
}

/** Queue depth (§4.4.2.7, units of the node's choice), or undefined when absent or "not available". */
export function queueDepthOf(n: TraceNode): number | undefined {
  return n.queueDepth === undefined || n.queueDepth === NA32 ? undefined : n.queueDepth;
}

/** Buffer occupancy (§4.4.2.12), or undefined. */
export function bufferOccupancyOf(n: TraceNode): number | undefined {
  return n.bufferOccupancy === undefined || n.bufferOccupancy === NA32 ? undefined : n.bufferOccupancy;
}

/** The node's id as text: the short id, else the wide one, else "?" (the trace type carries none). */
export function nodeIdText(n: TraceNode): string {
  if (n.nodeId !== undefined) return String(n.nodeId);
  if (n.nodeIdWide !== undefined) return "w" + n.nodeIdWide.toString();
  return "?";
}

function ifText(short: number | undefined, wide: number | undefined): string {
  return short !== undefined ? String(short) : wide !== undefined ? "w" + wide : "";
}

/** One node of a path: id and interfaces, "4:41/42" (interfaces left out when not carried). */
export function hopText(n: TraceNode): string {
  const i = ifText(n.ingressIf, n.ingressIfWide);
  const e = ifText(n.egressIf, n.egressIfWide);
  return i === "" && e === "" ? nodeIdText(n) : `${nodeIdText(n)}:${i}/${e}`;
}

/**
 * Path identity: the IOAM namespace and the ordered node and interface ids in traversal order,
 * e.g. "123|1:11/12>2:21/22>4:41/42". Equal keys = the same path.
 */
export function pathKey(namespaceId: number, traversal: readonly TraceNode[]): string {
  return cachedPathKey(namespaceId, traversal) ?? buildPathKey(namespaceId, traversal);
}

function buildPathKey(namespaceId: number, traversal: readonly TraceNode[]): string {
  let s = namespaceId + "|";
  for (let i = 0; i < traversal.length; i++) s += (i ? ">" : "") + hopText(traversal[i]!);
  return s;
}

/** Recent paths by a hash of their short ids, each checked id by id: the key text is built once per path. */
const PATHS = new Map<number, { ids: number[]; key: string }>();
const NONE = -1;

function cachedPathKey(namespaceId: number, hops: readonly TraceNode[]): string | undefined {
  const ids: number[] = [namespaceId];
  let h = namespaceId + 0x9e3779b9;
  for (const n of hops) {
    if (n.nodeIdWide !== undefined || n.ingressIfWide !== undefined || n.egressIfWide !== undefined) return undefined;
    for (const v of [n.nodeId ?? NONE, n.ingressIf ?? NONE, n.egressIf ?? NONE]) {
      ids.push(v);
      h = Math.imul(h ^ v, 0x85ebca6b) ^ (h >>> 13);
    }
  }
  const hit = PATHS.get(h);
  if (hit && hit.ids.length === ids.length && hit.ids.every((v, i) => v === ids[i])) return hit.key;
  const key = buildPathKey(namespaceId, hops);
  if (PATHS.size >= 4096) PATHS.clear();
  PATHS.set(h, { ids, key });
  return key;
}

/** The node ids of a path key in order ("123|1:11/12>2:21/22" → ["1", "2"]). */
export function pathNodes(key: string): string[] {
  const body = key.slice(key.indexOf("|") + 1);
  return body === "" ? [] : body.split(">").map((h) => h.split(":")[0]!);
}

/** Traversal order (oldest first) of a trace's wire-order nodes. */
export function traversal(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.slice().reverse();
}
