// Golden bytes for the trace options (RFC 9197 §4.4; ioam6_fill_trace_data in net/ipv6/ioam6.c):
// every IOAM-Trace-Type bit alone, the RFC 9197 §4.4.3 combinations, Incremental, and each flag.
// Every constant and every expected value is written by hand, never by our encoder.
//
// Option TLV (RFC 9486 §3) and Pre-allocated / Incremental trace (RFC 9197 §4.4.1):
//  0                   1                   2                   3
// +---------------+---------------+---------------+---------------+
// |  Option Type  | Opt Data Len  |   Reserved    | IOAM-Opt-Type |   31 LL 00 00|01
// +-------------------------------+---------+-------+-------------+
// |         Namespace-ID          | NodeLen | Flags | RemainingLen|   byte 6 = NodeLen<<3|O<<2|L<<1|A
// +-------------------------------+---------+-------+-------------+   byte 7 = R<<7|RemainingLen
// |              IOAM-Trace-Type (24)             |  Reserved (8) |
// +-----------------------------------------------+---------------+
// | free space (4·RemainingLen, pre-allocated only) | node entries, newest first ...
//
// Opt Data Len = 2 + 8 + octets of data list. Issue offsets are from the Option Type octet.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Issue } from "../errors.js";
import type { IoamOption } from "./option.js";
import type { TraceFlags } from "./trace.js";
import type { TraceNode } from "./trace-node.js";
import { GUARD_BYTE, decodeGolden, goldenBytes, reencodeGolden } from "./_golden-support.js";

const text = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
const NO_FLAGS: TraceFlags = { overflow: false, loopback: false, active: false, unknownBits: 0 };
const UNDEF_ISSUE: Issue[] = [{ code: "UNDEFINED_TRACE_BITS", offset: 8 }];

/** Asserts decode(bytes) → encode reproduces every byte and writes nothing past the end. */
function assertReencodes(b: Uint8Array, opt: IoamOption): void {
  const { end, written, guard } = reencodeGolden(opt, b.length);
  assert.equal(end, b.length);
  assert.deepEqual(written, b);
  assert.ok(guard.every((x) => x === GUARD_BYTE), "nothing is written past the option");
}

interface TraceCase {
  name: string;
  hex: string;
  variant?: "prealloc" | "incremental";
  traceType: number;
  nodeLen: number;
  remainingLen: number;
  nodes: TraceNode[];
  issues?: Issue[];
  flags?: TraceFlags;
}

function checkTrace(c: TraceCase): void {
  const b = goldenBytes(c.hex);
  const t = decodeGolden(b);
  assert.ok(t.kind === "trace");
  assert.equal(t.variant, c.variant ?? "prealloc");
  assert.equal(t.namespaceId, 123);
  assert.equal(t.traceType, c.traceType);
  assert.equal(t.nodeLen, c.nodeLen);
  assert.equal(t.remainingLen, c.remainingLen);
  assert.deepEqual(t.flags, c.flags ?? NO_FLAGS);
  assert.deepEqual(t.nodes, c.nodes);
  assert.deepEqual(t.issues, c.issues ?? []);
  assert.equal(t.freeSpace, undefined);
  assert.equal(t.rawData, undefined);
  assertReencodes(b, t);
}

