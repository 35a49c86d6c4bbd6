// TRACE_FIELDS is the one definition of a node entry's layout (wire/ioam/trace-type.ts). Three
// hot paths spell it out by hand for speed — decodeNodeFixed, the direct JSON writer and the
// engine's fill — and this test holds each of them to the table for every combination of the
// fixed bits 0–11 (4096 types): a reference reader written from the table alone reads what
// each ladder wrote or agrees with what each ladder read.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { packetToJson } from "../../src/wire/json/record-json.js";
import { NOT_DIRECT, writePacketMembersDirect } from "../../src/wire/json/direct-json.js";
import { JsonBytes } from "../../src/wire/json/json-bytes.js";
import { buildPacket } from "../../src/wire/build.js";
import { decodePacket } from "../../src/wire/packet.js";
import { type TraceNode, decodeNodeFixed, encodeNode } from "../../src/wire/ioam/trace-node.js";
import { TRACE_FIELDS, type TraceNodeKey, nodeLenOf } from "../../src/wire/ioam/trace-type.js";
import { fillTrace } from "../../src/node/fill.js";
import { createNodeState } from "../../src/node/state.js";
import { fixedClock } from "../../src/node/context.js";

/** Every Trace-Type made of bits 0–11 (the fixed fields). */
const FIXED_TYPES = Array.from({ length: 4096 }, (_, i) => i << 12);

/** The table's reading of one entry: each part's value at its offset, in table order. */
function tableRead(b: Uint8Array, o: number, type: number): Array<[TraceNodeKey, number | bigint]> {
  const out: Array<[TraceNodeKey, number | bigint]> = [];
  for (const f of TRACE_FIELDS) {
    if (!(type & f.mask)) continue;
    for (const p of f.parts) {
      let v = 0n;
      for (let i = 0; i < p.octets; i++) v = (v << 8n) | BigInt(b[o + p.at + i]!);
      out.push([p.key, p.octets >= 7 ? v : Number(v)]);
    }
    o += f.octets;
  }
  return out;
}

/** Bytes with every octet different from its neighbours, so a misplaced read shows. */
function distinctBytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 11 + 1) & 0xff);
}

describe("the hand-unrolled trace ladders follow TRACE_FIELDS", () => {
  it("decodeNodeFixed() reads each value where the table puts it, for all 4096 fixed types", () => {
    for (const type of FIXED_TYPES) {
      const b = distinctBytes(4 * nodeLenOf(type), type >>> 12);
      const got = decodeNodeFixed(b, 0, type);
      const want = new Map(tableRead(b, 0, type));
      // Bit 8's hop limit is the record's hopLimit when bit 0 is absent; hopLimitWide when it differs.
      if (want.has("hopLimitWide") && !want.has("hopLimit")) want.set("hopLimit", want.get("hopLimitWide")!), want.delete("hopLimitWide");
      else if (want.has("hopLimitWide") && want.get("hopLimitWide") === want.get("hopLimit")) want.delete("hopLimitWide");
      assert.deepEqual(new Map(Object.entries(got) as Array<[TraceNodeKey, number | bigint]>), want, `type 0x${type.toString(16)}`);
    }
  });

  it("the engine's fill writes each value where the table puts it, for all 4096 fixed types", () => {
    const node = createNodeState({ nodeId: 0x0a0b0c, nodeIdWide: 0x01020304050607n, interfaces: { in0: { enabled: true, id: 0x1112, wide: 0x13141516 }, out0: { id: 0x2122, wide: 0x23242526 } }, namespaces: [{ id: 7, data: 0x31323334, wide: 0x4142434445464748n }] });
    const ctx = { stage: "prerouting" as const, ingress: "in0", egress: "out0", clock: fixedClock(0x51525354, 0x1234 * 1000), queueDepth: 0x61626364 };
    const hop = 0x40;
    const want: Record<TraceNodeKey, number | bigint> = {
      hopLimit: hop - 1, nodeId: 0x0a0b0c, ingressIf: 0x1112, egressIf: 0x2122, tsSec: 0x51525354, tsFrac: 0x1234, transitDelay: 0xffffffff, nsData: 0x31323334,
      queueDepth: 0x61626364, csumComp: 0xffffffff, hopLimitWide: hop - 1, nodeIdWide: 0x01020304050607n, ingressIfWide: 0x13141516, egressIfWide: 0x23242526,
      nsDataWide: 0x4142434445464748n, bufferOccupancy: 0xffffffff,
    };
    for (const type of FIXED_TYPES.slice(1)) {
      const words = nodeLenOf(type);
      const p = buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", hopLimit: hop, options: [{ kind: "trace", variant: "prealloc", namespaceId: 7, nodeLen: words, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: words, traceType: type, reserved: 0, nodes: [] }], upper: { kind: "udp", srcPort: 1, dstPort: 2, data: new Uint8Array(0) } });
      const body = 40 + 4 + 4; // IPv6, Hop-by-Hop header + PadN, option header
      assert.equal(fillTrace(p, 0, body, node, node.namespaces.get(7)!, ctx, true), "filled");
      for (const [key, v] of tableRead(p, body + 8, type)) assert.equal(v, want[key], `type 0x${type.toString(16)}: ${key}`);
    }
  });

  it("the direct JSON writer lists the values the table's record order gives, for all 4096 fixed types", () => {
    for (const type of FIXED_TYPES.slice(1)) {
      const node: TraceNode = decodeNodeFixed(distinctBytes(4 * nodeLenOf(type), type >>> 13), 0, type);
      const bytes = buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", hopLimit: 9, options: [{ kind: "trace", variant: "prealloc", namespaceId: 7, nodeLen: nodeLenOf(type), flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 0, traceType: type, reserved: 0, nodes: [node] }], upper: { kind: "udp", srcPort: 1, dstPort: 2, data: new Uint8Array(0) } });
      const w = new JsonBytes(256);
      w.ascii('{"v":1,');
      assert.notEqual(writePacketMembersDirect(w, bytes, false), NOT_DIRECT, `type 0x${type.toString(16)} takes the direct path`);
      w.ascii("}");
      assert.equal(w.toString(), packetToJson(decodePacket(bytes)), `type 0x${type.toString(16)}`);
    }
  });

  it("encodeNode() (table-driven) and decodeNodeFixed() are inverse for all 4096 fixed types", () => {
    for (const type of FIXED_TYPES) {
      const b = distinctBytes(4 * nodeLenOf(type), 3);
      const out = new Uint8Array(b.length).fill(0xaa);
      encodeNode(decodeNodeFixed(b, 0, type), type, out, 0);
      assert.deepEqual(out, b, `type 0x${type.toString(16)}`);
    }
  });
});
