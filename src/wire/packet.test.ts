// The worked packets of docs/worked-packets.md and Linux's lwtunnel template, decoded to the
// values the RFCs state. Expected values are written by hand, never from our encoder.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DecodeError } from "./errors.js";
import { hexToBytes } from "./hex.js";
import { decodePacket, encodePacket } from "./packet.js";

const ICMP = "8000473212340001696f616d";
const ADDRS = "20010db8000000000000000000000001" + "20010db8000000000000000000000002";
function pkt(hex: string): Uint8Array {
  const b = hexToBytes(hex.replace(/\s+/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}

// (a): Pre-allocated trace 0x800000, 12-octet data list, after two nodes.
const A = pkt(`60000000002c003e${ADDRS} 3a030100311600000001080180000000000000003e0000023f00000101020000 ${ICMP}`);
// (b): type 0xD00000, 24-octet list, full, Overflow set by a third node.
const B = pkt(`600000000034003d${ADDRS} 3a0401003122000001001c00d00000003e000002000500060ee6b2803f000001000100021dcd6500 ${ICMP}`);
// (b2): the same data as Incremental trace after the first node.
const B2 = pkt(`60000000002c003f${ADDRS} 3a0301003116000101001803d00000003f000001000100021dcd650001020000 ${ICMP}`);
// (c): E2E in a Destination Options header, option type 0x11.
const C = pkt(`6000000000243c40${ADDRS} 3a02010011120003000170000000002a6553f1001dcd6500 ${ICMP}`);
// (d): DEX in Hop-by-Hop, option type 0x11, Flow ID 7, Sequence 9.
const D = pkt(`600000000024004020010db8000000000000000000000001 20010db8000000000000000000000002 3a02010011120004000100c0c000000000000007000000098000473212340001696f616d`);
// (e): POT type 0 with the proof-of-transit example values RND 77, CML 94.
const E = pkt(`60000000002c004020010db8000000000000000000000001 20010db8000000000000000000000002 3a030100311600020001000000000000 0000004d 00000000 0000005e 01020000 ${ICMP}`);

describe("decodePacket() on the worked packets", () => {
  it("reads (a): two nodes of a 0x800000 pre-allocated trace, newest first", () => {
    const r = decodePacket(A);
    assert.equal(r.ipv6.payloadLength, 44);
    assert.equal(r.ipv6.hopLimit, 62);
    assert.equal(r.upper.protocol, 58);
    assert.equal(r.upper.icmpType, 128);
    const [t] = r.options;
    assert.ok(t && t.kind === "trace");
    assert.equal(t.variant, "prealloc");
    assert.equal(t.header, "hop");
    assert.equal(t.ipv6OptType, 0x31);
    assert.equal(t.offset, 44);
    assert.equal(t.namespaceId, 1);
    assert.equal(t.nodeLen, 1);
    assert.equal(t.remainingLen, 1);
    assert.equal(t.traceType, 0x800000);
    assert.deepEqual(t.flags, { overflow: false, loopback: false, active: false, unknownBits: 0 });
    assert.deepEqual(t.nodes, [{ hopLimit: 62, nodeId: 2 }, { hopLimit: 63, nodeId: 1 }]);
    assert.equal(t.freeSpace, undefined);
    assert.deepEqual(t.issues, []);
  });

  it("reads (b): overflow flag and the PTP fractions of two 0xD00000 entries", () => {
    const [t] = decodePacket(B).options;
    assert.ok(t && t.kind === "trace");
    assert.equal(t.namespaceId, 0x0100);
    assert.equal(t.nodeLen, 3);
    assert.equal(t.flags.overflow, true);
    assert.equal(t.remainingLen, 0);
    assert.deepEqual(t.nodes, [
      { hopLimit: 62, nodeId: 2, ingressIf: 5, egressIf: 6, tsFrac: 250_000_000 },
      { hopLimit: 63, nodeId: 1, ingressIf: 1, egressIf: 2, tsFrac: 500_000_000 },
    ]);
  });

  it("reads (b2): an incremental trace's entries start right after its header", () => {
    const [t] = decodePacket(B2).options;
    assert.ok(t && t.kind === "trace");
    assert.equal(t.variant, "incremental");
    assert.equal(t.remainingLen, 3);
    assert.deepEqual(t.nodes, [{ hopLimit: 63, nodeId: 1, ingressIf: 1, egressIf: 2, tsFrac: 500_000_000 }]);
  });

  it("reads (c): E2E seq32 42 and the entry timestamp from a Destination Options header", () => {
    const r = decodePacket(C);
    const [o] = r.options;
    assert.ok(o && o.kind === "e2e");
    assert.equal(o.header, "dest");
    assert.equal(o.ipv6OptType, 0x11);
    assert.equal(o.e2eType, 0x7000);
    assert.equal(o.seq32, 42);
    assert.equal(o.tsSec, 1_700_000_000);
    assert.equal(o.tsFrac, 500_000_000);
    assert.equal(o.seq64, undefined);
    assert.deepEqual(o.issues, []);
  });

  it("reads (d): DEX flow id 7 and sequence 9", () => {
    const [o] = decodePacket(D).options;
    assert.ok(o && o.kind === "dex");
    assert.equal(o.ipv6OptType, 0x11);
    assert.equal(o.extFlags, 0xc0);
    assert.equal(o.traceType, 0xc00000);
    assert.equal(o.flowId, 7);
    assert.equal(o.seq, 9);
    assert.deepEqual(o.issues, []);
  });

  it("reads (e): POT random 77 and cumulative 94", () => {
    const [o] = decodePacket(E).options;
    assert.ok(o && o.kind === "pot");
    assert.equal(o.potType, 0);
    assert.equal(o.random, 77n);
    assert.equal(o.cumulative, 94n);
  });

  it("re-encodes every worked packet to the same bytes", () => {
    for (const p of [A, B, B2, C, D, E]) assert.deepEqual(encodePacket(decodePacket(p)), p);
  });
});

describe("decodePacket() on the Linux lwtunnel template", () => {
  it("reads ns 123, size 4, an empty 0x800000 trace with its trailing PadN", () => {
    const hbh = "3a020100310e0000007b080180000000000000000102" + "0000";
    const r = decodePacket(pkt(`60000000002400${"40"}${ADDRS}${hbh}${ICMP}`));
    const [t] = r.options;
    assert.ok(t && t.kind === "trace");
    assert.equal(t.namespaceId, 123);
    assert.equal(t.nodeLen, 1);
    assert.equal(t.remainingLen, 1);
    assert.deepEqual(t.nodes, []);
    const h = r.extHeaders[0];
    assert.ok(h && h.kind === "hop");
    assert.deepEqual(h.tlvs.map((x) => [x.offset - 40, x.type, x.data?.length]), [[2, 1, 0], [20, 1, 2]]);
  });
});

describe("decodePacket() on cut packets", () => {
  it("gives TRUNCATED at the cut for every prefix of every worked packet", () => {
    for (const p of [A, B, B2, C, D, E]) {
      for (let n = 0; n < p.length; n++) {
        assert.throws(() => decodePacket(p.subarray(0, n)), (e: unknown) => e instanceof DecodeError && e.code === "TRUNCATED" && e.offset === n);
      }
    }
  });
});
