// The direct record writer (wire/direct-json.ts) against the record path it short-cuts:
// for every input it either declines and writes nothing, or writes exactly the bytes of
// packetToJson(decodePacket(x)) — for generated packets (every option kind, trace bit, upper
// layer, link padding), the tshark oracle corpus, odd packets built by hand, and bit-flipped
// and truncated packets. FUZZ_CASES (default 100000) sets the number of mutated inputs.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type OptionSpec, type PacketSpec, type UpperSpec, buildPacket } from "../../src/wire/build.js";
import { NOT_DIRECT, writePacketMembersDirect } from "../../src/wire/json/direct-json.js";
import { DecodeError } from "../../src/wire/errors.js";
import { RESERVED_BIT, UNDEFINED_BITS_MASK, nodeLenOf } from "../../src/wire/ioam/trace-type.js";
import { JsonBytes } from "../../src/wire/json/json-bytes.js";
import { decodePacket } from "../../src/wire/packet.js";
import { packetToJson } from "../../src/wire/json/record-json.js";
import { buildCorpus } from "../oracle/tshark/corpus.js";
import { entrySize, packetArb } from "../fixtures/ioam-arbitraries.js";

const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const RUNS = { seed: 9197, numRuns: 2000 };

/** The record path's text for `bytes`, or undefined when decodePacket throws a DecodeError. */
function recordJson(bytes: Uint8Array, payload: boolean): string | undefined {
  try {
    return packetToJson(decodePacket(bytes), payload);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/**
 * The packets the direct writer promises to take: only Hop-by-Hop and Destination Options
 * headers, nothing a strict reader objects to, no kept bytes, at most 32 options.
 */
function coveredByDirect(bytes: Uint8Array): boolean {
  let rec;
  try {
    rec = decodePacket(bytes);
  } catch {
    return false;
  }
  return rec.issues.length === 0 && rec.options.length <= 32
    && rec.extHeaders.every((h) => h.kind === "hop" || h.kind === "dest")
    && rec.options.every((o) => o.issues.length === 0 && !("freeSpace" in o) && !("rawData" in o) && !("data" in o));
}

/**
 * Asserts the direct writer agrees with the record path on `bytes` (both payload settings),
 * writing after other text into a buffer that must grow. Returns whether it took the packet.
 */
function agrees(bytes: Uint8Array): boolean {
  let direct = false;
  for (const payload of [false, true]) {
    const w = new JsonBytes(8);
    w.ascii('{"v":1,');
    const options = writePacketMembersDirect(w, bytes, payload);
    if (options === NOT_DIRECT) {
      assert.equal(w.pos, 7, "declined but wrote");
      assert.ok(!coveredByDirect(bytes), "declined a packet of the shape it covers");
      continue;
    }
    direct = true;
    w.byte(0x7d);
    const expected = recordJson(bytes, payload);
    assert.notEqual(expected, undefined, "took a packet decodePacket rejects");
    assert.equal(w.toString(), expected);
    assert.equal(options, decodePacket(bytes).options.length);
  }
  return direct;
}

/** The packet followed by link-layer padding (which both paths must ignore). */
function padded(bytes: Uint8Array, n: number, fill: number): Uint8Array {
  const out = new Uint8Array(bytes.length + n).fill(fill);
  out.set(bytes);
  return out;
}

const upperArb: fc.Arbitrary<UpperSpec> = fc.oneof(
  fc.record({ kind: fc.constant("icmp-echo" as const), id: fc.integer({ min: 0, max: 0xffff }), seq: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant("udp" as const), srcPort: fc.integer({ min: 0, max: 0xffff }), dstPort: fc.integer({ min: 0, max: 0xffff }), data: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant("tcp" as const), srcPort: fc.integer({ min: 0, max: 0xffff }), dstPort: fc.integer({ min: 0, max: 0xffff }) }),
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("raw" as const), protocol: fc.constantFrom(6, 17, 58, 59, 253), bytes: fc.uint8Array({ maxLength: 24 }) }),
);

