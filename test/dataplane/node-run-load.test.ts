// `ioam node run` offered far more than it can take: trafgen sends 1300-octet UDP packets at
// line rate through r1 (inline encapsulation) for a while — 3 s here, 30 s with IOAMKIT_LONG=1.
// The daemon keeps running and instrumenting, fail-open lets the rest by, traffic keeps
// flowing, and afterwards the figures add up: what the rule matched = what the daemon saw +
// what went by it, and the receiver's instrumented / plain counts match the daemon's.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chain, chain } from "../../src/lab/line.js";
import { ethernetFrame, macOf, startTrafgen } from "../../src/lab/trafgen.js";
import { buildPacket } from "../../src/wire/build.js";
import { NetnsSet } from "../harness/netns.js";
import { routerYaml, startNode } from "../harness/node-run.js";
import { IPTABLES, TRAFGEN, toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ...IPTABLES, ...TRAFGEN });
const SECONDS = process.env.IOAMKIT_LONG === "1" ? 30 : 3;
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

describe("ioam node run under overload", { skip }, () => {
  const nets = new NetnsSet();
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-load-"));
  let net: Chain;
  before(() => (net = chain(nets, 1, "ld")));
  after(() => {
    nets.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps running and instrumenting through ${SECONDS} s of 1300-octet packets at line rate; the counts add up`, async (t) => {
    const r1 = net.routers[0]!;
    const a = await startNode(r1, routerYaml(1, `  encap:\n    - "2001:db8:1::/64 trace prealloc type 0x800000 ns 123 size 8"\n`), dir);
    // h2 counts what arrives: with the trace (instrumented) and without (went by uninstrumented).
    for (const m of [["-m", "ipv6header", "--header", "hop-by-hop", "--soft"], ["-p", "udp"]]) nets.exec(net.h2, "ip6tables", ["-t", "raw", "-A", "PREROUTING", "-d", net.h2Addr, ...m, "-j", "DROP"]);
    const packet = buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: [], upper: { kind: "udp", srcPort: 4000, dstPort: 9, data: new Uint8Array(1300) } });
    const tg = startTrafgen(net.h1, "east", ethernetFrame(macOf(nets, r1, "west"), macOf(nets, net.h1, "east"), packet));
    let sent = 0;
    let during;
    try {
      await sleep(SECONDS / 2);
      during = a.stats();
      await sleep(SECONDS / 2);
    } finally {
      sent = await tg.stop().catch(() => 0);
    }
    await sleep(0.5); // the queue drains
    const s = a.stats();
    const { code } = await a.stop();
    assert.equal(code, 0, a.log());
    const [instrumented, plain] = [...nets.exec(net.h2, "ip6tables-save", ["-c", "-t", "raw"]).matchAll(/^\[(\d+):\d+\] -A PREROUTING/gm)].map((m) => Number(m[1]));
    const c = s.counters;
    const report = `trafgen sent ${sent}, rule ${s.rulePackets}, seen ${c.seen}, encapsulated ${c.encapsulated}, bypassed ${s.bypassed}; h2: instrumented ${instrumented}, plain ${plain}`;
    t.diagnostic(report);
    assert.ok(during.counters.encapsulated > 0, `instrumenting while overloaded: ${report}`);
    assert.ok(s.bypassed > 0, `it was overloaded (else the test proves nothing): ${report}`);
    assert.equal(c.seen, s.queue.received, "every packet the socket received went through the handler");
    assert.equal(c.seen, c.encapsulated + c.passed + c.dropped, "each seen packet ended one way");
    assert.equal(c.seen + s.bypassed, s.rulePackets, `seen + bypassed = what the rule matched: ${report}`);
    assert.equal(instrumented, c.encapsulated, `h2 got every instrumented packet: ${report}`);
    assert.equal(plain, s.bypassed + c.passed, `h2 got every packet that went by uninstrumented: ${report}`);
    assert.ok(s.rulePackets >= 0.9 * sent, `r1 took in what was sent: ${report}`);
  });
});
