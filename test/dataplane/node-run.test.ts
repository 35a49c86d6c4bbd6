// `ioam node run` on real packets, in a chain h1 — r1 — r2 — r3 — h2 of namespaces: r1
// encapsulates (ioamkit), r2 is a kernel IOAM transit router, r3 decapsulates (ioamkit). What
// the wire carries between r2 and r3 is captured and decoded (tshark and our decoder) with the
// expected node ids; what h2 gets is the original packet; the sink has the whole path.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chain, chain } from "../../src/lab/line.js";
import { IPPROTO } from "../../src/wire/ext-header.js";
import { decodePacket } from "../../src/wire/packet.js";
import { formatIpv6Address, parseIpv6Address } from "../../src/wire/ipv6-address.js";
import { NetnsSet } from "../harness/netns.js";
import { ioam, routerYaml, startNode } from "../harness/node-run.js";
import { Capture } from "../harness/process.js";
import { IPTABLES, toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ...IPTABLES, tcpdump: "tcpdump", tshark: "tshark" });



/** Node ids of every pre-allocated trace tshark sees in a capture, one list per packet. */
function tsharkNodeIds(file: string): number[][] {
  const r = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "ipv6.opt.ioam.trace.node.id"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").filter((l) => l).map((l) => l.split(",").map(Number));
}

describe("ioam node run: encapsulation, kernel transit, decapsulation", { skip }, () => {
  const nets = new NetnsSet();
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-noderun-"));
  let net: Chain;
  let r1: string, r2: string, r3: string;
  before(() => {
    net = chain(nets, 3, "nr");
    [r1, r2, r3] = net.routers as [string, string, string];
    const r = ioam(["--netns", r2, "apply", writeYaml(dir, "r2", routerYaml(2))]);
    assert.equal(r.code, 0, r.err);
  });
  after(() => {
    nets.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const mode of ["inline", "encap", "auto"] as const) {
    it(`${mode}: r2 (kernel) sees r1's trace, r3 takes it off, h2 gets the original ping, the sink the path 1-2-3`, async () => {
      const tunnel = mode === "inline" ? "" : " tundst 2001:db8:2::2";
      const a = await startNode(r1, routerYaml(1, `  encap:\n    - "2001:db8:3::/64 mode ${mode}${tunnel} trace prealloc type 0xc00000 ns 123 size 24"\n`), dir, { metrics: "127.0.0.1:9464" });
      const sink = join(dir, `sink-${mode}.ndjson`);
      const decap = mode === "inline" ? "edge 2001:db8:3::/64" : "tunnel 2001:db8:2::2";
      const c = await startNode(r3, routerYaml(3, `  decap:\n    - ${decap}\n`), dir, { sink }).catch(async (e) => (await a.stop(), Promise.reject(e)));
      const onWire = await Capture.start(r3, "west", "ip6 and not icmp6[0] >= 133");
      const atH2 = await Capture.start(net.h2, "west", "icmp6 and icmp6[0] == 128");
      try {
        const ping = spawnSync("ip", ["netns", "exec", net.h1, "ping", "-c", "3", "-i", "0.2", "-W", "2", net.h2Addr], { encoding: "utf8" });
        assert.match(ping.stdout, / 3 received/, ping.stdout);
        const wire = (await onWire.stop(3)).map((p) => decodePacket(p.ipv6)).filter((p) => p.ipv6.src !== net.h2Addr);
        assert.equal(wire.length, 3);
        for (const p of wire) {
          const t = p.options[0]!;
          assert.ok(t.kind === "trace", "a trace on the wire between r2 and r3");
          assert.deepEqual(t.nodes.map((n) => [n.nodeId, n.ingressIf, n.egressIf]), [[2, 21, 22], [1, 11, 12]], "r2 (kernel) then r1 (ioamkit), newest first");
          assert.equal(p.ipv6.dst, mode === "inline" ? net.h2Addr : "2001:db8:2::2");
          assert.equal(p.extHeaders[0]!.nextHeader, mode === "inline" ? IPPROTO.ICMPV6 : IPPROTO.IPV6);
        }
        assert.deepEqual(tsharkNodeIds(onWire.file), [[2, 1], [2, 1], [2, 1]], "tshark reads the same node ids");
        const delivered = (await atH2.stop(3)).map((p) => decodePacket(p.ipv6));
        assert.equal(delivered.length, 3);
        // Three forwarding steps; a tunnel counts as one more hop (RFC 2473: entry and exit each decrement).
        for (const p of delivered) assert.deepEqual([p.ipv6.nextHeader, p.extHeaders.length, p.ipv6.src, p.ipv6.hopLimit], [IPPROTO.ICMPV6, 0, canonical(net.h1Addr), mode === "inline" ? 61 : 62], "the original ping, no IOAM left");
        // The same counters as Prometheus text, served inside r1's netns.
        const metrics = nets.exec(r1, "curl", ["-sf", "http://127.0.0.1:9464/metrics"]);
        assert.match(metrics, new RegExp(`^ioam_node_encapsulated_total\\{netns="${r1}"\\} 3$`, "m"));
        assert.match(metrics, /^ioam_node_timestamp_source\{netns="[^"]+",source="kernel"\} 1$/m);
        const records = readFileSync(sink, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { source: string; mode: string; inner: { dst: string }; options: Array<{ nodes: Array<{ nodeId: number }> }> });
        assert.equal(records.length, 3);
        for (const r of records) {
          assert.deepEqual([r.source, r.mode, r.inner.dst], ["decap", mode === "inline" ? "inline" : "encap", net.h2Addr]);
          assert.deepEqual(r.options[0]!.nodes.map((n) => n.nodeId), [3, 2, 1]);
        }
      } finally {
        onWire.cleanup();
        atH2.cleanup();
        const [sa, sc] = [await a.stop(), await c.stop()];
        assert.deepEqual([sa.code, sc.code], [0, 0], a.log() + c.log());
        assert.equal(sa.last!.counters.encapsulated, 3);
        assert.equal(sc.last!.counters.decapsulated, 3);
      }
    });
  }
});

const canonical = (a: string) => formatIpv6Address(parseIpv6Address(a)!);

function writeYaml(dir: string, name: string, text: string): string {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
}
