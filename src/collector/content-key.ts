// Content keys for joining one packet's observations (docs/collector.md, "Journeys"): a
// pre-allocated trace is filled from the end, so the data a node reports holds every earlier
// node's block unchanged (RFC 9197 §4.4; ioam6_fill_trace_data writes only its own block). Key
// K_j hashes the oldest j node entries; an observation after j nodes and one after n > j nodes
// of the same packet share K_1 … K_j.

import type { TraceNode } from "../wire/ioam/trace-node.js";

const M1 = 0x85ebca6b;
const M2 = 0xc2b2ae35;

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v | 0), M1);
  return Math.imul(h ^ (h >>> 15), M2);
}

function mixBig(h: number, v: bigint | undefined): number {
  return v === undefined ? mix(h, 0x5bd1e995) : mix(mix(h, Number(v & 0xffffffffn)), Number(v >> 32n));
}

function mixOpt(h: number, v: number | undefined): number {
  return mix(h, v === undefined ? 0x27d4eb2f : v + 1);
}

/** One 32-bit hash of everything a node entry holds, seeded. */
function nodeHash(n: TraceNode, seed: number): number {
  let h = seed;
  h = mixOpt(h, n.hopLimit);
  h = mixOpt(h, n.nodeId);
  h = mixOpt(h, n.ingressIf);
  h = mixOpt(h, n.egressIf);
  h = mixOpt(h, n.tsSec);
  h = mixOpt(h, n.tsFrac);
  h = mixOpt(h, n.transitDelay);
  h = mixOpt(h, n.nsData);
  h = mixOpt(h, n.queueDepth);
  h = mixOpt(h, n.csumComp);
  h = mixOpt(h, n.hopLimitWide);
  h = mixBig(h, n.nodeIdWide);
  h = mixOpt(h, n.ingressIfWide);
  h = mixOpt(h, n.egressIfWide);
  h = mixBig(h, n.nsDataWide);
  h = mixOpt(h, n.bufferOccupancy);
  for (const w of n.undefinedWords ?? []) h = mix(h, w);
  if (n.opaque) {
    h = mix(h, n.opaque.schemaId);
    for (const b of n.opaque.data) h = mix(h, b);
  }
  return h;
}

/**
 * Keys K_1 … K_n of a trace given in traversal order (oldest first), each a 53-bit number
 * from two independent 32-bit hash chains over the namespace, trace type and node entries.
 */
export function contentKeys(namespaceId: number, traceType: number, hops: readonly TraceNode[]): number[] {
  let a = mix(mix(0x9747b28c, namespaceId), traceType);
  let b = mix(mix(0x1b873593, traceType), namespaceId);
  const keys = new Array<number>(hops.length);
  for (let i = 0; i < hops.length; i++) {
    a = mix(a, nodeHash(hops[i]!, 0x2545f491));
    b = mix(b, nodeHash(hops[i]!, 0x6c62272e));
    keys[i] = (a >>> 0) * 2097152 + ((b >>> 0) & 0x1fffff);
  }
  return keys;
}

/** Trace-Type bits 2 and 3 (seconds and fraction): content joins need per-packet time. */
export const TIMESTAMP_BITS = 0x300000;

/** True when a trace of this type can be joined by content: its entries carry timestamps. */
export function joinableByContent(traceType: number): boolean {
  return (traceType & TIMESTAMP_BITS) === TIMESTAMP_BITS;
}
