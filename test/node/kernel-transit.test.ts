// Kernel differential test of transit: the same packets go through kernel IOAM routers (one,
// then three, configured with ip ioam and sysctl from the fixture table) and through the
// engine, given only that fixture, the interface names, and the kernel's timestamp and queue
// values. Every byte the engine writes must equal what left the kernel; the kernel's drops are
// the engine's drops with the same counter (Ip6InHdrErrors); every ioam6_events message equals
// the engine's event (for traffic to a router and expired hop limits, that event is the oracle).

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { transitPacket } from "../../src/node/transit.js";
import { forwardHopLimit } from "../../src/node/forward.js";
import { newCounters } from "../../src/node/counters.js";
import { type NodeState, createNodeState } from "../../src/node/state.js";
import type { PacketContext } from "../../src/node/context.js";
import type { TraceEventRecord } from "../../src/node/events.js";
import { traceEventLine } from "../../src/cli/format-ioam6.js";
import { bytesToHex } from "../../src/wire/hex.js";
import { configureWithIproute2, routerFixture, fixtureNodeConfig } from "../fixtures/node-config.js";
import { NetnsSet, pathWithoutIproute2, rootSkip } from "../harness/netns.js";
import { Capture, injectPackets, startIoamMonitor } from "../harness/process.js";
import { type Chain, chain } from "../../src/lab/line.js";
import { type TransitCase, casePacket, transitCases } from "./transit-cases.js";

const skip = rootSkip();

/** The kernel's counter Ip6InHdrErrors of a netns. */
function inHdrErrors(nets: NetnsSet, ns: string): number {
  const m = /^Ip6InHdrErrors\s+(\d+)/m.exec(nets.exec(ns, "cat", ["/proc/net/snmp6"]));
  return Number(m![1]);
}

/** Offset, within a node block, of short field `bit` (0–7): 4 octets per set bit before it. */
function fieldOffset(type: number, bit: number): number {
  let n = 0;
  for (let b = 0; b < bit; b++) if (type & (0x800000 >>> b)) n += 4;
  return n;
}

interface KernelRun {
  /** Packets that arrived at each host, by case index. */
  arrived: Map<number, Uint8Array>;
  /** Event lines per router, in order. */
  events: string[][];
  hdrErrors: number[];
  window: [bigint, bigint];
}

async function runKernel(nets: NetnsSet, net: Chain, cases: TransitCase[], packets: Uint8Array[], path: string): Promise<KernelRun> {
  const monitors = await Promise.all(net.routers.map((r) => startIoamMonitor(["--netns", r, "monitor"], path)));
  const caps = [await Capture.start(net.h2, "west", "udp or ip6 proto 0"), await Capture.start(net.h1, "east", "udp or ip6 proto 0")];
  const before = net.routers.map((r) => inHdrErrors(nets, r));
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const fromH1 = packets.filter((_, i) => cases[i]!.from === "h1");
  const fromH2 = packets.filter((_, i) => cases[i]!.from === "h2");
  injectPackets(nets, net.h1, fromH1);
  injectPackets(nets, net.h2, fromH2);
  const expectArrivals = cases.filter((c) => c.to === "host").length;
  const got = [...(await caps[0]!.stop(Math.min(expectArrivals, fromH1.length) - 40)), ...(await caps[1]!.stop(fromH2.length))];
  const t1 = BigInt(Date.now()) * 1_000_000n;
  caps.forEach((c) => c.cleanup());
  for (const m of monitors) m.child.kill("SIGINT");
  const events = (await Promise.all(monitors.map((m) => m.done))).map((d) => d.out.split("\n").filter(Boolean));
  const arrived = new Map<number, Uint8Array>();
  for (const p of got) {
    const port = udpSourcePort(p.ipv6);
    if (port !== undefined && port >= 20000) arrived.set(port - 20000, p.ipv6);
  }
  return { arrived, events, hdrErrors: net.routers.map((r, k) => inHdrErrors(nets, r) - before[k]!), window: [t0, t1] };
}

