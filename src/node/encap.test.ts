// The encapsulating node against the lwtunnel's Hop-by-Hop template and its worked example
// (docs/worked-packets.md), ioam6_output in net/ipv6/ioam6_iptunnel.c (frequency, modes, copied
// fields), and the kernel selftest's OUTPUT expectations with Alpha's values
// (tools/testing/selftests/net/ioam6.sh, ioam6_parser.c). Expected bytes are written by hand.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import { bytesToHex } from "../wire/hex.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { type EncapCounters, type EncapMode, type EncapSequences, Encapsulator, type EncapPolicy } from "./encap.js";
import { forwardHopLimit } from "./forward.js";
import { newCounters } from "./counters.js";
import { createNodeState } from "./state.js";
import { transitPacket } from "./transit.js";

const ALPHA = createNodeState({
  nodeId: 1,
  nodeIdWide: 11111111n,
  interfaces: { veth0: { id: 101, wide: 101101 } },
  namespaces: [{ id: 123, data: 0xdeadbeef, wide: 0xcafec0caf00dc0den, schema: 777 }],
  schemas: [{ id: 777, data: new TextEncoder().encode("something that will be 4n-aligned") }],
});
const EMPTY_NODE = createNodeState({});
const ping = (hopLimit = 64) => buildPacket({ src: "2001:db8:1::2", dst: "2001:db8:2::2", hopLimit, flowLabel: 0x12345, trafficClass: 0x28, options: [], upper: { kind: "icmp-echo", id: 7, seq: 1, data: new Uint8Array(56) } });
/** A ping sent by Alpha itself, routed out of veth0 (the selftest's OUTPUT case). */
const LOCAL: PacketContext = { stage: "output", egress: "veth0", clock: fixedClock(1700000000, 123456789), queueDepth: 0 };
const counters = (): EncapCounters => ({ encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 });
const policy = (mode: EncapMode, traceType: number, size: number, namespaceId = 123, more: Partial<EncapPolicy> = {}): EncapPolicy => ({ mode, freqK: 1, freqN: 1, ...(mode === "inline" ? {} : { tundst: "2001:db8:2::2" }), trace: { namespaceId, traceType, size }, ...more });
const u32 = (b: Uint8Array, o: number) => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

describe("encapsulation: the lwtunnel's Hop-by-Hop header", () => {
  it("gives the lwtunnel template's worked example: type 0x800000, ns 123, size 4, node without namespace 123", () => {
    const p = ping();
    const { outcome, packet } = new Encapsulator(policy("inline", 0x800000, 4)).process(p, EMPTY_NODE, LOCAL, {}, counters());
    assert.equal(outcome, "inline");
    assert.equal(bytesToHex(packet.subarray(40, 64)), "3a02010031 0e0000007b0801 80000000 00000000 01020000".replace(/ /g, ""));
    assert.equal(packet[6], 0);
    assert.equal((packet[4]! << 8) | packet[5]!, p.length - 40 + 24);
    assert.deepEqual(packet.subarray(64), p.subarray(40));
  });

  it("has 16 + ALIGN(S, 8) octets and ext len (16 + ALIGN(S, 8))/8 − 1 for every size 4..244", () => {
    for (let size = 4; size <= 244; size += 4) {
      const { packet } = new Encapsulator(policy("inline", 0x800000, size, 0)).process(ping(), EMPTY_NODE, LOCAL, {}, counters());
      const len = 16 + ((size + 7) & ~7);
      assert.equal(packet.length, ping().length + len, `size ${size}`);
      assert.equal(packet[41], len / 8 - 1);
      assert.deepEqual([...packet.subarray(42, 48)], [0x01, 0x00, 0x31, 10 + size, 0, 0]);
      assert.ok(packet.subarray(56, 56 + size).every((x) => x === 0), "data space zeroed");
      if (size % 8 === 4) assert.deepEqual([...packet.subarray(56 + size, 60 + size)], [0x01, 0x02, 0, 0]);
      assert.equal(packet[51]! & 0x7f, size / 4, "RemainingLen");
    }
  });
});

