// Kernel differential test of transit: the same packets go through kernel IOAM routers (one,
// then three, configured with ip ioam and sysctl from the fixture table) and through the
// engine, given only that fixture, the interface names, and the kernel's timestamp and queue
// values. Every byte the engine writes must equal what left the kernel; the kernel's drops are
// the engine's drops with the same counter (Ip6InHdrErrors); every ioam6_events message equals
// the engine's event (for traffic to a router and expired hop limits, that event is the oracle).

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { createNodeState } from "../../src/node/state.js";
import { traceEventLine } from "../../src/cli/format-ioam6.js";
import { bytesToHex } from "../../src/wire/hex.js";
import { fieldOffset } from "../../src/wire/ioam/trace-type.js";
import { configureWithIproute2, routerFixture, fixtureNodeConfig } from "../fixtures/node-config.js";
import { NetnsSet, pathWithoutIproute2, rootSkip } from "../harness/netns.js";
import { chain } from "../../src/lab/line.js";
import { type KernelRun, runEngine, runKernel } from "./kernel-run.js";
import { casePacket, transitCases } from "./transit-cases.js";

const skip = rootSkip();

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
      // Some cases are dropped or delivered to a router: wait for most, then a second for the rest.
      const kernel = await runKernel(nets, net, cases, packets, bin.path, cases.filter((c) => c.to === "host" && c.from === "h1").length - 40);

      const cursor = net.routers.map(() => 0);
      const engineErrors = net.routers.map(() => 0);
      let compared = 0;
      let eventsCompared = 0;
      for (const [i, c] of cases.entries()) {
        const run = runEngine(packets[i]!, c, routers, (k, n) => kernel.events[k]!.slice(cursor[k]!, cursor[k]! + n), "clock-per-option");
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
