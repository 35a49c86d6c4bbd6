// `ioam status` against a netns configured with ip ioam and sysctl from the fixture table:
// every section shows what iproute2 and sysctl show; features agree with /proc.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { configureWithIproute2, routerFixture } from "../fixtures/node-config.js";
import { NetnsSet, pathWithoutIproute2, rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();

describe("ioam status", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let ns = "";
  before(() => {
    ns = nets.add("status");
    nets.veth({ ns, ifname: "west" }, { ns, ifname: "east" });
    configureWithIproute2(ns, routerFixture(2));
  });
  after(() => (nets.cleanup(), bin.cleanup()));

  it("shows node ids, interfaces, namespaces and schemas as sysctl and ip ioam have them", () => {
    const r = runIoam(["--netns", ns, "status"], bin.path);
    assert.equal(r.code, 0, r.err);
    const f = routerFixture(2);
    assert.match(r.out, new RegExp(`^node: id ${f.nodeId} wide ${f.nodeIdWide}$`, "m"));
    for (const line of nets.ip(ns, "ioam", "namespace", "show").trim().split("\n")) assert.ok(r.out.includes(`  ${line}\n`), line);
    for (const line of nets.ip(ns, "ioam", "schema", "show").trim().split("\n")) assert.ok(r.out.includes(`  ${line}\n`), line);
    for (const dev of ["west", "east", "lo"]) {
      const [en, id, wide] = nets.exec(ns, "sysctl", ["-n", `net.ipv6.conf.${dev}.ioam6_enabled`, `net.ipv6.conf.${dev}.ioam6_id`, `net.ipv6.conf.${dev}.ioam6_id_wide`]).trim().split("\n");
      assert.ok(r.out.includes(`  ${dev}: ${en === "1" ? "enabled" : "disabled"} id ${id} wide ${wide}\n`), dev);
    }
  });

  it("--json gives the same state and the kernel features with their consequences", () => {
    const r = runIoam(["--netns", ns, "status", "--json"], bin.path);
    assert.equal(r.code, 0, r.err);
    const s = JSON.parse(r.out) as { node: { id: number; wide: string }; namespaces: Array<{ namespace: number; schema?: number }>; features: Array<{ name: string; state: string; consequence: string }> };
    assert.deepEqual(s.node, { id: 2, wide: "0x1000000000002" });
    assert.deepEqual(s.namespaces.map((n) => [n.namespace, n.schema]).sort(), [[123, 777], [124, undefined]]);
    const state = Object.fromEntries(s.features.map((x) => [x.name, x.state]));
    assert.equal(state.transit, "present");
    assert.equal(state.netlink, "present");
    assert.equal(state.events, "present");
    assert.equal(state.nfqueue, existsSync("/proc/net/netfilter/nfnetlink_queue") ? "present" : state.nfqueue);
    assert.ok(s.features.every((x) => x.consequence.length > 20));
    // The lwtunnel verdict agrees with what the kernel does with an encap ioam6 route.
    const add = runIoam(["--netns", ns, "route", "add", "2001:db8:99::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x800000", "ns", "123", "size", "12", "dev", "west"], bin.path);
    if (add.code === 0) runIoam(["--netns", ns, "route", "del", "2001:db8:99::/64", "dev", "west"], bin.path);
    else assert.match(add.err, /CONFIG_IPV6_IOAM6_LWTUNNEL/);
    assert.equal(state.lwtunnel, add.code === 0 ? "present" : "missing");
    assert.deepEqual((s as unknown as { routes: unknown[] }).routes, []);
  });
});
