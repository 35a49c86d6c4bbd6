// Linux's worked examples: the lwtunnel Hop-by-Hop template (ioam6_build_state), the fill
// position of ioam6_fill_trace_data, and the bytes the kernel selftest parser expects
// (tools/testing/selftests/net/ioam6.sh and ioam6_parser.c).
// Expected bytes are written by hand from the kernel's layouts, never produced by our encoder.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type OptionSpec, type PacketSpec, buildPacket } from "./build.js";
import { encapsulateIpv6 } from "./encap.js";
import { hexToBytes } from "./hex.js";
import { parseOptionWords } from "./ioam/option-words.js";
import type { TraceNode } from "./ioam/trace-node.js";
import { decodePacket } from "./packet.js";

const ADDRS = "20010db8000000000000000000000001" + "20010db8000000000000000000000002";
const ECHO = "8000473212340001696f616d";
const zeros = (n: number) => "00".repeat(n);
function bytes(hex: string): Uint8Array {
  const b = hexToBytes(hex.replace(/[\s|]/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}
function traceSpec(size: number): PacketSpec {
  const options = parseOptionWords(`trace prealloc type 0x800000 ns 123 size ${size}`.split(" "));
  return { src: "2001:db8::1", dst: "2001:db8::2", options, upper: { kind: "icmp-echo", id: 0x1234, seq: 1, data: bytes("696f616d") } };
}

// The template: `trace prealloc type 0x800000 ns 123 size S`, empty. Next Header 0x3a (ICMPv6, inline).
//          NH ExtLen PadN  | 31 10+S 00 00 | ns    NodeLen 1, RemLen S/4 | type<<8  | data | tail PadN
const TEMPLATES: Array<[size: number, hex: string]> = [
  [4, `3a 02 01 00 | 31 0e 00 00 | 00 7b 08 01 | 80 00 00 00 | ${zeros(4)} | 01 02 00 00`],
  [8, `3a 02 01 00 | 31 12 00 00 | 00 7b 08 02 | 80 00 00 00 | ${zeros(8)}`],
  [32, `3a 05 01 00 | 31 2a 00 00 | 00 7b 08 08 | 80 00 00 00 | ${zeros(32)}`],
  [244, `3a 20 01 00 | 31 fe 00 00 | 00 7b 08 3d | 80 00 00 00 | ${zeros(244)} | 01 02 00 00`],
];

describe("the lwtunnel Hop-by-Hop template", () => {
  for (const [size, hex] of TEMPLATES) {
    it(`buildPacket lays out size ${size} byte for byte as Linux does`, () => {
      const want = bytes(hex);
      const out = buildPacket(traceSpec(size));
      assert.deepEqual(out.subarray(40, 40 + want.length), want);
      assert.deepEqual(out.subarray(40 + want.length), bytes(ECHO));
    });

    it(`decodePacket reads the size ${size} template back`, () => {
      const want = bytes(hex);
      const r = decodePacket(bytes(`60000000 ${(want.length + 12).toString(16).padStart(4, "0")} 00 40 ${ADDRS} ${hex} ${ECHO}`));
      const h = r.extHeaders[0];
      assert.ok(h && h.kind === "hop");
      assert.deepEqual([h.length, h.nextHeader], [want.length, 58]);
      const tail = size % 8 === 4 ? [[16 + size, 1, 2]] : [];
      assert.deepEqual(h.tlvs.map((x) => [x.offset - 40, x.type, x.data?.length]), [[2, 1, 0], ...tail]);
      const [t] = r.options;
      assert.ok(t && t.kind === "trace");
      assert.deepEqual([t.offset, t.namespaceId, t.nodeLen, t.remainingLen, t.traceType], [44, 123, 1, size / 4, 0x800000]);
      assert.deepEqual([t.nodes, t.freeSpace, t.issues], [[], undefined, []]);
    });
  }

  it("grows a packet by 16 + ALIGN(S, 8) for every size 4…244, with the tail PadN when S % 8 = 4", () => {
    const bare = buildPacket({ ...traceSpec(4), options: [] }).length;
    for (let size = 4; size <= 244; size += 4) {
      const out = buildPacket(traceSpec(size));
      const hbh = 16 + Math.ceil(size / 8) * 8;
      assert.equal(out.length - bare, hbh);
      assert.equal(out[41], hbh / 8 - 1);
      assert.deepEqual([...out.subarray(40 + hbh - 4, 40 + hbh)], size % 8 === 4 ? [1, 2, 0, 0] : [0, 0, 0, 0]);
    }
  });
});

describe("the fill position of ioam6_fill_trace_data", () => {
  // Type 0xF00000 (NodeLen 4), RemainingLen 8: 32 zero octets of data space, ns 123.
  const head = (remLen: string) => `60000000 003c 00 40 ${ADDRS} | 3a 05 01 00 | 31 2a 00 00 | 00 7b 20 ${remLen} | f0 00 00 00`;
  const before = bytes(`${head("08")} | ${zeros(32)} | ${ECHO}`);
  // After node 2 (in 21, out 23) wrote at 4·(8 − 4) = 16: the last 16 octets; RemainingLen 4.
  const block = "3f 00 00 02 | 00 15 00 17 | 65 53 f1 00 | 00 07 a1 20";
  const after = bytes(`${head("04")} | ${zeros(16)} | ${block} | ${ECHO}`);

  it("reads the empty trace before the node wrote", () => {
    const [t] = decodePacket(before).options;
    assert.ok(t && t.kind === "trace");
    assert.deepEqual([t.nodeLen, t.remainingLen, t.nodes], [4, 8, []]);
  });

  it("reads the node block at data offset 16 with RemainingLen 4 after", () => {
    const [t] = decodePacket(after).options;
    assert.ok(t && t.kind === "trace");
    assert.deepEqual([t.nodeLen, t.remainingLen, t.freeSpace], [4, 4, undefined]);
    assert.deepEqual(t.nodes, [{ hopLimit: 63, nodeId: 2, ingressIf: 21, egressIf: 23, tsSec: 0x6553f100, tsFrac: 500_000 }]);
    assert.deepEqual(after.subarray(40 + 16 + 16, 40 + 16 + 32), bytes(block));
  });

  it("differs from the packet before only in RemainingLen and the node block", () => {
    const changed = [...before.keys()].filter((i) => before[i] !== after[i]);
    assert.ok(changed.every((i) => i === 40 + 11 || (i >= 72 && i < 88)), `changed bytes ${changed.join(",")}`);
  });
});

// What ioam6_parser.c checks on the trace that leaves Alpha (OUTPUT) or Beta (INPUT),
// for `trace prealloc type <bit> ns 123 size <bit size>`: RemLen 0 after the one node.
const SCHEMA = "736f6d657468696e6720746861742077696c6c20626520346e2d616c69676e6564"; // 33 octets
const ALPHA_OSS = { schemaId: 777, data: bytes(`${SCHEMA} 000000`) };
const NOT_NA = (v: number | undefined) => v !== undefined && v !== 0xffffffff;
const NOT_0_NA = (v: number | undefined) => NOT_NA(v) && v !== 0;
type Row = [bit: number, nodeHex: string, expect: TraceNode | ((n: TraceNode) => boolean)];

const ALPHA: Row[] = [
  [0, "40 00 00 01", { hopLimit: 64, nodeId: 1 }],
  [1, "ff ff 00 65", { ingressIf: 0xffff, egressIf: 101 }],
  [2, "ff ff ff ff", { tsSec: 0xffffffff }],
  [3, "ff ff ff ff", { tsFrac: 0xffffffff }],
  [4, "ff ff ff ff", { transitDelay: 0xffffffff }],
  [5, "de ad be ef", { nsData: 0xdeadbeef }],
  [6, "00 00 00 00", (n) => NOT_NA(n.queueDepth)],
  [7, "ff ff ff ff", { csumComp: 0xffffffff }],
  [8, "40 00 00 00 00 a9 8a c7", { hopLimit: 64, nodeIdWide: 11111111n }],
  [9, "ff ff ff ff 00 01 8a ed", { ingressIfWide: 0xffffffff, egressIfWide: 101101 }],
  [10, "ca fe c0 ca f0 0d c0 de", { nsDataWide: 0xcafec0caf00dc0den }],
  [11, "ff ff ff ff", { bufferOccupancy: 0xffffffff }],
  [22, `09 00 03 09 | ${SCHEMA} 000000`, { opaque: ALPHA_OSS }],
];
const BETA: Row[] = [
  [0, "3f 00 00 02", { hopLimit: 63, nodeId: 2 }],
  [1, "00 c9 00 ca", { ingressIf: 201, egressIf: 202 }],
  [2, "65 53 f1 00", (n) => NOT_0_NA(n.tsSec)],
  [3, "00 07 a1 20", (n) => NOT_0_NA(n.tsFrac)],
  [4, "ff ff ff ff", { transitDelay: 0xffffffff }],
  [5, "ff ff ff ff", { nsData: 0xffffffff }],
  [6, "00 00 00 00", (n) => NOT_NA(n.queueDepth)],
  [7, "ff ff ff ff", { csumComp: 0xffffffff }],
  [8, "3f 00 00 00 01 53 15 8e", { hopLimit: 63, nodeIdWide: 22222222n }],
  [9, "00 03 11 f1 00 03 15 da", { ingressIfWide: 201201, egressIfWide: 202202 }],
  [10, "ff ff ff ff ff ff ff ff", { nsDataWide: 0xffffffffffffffffn }],
  [11, "ff ff ff ff", { bufferOccupancy: 0xffffffff }],
  [22, "00 ff ff ff", { opaque: { schemaId: 0xffffff, data: new Uint8Array(0) } }],
];

const hex2 = (v: number) => v.toString(16).padStart(2, "0");

/** The option of ioam6.sh's output_bitN / input_bitN: ns 123, O 0, RemLen 0, one node of size S. */
function checkRow([bit, nodeHex, expect]: Row): void {
  const size = bytes(nodeHex).length;
  const nodeLen = bit === 22 ? 0 : bit >= 8 && bit <= 10 ? 2 : 1;
  const type = (0x800000 >>> bit).toString(16).padStart(6, "0");
  // ioam6_parser.c: Hdr Ext Len = (4 + 4 + 8 + size + size % 8) / 8 − 1; trailing PadN when size % 8 ≠ 0.
  const extLen = (4 + 4 + 8 + size + (size % 8)) / 8 - 1;
  const hbh = `3a ${hex2(extLen)} 01 00 | 31 ${hex2(10 + size)} 00 00 | 00 7b ${hex2(nodeLen << 3)} 00 | ${type} 00 | ${nodeHex} | ${size % 8 ? "01 02 00 00" : ""}`;
  const plen = (extLen + 1) * 8 + 12;
  const [t] = decodePacket(bytes(`60000000 ${hex2(plen >> 8)}${hex2(plen & 0xff)} 00 3f ${ADDRS} ${hbh} ${ECHO}`)).options;
  assert.ok(t && t.kind === "trace");
  assert.deepEqual([t.traceType, t.flags.overflow, t.nodeLen, t.remainingLen, t.issues], [0x800000 >>> bit, false, nodeLen, 0, []]);
  assert.equal(t.nodes.length, 1);
  if (typeof expect === "function") assert.ok(expect(t.nodes[0]!), `bit ${bit}: unexpected ${nodeHex}`);
  else assert.deepEqual(t.nodes[0], expect);
}

// ioam6.sh rows with nothing or one Beta block written, as option bytes (ns, O/NodeLen, RemLen).
const STATES: Array<[test: string, hex: string, overflow: boolean, nodeLen: number, remLen: number, nodes: TraceNode[]]> = [
  ["output_undef_ns", "31 0e 00 00 | 00 00 08 01 | 80 00 00 00 | 00 00 00 00", false, 1, 1, []],
  ["output_no_room", "31 0e 00 00 | 00 7b 14 01 | c0 00 00 00 | 00 00 00 00", true, 2, 1, []],
  ["output_no_room_oss", "31 0e 00 00 | 00 7b 04 01 | 00 00 02 00 | 00 00 00 00", true, 0, 1, []],
  ["input_no_room_oss", "31 0e 00 00 | 00 7b 00 00 | 00 00 02 00 | 00 ff ff ff", false, 0, 0, [{ opaque: { schemaId: 0xffffff, data: new Uint8Array(0) } }]],
  ["input_size12", "31 16 00 00 | 00 7b 08 02 | 80 00 00 00 | 00 00 00 00 00 00 00 00 | 3f 00 00 02", false, 1, 2, [{ hopLimit: 63, nodeId: 2 }]],
];

describe("what the kernel selftest parser expects (tools/testing/selftests/net/ioam6_parser.c)", () => {
  for (const [test, hex, overflow, nodeLen, remLen, nodes] of STATES) {
    it(`reads ${test}'s header triple and data`, () => {
      const opt = bytes(hex);
      const bare = 4 + opt.length;
      const plen = bare + (bare % 8);
      const pad = bare % 8 ? "01 02 00 00" : "";
      const [t] = decodePacket(bytes(`60000000 00${hex2(plen + 12)} 00 3f ${ADDRS} 3a ${hex2(plen / 8 - 1)} 01 00 ${hex} ${pad} ${ECHO}`)).options;
      assert.ok(t && t.kind === "trace");
      assert.deepEqual([t.flags.overflow, t.nodeLen, t.remainingLen, t.nodes, t.freeSpace], [overflow, nodeLen, remLen, nodes, undefined]);
    });
  }

  for (const [who, rows] of [["Alpha (OUTPUT)", ALPHA], ["Beta (INPUT)", BETA]] as const) {
    for (const row of rows) it(`reads ${who} bit ${row[0]} with the selftest's values`, () => checkRow(row));
  }

  it("finds the packet-level fields it checks for every size 4…244, inline (58) and encap (41)", () => {
    const plain = bytes(`60000000 000c 3a 40 ${ADDRS} ${ECHO}`);
    for (let size = 4; size <= 244; size += 4) {
      const spec = traceSpec(size);
      const inline = buildPacket(spec);
      const encap = encapsulateIpv6(plain, { src: "2001:db8:1::2", dst: "2001:db8:2::2", hopByHop: spec.options });
      for (const [p, nh] of [[inline, 58], [encap, 41]] as const) {
        assert.deepEqual([p[6], p[40], p[41]], [0, nh, (4 + 4 + 8 + size + (size % 8)) / 8 - 1]);
        assert.deepEqual([...p.subarray(42, 48)], [1, 0, 49, 10 + size, 0, 0]);
        assert.deepEqual([...p.subarray(48, 56)], [0, 123, 1 << 3, size / 4, 0x80, 0, 0, 0]);
        assert.ok(p.subarray(56, 56 + size).every((x) => x === 0), "the unused space is zero");
        if (size % 8) assert.deepEqual([...p.subarray(56 + size, 60 + size)], [1, 2, 0, 0]);
      }
    }
  });

  it("pads schema 777's 33 octets to 36 and writes length byte 9 in the OSS header", () => {
    const data = bytes(SCHEMA);
    assert.equal(data.length, 33);
    const flags = { overflow: false, loopback: false, active: false, unknownBits: 0 };
    const trace: OptionSpec = { kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: 0, flags, remainingLen: 0, traceType: 0x000002, reserved: 0, nodes: [{ opaque: { schemaId: 777, data } }] };
    const out = buildPacket({ ...traceSpec(4), options: [trace] });
    assert.deepEqual(out.subarray(40 + 16, 40 + 16 + 40), bytes(`09 00 03 09 | ${SCHEMA} 000000`));
    assert.deepEqual(out.subarray(40 + 4, 40 + 8), bytes("31 32 00 00"));
  });
});
