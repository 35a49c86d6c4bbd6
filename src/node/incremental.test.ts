// Incremental Trace against worked packets (b2) → (b) (docs/worked-packets.md): node 2 inserts its 12 octets after the
// trace header; Opt Data Len becomes 34, the tail PadN goes, Hdr Ext Len becomes 4, RemainingLen
// 0 — the header then equals (b) except IOAM-Opt-Type 1 and no Overflow. Then the budget,
// Opt Data Len and MTU limits set Overflow; without the feature the node is Linux (ignores it).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToHex, hexToBytes } from "../wire/hex.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { newCounters } from "./counters.js";
import { type NodeConfig, createNodeState } from "./state.js";
import { transitPacket } from "./transit.js";

const B2 = hexToBytes("60000000002c003f20010db800000000000000000000000120010db80000000000000000000000023a0301003116000101001803d00000003f000001000100021dcd6500010200008000473212340001696f616d")!;
const B = hexToBytes("600000000034003d20010db800000000000000000000000120010db80000000000000000000000023a0401003122000001001c00d00000003e000002000500060ee6b2803f000001000100021dcd65008000473212340001696f616d")!;

const NODE2: NodeConfig = { nodeId: 2, interfaces: { if5: { enabled: true, id: 5 }, if6: { id: 6 } }, namespaces: [{ id: 0x0100, tsFormat: "ptp" }], features: { incremental: true } };
const ctx: PacketContext = { stage: "prerouting", ingress: "if5", egress: "if6", clock: fixedClock(1, 250_000_000) };

describe("incremental trace (beyond Linux)", () => {
  it("node 2's insertion turns (b2) into (b) with IOAM-Opt-Type 1 and no Overflow", () => {
    const c = newCounters();
    const r = transitPacket(B2.slice(), 0, B2.length, createNodeState(NODE2), ctx, c);
    assert.ok(r.verdict === "pass" && r.packet);
    const expected = B.slice();
    expected[7] = 0x3f; // transit does not forward: the hop limit is still the received one
    expected[40 + 7] = 0x01; // IOAM-Opt-Type 1
    expected[40 + 10] = 0x18; // NodeLen 3, O = 0, RemainingLen 0
    assert.equal(bytesToHex(r.packet), bytesToHex(expected));
    assert.equal(c.ioamFilled, 1);
    const t = decodePacket(r.packet).options[0]!;
    assert.ok(t.kind === "trace" && t.variant === "incremental");
    assert.deepEqual(t.nodes.map((n) => [n.hopLimit, n.nodeId, n.ingressIf, n.egressIf, n.tsFrac]), [[62, 2, 5, 6, 250_000_000], [63, 1, 1, 2, 500_000_000]]);
  });

  it("a third node finds no budget and sets Overflow; the packet keeps its length", () => {
    const full = transitPacket(B2.slice(), 0, B2.length, createNodeState(NODE2), ctx, newCounters());
    assert.ok(full.verdict === "pass" && full.packet);
    const c = newCounters();
    const b = full.packet.slice();
    const r = transitPacket(b, 0, b.length, createNodeState({ ...NODE2, nodeId: 3 }), ctx, c);
    assert.deepEqual([r.verdict, "packet" in r ? r.packet : undefined, c.ioamOverflowed, b[40 + 10]! & 0x04], ["pass", undefined, 1, 0x04]);
  });

  it("sets Overflow rather than grow past the egress MTU", () => {
    const b = B2.slice();
    const c = newCounters();
    const r = transitPacket(b, 0, b.length, createNodeState(NODE2), { ...ctx, mtu: B2.length + 7 }, c);
    assert.ok(r.verdict === "pass" && !r.packet);
    assert.equal(b[40 + 10]! & 0x04, 0x04);
    assert.equal(c.ioamOverflowed, 1);
    const fits = transitPacket(B2.slice(), 0, B2.length, createNodeState(NODE2), { ...ctx, mtu: B2.length + 8 }, newCounters());
    assert.ok(fits.verdict === "pass" && fits.packet?.length === B2.length + 8);
  });

  it("without the feature the node is Linux: type 1 is ignored, the packet untouched", () => {
    const b = B2.slice();
    const c = newCounters();
    const r = transitPacket(b, 0, b.length, createNodeState({ ...NODE2, features: {} }), ctx, c);
    assert.deepEqual([r, c.ioamIgnored], [{ verdict: "pass" }, 1]);
    assert.equal(bytesToHex(b), bytesToHex(B2));
  });
});
