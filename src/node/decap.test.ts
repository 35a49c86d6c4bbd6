// Encap at Alpha → transit at Beta → decap at Gamma, all through the engine (the selftest's
// topology, tools/testing/selftests/net/ioam6.sh): the sink receives the trace with both nodes' data, and the
// packet that leaves the domain is the original one (encap) or the original minus the option
// (inline). Expected values written by hand from the RFC layouts.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import { bytesToHex } from "../wire/hex.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { newCounters } from "./counters.js";
import { type DecapRecord, decapsulate } from "./decap.js";
import { Encapsulator } from "./encap.js";
import { forwardHopLimit } from "./forward.js";
import { createNodeState } from "./state.js";
import { transitPacket } from "./transit.js";

const ALPHA = createNodeState({ nodeId: 1, nodeIdWide: 11111111n, interfaces: { veth0: { id: 101, wide: 101101 } }, namespaces: [{ id: 123, data: 0xdeadbeef, wide: 0xcafec0caf00dc0den }] });
const BETA = createNodeState({ nodeId: 2, nodeIdWide: 22222222n, interfaces: { veth0: { enabled: true, id: 201, wide: 201201 }, veth1: { id: 202, wide: 202202 } }, namespaces: [{ id: 123 }] });
const GAMMA = createNodeState({ nodeId: 3, interfaces: { veth0: { enabled: true, id: 301, wide: 301301 } }, namespaces: [{ id: 123 }] });
const clock = fixedClock(1700000000, 5000);
const ping = () => buildPacket({ src: "2001:db8:1::2", dst: "2001:db8:2::2", hopLimit: 64, options: [], upper: { kind: "icmp-echo", id: 1, seq: 1, data: new Uint8Array(16) } });

function journey(mode: "inline" | "encap", extra: Uint8Array | undefined = undefined) {
  const e = new Encapsulator({ mode, freqK: 1, freqN: 1, ...(mode === "encap" ? { tundst: "2001:db8:2::2" } : {}), trace: { namespaceId: 123, traceType: 0xc00000, size: 24 } });
  const atAlpha: PacketContext = { stage: "output", egress: "veth0", clock };
  let p = e.process(extra ?? ping(), ALPHA, atAlpha, { tunnelSource: "2001:db8:1::2" }, { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 }).packet;
  const c = newCounters();
  assert.equal(transitPacket(p, 0, p.length, BETA, { stage: "prerouting", ingress: "veth0", egress: "veth1", clock, queueDepth: 0 }, c).verdict, "pass");
  assert.equal(forwardHopLimit(p, 0, c), "forward");
  const got: DecapRecord[] = [];
  const r = decapsulate(p, GAMMA, { stage: "prerouting", ingress: "veth0", clock }, c, (x) => got.push(x));
  p = "packet" in r ? r.packet : new Uint8Array(0);
  return { r, out: p, got };
}

describe("decapsulation at the domain edge", () => {
  it("encap: the sink gets Gamma, Beta and Alpha's data (newest first); the inner packet leaves unchanged", () => {
    const { r, out, got } = journey("encap");
    assert.equal(r.outcome, "decap-encap");
    assert.equal(bytesToHex(out), bytesToHex(ping()));
    assert.equal(got.length, 1);
    const t = got[0]!.options[0]!;
    assert.ok(t.kind === "trace");
    assert.deepEqual(t.nodes.map((n) => [n.hopLimit, n.nodeId, n.ingressIf, n.egressIf]), [
      [62, 3, 301, 0xffff], // Gamma: received with 63, local delivery (loopback egress)
      [63, 2, 201, 202], // Beta: received 64 − 1
      [64, 1, 0xffff, 101], // Alpha: local packet, hop limit as is, no ingress
    ]);
    assert.deepEqual([got[0]!.mode, got[0]!.src, got[0]!.dst], ["encap", "2001:db8:1::2", "2001:db8:2::2"]);
  });

  it("inline: the Hop-by-Hop header goes away and the packet is the original one, one hop older", () => {
    const { r, out, got } = journey("inline");
    assert.equal(r.outcome, "decap-inline");
    const expect = ping();
    expect[7] = 63;
    assert.equal(bytesToHex(out), bytesToHex(expect));
    assert.equal(got[0]!.mode, "inline");
  });

  it("inline: other Hop-by-Hop options stay, at their alignment, with no more than 7 octets of padding", () => {
    // A packet that already has a Router Alert: inline mode leaves it alone (ioam6_do_inline skips it), so
    // build it with both options the way a host with its own HbH would send it.
    const withRa = buildPacket({ src: "2001:db8:1::2", dst: "2001:db8:2::2", hopLimit: 64, options: [{ kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: 2, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 5, traceType: 0xc00000, reserved: 0, nodes: [] }], upper: { kind: "icmp-echo", id: 1, seq: 1, data: new Uint8Array(16) } });
    // Append a Router Alert (05 02 00 00) in the tail padding: the header ends "01 02 00 00" for size 20.
    const tail = 40 + (withRa[41]! + 1) * 8 - 4;
    assert.deepEqual([...withRa.subarray(tail, tail + 4)], [1, 2, 0, 0]);
    withRa.set([5, 2, 0, 0], tail);
    const got: DecapRecord[] = [];
    const r = decapsulate(withRa, GAMMA, { stage: "prerouting", ingress: "veth0", clock }, newCounters(), (x) => got.push(x));
    assert.equal(r.outcome, "decap-inline");
    if (r.outcome !== "decap-inline") return;
    const rec = decodePacket(r.packet);
    const hbh = rec.extHeaders[0]!;
    assert.ok(hbh.kind === "hop");
    assert.equal(rec.options.length, 0);
    const ra = hbh.tlvs.find((t) => t.type === 5)!;
    assert.equal((ra.offset - 40) % 8, (tail - 40) % 8, "router alert keeps its alignment");
    assert.equal(transitPacket(r.packet.slice(), 0, r.packet.length, GAMMA, { stage: "prerouting", ingress: "veth0", egress: "veth0", clock }, newCounters()).verdict, "pass", "Linux's padding rules accept it");
    assert.equal(bytesToHex(r.packet.subarray(40 + hbh.length)), bytesToHex(ping().subarray(40)));
  });

  it("leaves a packet without IOAM alone", () => {
    const p = ping();
    assert.deepEqual(decapsulate(p, GAMMA, { stage: "prerouting", ingress: "veth0", clock }, newCounters(), () => assert.fail("no sink call")), { outcome: "no-ioam", packet: p });
  });
});
