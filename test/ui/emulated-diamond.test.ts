// The demo's traffic without root: packets through the lab's emulation of examples/diamond.yaml
// arrive at the decapsulating nodes' sinks as the collector's observations — r4 for h1 → h2,
// r1 for the ping replies — with the file's node and interface ids, timestamps that follow the
// demo's link model, r2's queue during its burst, and kernel semantics at the tunnel end.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEMO_TRACE, EmulatedDiamond, nodeNamesOf, r2Backlog } from "../../src/ui/demo/emulated-diamond.js";

const usOf = (n: { tsSec?: number; tsFrac?: number }) => n.tsSec! * 1e6 + n.tsFrac!;

describe("the demo's emulated diamond", () => {
  it("names the file's IOAM nodes", () => {
    assert.deepEqual([...nodeNamesOf(new EmulatedDiamond().topology)], [["1", "r1"], ["2", "r2"], ["3", "r3"], ["4", "r4"]]);
  });

  it("hands r4's sink h1 → h2's trace (r1, r2, r4) and r1's sink the ping replies' (r4, r2, r1)", () => {
    const start = 1_700_000_030_000; // 30 s into r2's 90 s cycle: its queue is empty
    const d = new EmulatedDiamond({ seed: 1, clock: () => start });
    const obs = Array.from({ length: 200 }, (_, i) => d.send(start + i * 5)).flat();
    const fwd = obs.filter((o) => o.at === "r4");
    const back = obs.filter((o) => o.at === "r1");
    assert.ok(fwd.length === 200, `every packet reaches r4's sink (${fwd.length})`);
    assert.ok(back.length > 30 && back.length < 100, `about 30 % are pings whose replies reach r1's sink (${back.length})`);
    assert.equal(obs.length, fwd.length + back.length, "no other node has a sink");
    for (const o of obs) {
      assert.equal(o.namespaceId, 100);
      assert.equal(o.traceType, Number(DEMO_TRACE.split(" ")[1]));
      assert.equal(o.overflow, false, "size 60 holds three 20-octet nodes");
      assert.equal(o.source, "decap");
    }
    // Wire order (newest first): the decapsulating node, then r2, then the encapsulating node.
    const f = fwd[0]!;
    assert.deepEqual(f.nodes.map((n) => n.nodeId), [4, 2, 1]);
    assert.deepEqual(f.nodes.map((n) => [n.ingressIf, n.egressIf]), [[0x0402, 0xffff], [0x0201, 0x0204], [0x0100, 0x0102]]);
    assert.equal(f.nodes[0]!.queueDepth, 0xffffffff, "the tunnel end has no egress queue (the kernel's 'none')");
    assert.deepEqual(back[0]!.nodes.map((n) => n.nodeId), [1, 2, 4]);
    assert.equal(f.flow?.src, "fd00:10::1", "the flow is what h1 sent, not the tunnel's outer header");
    for (const o of obs) {
      const [a, b, c] = o.nodes.map(usOf);
      // 40-65 µs a crossing, or up to 15 times that in the rare tail.
      for (const gap of [a! - b!, b! - c!]) assert.ok(gap >= 40 && gap <= 65 * 15, `hop gap ${gap} µs`);
    }
  });

  it("reports r2's egress backlog towards r4 during its burst, and the drain time in the next hop's timestamp", () => {
    const start = 1_700_000_010_000 - (1_700_000_010_000 % 90_000) + 10_000; // mid-burst
    const d = new EmulatedDiamond({ seed: 2, clock: () => start });
    const f = d.send(start).find((o) => o.at === "r4")!;
    const r2 = f.nodes[1]!;
    assert.ok(r2Backlog(start) > 50 * 1514, "the model is at its peak");
    assert.ok(Math.abs(r2.queueDepth! - r2Backlog(start)) <= 1514, `queue depth ${r2.queueDepth}`);
    assert.ok(usOf(f.nodes[0]!) - usOf(r2) >= 40 + (r2Backlog(start) * 8) / 1000 - 1, "r2 → r4 includes the drain time");
  });
});
