// Real application traffic through `ioam node run` in encap mode with the largest trace (244
// octets of node data, 304 octets added per packet): a 10 MB TCP transfer and empty UDP
// datagrams from h1 to h2, over domain links with MTU headroom (1500 + 304). Both arrive intact
// (checksums compared end to end), no packet went uninstrumented for its size, and every
// packet from h1 on the r1 → r2 link is an ip6ip6 packet with the trace.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chain, chain } from "../../src/lab/line.js";
import { IPPROTO } from "../../src/wire/ext-header.js";
import { tcpTransfer, udpDatagrams } from "../harness/flows.js";
import { NetnsSet } from "../harness/netns.js";
import { routerYaml, startNode } from "../harness/node-run.js";
import { Capture } from "../harness/process.js";
import { IPTABLES, toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ...IPTABLES, tcpdump: "tcpdump" });
const BYTES = 10 * 1024 * 1024;
const DOMAIN_MTU = 1500 + 304;

/** What one captured frame on r1 → r2 is: ip6ip6 with a Hop-by-Hop header, and the inner packet's protocol and payload. */
function classify(p: Uint8Array): { encapsulated: boolean; innerProto: number; innerPayload: number; length: number } {
  const length = 40 + ((p[4]! << 8) | p[5]!);
  if (p[6] !== IPPROTO.HOPOPTS || p[40] !== IPPROTO.IPV6) return { encapsulated: false, innerProto: p[6]!, innerPayload: (p[4]! << 8) | p[5]!, length };
  const inner = 40 + (p[41]! + 1) * 8;
  const innerProto = p[inner + 6]!;
  const payload = (p[inner + 4]! << 8) | p[inner + 5]!;
  // TCP: payload beyond the header (data offset); UDP: beyond its 8 octets.
  const upper = innerProto === IPPROTO.TCP ? (p[inner + 40 + 12]! >>> 4) * 4 : 8;
  return { encapsulated: true, innerProto, innerPayload: payload - upper, length };
}

describe("ioam node run: TCP bulk and empty UDP through encap mode with a 244-octet trace", { skip }, () => {
  const nets = new NetnsSet();
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-bulk-"));
  let net: Chain;
  before(() => {
    net = chain(nets, 3, "bk");
    const [r1, r2, r3] = net.routers as [string, string, string];
    for (const [ns, dev] of [[r1, "east"], [r2, "west"], [r2, "east"], [r3, "west"]] as const) nets.ip(ns, "link", "set", dev, "mtu", String(DOMAIN_MTU));
  });
  after(() => {
    nets.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers 10 MB of TCP and every empty datagram intact, all encapsulated, none skipped for the MTU", async () => {
    const [r1, r2, r3] = net.routers as [string, string, string];
    const a = await startNode(r1, routerYaml(1, `  encap:\n    - "2001:db8:3::/64 mode encap tundst 2001:db8:2::2 trace prealloc type 0xf00000 ns 123 size 244"\n`), dir);
    const c = await startNode(r3, routerYaml(3, `  decap:\n    - tunnel 2001:db8:2::2\n`), dir).catch(async (e) => (await a.stop(), Promise.reject(e)));
    // Everything r1 forwards from h1 (r1's own neighbour discovery aside).
    const wire = await Capture.start(r2, "west", "ip6 and src host 2001:db8:1::1 and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)", 400);
    let frames: ReturnType<typeof classify>[] = [];
    try {
      const tcp = await tcpTransfer(net.h1, net.h2, net.h2Addr, BYTES);
      assert.deepEqual(tcp.received, tcp.sent, "the receiver got every byte, in order (SHA-256)");
      const udp = await udpDatagrams(net.h1, net.h2, net.h2Addr, 200, 0);
      assert.deepEqual(udp, { count: 200, bytes: 0 }, "every empty datagram arrived");
      frames = (await wire.stop()).map((f) => classify(f.ipv6));
    } finally {
      wire.cleanup();
      const sa = await a.stop();
      const sc = await c.stop();
      assert.equal(sa.code, 0, a.log());
      // An empty datagram is 48 octets once decapsulated, shorter than the 304 octets of the
      // outer headers NFQUEUE will take back: returned padded, never dropped (h2 got all 200).
      assert.ok(sc.last!.counters.decap_padded >= 200, `decapsulated packets returned padded: ${sc.last!.counters.decap_padded}`);
      assert.equal(sa.last!.counters.encap_skipped_mtu, 0, "no packet went uninstrumented for its size");
      assert.equal(sa.last!.counters.encapsulated, frames.length, "the daemon's count equals the packets on the wire");
    }
    assert.ok(frames.every((f) => f.encapsulated), "every packet r1 forwarded from h1 carries the outer header and trace");
    const data = frames.filter((f) => f.innerProto === IPPROTO.TCP && f.innerPayload > 0);
    const carried = data.reduce((s, f) => s + f.innerPayload, 0);
    assert.ok(carried >= BYTES, `the TCP data segments on the wire hold all 10 MB (${carried} octets in ${data.length} segments of ${frames.length} packets)`);
    assert.equal(Math.max(...frames.map((f) => f.length)), DOMAIN_MTU, "full-size segments grew by 304 octets to the domain MTU");
    assert.equal(frames.filter((f) => f.innerProto === IPPROTO.UDP && f.innerPayload === 0).length, 200);
  });

  it("sends a packet that would exceed the egress MTU uninstrumented and counts it (encap_skipped_mtu), never drops it", async () => {
    const r1 = net.routers[0]!;
    nets.ip(r1, "link", "set", "east", "mtu", "1600"); // less than 1400 + 48 + 304
    try {
      const a = await startNode(r1, routerYaml(1, `  encap:\n    - "2001:db8:3::/64 trace prealloc type 0xf00000 ns 123 size 244"\n`), dir);
      const udp = await udpDatagrams(net.h1, net.h2, net.h2Addr, 10, 1400);
      const small = await udpDatagrams(net.h1, net.h2, net.h2Addr, 10, 100, 5203);
      const { last } = await a.stop();
      assert.deepEqual([udp.count, small.count], [10, 10], "all arrived");
      assert.deepEqual([last!.counters.encap_skipped_mtu, last!.counters.encapsulated], [10, 10], "the large ones went uninstrumented, the small ones were instrumented");
    } finally {
      nets.ip(r1, "link", "set", "east", "mtu", String(DOMAIN_MTU));
    }
  });
});
