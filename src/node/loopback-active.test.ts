// Loopback and Active flags (RFC 9322), beyond Linux: a loopback copy goes
// back to the source only for Trace-Type 0x800000, truncated after the trace, L cleared, from
// the node's own address; an Active packet ends at the decapsulating node.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { newCounters } from "./counters.js";
import { decapsulate } from "./decap.js";
import { createNodeState } from "./state.js";
import { transitPacket } from "./transit.js";

const flags = (loopback: boolean, active = false) => ({ overflow: false, loopback, active, unknownBits: 0 });
const probe = (type: number, loopback: boolean, active = false) =>
  buildPacket({ src: "2001:db8::1", dst: "2001:db8:9::1", hopLimit: 64, options: [{ kind: "trace", variant: "prealloc", namespaceId: 5, nodeLen: 1, flags: flags(loopback, active), remainingLen: 4, traceType: type, reserved: 0, nodes: [] }], upper: { kind: "udp", srcPort: 1, dstPort: 2, data: new Uint8Array(100) } });
const cfg = { nodeId: 3, interfaces: { in0: { enabled: true, id: 31 } }, namespaces: [{ id: 5 }] };
const ctx: PacketContext = { stage: "prerouting", ingress: "in0", egress: "out0", clock: fixedClock(1, 0), localAddress: "2001:db8:3::3" };

describe("loopback (RFC 9322)", () => {
  it("sends the source a truncated copy with this node's entry, L cleared, from the node's address", () => {
    const copies: Uint8Array[] = [];
    const b = probe(0x800000, true);
    assert.equal(transitPacket(b, 0, b.length, createNodeState({ ...cfg, features: { loopback: true } }), ctx, newCounters(), { onLoopback: (c) => copies.push(c) }).verdict, "pass");
    assert.equal(copies.length, 1);
    const c = decodePacket(copies[0]!);
    assert.deepEqual([c.ipv6.src, c.ipv6.dst, c.ipv6.nextHeader, c.extHeaders[0]!.nextHeader, c.payload.length], ["2001:db8:3::3", "2001:db8::1", 0, 59, 0]);
    const t = c.options[0]!;
    assert.ok(t.kind === "trace");
    assert.deepEqual([t.flags.loopback, t.remainingLen, t.nodes.map((n) => [n.hopLimit, n.nodeId])], [false, 3, [[63, 3]]]);
    const original = decodePacket(b).options[0]!;
    assert.ok(original.kind === "trace" && original.flags.loopback, "the original keeps L and continues");
  });

  it("does not loop back for any other trace type, without the flag, or when the node is Linux-exact", () => {
    const cases: Array<[number, boolean, boolean]> = [[0xc00000, true, true], [0x800000, false, true], [0x800000, true, false]];
    for (const [type, l, feature] of cases) {
      const copies: Uint8Array[] = [];
      const b = probe(type, l);
      transitPacket(b, 0, b.length, createNodeState({ ...cfg, features: { loopback: feature } }), ctx, newCounters(), { onLoopback: (c) => copies.push(c) });
      assert.equal(copies.length, 0, `type ${type.toString(16)} L ${l} feature ${feature}`);
    }
  });
});

describe("active (RFC 9322)", () => {
  it("the decapsulating node hands the data to its sink and ends the packet", () => {
    let sunk = 0;
    const r = decapsulate(probe(0x800000, false, true), createNodeState(cfg), ctx, newCounters(), () => sunk++);
    assert.deepEqual([r.outcome, sunk], ["terminated-active", 1]);
    assert.equal(decapsulate(probe(0x800000, false, false), createNodeState(cfg), ctx, newCounters(), () => {}).outcome, "decap-inline");
  });
});