/** The UDP source port, found by walking past a Hop-by-Hop header if there is one. */
function udpSourcePort(p: Uint8Array): number | undefined {
  let nh = p[6]!;
  let at = 40;
  if (nh === 0) (nh = p[at]!), (at += (p[at + 1]! + 1) * 8);
  return nh === 17 && at + 2 <= p.length ? (p[at]! << 8) | p[at + 1]! : undefined;
}

interface EngineRun {
  out?: Uint8Array;
  events: TraceEventRecord[][];
  hdrErrors: number[];
}

/**
 * The engine's journey of one packet through the routers. `kernelEvent(k)` gives the kernel's
 * next event of router k: its first node block holds the kernel's timestamp and queue depth.
 */
function runEngine(packet: Uint8Array, c: TransitCase, routers: NodeState[], kernelEvent: (k: number) => string | undefined): EngineRun {
  const b = packet.slice();
  const run: EngineRun = { events: routers.map(() => []), hdrErrors: routers.map(() => 0) };
  const order = c.from === "h1" ? routers.map((_, k) => k) : routers.map((_, k) => routers.length - 1 - k);
  for (const [step, k] of order.entries()) {
    const counters = newCounters();
    const local = c.to === "router" && step === 0;
    const ctx: PacketContext = { stage: "prerouting", ingress: c.from === "h1" ? "west" : "east", time: { sec: 0, nsec: 0 }, queueDepth: 0 };
    if (!local) ctx.egress = c.from === "h1" ? "east" : "west";
    // First pass with placeholder time, to learn whether an event comes and where its block is.
    const probe = b.slice();
    const seen: TraceEventRecord[] = [];
    transitPacket(probe, 0, probe.length, routers[k]!, ctx, newCounters(), { onEvent: (e) => seen.push(e) });
    for (const [j, e] of seen.entries()) {
      const line = kernelEvent(k);
      if (j === 0 && line) takeKernelValues(line, e, ctx);
    }
    const verdict = transitPacket(b, 0, b.length, routers[k]!, ctx, counters, { onEvent: (e) => run.events[k]!.push(e) });
    if (verdict.verdict === "pass" && !local && forwardHopLimit(b, 0, counters) === "forward") {
      run.hdrErrors[k]! += counters.Ip6InHdrErrors;
      continue;
    }
    run.hdrErrors[k]! += counters.Ip6InHdrErrors;
    return run;
  }
  run.out = b;
  return run;
}

