// Generated IOAM traffic for the benchmarks: what a collector sees in an operator's domain —
// flows over 3–6 Linux routers carrying a pre-allocated trace of one of the trace types used in
// practice (the kernel selftest's and the common lab ones), plus ~10% other IOAM options.

import type { OptionSpec, PacketSpec } from "../src/wire/build.js";
import type { TraceNode } from "../src/wire/ioam/trace-node.js";
import { nodeLenOf } from "../src/wire/ioam/trace-type.js";

const TYPES = [0x800000, 0xc00000, 0xf00000, 0xf20000, 0xfc0000, 0xd00000, 0x808000, 0xf8c000];

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
}

function hop(k: number, i: number, rnd: () => number): TraceNode {
  return {
    hopLimit: 63 - k, nodeId: k + 1, ingressIf: 10 * (k + 1) + 1, egressIf: 10 * (k + 1) + 2,
    tsSec: 1_763_900_000 + (i >> 10), tsFrac: (i * 97 + k * 150 + (rnd() % 40)) % 1_000_000,
    transitDelay: 0xffffffff, nsData: 0xffffffff, queueDepth: rnd() % 4 === 0 ? (rnd() % 64) * 1514 : 0,
    csumComp: 0xffffffff, nodeIdWide: BigInt(k + 1), ingressIfWide: 1000 + k, egressIfWide: 2000 + k,
  };
}

/** Pre-allocated trace of `hops` routers of a type from TYPES, sized for 6 routers. */
function trace(i: number, rnd: () => number): OptionSpec {
  const type = TYPES[i % TYPES.length]!;
  const hops = 3 + (rnd() % 4);
  const room = 6 * nodeLenOf(type);
  const nodes = Array.from({ length: hops }, (_, k) => hop(k, i, rnd)).reverse();
  return { kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: nodeLenOf(type), flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: room - hops * nodeLenOf(type), traceType: type, reserved: 0, nodes: nodes.map((n) => pickFor(n, type)) };
}

function pickFor(n: TraceNode, t: number): TraceNode {
  const keep: TraceNode = {};
  if (t & 0x800000) Object.assign(keep, { hopLimit: n.hopLimit, nodeId: n.nodeId });
  if (t & 0x400000) Object.assign(keep, { ingressIf: n.ingressIf, egressIf: n.egressIf });
  if (t & 0x200000) keep.tsSec = n.tsSec!;
  if (t & 0x100000) keep.tsFrac = n.tsFrac!;
  if (t & 0x080000) keep.transitDelay = n.transitDelay!;
  if (t & 0x040000) keep.nsData = n.nsData!;
  if (t & 0x020000) keep.queueDepth = n.queueDepth!;
  if (t & 0x008000) Object.assign(keep, { hopLimit: n.hopLimit, nodeIdWide: n.nodeIdWide });
  if (t & 0x004000) Object.assign(keep, { ingressIfWide: n.ingressIfWide, egressIfWide: n.egressIfWide });
  return keep;
}

function other(i: number): OptionSpec {
  switch (i % 3) {
    case 0: return { kind: "pot", namespaceId: 1, potType: 0, flags: 0, random: BigInt(i) * 0x9e3779b97f4a7c15n % (1n << 64n), cumulative: BigInt(i % 101) };
    case 1: return { kind: "e2e", namespaceId: 1, e2eType: 0x7000, seq32: i, tsSec: 1_763_900_000, tsFrac: (i * 1000) % 1e9 };
    default: return { kind: "dex", namespaceId: 1, flags: 0, extFlags: 0xc0, traceType: 0xf00000, reserved: 0, flowId: i % 64, seq: i };
  }
}

/** `n` distinct packet specs of the mix (the benchmarks repeat them). */
export function operatorTraffic(n: number, seed = 1): PacketSpec[] {
  const rnd = lcg(seed);
  return Array.from({ length: n }, (_, i) => ({
    src: `2001:db8:1::${(i % 200) + 2}`.replace(/::(\d+)$/, (_, x: string) => `::${Number(x).toString(16)}`),
    dst: "2001:db8:4::2",
    hopLimit: 61,
    flowLabel: (i * 2654435761) & 0xfffff,
    options: [i % 10 === 9 ? other(i) : trace(i, rnd)],
    upper: i % 2 ? { kind: "udp", srcPort: 40000 + (i % 1000), dstPort: 4789, data: new Uint8Array(64) } : { kind: "icmp-echo", id: 7, seq: i & 0xffff, data: new Uint8Array(56) },
  }));
}