/** Alpha's expected data per single bit (ioam6_parser.c, output from Alpha), as checks on the node block. */
const ALPHA_OUTPUT: Record<number, (b: Uint8Array, o: number) => void> = {
  0: (b, o) => (assert.equal(b[o], 64), assert.equal(u32(b, o) & 0xffffff, 1)),
  1: (b, o) => assert.deepEqual([(b[o]! << 8) | b[o + 1]!, (b[o + 2]! << 8) | b[o + 3]!], [0xffff, 101]),
  2: (b, o) => assert.equal(u32(b, o), 0xffffffff),
  3: (b, o) => assert.equal(u32(b, o), 0xffffffff),
  4: (b, o) => assert.equal(u32(b, o), 0xffffffff),
  5: (b, o) => assert.equal(u32(b, o), 0xdeadbeef),
  6: (b, o) => assert.notEqual(u32(b, o), 0xffffffff),
  7: (b, o) => assert.equal(u32(b, o), 0xffffffff),
  8: (b, o) => (assert.equal(b[o], 64), assert.equal(bytesToHex(b.subarray(o + 1, o + 8)), (11111111).toString(16).padStart(14, "0"))),
  9: (b, o) => assert.deepEqual([u32(b, o), u32(b, o + 4)], [0xffffffff, 101101]),
  10: (b, o) => assert.equal(bytesToHex(b.subarray(o, o + 8)), "cafec0caf00dc0de"),
  11: (b, o) => assert.equal(u32(b, o), 0xffffffff),
  22: (b, o) => {
    assert.deepEqual([b[o], (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!], [9, 777]);
    assert.equal(new TextDecoder().decode(b.subarray(o + 4, o + 37)), "something that will be 4n-aligned");
    assert.deepEqual([...b.subarray(o + 37, o + 40)], [0, 0, 0]);
  },
};

describe("encapsulation: the selftest's OUTPUT cases with Alpha's values", () => {
  const modes: Array<[string, EncapMode, Partial<EncapPolicy>, string]> = [
    ["inline", "inline", {}, ""],
    ["encap", "encap", {}, "2001:db8:1::2"],
    ["encap + tunsrc", "encap", { tunsrc: "2001:db8:1::50" }, "2001:db8:1::50"],
  ];
  for (const [name, mode, more, outerSrc] of modes) {
    it(`${name}: every single bit 0–11 and 22 carries Alpha's value; header O=0, RemLen 0`, () => {
      for (const bit of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 22]) {
        const type = 0x800000 >>> bit;
        const size = bit === 22 ? 40 : bit >= 8 && bit <= 10 ? 8 : 4;
        const p = ping();
        const { packet } = new Encapsulator(policy(mode, type, size, 123, more)).process(p, ALPHA, LOCAL, { tunnelSource: "2001:db8:1::2" }, counters());
        const rec = decodePacket(packet);
        assert.equal(rec.extHeaders[0]!.nextHeader, mode === "inline" ? 58 : 41, `bit ${bit}: HbH Next Header`);
        const t = rec.options[0]!;
        assert.ok(t.kind === "trace");
        assert.deepEqual([t.flags.overflow, t.nodeLen, t.remainingLen, t.namespaceId], [false, bit === 22 ? 0 : bit >= 8 && bit <= 10 ? 2 : 1, 0, 123], `bit ${bit}`);
        ALPHA_OUTPUT[bit]!(packet, 56);
        if (mode !== "inline") {
          assert.equal(rec.ipv6.src, outerSrc);
          assert.equal(rec.ipv6.dst, "2001:db8:2::2");
          assert.deepEqual([rec.ipv6.hopLimit, rec.ipv6.flowLabel, rec.ipv6.trafficClass], [64, 0x12345, 0x28], "outer copies the inner header");
          assert.deepEqual(packet.subarray(packet.length - p.length), p, "inner packet unchanged");
        }
      }
    });

    it(`${name}: undefined namespace, no room, no room for the snapshot, full supported trace`, () => {
      const run = (type: number, size: number, ns: number) => {
        const { packet } = new Encapsulator(policy(mode, type, size, ns, more)).process(ping(), ALPHA, LOCAL, { tunnelSource: "2001:db8:1::2" }, counters());
        return { packet, t: decodePacket(packet).options[0]! };
      };
      const undef = run(0x800000, 4, 0);
      assert.ok(undef.t.kind === "trace" && !undef.t.flags.overflow && undef.t.nodeLen === 1 && undef.t.remainingLen === 1);
      assert.ok(undef.packet.subarray(56, 60).every((x) => x === 0));
      const noRoom = run(0xc00000, 4, 123);
      assert.ok(noRoom.t.kind === "trace" && noRoom.t.flags.overflow && noRoom.t.nodeLen === 2 && noRoom.t.remainingLen === 1);
      assert.ok(noRoom.packet.subarray(56, 60).every((x) => x === 0));
      const noRoomOss = run(0x000002, 4, 123);
      assert.ok(noRoomOss.t.kind === "trace" && noRoomOss.t.flags.overflow && noRoomOss.t.nodeLen === 0 && noRoomOss.t.remainingLen === 1);
      const full = run(0xfff002, 100, 123);
      assert.ok(full.t.kind === "trace" && !full.t.flags.overflow && full.t.nodeLen === 15 && full.t.remainingLen === 0);
    });
  }
});

