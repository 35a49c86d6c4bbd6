// The tshark oracle corpus: random valid options from fast-check generators with a fixed seed,
// plus hand-picked edge cases. Each entry is a PacketSpec; the pcap holds our encoder's bytes
// and the expected values come from tshark's reading of them, compared with our decoder.

import fc from "fast-check";
import type { OptionSpec, PacketSpec } from "../../../src/wire/build.js";
import type { TraceNode } from "../../../src/wire/ioam/trace-node.js";
import { nodeLenOf } from "../../../src/wire/ioam/trace-type.js";
import { dexArb, e2eArb, incrementalArb, packet, potArb, preallocArb } from "../../fixtures/ioam-arbitraries.js";

export const CORPUS_SEED = 0x10a3;

/** The whole corpus: `n` random packets (≥ 60% pre-allocated traces) plus the hand-picked ones. */
export function buildCorpus(n = 560): PacketSpec[] {
  const sample = <T>(arb: fc.Arbitrary<T>, i: number): T => fc.sample(arb, { seed: CORPUS_SEED + i, numRuns: 1 })[0]!;
  const out: PacketSpec[] = [];
  for (let i = 0; i < n; i++) {
    const slot = i % 10;
    let opts: OptionSpec[];
    if (slot < 7) opts = [sample(preallocArb(i), i)];
    else if (slot === 7) opts = [sample(incrementalArb(i), i), ...(i % 20 === 7 ? [sample(preallocArb(i + 1), i + 1)] : [])];
    else if (slot === 8) opts = [sample(potArb, i), sample(dexArb, i + 100000)];
    else opts = [sample(e2eArb, i)];
    out.push(packet(i, opts));
  }
  return [...out, ...handPicked()];
}

/** Edge cases chosen by hand: Linux template sizes, the full supported type, overflow, OSS. */
function handPicked(): PacketSpec[] {
  const trace = (t: number, remainingLen: number, nodes: TraceNode[], flags = {}) =>
    ({ kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: nodeLenOf(t), flags: { overflow: false, loopback: false, active: false, unknownBits: 0, ...flags }, remainingLen, traceType: t, reserved: 0, nodes }) satisfies OptionSpec;
  const specs: OptionSpec[][] = [];
  for (let size = 4; size <= 244; size += 4) specs.push([trace(0x800000, size / 4, [])]);
  specs.push([trace(0xfff002, 0, [{ hopLimit: 63, nodeId: 2, ingressIf: 201, egressIf: 202, tsSec: 1_700_000_000, tsFrac: 123_456, transitDelay: 0xffffffff, nsData: 0xffffffff, queueDepth: 0, csumComp: 0xffffffff, nodeIdWide: 22222222n, ingressIfWide: 201201, egressIfWide: 202202, nsDataWide: 0xffffffffffffffffn, bufferOccupancy: 0xffffffff, opaque: { schemaId: 0xffffff, data: new Uint8Array(0) } }])]);
  specs.push([trace(0xc00000, 1, [], { overflow: true })]);
  specs.push([trace(0x000002, 0, [{ opaque: { schemaId: 777, data: new TextEncoder().encode("something that will be 4n-aligned\0\0\0") } }])]);
  for (let w = 0; w <= 8; w++) specs.push([trace(0x800002, 2, [{ hopLimit: 1, nodeId: w, opaque: { schemaId: w, data: new Uint8Array(4 * w).fill(w) } }])]);
  return specs.map((o, i) => packet(10_000 + i, o));
}
