// The tshark oracle corpus: random valid options from fast-check generators with a fixed seed,
// plus hand-picked edge cases. Each entry is a PacketSpec; the pcap holds our encoder's bytes
// and the expected values come from tshark's reading of them, compared with our decoder.

import fc from "fast-check";
import type { OptionSpec, PacketSpec } from "../../../src/wire/build.js";
import type { TraceNode } from "../../../src/wire/ioam/trace-node.js";
import { OSS_BIT, UNDEFINED_BITS_MASK, nodeLenOf, traceBit } from "../../../src/wire/ioam/trace-type.js";

export const CORPUS_SEED = 0x10a3;

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const naOr = <T>(arb: fc.Arbitrary<T>, na: T) => fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(na) });

/** A node with every field a type may need; fields the type lacks are dropped by the encoder. */
function nodeArb(traceType: number): fc.Arbitrary<TraceNode> {
  const undef = (traceType & UNDEFINED_BITS_MASK).toString(2).split("1").length - 1;
  return fc.record({
    hopLimit: u8,
    nodeId: naOr(u24, 0xffffff),
    ingressIf: naOr(u16, 0xffff),
    egressIf: naOr(u16, 0xffff),
    tsSec: naOr(u32, 0xffffffff),
    tsFrac: naOr(fc.integer({ min: 0, max: 999_999 }), 0xffffffff),
    transitDelay: naOr(u32, 0xffffffff),
    nsData: naOr(u32, 0xffffffff),
    queueDepth: naOr(u32, 0xffffffff),
    csumComp: naOr(u32, 0xffffffff),
    nodeIdWide: naOr(fc.bigInt({ min: 0n, max: (1n << 56n) - 1n }), (1n << 56n) - 1n),
    ingressIfWide: naOr(u32, 0xffffffff),
    egressIfWide: naOr(u32, 0xffffffff),
    nsDataWide: naOr(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (1n << 64n) - 1n),
    bufferOccupancy: naOr(u32, 0xffffffff),
    undefinedWords: fc.array(u32, { minLength: undef, maxLength: undef }),
    opaque: fc.record({
      schemaId: naOr(u24, 0xffffff),
      data: fc.integer({ min: 0, max: 6 }).chain((w) => fc.uint8Array({ minLength: 4 * w, maxLength: 4 * w })),
    }),
  }).map((n) => pick(n, traceType));
}

/** Keeps only the fields the Trace-Type carries, as the decoder would report them. */
function pick(n: Required<Omit<TraceNode, "hopLimitWide">>, t: number): TraceNode {
  const out: TraceNode = {};
  const has = (bit: number) => (t & traceBit(bit)) !== 0;
  if (has(0) || has(8)) out.hopLimit = n.hopLimit;
  if (has(0)) out.nodeId = n.nodeId;
  if (has(1)) Object.assign(out, { ingressIf: n.ingressIf, egressIf: n.egressIf });
  if (has(2)) out.tsSec = n.tsSec;
  if (has(3)) out.tsFrac = n.tsFrac;
  if (has(4)) out.transitDelay = n.transitDelay;
  if (has(5)) out.nsData = n.nsData;
  if (has(6)) out.queueDepth = n.queueDepth;
  if (has(7)) out.csumComp = n.csumComp;
  if (has(8)) out.nodeIdWide = n.nodeIdWide;
  if (has(9)) Object.assign(out, { ingressIfWide: n.ingressIfWide, egressIfWide: n.egressIfWide });
  if (has(10)) out.nsDataWide = n.nsDataWide;
  if (has(11)) out.bufferOccupancy = n.bufferOccupancy;
  if (t & UNDEFINED_BITS_MASK) out.undefinedWords = n.undefinedWords;
  if (t & OSS_BIT) out.opaque = n.opaque.schemaId === 0xffffff ? { schemaId: 0xffffff, data: new Uint8Array(0) } : { schemaId: n.opaque.schemaId, data: n.opaque.data };
  return out;
}

/** Trace-Type with two forced bits (so every bit 0–22 appears often) plus random others. */
function traceTypeFor(i: number): fc.Arbitrary<number> {
  const forced = traceBit(i % 23) | traceBit((i * 7 + 3) % 23);
  const percent = (bit: number) => (bit >= 12 && bit <= 21 ? 5 : 25);
  return fc.array(fc.integer({ min: 0, max: 99 }), { minLength: 23, maxLength: 23 }).map((rolls) =>
    rolls.reduce((t, roll, bit) => (roll < percent(bit) ? t | traceBit(bit) : t), forced),
  );
}

function entrySize(n: TraceNode, t: number): number {
  return 4 * nodeLenOf(t) + (t & OSS_BIT ? 4 + (n.opaque?.data.length ?? 0) : 0);
}

