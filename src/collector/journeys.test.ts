import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TraceNode } from "../wire/ioam/trace-node.js";
import { type Journey, Joiner } from "./journeys.js";
import type { Observation } from "./observation.js";

const node = (id: number, us: number): TraceNode => ({ hopLimit: 64 - id, nodeId: id, tsSec: 1000, tsFrac: us });

/** What the kernel event at the k-th node (1-based) of packet `p` reports: nodes k … 1, newest first. */
function eventAt(p: number, k: number, traceType = 0xb00000): Observation {
  const nodes: TraceNode[] = [];
  for (let i = k; i >= 1; i--) nodes.push(traceType & 0x300000 ? node(i, p * 1000 + i * 10) : { hopLimit: 64 - i, nodeId: i });
  return { source: "kernel-event", time: p, timeSource: "collector-clock", at: `r${k}`, namespaceId: 123, traceType, overflow: false, nodes };
}

function run(obs: Observation[], opts = {}): Journey[] {
  const out: Journey[] = [];
  const j = new Joiner((x) => out.push(x), opts);
  obs.forEach((o) => j.add(o));
  j.drain();
  return out;
}

describe("Joiner", () => {
  it("joins one packet's events from four nodes into one journey, in any arrival order", () => {
    const obs: Observation[] = [];
    for (let p = 0; p < 50; p++) for (let k = 1; k <= 4; k++) obs.push(eventAt(p, k));
    let x = 3;
    for (let i = obs.length - 1; i > 0; i--) {
      x = (x * 48271) % 2147483647;
      const r = x % (i + 1);
      [obs[i], obs[r]] = [obs[r]!, obs[i]!];
    }
    const js = run(obs);
    assert.equal(js.length, 50);
    for (const j of js) {
      assert.equal(j.joinedBy, "content");
      assert.equal(j.observations, 4);
      assert.deepEqual(j.hops.map((h) => h.nodeId), [1, 2, 3, 4]);
      assert.deepEqual([...j.at].sort(), ["r1", "r2", "r3", "r4"]);
    }
  });

  it("does not join traces without timestamps: each observation stays alone", () => {
    const js = run([eventAt(1, 1, 0x800000), eventAt(1, 2, 0x800000), eventAt(2, 2, 0x800000)]);
    assert.equal(js.length, 3);
    assert.ok(js.every((j) => j.joinedBy === "none" && j.observations === 1));
  });

  it("refuses a content key two packets share (same first node entry, different second)", () => {
    const a = eventAt(1, 2);
    const b = eventAt(1, 2);
    b.nodes[0] = { ...b.nodes[0]!, tsFrac: 999_999 }; // same r1 block, another r2 block
    const r1 = eventAt(1, 1);
    const js = run([r1, a, b]);
    assert.equal(js.length, 2);
    const deep = js.filter((j) => j.hops.length === 2);
    assert.equal(deep.length, 2, "b is not attached to a's journey");
  });

  it("joins on the E2E sequence number with the flow, and keeps flows apart", () => {
    const flow = { src: "2001:db8::1", dst: "2001:db8::2" };
    const mk = (seq: number, at: string, k: number, src = flow.src): Observation => ({ ...eventAt(seq, k, 0x800000), source: "packet", at, flow: { ...flow, src }, e2eSeq: seq });
    const js = run([mk(7, "cap-a", 1), mk(7, "cap-b", 3), mk(7, "cap-c", 2, "2001:db8::9")]);
    assert.equal(js.length, 2);
    const joined = js.find((j) => j.observations === 2)!;
    assert.equal(joined.joinedBy, "e2e");
    assert.equal(joined.hops.length, 3);
  });

  it("joins an E2E number seen on the wire (the tunnel's header) with the decapsulating node's record (inner flow + tunnel)", () => {
    const tunnel = { src: "fd00:12::1", dst: "fd00:24::2" };
    const wire: Observation = { ...eventAt(4, 2, 0x800000), source: "packet", at: "cap", flow: tunnel, e2eSeq: 4 };
    const sink: Observation = { ...eventAt(4, 3, 0x800000), source: "decap", at: "r4", flow: { src: "fd00:10::1", dst: "fd00:20::2", tunnel }, e2eSeq: 4 };
    const other: Observation = { ...sink, at: "r5", flow: { src: "fd00:10::1", dst: "fd00:20::2", tunnel: { src: "fd00:13::1", dst: "fd00:24::2" } } };
    const js = run([wire, sink, other]);
    assert.equal(js.length, 2, "another tunnel's number 4 is another packet");
    assert.deepEqual(js.find((j) => j.observations === 2)?.at, ["cap", "r4"]);
  });

  it("joins DEX records on flow id + sequence and orders their blocks by falling hop limit", () => {
    const dex = (id: number, hl: number): Observation => ({ source: "dex", time: 1, timeSource: "daemon-clock", at: `r${id}`, namespaceId: 5, traceType: 0x800000, overflow: false, nodes: [{ hopLimit: hl, nodeId: id }], dexFlowId: 9, dexSeq: 1 });
    const js = run([dex(3, 62), dex(1, 64), dex(2, 63)]);
    assert.equal(js.length, 1);
    assert.equal(js[0]!.joinedBy, "dex");
    assert.deepEqual(js[0]!.hops.map((h) => h.nodeId), [1, 2, 3]);
    assert.equal(js[0]!.pathKey, "5|1>2>3");
  });

  it("closes journeys after the window of collection time and at the memory cap", () => {
    const out: Journey[] = [];
    const j = new Joiner((x) => out.push(x), { windowMs: 10, maxOpen: 3 });
    for (let p = 0; p < 5; p++) j.add(eventAt(p, 1));
    assert.equal(out.length, 2);
    assert.equal(j.evicted, 2);
    j.tick(100);
    assert.equal(out.length, 5);
  });
});