describe("encapsulation: frequency, modes, stage and MTU (ioam6_output)", () => {
  it("k/n = 3/10 instruments packets 0, 1, 2 of every 10", () => {
    const e = new Encapsulator({ ...policy("inline", 0x800000, 4), freqK: 3, freqN: 10 });
    const got = Array.from({ length: 25 }, () => e.process(ping(), ALPHA, LOCAL, {}, counters()).outcome === "inline");
    assert.deepEqual(got.flatMap((x, i) => (x ? [i] : [])), [0, 1, 2, 10, 11, 12, 20, 21, 22]);
  });

  it("inline leaves a packet that already has a Hop-by-Hop header unchanged, and the counter still advances", () => {
    const e = new Encapsulator({ ...policy("inline", 0x800000, 4), freqK: 1, freqN: 2 });
    const withHbh = e.process(ping(), ALPHA, LOCAL, {}, counters()).packet; // packet 0: instrumented
    const again = e.process(withHbh, ALPHA, LOCAL, {}, counters()); // packet 1: skipped by frequency
    assert.equal(again.outcome, "skipped-frequency");
    const third = e.process(withHbh, ALPHA, LOCAL, {}, counters()); // packet 2: would be, but has HbH
    assert.deepEqual([third.outcome, third.packet], ["skipped-hop-by-hop", withHbh]);
    assert.equal(e.process(ping(), ALPHA, LOCAL, {}, counters()).outcome, "skipped-frequency", "packet 3");
  });

  it("auto is inline for local packets and encap for forwarded ones", () => {
    const e = new Encapsulator(policy("auto", 0x800000, 4));
    assert.equal(e.process(ping(), ALPHA, LOCAL, {}, counters()).outcome, "inline");
    assert.equal(e.process(ping(), ALPHA, { ...LOCAL, stage: "prerouting", ingress: "veth1" }, { tunnelSource: "2001:db8:1::2" }, counters()).outcome, "encap");
  });

  it("at prerouting, after the kernel's forwarding step the bytes equal the lwtunnel's (which runs after forwarding)", () => {
    const fwd: PacketContext = { stage: "prerouting", ingress: "veth1", egress: "veth0", clock: LOCAL.clock, queueDepth: 0 };
    for (const mode of ["inline", "encap"] as const) {
      // ioamkit at prerouting, then the kernel forwards (hop limit − 1 on the outermost header).
      const ours = new Encapsulator(policy(mode, 0x800000, 4)).process(ping(64), ALPHA, fwd, { tunnelSource: "2001:db8:1::2" }, counters()).packet;
      assert.equal(forwardHopLimit(ours, 0, newCounters()), "forward");
      // The lwtunnel: the kernel forwards first (64 → 63), then encapsulates with is_input false.
      const lwt = new Encapsulator(policy(mode, 0x800000, 4)).process(ping(63), ALPHA, { ...fwd, stage: "output" }, { tunnelSource: "2001:db8:1::2" }, counters()).packet;
      assert.equal(bytesToHex(ours), bytesToHex(lwt), mode);
      assert.equal(ours[56], 63, `${mode}: recorded hop limit`);
    }
  });

  it("never exceeds the egress MTU: such a packet goes out uninstrumented and is counted", () => {
    const c = counters();
    const p = ping();
    const e = new Encapsulator(policy("encap", 0x800000, 4));
    const r = e.process(p, ALPHA, LOCAL, { mtu: p.length + 40 + 23, tunnelSource: "2001:db8:1::2" }, c);
    assert.deepEqual([r.outcome, r.packet, c.encap_skipped_mtu], ["skipped-mtu", p, 1]);
    assert.equal(e.process(p, ALPHA, LOCAL, { mtu: p.length + 40 + 24, tunnelSource: "2001:db8:1::2" }, c).outcome, "encap");
  });

  it("leaves a packet the kernel will drop for its hop limit to the kernel", () => {
    const r = new Encapsulator(policy("inline", 0x800000, 4)).process(ping(1), ALPHA, { ...LOCAL, stage: "prerouting", ingress: "veth1" }, {}, counters());
    assert.equal(r.outcome, "skipped-hop-limit");
  });
});