/** A pre-allocated trace with some nodes written and some room left, all within 244 octets. */
function preallocArb(i: number): fc.Arbitrary<OptionSpec> {
  return traceTypeFor(i).chain((t) =>
    fc.record({ nodes: fc.array(nodeArb(t), { maxLength: 8 }), room: fc.integer({ min: 0, max: 12 }), ns: u16, o: fc.boolean(), l: fc.boolean(), a: fc.boolean() }).map((r) => {
      const nodes: TraceNode[] = [];
      let used = 0;
      for (const n of r.nodes) {
        if (used + entrySize(n, t) + 4 * r.room > 244) break;
        used += entrySize(n, t);
        nodes.push(n);
      }
      const room = Math.min(r.room, Math.floor((244 - used) / 4));
      const flags = { overflow: r.o && room < nodeLenOf(t), loopback: r.l, active: r.a, unknownBits: 0 };
      return { kind: "trace", variant: "prealloc", namespaceId: r.ns, nodeLen: nodeLenOf(t), flags, remainingLen: room, traceType: t, reserved: 0, nodes } satisfies OptionSpec;
    }),
  );
}

/** An incremental trace whose RemainingLen equals its data (what tshark 4.0 can show). */
function incrementalArb(i: number): fc.Arbitrary<OptionSpec> {
  return preallocArb(i).map((p) => {
    if (p.kind !== "trace") return p;
    const used = p.nodes.reduce((s, n) => s + entrySize(n, p.traceType), 0);
    return { ...p, variant: "incremental" as const, remainingLen: Math.min(used / 4, 127), flags: { ...p.flags, overflow: false } };
  }).filter((p) => p.kind === "trace" && p.remainingLen * 4 === p.nodes.reduce((s, n) => s + entrySize(n, p.traceType), 0));
}

const potArb: fc.Arbitrary<OptionSpec> = fc.record({ ns: u16, r: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), c: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), chg: fc.boolean() }).map((x) => ({
  kind: "pot" as const, namespaceId: x.ns, potType: 0, flags: 0, random: x.r, cumulative: x.c, ipv6OptType: x.chg ? 0x31 : 0x11,
}));

const e2eArb: fc.Arbitrary<OptionSpec> = fc.record({ ns: u16, t: fc.constantFrom(0x8000, 0x4000, 0x2000, 0x1000, 0x7000, 0xb000, 0x3000), s: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), sec: u32, frac: u32, hop: fc.boolean() }).map((x) => ({
  kind: "e2e" as const, namespaceId: x.ns, e2eType: x.t, seq64: x.s, seq32: Number(x.s & 0xffffffffn), tsSec: x.sec, tsFrac: x.frac,
  ...(x.hop ? { header: "hop" as const, ipv6OptType: 0x31 } : {}),
})).map((o) => dropAbsentE2e(o));

function dropAbsentE2e(o: OptionSpec): OptionSpec {
  if (o.kind !== "e2e") return o;
  const { seq64, seq32, tsSec, tsFrac, ...rest } = o;
  return { ...rest, ...(o.e2eType & 0x8000 ? { seq64: seq64! } : {}), ...(o.e2eType & 0x4000 ? { seq32: seq32! } : {}), ...(o.e2eType & 0x2000 ? { tsSec: tsSec! } : {}), ...(o.e2eType & 0x1000 ? { tsFrac: tsFrac! } : {}) };
}

const dexArb: fc.Arbitrary<OptionSpec> = fc.record({ ns: u16, t: fc.integer({ min: 1, max: 0xfff000 }), ext: fc.constantFrom(0, 0x80, 0x40, 0xc0), f: u32, s: u32, chg: fc.boolean() }).map((x) => ({
  kind: "dex" as const, namespaceId: x.ns, flags: 0, extFlags: x.ext, traceType: x.t & 0xfff000, reserved: 0,
  ...(x.ext & 0x80 ? { flowId: x.f } : {}), ...(x.ext & 0x40 ? { seq: x.s } : {}), ipv6OptType: x.chg ? 0x31 : 0x11,
}));

function packet(i: number, options: OptionSpec[]): PacketSpec {
  return { src: "2001:db8::1", dst: `2001:db8::${(i % 0xfffe) + 2}`.replace(/::(\w+)$/, (_, x) => `::${parseInt(x, 10).toString(16)}`), hopLimit: 64 - (i % 64), flowLabel: (i * 7919) & 0xfffff, options, upper: { kind: "icmp-echo", id: 0x1234, seq: i & 0xffff, data: new TextEncoder().encode("ioam") } };
}

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
