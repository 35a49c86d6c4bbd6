// `ioam monitor --json` receives the ioam6_events of real traffic through a kernel IOAM router
// (h1 — r1 — h2, r1 configured with ip ioam and sysctl from the fixture table). Oracle: each
// event's node data equals what r1 wrote into the packet that reached h2 (captured there), and
// the values are the fixture's: node id, interface ids, namespace data, hop limit.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildPacket } from "../../src/wire/build.js";
import { decodePacket } from "../../src/wire/packet.js";
import { parseOptionWords } from "../../src/wire/ioam/option-words.js";
import { routerFixture, configureWithIproute2 } from "../fixtures/node-config.js";
import { NetnsSet, pathWithoutIproute2, rootSkip } from "../harness/netns.js";
import { Capture, injectPackets, startIoamMonitor } from "../harness/process.js";
import { type Chain, chain } from "../../src/lab/line.js";

const skip = rootSkip();

interface EventRecord {
  v: number;
  source: string;
  option: { kind: string; namespaceId: number; nodeLen: number; traceType: string; nodes: Array<Record<string, unknown>> };
}

describe("ioam monitor with traffic through a kernel IOAM router", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let net: Chain;
  let cap: Capture | undefined;
  before(() => {
    net = chain(nets, 1, "ev");
    configureWithIproute2(net.routers[0]!, routerFixture(1));
  });
  after(() => (cap?.cleanup(), nets.cleanup(), bin.cleanup()));

  const packet = (words: string, hopLimit = 64) =>
    buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit, options: parseOptionWords(words.split(" ")), upper: { kind: "udp", srcPort: 4000, dstPort: 5000, data: new Uint8Array(8) } });

  it("prints one canonical record per traced packet, equal to the node data r1 put in the packet", async () => {
    const traced = ["trace prealloc type 0xf00000 ns 123 size 32", "trace prealloc type 0x8a4000 ns 123 size 60", "trace prealloc type 0x800002 ns 123 size 64"];
    const ignored = ["trace prealloc type 0xf00000 ns 999 size 16"]; // unknown IOAM namespace: no event
    const mon = await startIoamMonitor(["--netns", net.routers[0]!, "monitor", "--json", "--count", String(traced.length)], bin.path);
    cap = await Capture.start(net.h2, "west", `ip6 dst host ${net.h2Addr}`);
    const t0 = BigInt(Date.now()) * 1_000_000n;
    injectPackets(nets, net.h1, [...ignored, ...traced].map((w) => packet(w)));
    const { code, out } = await mon.done;
    const t1 = BigInt(Date.now()) * 1_000_000n;
    assert.equal(code, 0);
    const events = out.trim().split("\n").map((l) => JSON.parse(l) as EventRecord);
    const arrived = (await cap.stop(traced.length + ignored.length)).map((p) => decodePacket(p.ipv6)).filter((r) => r.upper.dstPort === 5000);
    assert.equal(arrived.length, traced.length + ignored.length, "every packet was forwarded");
    assert.equal(events.length, traced.length);

    for (const [i, e] of events.entries()) {
      const pkt = arrived[i + ignored.length]!;
      const trace = pkt.options[0]!;
      assert.equal(trace.kind, "trace");
      if (trace.kind !== "trace") continue;
      assert.equal(e.source, "kernel-event");
      assert.equal(e.option.namespaceId, 123);
      assert.equal(e.option.nodeLen, trace.nodeLen);
      assert.equal(e.option.traceType, "0x" + trace.traceType.toString(16).padStart(6, "0"));
      assert.equal(trace.nodes.length, 1, "r1 filled one node");
      const n = e.option.nodes[0]!;
      // Event and packet agree on every field the trace type carries.
      const p = trace.nodes[0]!;
      for (const [k, v] of Object.entries(n)) {
        const pv = (p as Record<string, unknown>)[k];
        assert.deepEqual(JSON.parse(JSON.stringify(pv, (_k, x) => (typeof x === "bigint" ? "0x" + x.toString(16).padStart(16, "0") : x instanceof Uint8Array ? "bytes" : x))), k === "opaque" ? { ...(v as object), data: "bytes" } : v, `event ${i} ${k}`);
      }
      // And carry the fixture's values: hop limit 64 − 1, node id 1, west in (11), east out (12).
      assert.equal(n.hopLimit, 63);
      if ("nodeId" in n) assert.equal(n.nodeId, 1);
      if ("ingressIf" in n) (assert.equal(n.ingressIf, 11), assert.equal(n.egressIf, 12));
      if ("nodeIdWide" in n) assert.equal(n.nodeIdWide, "0x0001000000000001");
      if ("nsData" in n) assert.equal(n.nsData, 0xdead0001);
      if ("opaque" in n) assert.equal((n.opaque as { schemaId: number }).schemaId, 777);
      if ("tsSec" in n) {
        const ts = BigInt(n.tsSec as number) * 1_000_000_000n + BigInt(n.tsFrac as number) * 1000n;
        assert.ok(ts >= t0 - 1_000_000n && ts <= t1, `timestamp ${ts} within [${t0}, ${t1}]`);
      }
    }
    const unknown = arrived[0]!.options[0]!;
    assert.ok(unknown.kind === "trace" && unknown.nodes.length === 0 && unknown.remainingLen === 4, "unknown namespace left untouched");
  });
});