describe("encapsulation into a caller's buffer (the data plane's path)", () => {
  const fwd: PacketContext = { stage: "prerouting", ingress: "veth1", egress: "veth0", clock: LOCAL.clock, queueDepth: 0 };
  it("decide() + writeInstrumented() at an offset of a dirty buffer write exactly process()'s bytes, reading the packet from an offset", () => {
    for (const mode of ["inline", "encap"] as const) {
      for (const more of [{}, { dex: { namespaceId: 123, traceType: 0x800000, seq: true } }] as Array<Partial<EncapPolicy>>) {
        const want = new Encapsulator(policy(mode, 0xf00000, 24, 123, more)).process(ping(), ALPHA, fwd, { tunnelSource: "2001:db8:1::2" }, counters()).packet;
        const src = new Uint8Array(300).fill(0x55);
        src.set(ping(), 17);
        const e = new Encapsulator(policy(mode, 0xf00000, 24, 123, more));
        const c = counters();
        const grow = e.decide(src, 17, ping().length, ALPHA, fwd, { tunnelSource: "2001:db8:1::2" }, c);
        assert.equal(grow, want.length - ping().length);
        const out = new Uint8Array(600).fill(0xaa);
        e.writeInstrumented(src, 17, ping().length, out, 33, ALPHA, fwd, { tunnelSource: "2001:db8:1::2" });
        assert.equal(bytesToHex(out.subarray(33, 33 + want.length)), bytesToHex(want), `${mode} ${JSON.stringify(Object.keys(more))}`);
        assert.ok(out.subarray(0, 33).every((x) => x === 0xaa) && out.subarray(33 + want.length).every((x) => x === 0xaa), "nothing outside the packet written");
        assert.equal(c.encapInline + c.encapOuter, 1);
      }
    }
  });

  it("takes its frequency counter and sequences from the caller (one shared set across workers keeps k/n exact)", () => {
    let count = 0;
    const shared: EncapSequences = { frequency: () => count++, e2e: () => 0n, dex: () => 0 };
    const a = new Encapsulator({ ...policy("inline", 0x800000, 4), freqK: 1, freqN: 2 }, shared);
    const b = new Encapsulator({ ...policy("inline", 0x800000, 4), freqK: 1, freqN: 2 }, shared);
    const got = [a, b, a, a, b, b, a, b].map((e) => e.process(ping(), ALPHA, LOCAL, {}, counters()).outcome);
    assert.equal(got.filter((o) => o === "inline").length, 4);
    assert.deepEqual(got.map((o) => o === "inline"), [true, false, true, false, true, false, true, false]);
  });

  it("starts an Incremental Trace with this node's block, which the next incremental node follows", () => {
    const inc: EncapPolicy = { mode: "inline", freqK: 1, freqN: 1, trace: { namespaceId: 123, traceType: 0x800000, size: 12, variant: "incremental" } };
    const e = new Encapsulator(inc);
    const c = counters();
    const grow = e.decide(ping(), 0, ping().length, ALPHA, fwd, {}, c);
    const out = new Uint8Array(ping().length + grow);
    e.writeInstrumented(ping(), 0, ping().length, out, 0, ALPHA, fwd, {});
    const t = decodePacket(out).options[0]!;
    assert.ok(t.kind === "trace" && t.variant === "incremental");
    assert.deepEqual([t.remainingLen, t.nodes.map((n) => [n.hopLimit, n.nodeId])], [2, [[63, 1]]]);
    const next = createNodeState({ nodeId: 2, interfaces: { veth9: { enabled: true, id: 9 } }, namespaces: [{ id: 123 }], features: { incremental: true } });
    const r = transitPacket(out, 0, out.length, next, { stage: "prerouting", ingress: "veth9", clock: LOCAL.clock }, newCounters());
    assert.ok(r.verdict === "pass" && r.packet);
    const t2 = decodePacket(r.packet).options[0]!;
    assert.ok(t2.kind === "trace");
    assert.deepEqual(t2.nodes.map((n) => n.nodeId), [2, 1], "newest first");
  });

  it("inserts an Incremental Trace at a packet's offset within a larger buffer (transit)", () => {
    const inc: EncapPolicy = { mode: "inline", freqK: 1, freqN: 1, trace: { namespaceId: 123, traceType: 0x800000, size: 12, variant: "incremental" } };
    const p = new Encapsulator(inc).process(ping(), EMPTY_NODE, LOCAL, {}, counters()).packet;
    const buf = new Uint8Array(p.length + 20).fill(9);
    buf.set(p, 10);
    const next = createNodeState({ nodeId: 2, interfaces: { veth9: { enabled: true, id: 9 } }, namespaces: [{ id: 123 }], features: { incremental: true } });
    const r = transitPacket(buf, 10, 10 + p.length, next, { stage: "prerouting", ingress: "veth9", clock: LOCAL.clock }, newCounters());
    assert.ok(r.verdict === "pass" && r.packet);
    const t = decodePacket(r.packet).options[0]!;
    assert.ok(t.kind === "trace");
    assert.deepEqual(t.nodes.map((n) => n.nodeId), [2]);
  });
});