// One bit each: ns 123 (00 7b), RemainingLen 1 → 4 zero octets of free space, one node.
//                  option hdr  | ns   w     | type+rsv    | free        | node entry
const SINGLE_BITS: TraceCase[] = [
  { name: "bit 0 hop limit + node id", hex: "31 12 00 00 | 00 7b 08 01 | 80 00 00 00 | 00 00 00 00 | 40 12 34 56", traceType: 0x800000, nodeLen: 1, remainingLen: 1, nodes: [{ hopLimit: 64, nodeId: 0x123456 }] },
  { name: "bit 1 ingress/egress if id", hex: "31 12 00 00 | 00 7b 08 01 | 40 00 00 00 | 00 00 00 00 | 00 15 00 17", traceType: 0x400000, nodeLen: 1, remainingLen: 1, nodes: [{ ingressIf: 21, egressIf: 23 }] },
  { name: "bit 2 timestamp seconds", hex: "31 12 00 00 | 00 7b 08 01 | 20 00 00 00 | 00 00 00 00 | 65 53 f1 00", traceType: 0x200000, nodeLen: 1, remainingLen: 1, nodes: [{ tsSec: 1_700_000_000 }] },
  { name: "bit 3 timestamp fraction", hex: "31 12 00 00 | 00 7b 08 01 | 10 00 00 00 | 00 00 00 00 | 00 07 a1 20", traceType: 0x100000, nodeLen: 1, remainingLen: 1, nodes: [{ tsFrac: 500_000 }] },
  { name: "bit 4 transit delay", hex: "31 12 00 00 | 00 7b 08 01 | 08 00 00 00 | 00 00 00 00 | 00 00 05 39", traceType: 0x080000, nodeLen: 1, remainingLen: 1, nodes: [{ transitDelay: 1337 }] },
  { name: "bit 5 namespace data", hex: "31 12 00 00 | 00 7b 08 01 | 04 00 00 00 | 00 00 00 00 | de ad be ef", traceType: 0x040000, nodeLen: 1, remainingLen: 1, nodes: [{ nsData: 0xdeadbeef }] },
  { name: "bit 6 queue depth", hex: "31 12 00 00 | 00 7b 08 01 | 02 00 00 00 | 00 00 00 00 | 00 00 10 00", traceType: 0x020000, nodeLen: 1, remainingLen: 1, nodes: [{ queueDepth: 4096 }] },
  { name: "bit 7 checksum complement", hex: "31 12 00 00 | 00 7b 08 01 | 01 00 00 00 | 00 00 00 00 | ff ff ff ff", traceType: 0x010000, nodeLen: 1, remainingLen: 1, nodes: [{ csumComp: 0xffffffff }] },
  { name: "bit 8 wide hop limit + node id", hex: "31 16 00 00 | 00 7b 10 01 | 00 80 00 00 | 00 00 00 00 | 3f 00 00 00 00 a9 8a c7", traceType: 0x008000, nodeLen: 2, remainingLen: 1, nodes: [{ hopLimit: 63, nodeIdWide: 11111111n }] },
  { name: "bit 9 wide if ids", hex: "31 16 00 00 | 00 7b 10 01 | 00 40 00 00 | 00 00 00 00 | 00 03 11 f1 00 03 15 da", traceType: 0x004000, nodeLen: 2, remainingLen: 1, nodes: [{ ingressIfWide: 201201, egressIfWide: 202202 }] },
  { name: "bit 10 wide namespace data", hex: "31 16 00 00 | 00 7b 10 01 | 00 20 00 00 | 00 00 00 00 | ca fe c0 ca f0 0d c0 de", traceType: 0x002000, nodeLen: 2, remainingLen: 1, nodes: [{ nsDataWide: 0xcafec0caf00dc0den }] },
  { name: "bit 11 buffer occupancy", hex: "31 12 00 00 | 00 7b 08 01 | 00 10 00 00 | 00 00 00 00 | 00 00 20 00", traceType: 0x001000, nodeLen: 1, remainingLen: 1, nodes: [{ bufferOccupancy: 8192 }] },
];

// Bits 12–21: undefined, one word each (all ones as RFC 9197 says, or a word we chose).
const UNDEFINED_BITS: Array<[bit: number, typeHex: string, traceType: number, wordHex: string, word: number]> = [
  [12, "00 08 00 00", 0x000800, "ff ff ff ff", 0xffffffff],
  [13, "00 04 00 00", 0x000400, "00 00 00 0d", 13],
  [14, "00 02 00 00", 0x000200, "ff ff ff ff", 0xffffffff],
  [15, "00 01 00 00", 0x000100, "00 00 00 0f", 15],
  [16, "00 00 80 00", 0x000080, "ff ff ff ff", 0xffffffff],
  [17, "00 00 40 00", 0x000040, "12 34 56 78", 0x12345678],
  [18, "00 00 20 00", 0x000020, "ff ff ff ff", 0xffffffff],
  [19, "00 00 10 00", 0x000010, "80 00 00 01", 0x80000001],
  [20, "00 00 08 00", 0x000008, "ff ff ff ff", 0xffffffff],
  [21, "00 00 04 00", 0x000004, "00 00 00 00", 0],
];
for (const [bit, typeHex, traceType, wordHex, word] of UNDEFINED_BITS) {
  SINGLE_BITS.push({ name: `bit ${bit} (undefined)`, hex: `31 12 00 00 | 00 7b 08 01 | ${typeHex} | 00 00 00 00 | ${wordHex}`, traceType, nodeLen: 1, remainingLen: 1, nodes: [{ undefinedWords: [word] }], issues: UNDEF_ISSUE });
}

