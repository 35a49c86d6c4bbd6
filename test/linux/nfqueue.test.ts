// The NFQUEUE foundation end to end in network namespaces: ip6tables rules of ioamkit's own
// send h1 → h2 traffic at r1 to a queue; a consumer on ioamkit's socket (PacketPath) answers
// accept / drop / replace / nothing; what reaches h2 (captured there) and the counters of the
// consumer and of the rule must agree. Also: a second consumer of a bound queue is refused in
// one line, traffic passes with nobody listening (bypass), and overload is survived.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { installQueueRules, readQueueCounters, removeQueueRules, type InstalledQueueRules } from "../../src/linux/ip6tables/queue-rules.js";
import { buildPacket } from "../../src/wire/build.js";
import { bytesToHex } from "../../src/wire/hex.js";
import { parseOptionWords } from "../../src/wire/ioam/option-words.js";
import { startConsumer } from "../harness/consumer.js";
import { NetnsSet } from "../harness/netns.js";
import { Capture, injectPackets } from "../harness/process.js";
import { IPTABLES, TRAFGEN, toolSkip } from "../harness/tools.js";
import { countByHopLimit, ethernetFrame, macOf, startTrafgen } from "../../src/lab/trafgen.js";
import { type Chain, chain } from "../../src/lab/line.js";

const skip = toolSkip(IPTABLES);
const QUEUE = 3;
const N = 20;

describe("NFQUEUE through ioamkit's socket and rules", { skip }, () => {
  const nets = new NetnsSet();
  let net: Chain;
  let rules: InstalledQueueRules | undefined;
  before(async () => {
    net = chain(nets, 1, "nfq");
    rules = await installQueueRules(`t${process.pid}`, [{ hook: "PREROUTING", match: { inInterface: "west", destination: "2001:db8:1::/64" }, queues: { first: QUEUE } }], { netns: net.routers[0]! });
  });
  after(async () => {
    if (rules) await removeQueueRules(rules).catch(() => {});
    nets.cleanup();
  });

  const packets = (n: number) => Array.from({ length: n }, (_, i) => buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: [], upper: { kind: "udp", srcPort: 4000 + i, dstPort: 5000, data: new Uint8Array(32) } }));

  /** Sends N packets h1 → h2 through the consumer `mode`; returns the hop limits seen at h2 and the consumer's counters. */
  async function through(mode: string, expectArrivals: number) {
    const consumer = mode === "nobody" ? undefined : await startConsumer(net.routers[0]!, { queues: [QUEUE], mode, hopLimit: 200 });
    const cap = await Capture.start(net.h2, "west", "udp");
    try {
      const before = (await readQueueCounters(rules!))[0]!.packets;
      injectPackets(nets, net.h1, packets(N));
      const got = await cap.stop(expectArrivals);
      const counted = (await readQueueCounters(rules!))[0]!.packets - before;
      return { hopLimits: got.map((p) => p.ipv6[7]!), counted, result: await consumer?.stop() };
    } finally {
      cap.cleanup();
      consumer?.child.kill("SIGKILL");
    }
  }

  it("returns every packet rewritten when the consumer replaces it", async () => {
    const r = await through("hoplimit", N);
    assert.deepEqual(r.hopLimits, Array(N).fill(199), "r1 set 200, forwarding took one");
    assert.equal(r.counted, N, "the rule's packet counter");
    assert.equal(r.result!.path.received, N);
    assert.equal(r.result!.path.replaced, N);
    assert.equal(r.result!.socket.verdictsSent, N);
    assert.equal(r.result!.socket.verdictErrors, 0);
  });

  it("strips a Hop-by-Hop header, padding what would be shorter than the transport offset; h2's UDP takes all", async () => {
    const consumer = await startConsumer(net.routers[0]!, { queues: [QUEUE], mode: "strip" });
    const cap = await Capture.start(net.h2, "west", `ip6 src host ${net.h1Addr}`);
    const udp = () => Object.fromEntries([...nets.exec(net.h2, "cat", ["/proc/net/snmp6"]).matchAll(/^(Udp6\w+)\s+(\d+)/gm)].map((m) => [m[1]!, Number(m[2])]));
    const before = udp();
    try {
      const trace = parseOptionWords("trace prealloc type 0x800000 ns 1 size 40".split(" "));
      const sizes = [0, 8, 100]; // UDP data: the first two strip below 40 + HbH (56 octets), the last does not
      const packet = (i: number, options: typeof trace, hopLimit: number) => buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit, options, upper: { kind: "udp", srcPort: 6000 + i, dstPort: 5000, data: new Uint8Array(sizes[i]!).fill(7) } });
      const sent = sizes.map((_, i) => packet(i, trace, 64));
      const transportOffset = 40 + (sent[0]![41]! + 1) * 8;
      injectPackets(nets, net.h1, sent);
      const got = await cap.stop(sizes.length);
      sizes.forEach((_, i) => {
        const want = packet(i, [], 63);
        const wire = got[i]!.ipv6;
        assert.equal(bytesToHex(wire.subarray(0, want.length)), bytesToHex(want), `packet ${i}: stripped, UDP intact`);
        assert.equal(wire.length, Math.max(want.length, transportOffset), `packet ${i}: on the wire padded up to 40 + HbH only when shorter`);
        assert.ok(wire.subarray(want.length).every((b) => b === 0), `packet ${i}: zero padding`);
      });
      const after = udp();
      assert.equal(after.Udp6NoPorts! - before.Udp6NoPorts!, 3, "h2 trimmed the padding and UDP took every datagram (no listener on port 5000)");
      assert.equal(after.Udp6InCsumErrors! - before.Udp6InCsumErrors!, 0);
      const r = await consumer.stop();
      assert.equal(r.path.replaced, 3);
      assert.equal(r.path.padded, 2);
    } finally {
      cap.cleanup();
      consumer.child.kill("SIGKILL");
    }
  });

  it("drops every packet on drop verdicts", async () => {
    const r = await through("drop", 0);
    assert.deepEqual(r.hopLimits, []);
    assert.equal(r.result!.path.dropped, N);
  });

  it("accepts unchanged what the handler left without a verdict", async () => {
    const r = await through("none", N);
    assert.deepEqual(r.hopLimits, Array(N).fill(63));
    assert.equal(r.result!.socket.unanswered, N);
    assert.equal(r.result!.path.passedUnchanged, N);
  });

  it("lets traffic pass untouched when nobody listens (--queue-bypass)", async () => {
    const r = await through("nobody", N);
    assert.deepEqual(r.hopLimits, Array(N).fill(63));
    assert.equal(r.counted, N);
  });

  it("lets traffic pass untouched once the consumer unbound its queue", async () => {
    const consumer = await startConsumer(net.routers[0]!, { queues: [QUEUE], mode: "hoplimit", unbind: true });
    const cap = await Capture.start(net.h2, "west", "udp");
    try {
      injectPackets(nets, net.h1, packets(N));
      assert.deepEqual((await cap.stop(N)).map((p) => p.ipv6[7]), Array(N).fill(63));
      assert.equal((await consumer.stop()).path.received, 0);
    } finally {
      cap.cleanup();
      consumer.child.kill("SIGKILL");
    }
  });

  it("refuses a second consumer of a bound queue in one line naming the queue", async () => {
    const first = await startConsumer(net.routers[0]!, { queues: [QUEUE], mode: "accept" });
    try {
      await assert.rejects(startConsumer(net.routers[0]!, { queues: [QUEUE], mode: "accept" }), (e: Error) => {
        assert.match(e.message, /^error: binding NFQUEUE queue 3 \(already bound by another socket \(netlink port \d+, see \/proc\/net\/netfilter\/nfnetlink_queue\)\): Operation not permitted \(EPERM\)$/);
        assert.equal(e.message.split("\n").length, 1);
        return true;
      });
    } finally {
      await first.stop();
    }
  });
});

