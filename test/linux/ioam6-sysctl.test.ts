// `ioam node` and `ioam link` against the kernel's sysctls, with sysctl(8) as the oracle: what
// ioam sets, sysctl reads back, and the reverse. While ioam runs, ip and sysctl are not on its PATH.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { NetnsSet, pathWithoutIproute2, rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();

describe("ioam node / link over /proc/sys", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let ns = "";
  before(() => {
    ns = nets.add("sysctl");
    nets.veth({ ns, ifname: "veth-a" }, { ns, ifname: "veth-b" });
  });
  after(() => (nets.cleanup(), bin.cleanup()));
  const ioam = (...args: string[]) => runIoam(["--netns", ns, ...args], bin.path);
  const ok = (...args: string[]) => {
    const r = ioam(...args);
    assert.equal(r.code, 0, `ioam ${args.join(" ")}: ${r.err}`);
    return r.out;
  };
  const sysctl = (name: string) => nets.exec(ns, "sysctl", ["-n", name]).trim();
  const sysctlSet = (kv: string) => nets.exec(ns, "sysctl", ["-qw", kv]);

  it("sets node ids that sysctl reads back, including the maximum values", () => {
    ok("node", "set", "id", "0xabcdef", "wide", "0x00ffffffffffffff");
    assert.equal(sysctl("net.ipv6.ioam6_id"), String(0xabcdef));
    assert.equal(sysctl("net.ipv6.ioam6_id_wide"), "72057594037927935");
    ok("node", "set", "wide", "1234567890123", "id", "0");
    assert.equal(sysctl("net.ipv6.ioam6_id"), "0");
    assert.equal(sysctl("net.ipv6.ioam6_id_wide"), "1234567890123");
  });

  it("shows node ids that sysctl set", () => {
    sysctlSet("net.ipv6.ioam6_id=16777215");
    sysctlSet("net.ipv6.ioam6_id_wide=4294967296");
    assert.equal(ok("node", "show"), "id 16777215 wide 4294967296\n");
    assert.deepEqual(JSON.parse(ok("node", "show", "--json")), { id: 16777215, wide: "0x100000000" });
  });

  it("sets interface state that sysctl reads back", () => {
    ok("link", "set", "dev", "veth-a", "enable", "id", "65535", "wide", "0xffffffff");
    ok("link", "set", "veth-b", "wide", "0", "id", "7");
    assert.equal(sysctl("net.ipv6.conf.veth-a.ioam6_enabled"), "1");
    assert.equal(sysctl("net.ipv6.conf.veth-a.ioam6_id"), "65535");
    assert.equal(sysctl("net.ipv6.conf.veth-a.ioam6_id_wide"), "4294967295");
    assert.equal(sysctl("net.ipv6.conf.veth-b.ioam6_enabled"), "0");
    assert.equal(sysctl("net.ipv6.conf.veth-b.ioam6_id"), "7");
    assert.equal(sysctl("net.ipv6.conf.veth-b.ioam6_id_wide"), "0");
    ok("link", "set", "veth-a", "disable");
    assert.equal(sysctl("net.ipv6.conf.veth-a.ioam6_enabled"), "0");
  });

  it("shows every interface as sysctl has it", () => {
    sysctlSet("net.ipv6.conf.veth-b.ioam6_enabled=1");
    sysctlSet("net.ipv6.conf.lo.ioam6_id=3");
    const shown = JSON.parse(ok("link", "show", "--json")) as Array<{ ifname: string; enabled: boolean; id: number; wide: number }>;
    assert.deepEqual(shown.map((i) => i.ifname), ["lo", "veth-a", "veth-b"]);
    for (const i of shown) {
      assert.equal(i.enabled, sysctl(`net.ipv6.conf.${i.ifname}.ioam6_enabled`) === "1", i.ifname);
      assert.equal(String(i.id), sysctl(`net.ipv6.conf.${i.ifname}.ioam6_id`), i.ifname);
      assert.equal(String(i.wide), sysctl(`net.ipv6.conf.${i.ifname}.ioam6_id_wide`), i.ifname);
    }
    assert.equal(ok("link", "show", "veth-b"), "veth-b: enabled id 7 wide 0\n");
  });

  it("refuses out-of-range values before writing anything, and names a missing interface", () => {
    const before = [sysctl("net.ipv6.ioam6_id"), sysctl("net.ipv6.conf.veth-a.ioam6_id")];
    for (const args of [["node", "set", "id", "5", "wide", "0x100000000000000"], ["node", "set", "id", "16777216"], ["link", "set", "veth-a", "id", "9", "wide", "4294967296"], ["link", "set", "veth-a", "id", "65536"], ["link", "set", "veth-a", "mtu", "3"], ["node", "set"]]) {
      const r = ioam(...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /^ioam: [^\n]+\n$/);
    }
    assert.deepEqual([sysctl("net.ipv6.ioam6_id"), sysctl("net.ipv6.conf.veth-a.ioam6_id")], before);
    const r = ioam("link", "set", "eth-none", "enable");
    assert.equal(r.code, 1);
    assert.equal(r.err, 'ioam: interface "eth-none" not found in this network namespace (or IPv6 is disabled on it)\n');
  });
});
