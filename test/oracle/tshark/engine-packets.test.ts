// Packets the engine makes, decoded by tshark 4.0 field by field as we decode them: encap
// (inline and ip6ip6) and transit fills over several nodes, E2E and DEX added at encap, an
// Incremental Trace after insertions, POT after a path, a loopback copy. Where tshark knows
// only raw bytes (0x11 options, POT, incremental node data) the bytes are compared.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type PacketContext, fixedClock } from "../../../src/node/context.js";
import { newCounters } from "../../../src/node/counters.js";
import { Encapsulator, type EncapPolicy } from "../../../src/node/encap.js";
import { forwardHopLimit } from "../../../src/node/forward.js";
import { potIngress, potPathKeys, potTransit } from "../../../src/node/pot.js";
import { createNodeState } from "../../../src/node/state.js";
import { transitPacket } from "../../../src/node/transit.js";
import { buildPacket } from "../../../src/wire/build.js";
import { nodeLenOf } from "../../../src/wire/ioam/trace-type.js";
import { compareWithTshark, tsharkSkip as skip } from "./compare.js";

const nodes = [1, 2, 3, 4].map((k) =>
  createNodeState({ nodeId: k, nodeIdWide: BigInt(k) << 40n, interfaces: { in: { enabled: true, id: 10 * k, wide: 100 * k }, out: { id: 10 * k + 1, wide: 100 * k + 1 } }, namespaces: [{ id: 7, data: 0x7000 + k, wide: 0x77n << 32n, schema: 9 }], schemas: [{ id: 9, data: new TextEncoder().encode(`node ${k}`) }], features: { incremental: true, loopback: true } }),
);
const time = { sec: 1_700_000_000, nsec: 123_456_789 };
const at = (k: number): PacketContext => ({ stage: "prerouting", ingress: "in", egress: "out", clock: fixedClock(time.sec + k, time.nsec), queueDepth: 64 * k, localAddress: `2001:db8:${k}::1` });
const udp = (i: number) => buildPacket({ src: "2001:db8::1", dst: "2001:db8:99::1", hopLimit: 64, flowLabel: i, options: [], upper: { kind: "udp", srcPort: 1000 + i, dstPort: 53, data: new Uint8Array(20) } });

/** Encap at node 1 (as the originator), then transit + forwarding through nodes 2..hops. */
function journey(policy: EncapPolicy, i: number, hops: number, loopbacks: Uint8Array[] = []): Uint8Array {
  let p = new Encapsulator(policy).process(udp(i), nodes[0]!, { stage: "output", egress: "out", clock: fixedClock(time.sec, time.nsec), queueDepth: 0 }, { tunnelSource: "2001:db8::1" }, { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 }).packet;
  for (let k = 1; k < hops; k++) {
    const c = newCounters();
    const r = transitPacket(p, 0, p.length, nodes[k]!, at(k), c, { onLoopback: (x) => loopbacks.push(x) });
    assert.equal(r.verdict, "pass");
    if (r.verdict === "pass" && r.packet) p = r.packet;
    assert.equal(forwardHopLimit(p, 0, c), "forward");
  }
  return p;
}

describe("tshark 4.0 decodes the engine's packets as we do", { skip }, () => {
  it("encap, transit, E2E, DEX, incremental, POT and loopback packets", async (t) => {
    const packets: Uint8Array[] = [];
    const types = [0x800000, 0xc00000, 0xf00000, 0xff0000, 0x00e000, 0xfce000, 0x800002, 0xfff002, 0x000002];
    for (const [i, type] of types.entries()) {
      for (const mode of ["inline", "encap"] as const) {
        const trace = { namespaceId: 7, traceType: type, size: Math.min(244, 4 * 4 * (8 + 16)) & ~3 };
        packets.push(journey({ mode, freqK: 1, freqN: 1, tundst: "2001:db8:99::1", trace }, i, 4));
        packets.push(journey({ mode, freqK: 1, freqN: 1, tundst: "2001:db8:99::1", trace: { ...trace, size: 8 } }, i, 3)); // overflow on the way
      }
    }
    packets.push(journey({ mode: "encap", freqK: 1, freqN: 1, tundst: "2001:db8:99::1", trace: { namespaceId: 7, traceType: 0xf00000, size: 48 }, e2e: { namespaceId: 7, e2eType: 0x7000 }, dex: { namespaceId: 7, traceType: 0xc00000, flowId: 42, seq: true } }, 1, 3));
    packets.push(journey({ mode: "inline", freqK: 1, freqN: 1, dex: { namespaceId: 7, traceType: 0xff0000, seq: true } }, 2, 2));
    for (const type of [0x800000, 0xd00000, 0xfce002]) {
      const inc = buildPacket({ src: "2001:db8::1", dst: "2001:db8:99::1", hopLimit: 64, options: [{ kind: "trace", variant: "incremental", namespaceId: 7, nodeLen: 0, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 60, traceType: type, reserved: 0, nodes: [] }], upper: { kind: "udp", srcPort: 9, dstPort: 9 } });
      inc[40 + 10] = nodeLenOf(type) << 3; // the builder took NodeLen 0 from the spec
      let p = inc;
      for (let k = 1; k < 4; k++) {
        const r = transitPacket(p, 0, p.length, nodes[k]!, at(k), newCounters());
        if (r.verdict === "pass" && r.packet) p = r.packet;
        packets.push(p);
      }
    }
    const { nodes: keys } = potPathKeys((1n << 61n) - 1n, [17n, 4n, 9n, 5n], [12n, 30n, 8n], [2n, 5n, 9n, 11n]);
    const pot = buildPacket({ src: "2001:db8::1", dst: "2001:db8:99::1", options: [{ kind: "pot", namespaceId: 7, potType: 0, flags: 0, random: 0n, cumulative: 0n }], upper: { kind: "icmp-echo" } });
    potIngress(pot, 44, 0x1234567890abcdefn, keys[0]!);
    potTransit(pot, 44, keys[1]!);
    packets.push(pot);
    const loopbacks: Uint8Array[] = [];
    const lb = journey({ mode: "inline", freqK: 1, freqN: 1, trace: { namespaceId: 7, traceType: 0x800000, size: 32, flags: { overflow: false, loopback: true, active: false, unknownBits: 0 } } }, 3, 4, loopbacks);
    assert.equal(loopbacks.length, 3);
    packets.push(lb, ...loopbacks);
    const comparisons = await compareWithTshark(packets);
    t.diagnostic(`${packets.length} engine packets, ${comparisons} field comparisons`);
    assert.ok(comparisons >= 1000, `${comparisons} field comparisons`);
  });
});