/** Hop limits in bit 8 that differ from bit 0's, so that hopLimitWide appears. */
function withWideHopLimits(spec: PacketSpec, seed: number): PacketSpec {
  const options = spec.options.map((o, i): OptionSpec => (o.kind === "trace" && o.traceType & 0x008000 && (seed + i) % 2 ? { ...o, nodes: o.nodes.map((n, k) => ({ ...n, hopLimitWide: (seed * 31 + k) & 0xff })) } : o));
  return { ...spec, options };
}

/** The spec without what a strict reader objects to: undefined/reserved trace bits, options in the other header. */
function clean(spec: PacketSpec): PacketSpec {
  const options = spec.options.map((o): OptionSpec => {
    if (o.kind !== "trace") {
      const { header: _h, ipv6OptType: _t, ...body } = o;
      return body;
    }
    const traceType = o.traceType & ~(UNDEFINED_BITS_MASK | RESERVED_BIT);
    const nodes = o.nodes.map(({ undefinedWords: _u, ...n }) => n);
    const used = nodes.reduce((sum, n) => sum + entrySize(n, traceType), 0);
    const remainingLen = o.variant === "incremental" ? used / 4 : Math.min(o.remainingLen, (244 - used) >> 2);
    return { ...o, traceType, nodeLen: nodeLenOf(traceType), nodes, remainingLen };
  });
  return { ...spec, options };
}

const packetCaseArb = fc.record({ i: fc.integer({ min: 0, max: 10_000 }), upper: upperArb, addr: fc.uint8Array({ minLength: 32, maxLength: 32 }), tc: fc.integer({ min: 0, max: 255 }), pad: fc.integer({ min: 0, max: 6 }), fill: fc.constantFrom(0, 0xff), wide: fc.nat() })
  .chain((c) => packetArb(c.i).map((spec) => ({ ...c, spec })));

/** Addresses with zero runs of every length and place (RFC 5952 compression). */
function address(bytes: Uint8Array, zeroMask: number): string {
  const groups = Array.from({ length: 8 }, (_, g) => (zeroMask & (1 << g) ? 0 : (bytes[2 * g]! << 8) | bytes[2 * g + 1]!));
  return groups.map((g) => g.toString(16)).join(":");
}

/** `bytes` with `header` (its Next Header set by this function) inserted before the upper layer. */
function withHeaderBeforeUpper(bytes: Uint8Array, nh: number, header: Uint8Array): Uint8Array {
  const rec = decodePacket(bytes);
  const at = rec.upper.offset;
  const out = new Uint8Array(bytes.length + header.length);
  out.set(bytes.subarray(0, at));
  out.set(header, at);
  out.set(bytes.subarray(at), at + header.length);
  out[at] = rec.upper.protocol;
  const last = rec.extHeaders.at(-1);
  if (last) out[last.offset] = nh;
  else out[6] = nh;
  const pl = bytes.length - 40 + header.length;
  (out[4] = pl >>> 8), (out[5] = pl & 0xff);
  return out;
}