SINGLE_BITS.push(
  // OSS header = Length(8) ‖ Schema ID(24); no schema: Length 0, id 0xFFFFFF. NodeLen 0.
  { name: "bit 22 OSS without a schema", hex: "31 12 00 00 | 00 7b 00 01 | 00 00 02 00 | 00 00 00 00 | 00 ff ff ff", traceType: 0x000002, nodeLen: 0, remainingLen: 1, nodes: [{ opaque: { schemaId: 0xffffff, data: new Uint8Array(0) } }] },
  { name: "bit 22 OSS with schema 777 and 8 data octets", hex: "31 1a 00 00 | 00 7b 00 01 | 00 00 02 00 | 00 00 00 00 | 02 00 03 09 | 01 02 03 04 05 06 07 08", traceType: 0x000002, nodeLen: 0, remainingLen: 1, nodes: [{ opaque: { schemaId: 777, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) } }] },
  // Bit 23 is reserved and carries no data: the data list is empty.
  { name: "bit 23 (reserved, no data)", hex: "31 0a 00 00 | 00 7b 00 00 | 00 00 01 00", traceType: 0x000001, nodeLen: 0, remainingLen: 0, nodes: [], issues: [{ code: "RESERVED_TRACE_BIT", offset: 8 }] },
);

describe("golden Pre-allocated Trace bytes, one Trace-Type bit at a time", () => {
  it("covers every bit 0–23", () => assert.deepEqual(SINGLE_BITS.map((c) => c.traceType).reduce((a, t) => a | t, 0), 0xffffff));
  for (const c of SINGLE_BITS) it(`decodes and re-encodes ${c.name}`, () => checkTrace(c));
});

// 0xFFF002 = bits 0–11 + 22, NodeLen 8 + 2·3 + 1 = 15, OSS with schema 777 (36 octets):
// the selftest's Alpha values (tools/testing/selftests/net/ioam6.sh), 60 + 4 + 36 = 100 octets.
const FULL_NODE_HEX = `40 00 00 01 | ff ff 00 65 | ff ff ff ff | ff ff ff ff | ff ff ff ff | de ad be ef | 00 00 05 dc | ff ff ff ff
  | 40 00 00 00 00 a9 8a c7 | ff ff ff ff 00 01 8a ed | ca fe c0 ca f0 0d c0 de | ff ff ff ff
  | 09 00 03 09 | 736f6d657468696e6720746861742077696c6c20626520346e2d616c69676e6564 000000`;
const FULL_NODE: TraceNode = {
  hopLimit: 64, nodeId: 1, ingressIf: 0xffff, egressIf: 101, tsSec: 0xffffffff, tsFrac: 0xffffffff,
  transitDelay: 0xffffffff, nsData: 0xdeadbeef, queueDepth: 1500, csumComp: 0xffffffff,
  nodeIdWide: 11111111n, ingressIfWide: 0xffffffff, egressIfWide: 101101, nsDataWide: 0xcafec0caf00dc0den,
  bufferOccupancy: 0xffffffff,
  opaque: { schemaId: 777, data: new Uint8Array([...text("something that will be 4n-aligned"), 0, 0, 0]) },
};
// 0xD40000 = bits 0, 1, 3, 5 (RFC 9197 §4.4.3), NodeLen 4.
const D4_NODE_HEX = "3e 00 00 02 | 00 05 00 06 | 0e e6 b2 80 | 00 00 00 2a";
const D4_NODE: TraceNode = { hopLimit: 62, nodeId: 2, ingressIf: 5, egressIf: 6, tsFrac: 250_000_000, nsData: 42 };
// 0x308002 = bits 2, 3, 8, 22 (RFC 9197 §4.4.3), NodeLen 1 + 1 + 2 = 4, then a no-schema OSS.
const X308_NODE_HEX = "65 53 f1 00 | 1d cd 65 00 | 3d 00 00 00 00 00 30 39 | 00 ff ff ff";
const X308_NODE: TraceNode = { tsSec: 1_700_000_000, tsFrac: 500_000_000, hopLimit: 61, nodeIdWide: 12345n, opaque: { schemaId: 0xffffff, data: new Uint8Array(0) } };

