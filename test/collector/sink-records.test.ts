// The collector reads what `ioam node run --sink` writes (docs/dataplane.md "Sink records"):
// records made by the data plane's own writer from an engine decapsulation and a DEX export,
// read back by the decap source's parser — the packet's flow is the inner packet's (not the
// tunnel's), the place is the netns, the times and time sources are the data plane's, and the
// nodes equal the canonical decode of the same packet.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRecordLine } from "../../src/collector/sources/ndjson-record.js";
import { writeDecapRecord, writeDexRecord } from "../../src/dataplane/sink-record.js";
import { type PacketContext, fixedClock } from "../../src/node/context.js";
import { newCounters } from "../../src/node/counters.js";
import { type DecapRecord, decapsulate } from "../../src/node/decap.js";
import { Encapsulator } from "../../src/node/encap.js";
import { createNodeState } from "../../src/node/state.js";
import { transitPacket } from "../../src/node/transit.js";
import { buildPacket } from "../../src/wire/build.js";
import { JsonBytes } from "../../src/wire/json/json-bytes.js";
import { decodePacket } from "../../src/wire/packet.js";
import type { TraceNode } from "../../src/wire/ioam/trace-node.js";

const defaults = { source: "decap" as const, timeSource: "daemon-clock" as const, at: "sink", now: 0 };
const ctx: PacketContext = { stage: "prerouting", ingress: "west", clock: fixedClock(1700000000, 5000) };

describe("the data plane's sink records, read by the collector", () => {
  it("a decap record: the inner flow and the tunnel it came through, the netns, kernel receive time, the nodes as decoded", () => {
    const inner = buildPacket({ src: "2001:db8::1", dst: "2001:db8:3::2", flowLabel: 7, options: [], upper: { kind: "udp", srcPort: 1000, dstPort: 2000, data: new Uint8Array(8) } });
    const enc = new Encapsulator({ mode: "encap", freqK: 1, freqN: 1, tundst: "2001:db8:2::2", trace: { namespaceId: 9, traceType: 0xf00000, size: 32 } });
    const outer = enc.process(inner, createNodeState({ nodeId: 1, namespaces: [{ id: 9 }] }), ctx, { tunnelSource: "2001:db8:1::1" }, { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 }).packet;
    const r3 = createNodeState({ nodeId: 3, interfaces: { west: { enabled: true, id: 31 } }, namespaces: [{ id: 9 }] });
    let rec: DecapRecord | undefined;
    const out = decapsulate(outer, r3, ctx, newCounters(), (x) => (rec = x));
    assert.equal(out.outcome, "decap-encap");
    const w = new JsonBytes(256);
    writeDecapRecord(w, { time: { sec: 1700000000, nsec: 5_000_000 }, timeSource: "kernel", nodeId: 3, netns: "r3", ingress: "west" }, rec!, out.outcome === "decap-encap" ? out.packet : inner);
    const [ob, more] = parseRecordLine(w.toString().trim(), defaults);
    assert.equal(more, undefined);
    assert.deepEqual([ob!.source, ob!.timeSource, ob!.at, ob!.time], ["decap", "kernel-rx", "r3", 1700000000005]);
    assert.deepEqual(ob!.flow, { src: "2001:db8::1", dst: "2001:db8:3::2", flowLabel: 7, nextHeader: 17, tunnel: { src: "2001:db8:1::1", dst: "2001:db8:2::2" } });
    const filled = outer.slice();
    transitPacket(filled, 0, filled.length, r3, ctx, newCounters());
    const trace = decodePacket(filled).options.find((o) => o.kind === "trace") as unknown as { nodes: TraceNode[] };
    assert.deepEqual(ob!.nodes, trace.nodes);
    assert.deepEqual(ob!.nodes.map((n) => n.nodeId), [3, 1]);
    assert.deepEqual([ob!.namespaceId, ob!.traceType], [9, 0xf00000]);
  });

  it("a DEX record: its identifiers and this node's entry decoded by the trace type", () => {
    const w = new JsonBytes(64);
    writeDexRecord(w, { time: { sec: 1, nsec: 2_000_000 }, timeSource: "clock", nodeId: 7, netns: null, ingress: undefined }, { namespaceId: 9, traceType: 0xc00000, flowId: 5, seq: 6, data: Uint8Array.of(0x3f, 0, 0, 7, 0, 0x0b, 0, 0x0c) });
    const [ob] = parseRecordLine(w.toString().trim(), defaults);
    assert.deepEqual([ob!.source, ob!.timeSource, ob!.at, ob!.time, ob!.dexFlowId, ob!.dexSeq], ["dex", "daemon-clock", "node 7", 1002, 5, 6]);
    assert.deepEqual(ob!.nodes, [{ hopLimit: 0x3f, nodeId: 7, ingressIf: 11, egressIf: 12 }]);
  });

  it("a DEX record whose data does not fit its trace type is refused with the reason", () => {
    const line = JSON.stringify({ v: 1, source: "dex", time: { sec: 1, nsec: 0 }, timeSource: "clock", node: { id: 7, netns: null }, namespaceId: 9, traceType: "0xc00000", data: "0x3f000007" });
    assert.throws(() => parseRecordLine(line, defaults), /data: expected this node's 8-octet entry for trace type 0xc00000/);
  });
});