describe("writePacketMembersDirect()", () => {
  it("writes exactly packetToJson's bytes for generated packets, or declines and writes nothing", (t) => {
    let direct = 0;
    let total = 0;
    fc.assert(fc.property(packetCaseArb, (c) => {
      const spec = withWideHopLimits({ ...c.spec, upper: c.upper, trafficClass: c.tc, src: address(c.addr, c.wide & 0xff), dst: address(c.addr.subarray(16), (c.wide >>> 8) & 0xff) }, c.wide);
      total += 2;
      if (agrees(padded(buildPacket(spec), c.pad, c.fill))) direct++;
      if (agrees(buildPacket(clean(spec)))) direct++;
    }), RUNS);
    t.diagnostic(`${direct} of ${total} generated packets written directly`);
    assert.ok(direct > total / 2, `only ${direct} of ${total} generated packets took the direct path`);
  });

  it("agrees on the whole tshark oracle corpus", () => {
    const corpus = buildCorpus();
    const direct = corpus.filter((spec) => agrees(buildPacket(spec))).length;
    assert.ok(direct > corpus.length / 10, `only ${direct} of ${corpus.length} corpus packets took the direct path`);
  });

  it("agrees on odd packets: unknown IOAM types, DEX extension words, OSS, options in the wrong header, Routing and Fragment headers", () => {
    const base = (options: OptionSpec[]): PacketSpec => ({ src: "::", dst: "2001:db8::1:0:0:1", options, upper: { kind: "udp", srcPort: 1, dstPort: 2 } });
    const trace: OptionSpec = { kind: "trace", variant: "prealloc", namespaceId: 1, nodeLen: 3, flags: { overflow: true, loopback: true, active: false, unknownBits: 1 }, remainingLen: 0, traceType: 0x808002, reserved: 0, nodes: [{ hopLimit: 3, nodeId: 4, hopLimitWide: 9, nodeIdWide: 0x1234n, opaque: { schemaId: 5, data: Uint8Array.of(1, 2, 3, 4) } }] };
    // [packet, whether the direct writer takes it]
    const cases: Array<[PacketSpec, boolean]> = [
      [base([{ kind: "unknown", ioamType: 9, raw: Uint8Array.of(1, 2, 3, 4) }]), true],
      [base([{ kind: "unknown", ioamType: 200, raw: new Uint8Array(0), header: "dest", ipv6OptType: 0x11 }]), true],
      [base([{ kind: "dex", namespaceId: 7, flags: 3, extFlags: 0xff, traceType: 0xf00000, reserved: 9, flowId: 1, seq: 2, extWords: [3, 4, 5, 6, 7, 0xffffffff] }]), true],
      [base([{ kind: "dex", namespaceId: 7, flags: 0, extFlags: 0x21, traceType: 0, reserved: 0, extWords: [10, 11] }]), true],
      [base([trace]), true],
      [base([{ ...trace, traceType: 0x00c000, nodeLen: 4, nodes: [{ hopLimit: 8, nodeIdWide: 1n, ingressIfWide: 2, egressIfWide: 3 }] }]), true],
      [base([{ kind: "e2e", namespaceId: 1, e2eType: 0x3000, tsSec: 1, tsFrac: 2 }, { kind: "pot", namespaceId: 1, potType: 0, flags: 255, random: 1n, cumulative: 2n }]), true],
      [base([{ ...trace, variant: "incremental" }, { ...trace }]), true],
      [base([]), true],
      [base([{ kind: "e2e", namespaceId: 1, e2eType: 0x8000, seq64: 5n, header: "hop", ipv6OptType: 0x31 }]), false],
      [base([{ kind: "pot", namespaceId: 1, potType: 0, flags: 0, random: 1n, cumulative: 2n, header: "dest" }]), false],
      [base([{ ...trace }, { ...trace, variant: "incremental" }]), false],
    ];
    for (const [spec, takes] of cases) assert.equal(agrees(buildPacket(spec)), takes, JSON.stringify(spec, (_, v: unknown) => (typeof v === "bigint" ? String(v) : v)));
    const plain = buildPacket(base([trace]));
    const routing = Uint8Array.of(0, 2, 4, 0, 0, 0, 0, 0, ...new Uint8Array(16).fill(0x20));
    assert.equal(agrees(withHeaderBeforeUpper(plain, 43, routing)), false);
    assert.equal(agrees(withHeaderBeforeUpper(plain, 44, Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 7))), false);
    assert.equal(agrees(withHeaderBeforeUpper(plain, 44, Uint8Array.of(0, 0, 0, 8, 0, 0, 0, 7))), false);
    assert.equal(agrees(withHeaderBeforeUpper(plain, 60, Uint8Array.of(0, 0, 1, 0, 0x31, 2, 0, 9))), true);
  });

  it(`agrees on bit-flipped and truncated packets (${CASES} mutations)`, (t) => {
    const seeds = [
      ...fc.sample(packetCaseArb, { seed: 31, numRuns: 200 }).map((c) => buildPacket(withWideHopLimits({ ...c.spec, upper: c.upper }, c.wide))),
      ...buildCorpus(60).map((spec) => buildPacket(spec)),
    ];
    let rnd = 0x1f2e3d4c;
    const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0), rnd);
    let direct = 0;
    for (let i = 0; i < CASES; i++) {
      const p = seeds[i % seeds.length]!.slice();
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) p[next() % p.length]! ^= 1 << (next() % 8);
      const cut = next() % 4 === 0 ? next() % (p.length + 1) : p.length;
      if (agrees(p.subarray(0, cut))) direct++;
    }
    t.diagnostic(`${CASES} mutated packets, ${direct} written directly`);
    assert.ok(direct > 0);
  });
});
