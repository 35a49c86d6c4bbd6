// The sink's NDJSON records (docs/dataplane.md, "Sink records"): one line each, valid JSON,
// the options in the canonical record's shape, and what docs/dataplane.md says is there.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PacketContext, fixedClock } from "../node/context.js";
import { newCounters } from "../node/counters.js";
import { type DecapRecord, decapsulate } from "../node/decap.js";
import { Encapsulator } from "../node/encap.js";
import { createNodeState } from "../node/state.js";
import { transitPacket } from "../node/transit.js";
import { buildPacket } from "../wire/build.js";
import { JsonBytes } from "../wire/json/json-bytes.js";
import { packetToJson } from "../wire/json/record-json.js";
import { decodePacket } from "../wire/packet.js";
import { writeDecapRecord, writeDexRecord } from "./sink-record.js";

const node = createNodeState({ nodeId: 3, interfaces: { west: { enabled: true, id: 31 } }, namespaces: [{ id: 9 }] });
const ctx: PacketContext = { stage: "prerouting", ingress: "west", clock: fixedClock(1700000000, 5000) };
const inner = buildPacket({ src: "2001:db8::1", dst: "2001:db8:3::2", hopLimit: 64, flowLabel: 7, options: [], upper: { kind: "udp", srcPort: 1, dstPort: 2, data: new Uint8Array(8) } });

describe("sink records", () => {
  it("a decap record: origin, carrying header, inner packet, and the options exactly as decode --json writes them", () => {
    const e = new Encapsulator({ mode: "encap", freqK: 1, freqN: 1, tundst: "2001:db8:2::2", trace: { namespaceId: 9, traceType: 0xc00000, size: 16 } });
    const outer = e.process(inner, createNodeState({ nodeId: 1, namespaces: [{ id: 9 }] }), ctx, { tunnelSource: "2001:db8:1::1" }, { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 }).packet;
    let rec: DecapRecord | undefined;
    const r = decapsulate(outer, node, ctx, newCounters(), (x) => (rec = x));
    assert.equal(r.outcome, "decap-encap");
    const w = new JsonBytes(256);
    writeDecapRecord(w, { time: { sec: 1700000000, nsec: 5000 }, timeSource: "kernel", nodeId: 3, netns: "r3", ingress: "west" }, rec!, r.outcome === "decap-encap" ? r.packet : inner);
    const text = w.toString();
    assert.ok(text.endsWith("}\n") && text.indexOf("\n") === text.length - 1, "one line");
    const j = JSON.parse(text) as Record<string, unknown> & { options: unknown[] };
    assert.deepEqual([j.v, j.source, j.time, j.timeSource, j.node, j.ingress, j.mode, j.src, j.dst], [1, "decap", { sec: 1700000000, nsec: 5000 }, "kernel", { id: 3, netns: "r3" }, "west", "encap", "2001:db8:1::1", "2001:db8:2::2"]);
    assert.deepEqual(j.inner, { src: "2001:db8::1", dst: "2001:db8:3::2", nextHeader: 17, flowLabel: 7, hopLimit: 63, length: inner.length }, "hop limit as the lwtunnel copies it after forwarding");
    // The options as decode --json shows the outer packet after this node's own transit fill.
    const filled = outer.slice();
    transitPacket(filled, 0, filled.length, node, ctx, newCounters());
    const canonical = JSON.parse(packetToJson(decodePacket(filled))) as { options: unknown[] };
    assert.deepEqual(j.options, canonical.options);
    assert.deepEqual((j.options[0] as { nodes: Array<{ nodeId: number }> }).nodes.map((n) => n.nodeId), [3, 1]);
  });

  it("a DEX record: the option's identifiers and this node's data as hex", () => {
    const w = new JsonBytes(64);
    writeDexRecord(w, { time: { sec: 1, nsec: 2 }, timeSource: "clock", nodeId: 7, netns: null, ingress: undefined }, { namespaceId: 9, traceType: 0x800000, flowId: 5, seq: 6, data: Uint8Array.of(0x3f, 0, 0, 7) });
    assert.deepEqual(JSON.parse(w.toString()), { v: 1, source: "dex", time: { sec: 1, nsec: 2 }, timeSource: "clock", node: { id: 7, netns: null }, namespaceId: 9, traceType: "0x800000", flowId: 5, seq: 6, data: "0x3f000007" });
  });
});
