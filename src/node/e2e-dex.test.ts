// Edge-to-Edge and Direct Export in the engine, against RFC 9197 §4.6, RFC 9326 §3 and the worked
// packets (c) and (d) (docs/worked-packets.md): the encapsulator adds them with
// per-policy sequence numbers and its time, transit nodes export DEX data (and leave the
// packet alone), the decapsulator hands E2E to the sink and removes both.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import { bytesToHex } from "../wire/hex.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { newCounters } from "./counters.js";
import { type DecapRecord, decapsulate } from "./decap.js";
import { Encapsulator } from "./encap.js";
import type { DexExportRecord } from "./events.js";
import { createNodeState } from "./state.js";
import { transitPacket } from "./transit.js";

const ping = () => buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", hopLimit: 64, options: [], upper: { kind: "icmp-echo", id: 0x1234, seq: 1, data: new TextEncoder().encode("ioam") } });
const ENCAP_NODE = createNodeState({ nodeId: 1, interfaces: { eth0: { id: 11 } }, namespaces: [{ id: 1, tsFormat: "ptp" }] });
const at: PacketContext = { stage: "output", egress: "eth0", clock: fixedClock(1_700_000_000, 500_000_000) };
const counters = () => ({ encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 });
const facts = { tunnelSource: "2001:db8::1" };

describe("edge-to-edge: added at encap, read at decap", () => {
  it("gives packet (c)'s option (E2E-Type 0x7000, seq32 42, PTP time) as the 43rd packet, in an outer Destination Options header", () => {
    const e = new Encapsulator({ mode: "encap", freqK: 1, freqN: 1, tundst: "2001:db8::9", e2e: { namespaceId: 1, e2eType: 0x7000 } });
    let out: Uint8Array = new Uint8Array(0);
    for (let i = 0; i <= 42; i++) out = e.process(ping(), ENCAP_NODE, at, facts, counters()).packet;
    assert.equal(out[6], 60, "outer Next Header: Destination Options");
    // (c) with Next Header 41 (the inner packet follows) instead of 58.
    assert.equal(bytesToHex(out.subarray(40, 64)), "2902010011120003000170000000002a6553f1001dcd6500");
    assert.equal(bytesToHex(out.subarray(64)), bytesToHex(ping()));
  });

  it("needs encap mode (an inline packet has no place for it before its own upper layer)", () => {
    assert.throws(() => new Encapsulator({ mode: "inline", freqK: 1, freqN: 1, e2e: { namespaceId: 1, e2eType: 0x4000 } }), /needs mode encap/);
  });

  it("reaches the decapsulator's sink with its sequence number and time; the inner packet leaves as it came", () => {
    const e = new Encapsulator({ mode: "encap", freqK: 1, freqN: 1, tundst: "2001:db8::9", trace: { namespaceId: 1, traceType: 0x800000, size: 8 }, e2e: { namespaceId: 1, e2eType: 0xb000 } });
    const edge = createNodeState({ nodeId: 9, interfaces: { eth1: { enabled: true, id: 91 } }, namespaces: [{ id: 1 }] });
    const got: DecapRecord[] = [];
    for (let i = 0; i < 3; i++) {
      const p = e.process(ping(), ENCAP_NODE, at, facts, counters()).packet;
      const r = decapsulate(p, edge, { stage: "prerouting", ingress: "eth1", clock: at.clock }, newCounters(), (x) => got.push(x));
      assert.ok(r.outcome === "decap-encap" && bytesToHex(r.packet) === bytesToHex(ping()));
    }
    const e2e = got.map((g) => g.options.find((o) => o.kind === "e2e")!);
    assert.deepEqual(e2e.map((o) => (o.kind === "e2e" ? [o.seq64, o.tsSec, o.tsFrac] : [])), [[0n, 1_700_000_000, 500_000_000], [1n, 1_700_000_000, 500_000_000], [2n, 1_700_000_000, 500_000_000]]);
    assert.ok(got.every((g) => g.options.some((o) => o.kind === "trace")));
  });
});

describe("direct export", () => {
  const dexPolicy = { mode: "inline" as const, freqK: 1, freqN: 1, dex: { namespaceId: 1, traceType: 0xc00000, flowId: 7, seq: true } };

  it("gives packet (d)'s Hop-by-Hop header (ns 1, Ext-Flags 0xC0, type 0xC00000, Flow ID 7, sequence 9) as the 10th packet", () => {
    const e = new Encapsulator(dexPolicy);
    let out: Uint8Array = new Uint8Array(0);
    for (let i = 0; i <= 9; i++) out = e.process(ping(), ENCAP_NODE, at, facts, counters()).packet;
    assert.equal(bytesToHex(out.subarray(40, 64)), "3a02010011120004000100c0c00000000000000700000009");
    assert.equal(bytesToHex(out), "600000000024004020010db800000000000000000000000120010db80000000000000000000000023a02010011120004000100c0c000000000000007000000098000473212340001696f616d");
  });

  it("a transit node that exports sends its data for the DEX trace type and leaves the packet alone; Linux's default skips it", () => {
    const p = new Encapsulator(dexPolicy).process(ping(), ENCAP_NODE, at, facts, counters()).packet;
    const cfg = { nodeId: 2, interfaces: { in0: { enabled: true, id: 21 }, out0: { id: 22 } }, namespaces: [{ id: 1 }] };
    const ctx: PacketContext = { stage: "prerouting", ingress: "in0", egress: "out0", clock: at.clock };
    const exported: DexExportRecord[] = [];
    const b = p.slice();
    assert.deepEqual(transitPacket(b, 0, b.length, createNodeState({ ...cfg, features: { dexExport: true } }), ctx, newCounters(), { onExport: (r) => exported.push(r) }), { verdict: "pass" });
    assert.deepEqual(b, p, "the DEX option is read-only in transit");
    assert.equal(exported.length, 1);
    assert.deepEqual({ ...exported[0]!, data: bytesToHex(exported[0]!.data) }, { namespaceId: 1, traceType: 0xc00000, flowId: 7, seq: 0, data: "3f000002" + "00150016" });
    const linux: DexExportRecord[] = [];
    transitPacket(p.slice(), 0, p.length, createNodeState(cfg), ctx, newCounters(), { onExport: (r) => linux.push(r) });
    assert.equal(linux.length, 0);
  });

  it("the decapsulator removes it", () => {
    const p = new Encapsulator(dexPolicy).process(ping(), ENCAP_NODE, at, facts, counters()).packet;
    const r = decapsulate(p, createNodeState({ namespaces: [{ id: 1 }] }), { stage: "prerouting", ingress: "x", clock: at.clock }, newCounters(), () => {});
    assert.ok(r.outcome === "decap-inline");
    assert.equal(bytesToHex(r.packet), bytesToHex(ping()));
    assert.equal(decodePacket(r.packet).options.length, 0);
  });
});