describe("encapsulation: a per-packet opaque snapshot (docs/cross-layer.md)", () => {
  const snapshot = { schemaId: 0x696f6b, data: Uint8Array.from({ length: 28 }, (_, i) => i + 1) };
  const node = (b: Uint8Array) => decodePacket(b).options.find((o) => o.kind === "trace");

  it("writes the hook's schema and data in this node's entry instead of the namespace's schema, and hands the hook the original packet", () => {
    for (const mode of ["inline", "encap"] as const) {
      const seen: string[] = [];
      const facts = { tunnelSource: "2001:db8:1::2", opaqueFor: (p: Uint8Array) => (seen.push(bytesToHex(p)), snapshot) };
      const out = new Encapsulator(policy(mode, 0x800002, 4 + 32)).process(ping(), ALPHA, LOCAL, facts, counters()).packet;
      assert.deepEqual(seen, [bytesToHex(ping())], mode);
      const t = node(out);
      assert.ok(t && t.kind === "trace");
      assert.equal(t.nodes.length, 1);
      assert.equal(t.nodes[0]!.nodeId, 1);
      assert.equal(t.nodes[0]!.opaque?.schemaId, 0x696f6b);
      assert.deepEqual([...t.nodes[0]!.opaque!.data], [...snapshot.data]);
    }
  });

  it("writes exactly Linux's bytes when the hook answers undefined (the namespace's fixed schema)", () => {
    for (const mode of ["inline", "encap"] as const) {
      const plain = new Encapsulator(policy(mode, 0x800002, 4 + 40)).process(ping(), ALPHA, LOCAL, { tunnelSource: "2001:db8:1::2" }, counters()).packet;
      const hooked = new Encapsulator(policy(mode, 0x800002, 4 + 40)).process(ping(), ALPHA, LOCAL, { tunnelSource: "2001:db8:1::2", opaqueFor: () => undefined }, counters()).packet;
      assert.equal(bytesToHex(hooked), bytesToHex(plain), mode);
      assert.equal(node(plain)!.kind === "trace" && node(plain)!.nodes[0]!.opaque?.schemaId, 777);
    }
  });

  it("sets Overflow when the snapshot does not fit the pre-allocated room (RFC 9197 §4.4.2.13 counts it in the node's data)", () => {
    const out = new Encapsulator(policy("inline", 0x800002, 4 + 28)).process(ping(), ALPHA, LOCAL, { opaqueFor: () => snapshot }, counters()).packet;
    const t = node(out);
    assert.ok(t && t.kind === "trace" && t.flags.overflow && t.nodes.length === 0);
  });
});
