// Transit is re-entrant: a side output hook may run the engine again before the outer walk is
// done — a data plane that sends a loopback copy straight back through the same node does —
// and the outer walk keeps its own exports, events and incremental insertion.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import type { OptionSpec } from "../wire/build.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { newCounters } from "./counters.js";
import type { DexExportRecord, TraceEventRecord } from "./events.js";
import { createNodeState } from "./state.js";
import { type TransitHooks, transitPacket } from "./transit.js";

const NO_FLAGS = { overflow: false, loopback: false, active: false, unknownBits: 0 };
const loopbackTrace: OptionSpec = { kind: "trace", variant: "prealloc", namespaceId: 5, nodeLen: 1, flags: { ...NO_FLAGS, loopback: true }, remainingLen: 4, traceType: 0x800000, reserved: 0, nodes: [] };
const incremental: OptionSpec = { kind: "trace", variant: "incremental", namespaceId: 5, nodeLen: 1, flags: NO_FLAGS, remainingLen: 4, traceType: 0x800000, reserved: 0, nodes: [] };
const dex: OptionSpec = { kind: "dex", namespaceId: 5, flags: 0, extFlags: 0xc0, traceType: 0x800000, reserved: 0, flowId: 7, seq: 9 };

const node = createNodeState({ nodeId: 3, interfaces: { in0: { enabled: true, id: 31 } }, namespaces: [{ id: 5 }], features: { loopback: true, dexExport: true, incremental: true } });
const ctx: PacketContext = { stage: "prerouting", ingress: "in0", egress: "out0", clock: fixedClock(1, 0), localAddress: "2001:db8:3::3" };

function packet(options: OptionSpec[]): Uint8Array {
  return buildPacket({ src: "2001:db8::1", dst: "2001:db8:9::1", hopLimit: 64, options, upper: { kind: "udp", srcPort: 1, dstPort: 2, data: new Uint8Array(8) } });
}

/** Runs transit with hooks whose loopback hook sends the copy through the same node at once (with `inner` hooks). */
function walkWithReentry(b: Uint8Array, inner: TransitHooks) {
  const exports: DexExportRecord[] = [];
  const events: TraceEventRecord[] = [];
  let reentries = 0;
  const outer: TransitHooks = {
    onExport: (r) => exports.push(r),
    onEvent: (e) => events.push(e),
    onLoopback: (copy) => {
      reentries++;
      transitPacket(copy, 0, copy.length, node, ctx, newCounters(), inner);
    },
  };
  const result = transitPacket(b, 0, b.length, node, ctx, newCounters(), outer);
  return { result, exports, events, reentries };
}

describe("transitPacket() re-entered from a hook", () => {
  it("keeps the outer walk's Direct Export when the inner walk exports nothing", () => {
    const r = walkWithReentry(packet([loopbackTrace, dex]), {});
    assert.equal(r.reentries, 1);
    assert.equal(r.exports.length, 1, "the DEX after the loopback trace is still exported");
    assert.deepEqual([r.exports[0]!.flowId, r.exports[0]!.seq], [7, 9]);
  });

  it("does not send the inner walk's side outputs to the outer hooks", () => {
    const innerEvents: TraceEventRecord[] = [];
    const r = walkWithReentry(packet([loopbackTrace, dex]), { onEvent: (e) => innerEvents.push(e) });
    assert.deepEqual([r.events.length, innerEvents.length], [1, 1], "one event each: the original's fill and the copy's");
  });

  it("still inserts into the outer packet's Incremental Trace after an inner walk", () => {
    const b = packet([loopbackTrace, incremental]);
    const r = walkWithReentry(b, {});
    assert.equal(r.reentries, 1);
    assert.ok(r.result.verdict === "pass" && r.result.packet, "a grown packet comes back");
    const t = decodePacket(r.result.packet).options[1]!;
    assert.ok(t.kind === "trace" && t.variant === "incremental");
    assert.deepEqual(t.nodes.map((n) => n.nodeId), [3]);
  });
});