const COMBINATIONS: TraceCase[] = [
  { name: "0xFFF002 (every bit Linux fills, NodeLen 15)", hex: `31 6e 00 00 | 00 7b 78 00 | ff f0 02 00 | ${FULL_NODE_HEX}`, traceType: 0xfff002, nodeLen: 15, remainingLen: 0, nodes: [FULL_NODE] },
  { name: "0xD40000 with room left for one more node", hex: `31 2a 00 00 | 00 7b 20 04 | d4 00 00 00 | ${"00 ".repeat(16)} | ${D4_NODE_HEX}`, traceType: 0xd40000, nodeLen: 4, remainingLen: 4, nodes: [D4_NODE] },
  { name: "0x308002 (timestamps, wide node id, OSS)", hex: `31 1e 00 00 | 00 7b 20 00 | 30 80 02 00 | ${X308_NODE_HEX}`, traceType: 0x308002, nodeLen: 4, remainingLen: 0, nodes: [X308_NODE] },
  // Bits 0 and 8 both set with different hop limits: the wide one is kept as hopLimitWide.
  { name: "0x808000 with two different hop limits", hex: "31 16 00 00 | 00 7b 18 00 | 80 80 00 00 | 3f 00 00 01 | 40 00 00 00 00 00 00 07", traceType: 0x808000, nodeLen: 3, remainingLen: 0, nodes: [{ hopLimit: 63, nodeId: 1, hopLimitWide: 64, nodeIdWide: 7n }] },
  // Incremental (IOAM type 1): no free space; RemainingLen is only the budget left.
  { name: "0xFFF002 as an Incremental Trace", variant: "incremental", hex: `31 6e 00 01 | 00 7b 78 05 | ff f0 02 00 | ${FULL_NODE_HEX}`, traceType: 0xfff002, nodeLen: 15, remainingLen: 5, nodes: [FULL_NODE] },
  { name: "0xD40000 as an Incremental Trace", variant: "incremental", hex: `31 1a 00 01 | 00 7b 20 04 | d4 00 00 00 | ${D4_NODE_HEX}`, traceType: 0xd40000, nodeLen: 4, remainingLen: 4, nodes: [D4_NODE] },
  { name: "0x308002 as an Incremental Trace", variant: "incremental", hex: `31 1e 00 01 | 00 7b 20 03 | 30 80 02 00 | ${X308_NODE_HEX}`, traceType: 0x308002, nodeLen: 4, remainingLen: 3, nodes: [X308_NODE] },
];

describe("golden trace bytes for combined Trace-Types", () => {
  for (const c of COMBINATIONS) it(`decodes and re-encodes ${c.name}`, () => checkTrace(c));
});

// Flags on a 0x800000 trace with one node, RemainingLen 0: O = 0x04, L = 0x02, A = 0x01 of
// byte 6 (after NodeLen 1 << 3 = 0x08); the unassigned flag bit is 0x80 of byte 7.
const FLAG_CASES: Array<[name: string, w: string, flags: TraceFlags]> = [
  ["Overflow", "0c 00", { ...NO_FLAGS, overflow: true }],
  ["Loopback", "0a 00", { ...NO_FLAGS, loopback: true }],
  ["Active", "09 00", { ...NO_FLAGS, active: true }],
  ["the unassigned flag bit", "08 80", { ...NO_FLAGS, unknownBits: 1 }],
];

describe("golden trace bytes for each trace flag alone", () => {
  for (const [name, w, flags] of FLAG_CASES) {
    it(`decodes and re-encodes ${name}`, () =>
      checkTrace({ name, hex: `31 0e 00 00 | 00 7b ${w} | 80 00 00 00 | 3f 00 00 01`, traceType: 0x800000, nodeLen: 1, remainingLen: 0, flags, nodes: [{ hopLimit: 63, nodeId: 1 }] }));
  }
});
