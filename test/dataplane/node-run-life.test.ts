// `ioam node run` over its life, in a chain h1 — r1 — r2 — r3 — h2: frequency k/n exact across
// worker threads, a reload (SIGHUP) in the middle of a flow that loses nothing, SIGKILL in inline
// mode (traffic keeps flowing; the next start and `ioam node cleanup` remove every rule and
// restore every sysctl, proven in every netns), and bad files refused with file:line before
// anything changes.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chain, chain } from "../../src/lab/line.js";
import { buildPacket } from "../../src/wire/build.js";
import { IPPROTO } from "../../src/wire/ext-header.js";
import { NetnsSet } from "../harness/netns.js";
import { ioam, nodeStats, routerYaml, startNode } from "../harness/node-run.js";
import { Capture, injectPackets, injectPacketsAsync } from "../harness/process.js";
import { IPTABLES, toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ...IPTABLES, tcpdump: "tcpdump", python3: "python3" });

describe("ioam node run: frequency, reload, SIGKILL, cleanup, bad files", { skip }, () => {
  const nets = new NetnsSet();
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-life-"));
  let net: Chain;
  let r1: string, r2: string, r3: string;
  before(() => {
    net = chain(nets, 3, "lf");
    [r1, r2, r3] = net.routers as [string, string, string];
    assert.equal(ioam(["--netns", r2, "apply", write("r2", routerYaml(2))]).code, 0);
  });
  after(() => {
    for (const ns of net?.routers ?? []) ioam(["--netns", ns, "node", "cleanup"]);
    nets.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string) => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  /** `n` UDP packets h1 → h2, source ports spread (so that --queue-balance spreads them over queues). */
  const udp = (n: number, dport = 7000) => Array.from({ length: n }, (_, i) => buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: [], upper: { kind: "udp", srcPort: 10000 + (i % 500), dstPort: dport, data: new Uint8Array(32) } }));
  /** The Trace-Type of the trace right after the PadN of an inline Hop-by-Hop header (the lwtunnel layout), 0 without one. */
  const hbhTraceType = (p: Uint8Array) => (p[6] === IPPROTO.HOPOPTS ? (p[52]! << 16) | (p[53]! << 8) | p[54]! : 0);

  it("freq 1/2 instruments exactly half of 1000 packets spread over two worker threads (counter and capture agree)", async () => {
    const a = await startNode(r1, routerYaml(1, `  workers: 2\n  encap:\n    - "2001:db8:3::/64 freq 1/2 trace prealloc type 0x800000 ns 123 size 8"\n`), dir);
    const cap = await Capture.start(r2, "west", `ip6 dst host ${net.h2Addr}`); // "udp" would miss packets with a Hop-by-Hop header
    let wire: Array<{ ipv6: Uint8Array }> = [];
    try {
      injectPackets(nets, net.h1, udp(1000));
      wire = await cap.stop(1000);
    } finally {
      cap.cleanup();
    }
    const { code, last } = await a.stop();
    assert.equal(code, 0, a.log());
    assert.equal(wire.length, 1000, "every packet went on");
    assert.equal(wire.filter((p) => p.ipv6[6] === IPPROTO.HOPOPTS).length, 500, "exactly half carry the trace");
    assert.deepEqual([last!.counters.encapsulated, last!.counters.encap_skipped_frequency, last!.bypassed], [500, 500, 0]);
  });

  it("reloads on SIGHUP in the middle of 10 000 packets without losing or missing one; the new trace takes over", async () => {
    const file = (type: string, extra = "") => routerYaml(1, `  encap:\n    - "2001:db8:3::/64 trace prealloc type ${type} ns 123 size 16"\n${extra}`);
    const a = await startNode(r1, file("0x800000"), dir);
    const cap = await Capture.start(r2, "west", `ip6 dst host ${net.h2Addr}`);
    let wire: Array<{ ipv6: Uint8Array }> = [];
    try {
      const flow = injectPacketsAsync(net.h1, udp(10_000, 7001), 4000);
      // Mid-flow: once the daemon has handled some (python's start-up takes seconds on a loaded machine).
      for (let t = Date.now(); nodeStats(r1).counters.seen < 500 && Date.now() - t < 30_000; ) await new Promise((r) => setTimeout(r, 100));
      // A new trace type, and a second policy (so the rules are replaced too).
      writeFileSync(a.file, file("0xc00000", `    - "2001:db8:99::/64 trace prealloc type 0x800000 ns 123 size 8"\n`));
      process.kill(a.pid(), "SIGHUP");
      await flow;
      wire = await cap.stop(10_000);
    } finally {
      cap.cleanup();
    }
    const { last } = await a.stop();
    assert.match(a.log(), /reloaded/);
    assert.equal(wire.length, 10_000, "every packet reached r2");
    const types = wire.map((p) => hbhTraceType(p.ipv6));
    assert.equal(types.filter((t) => t === 0).length, 0, "none went uninstrumented");
    const [before, afterReload] = [types.filter((t) => t === 0x800000).length, types.filter((t) => t === 0xc00000).length];
    assert.ok(before > 0 && afterReload > 0 && before + afterReload === 10_000, `old ${before}, new ${afterReload}`);
    assert.ok(types.lastIndexOf(0x800000) < types.indexOf(0xc00000) + 64, "the switch happened once (at most one batch in flight)");
    assert.deepEqual([last!.counters.seen, last!.counters.encapsulated, last!.bypassed, last!.counters.dropped], [10_000, 10_000, 0, 0]);
  });

  it("after SIGKILL in inline mode traffic flows (≥ 95% of pings); the next start and ioam node cleanup leave no rule and no changed sysctl", async () => {
    // r1 encapsulates and owns its ingress (transit: all); r3 removes the trace at the edge (and owns its ingress).
    const a = await startNode(r1, routerYaml(1, `  transit: all\n  encap:\n    - "2001:db8:3::/64 trace prealloc type 0x800000 ns 123 size 8"\n`), dir);
    const c = await startNode(r3, routerYaml(3, `  decap:\n    - edge 2001:db8:3::/64\n`), dir).catch(async (e) => (await a.stop(), Promise.reject(e)));
    assert.deepEqual([sysctl(r1), sysctl(r3)], ["0", "0"], "both daemons took their ingress over");
    await a.kill9();
    await c.kill9();
    const ping = nets.exec(net.h1, "ping", ["-c", "50", "-i", "0.1", "-W", "1", net.h2Addr]).match(/(\d+) received/);
    assert.ok(Number(ping?.[1]) >= 48, `pings answered in the 5 s after SIGKILL: ${ping?.[1]} of 50`);
    assert.ok(hasIoamkitRules(r1) && hasIoamkitRules(r3) && existsSync(`/run/ioamkit/${r1}/node.json`), "the killed daemons left their rules and records");
    // The next start cleans up after its predecessor; r3 is cleaned by hand.
    const again = await startNode(r1, readFileSync(a.file, "utf8"), dir);
    assert.match(again.log(), /cleaned up after a daemon that did not stop \(pid \d+\)/);
    const stopped = await again.stop();
    assert.equal(stopped.code, 0, again.log());
    const clean = ioam(["--netns", r3, "node", "cleanup"]);
    assert.equal(clean.code, 0, clean.err);
    assert.match(clean.out, /removed \d+ chain\(s\).*restored 1 sysctl\(s\) \(net\.ipv6\.conf\.west\.ioam6_enabled=1\)/);
    for (const ns of net.nodes) assert.ok(!hasIoamkitRules(ns), `no ioamkit rule left in ${ns}`);
    assert.deepEqual([sysctl(r1), sysctl(r3)], ["1", "1"], "ioam6_enabled as the files configured it");
    assert.ok(!existsSync(`/run/ioamkit/${r1}`) && !existsSync(`/run/ioamkit/${r3}`), "no state left");
    assert.deepEqual(daemonsIn(net.nodes), [], "no daemon process left");
    assert.equal(ioam(["--netns", r3, "node", "cleanup"]).out.trim(), "nothing to clean up");
  });

  it("fail-closed: after SIGKILL the traffic its rules match is dropped, not let by; cleanup lets it flow again", async () => {
    const a = await startNode(r1, routerYaml(1, `  failure: closed\n  encap:\n    - "2001:db8:3::/64 trace prealloc type 0x800000 ns 123 size 8"\n`), dir);
    assert.match(nets.exec(r1, "ip6tables-save", []), /--queue-num 0(?! --queue-bypass)/, "no --queue-bypass");
    const ping = () => Number(/(\d+) received/.exec(nets.exec(net.h1, "ping", ["-c", "5", "-i", "0.2", "-W", "1", net.h2Addr]).toString())?.[1]);
    assert.equal(ping(), 5, "while the daemon runs");
    await a.kill9();
    let answered = -1;
    try {
      nets.exec(net.h1, "ping", ["-c", "5", "-i", "0.2", "-W", "1", net.h2Addr]);
    } catch (e) {
      answered = Number(/(\d+) received/.exec(String((e as { stdout?: string }).stdout))?.[1]);
    }
    assert.equal(answered, 0, "nothing passes a dead fail-closed daemon");
    assert.equal(ioam(["--netns", r1, "node", "cleanup"]).code, 0);
    assert.equal(ping(), 5, "after cleanup");
  });

  it("refuses bad files naming file:line, exit status 2, and changes nothing", () => {
    const rules = (ns: string) => nets.exec(ns, "ip6tables-save", []).replace(/^#.*\n/gm, "");
    const before = net.routers.map((ns) => [rules(ns), sysctl(ns)]);
    const cases: Array<[string, RegExp]> = [
      [routerYaml(1, `  encap:\n    - "2001:db8:3::/64 mode encap trace prealloc type 0x800000 ns 123 size 8"\n`), /r1bad\.yaml:10: dataplane\.encap\[0\]: tundst: mode encap needs a tunnel destination/],
      [routerYaml(1, `  decap:\n    - tunnel 2001:db8:2::2\n`), /r1bad\.yaml:10: tunnel 2001:db8:2::2: 2001:db8:2::2 is not an address of this node/],
      [routerYaml(1, `  encap:\n    - "2001:db8:3::/64 mode encap tundst 2001:db8:77::1 trace prealloc type 0x800000 ns 123 size 8"\n`), /r1bad\.yaml:10: dataplane\.encap\[0\]: no route with a source address towards tundst/],
      [routerYaml(1, `  transit: everything\n`), /r1bad\.yaml:9: dataplane\.transit: expected one of kernel, all/],
      [routerYaml(1), /r1bad\.yaml: dataplane: nothing for ioam node run to do/],
    ];
    for (const [text, message] of cases) {
      const r = ioam(["--netns", r1, "node", "run", write("r1bad", text)]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, message);
      assert.doesNotMatch(r.err, /at .*\.js:\d+/, "no stack trace");
    }
    assert.deepEqual(net.routers.map((ns) => [rules(ns), sysctl(ns)]), before);
    assert.ok(!existsSync(`/run/ioamkit/${r1}`));
  });

  function sysctl(ns: string): string {
    return nets.exec(ns, "cat", ["/proc/sys/net/ipv6/conf/west/ioam6_enabled"]).trim();
  }
  function hasIoamkitRules(ns: string): boolean {
    return /IOAMKIT/.test(nets.exec(ns, "ip6tables-save", []));
  }
});

/** Pids of `ioam node run` processes started in any of `names`. */
function daemonsIn(names: readonly string[]): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
      const env = readFileSync(`/proc/${p}/environ`, "utf8");
      return cmd.includes("\0node\0run\0") && names.some((n) => env.includes(`IOAMKIT_NETNS=${n}\0`));
    } catch {
      return false;
    }
  }).map(Number);
}