describe("NFQUEUE under overload", { skip: toolSkip({ ...IPTABLES, ...TRAFGEN }) }, () => {
  const nets = new NetnsSet();
  after(() => nets.cleanup());

  it("keeps a slow consumer running, rewriting, while fail-open lets the rest pass", async () => {
    const net = chain(nets, 1, "nfqo");
    const r1 = net.routers[0]!;
    const rules = await installQueueRules(`o${process.pid}`, [{ hook: "PREROUTING", match: { inInterface: "west" }, queues: { first: 0 } }], { netns: r1 });
    const counts = countByHopLimit(nets, net.h2, [199, 63]);
    // 20 µs per packet: at most 50k packets/s, far below what trafgen offers.
    const consumer = await startConsumer(r1, { queues: [0], mode: "hoplimit", hopLimit: 200, slowUs: 20 });
    const ipv6 = buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: [], upper: { kind: "udp", srcPort: 4000, dstPort: 9, data: new Uint8Array(1300) } });
    const tg = startTrafgen(net.h1, "east", ethernetFrame(macOf(nets, r1, "west"), macOf(nets, net.h1, "east"), ipv6));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const sent = await tg.stop();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(consumer.child.exitCode, null, "the consumer is still running");
      const result = await consumer.stop();
      const [rewritten, passed] = counts() as [number, number];
      assert.ok(result.path.received > 0 && result.path.replaced === result.path.received, JSON.stringify(result.path));
      assert.equal(result.socket.verdictsLost, 0);
      assert.ok(passed > 0, `fail-open passed packets (${passed} of ${sent})`);
      assert.ok(rewritten >= 0.9 * result.path.replaced, `${rewritten} of ${result.path.replaced} rewritten packets reached h2`);
      assert.ok(rewritten + passed <= sent);
    } finally {
      tg.kill();
      consumer.child.kill("SIGKILL");
      await removeQueueRules(rules);
    }
  });
});

describe("NFQUEUE without CAP_NET_ADMIN", { skip }, () => {
  it("refuses to bind in one typed line that names the missing capability", () => {
    const mod = new URL("../../src/linux/nfqueue/socket.js", import.meta.url).pathname;
    const script = `import(${JSON.stringify(mod)}).then(async (m) => { try { await m.NfqueueSocket.open({ queues: [0] }, () => {}); } catch (e) { console.log(JSON.stringify([e.name, e.errnoName, e.message])); } })`;
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(r.stdout), ["KernelError", "EPERM", "binding NFQUEUE queue 0 (needs CAP_NET_ADMIN): Operation not permitted (EPERM)"]);
  });
});