/** Copies the timestamp and queue depth the kernel wrote (in its event's newest block) into ctx. */
function takeKernelValues(line: string, e: TraceEventRecord, ctx: PacketContext): void {
  const hex = /Data=([0-9a-f]*)/.exec(line)![1]!;
  const data = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  const type = e.typeWord >>> 8;
  const u32 = (o: number) => ((data[o]! << 24) | (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!) >>> 0;
  if (type & 0x200000 && data.length >= fieldOffset(type, 2) + 4) ctx.time.sec = u32(fieldOffset(type, 2));
  if (type & 0x100000 && data.length >= fieldOffset(type, 3) + 4) ctx.time.nsec = u32(fieldOffset(type, 3)) * 1000;
  if (type & 0x020000 && data.length >= fieldOffset(type, 6) + 4) ctx.queueDepth = u32(fieldOffset(type, 6));
}

for (const hops of [1, 3]) {
  describe(`transit through ${hops} kernel router${hops > 1 ? "s" : ""} equals the engine's`, { skip }, () => {
    const nets = new NetnsSet();
    const bin = pathWithoutIproute2();
    after(() => (nets.cleanup(), bin.cleanup()));

    it("writes the same bytes, drops the same packets, emits the same events", async () => {
      const net = chain(nets, hops, `tr${hops}`);
      net.routers.forEach((r, k) => configureWithIproute2(r, routerFixture(k + 1)));
      const routers = net.routers.map((_, k) => createNodeState(fixtureNodeConfig(routerFixture(k + 1))));
      for (const [a, b] of [[net.h1, net.h2Addr], [net.h2, net.h1Addr]] as const) nets.exec(a, "ping", ["-c1", "-W2", b]); // neighbours resolved
      const cases = transitCases(hops);
      const firstRouterAddr = { h1: "2001:db8::2", h2: `2001:db8:${hops}::1` };
      const packets = cases.map((c, i) => {
        const [src, dst] = c.from === "h1" ? [net.h1Addr, c.to === "host" ? net.h2Addr : firstRouterAddr.h1] : [net.h2Addr, c.to === "host" ? net.h1Addr : firstRouterAddr.h2];
        return casePacket(c, i, src, dst);
      });
      const kernel = await runKernel(nets, net, cases, packets, bin.path);

      const cursor = net.routers.map(() => 0);
      const engineErrors = net.routers.map(() => 0);
      let compared = 0;
      let eventsCompared = 0;
      for (const [i, c] of cases.entries()) {
        const run = runEngine(packets[i]!, c, routers, (k) => kernel.events[k]![cursor[k]!]);
        run.hdrErrors.forEach((n, k) => (engineErrors[k]! += n));
        for (const [k, evs] of run.events.entries()) {
          for (const e of evs) {
            assert.equal(traceEventLine(e), kernel.events[k]![cursor[k]!], `${c.name}: event of router ${k + 1}`);
            cursor[k]!++;
            eventsCompared++;
          }
        }
        const arrived = kernel.arrived.get(i);
        if (run.out === undefined) {
          assert.equal(arrived, undefined, `${c.name}: the engine dropped or delivered it, the kernel forwarded it`);
          continue;
        }
        assert.ok(arrived, `${c.name}: the engine forwarded it, the kernel did not`);
        assert.equal(bytesToHex(run.out), bytesToHex(arrived), `${c.name}: bytes after the routers`);
        compared++;
      }
      assert.deepEqual(cursor, kernel.events.map((e) => e.length), "every kernel event has an engine event");
      assert.deepEqual(engineErrors, kernel.hdrErrors, "Ip6InHdrErrors per router");
      assert.ok(compared > 200, `${compared} forwarded packets compared`);
      process.stdout.write(`${hops} router(s): ${cases.length} packets, ${compared} forwarded compared byte for byte, ${eventsCompared} events, Ip6InHdrErrors ${kernel.hdrErrors.join(",")}\n`);
      assert.ok(eventsCompared > 200, `${eventsCompared} events compared`);
      checkTimestamps(kernel);
    });
  });
}

/** Every timestamp the kernel wrote (read from its events) lies in the capture window. */
function checkTimestamps(k: KernelRun): void {
  let n = 0;
  for (const line of k.events.flat()) {
    const type = parseInt(/Type=(?:0x)?([0-9a-f]+)/.exec(line)![1]!, 16) >>> 8;
    const hex = /Data=([0-9a-f]*)/.exec(line)![1]!;
    if (!(type & 0x200000) || !(type & 0x100000) || hex.length < 2 * (fieldOffset(type, 3) + 4)) continue;
    const sec = BigInt(parseInt(hex.slice(2 * fieldOffset(type, 2), 2 * fieldOffset(type, 2) + 8), 16));
    const usec = BigInt(parseInt(hex.slice(2 * fieldOffset(type, 3), 2 * fieldOffset(type, 3) + 8), 16));
    if (sec === 0xffffffffn) continue;
    const ns = sec * 1_000_000_000n + usec * 1000n;
    assert.ok(ns >= k.window[0] - 1_000_000n && ns <= k.window[1], `kernel timestamp ${ns} outside [${k.window[0]}, ${k.window[1]}]`);
    n++;
  }
  assert.ok(n > 20, `${n} timestamps checked`);
}
