// `ioam namespace|schema` against the kernel, with iproute2 as the oracle: what ioam sets,
// ip ioam reads back, and the reverse, with byte-identical `show` output. While ioam runs,
// ip and sysctl are not on its PATH.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { NetnsSet, pathWithoutIproute2, rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();

describe("ioam namespace / schema over Generic Netlink IOAM6", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let ns = "";
  before(() => (ns = nets.add("genl")));
  after(() => (nets.cleanup(), bin.cleanup()));
  const ioam = (...args: string[]) => runIoam(["--netns", ns, ...args], bin.path);
  const ip = (...args: string[]) => execFileSync("ip", ["-n", ns, "ioam", ...args], { encoding: "utf8" });
  const ok = (...args: string[]) => {
    const r = ioam(...args);
    assert.equal(r.code, 0, `ioam ${args.join(" ")}: ${r.err}`);
    return r.out;
  };

  it("creates namespaces and schemas that ip ioam shows, and shows them byte for byte as ip ioam", () => {
    ok("namespace", "add", "123", "data", "0xdeadbeef", "wide", "cafec0caf00dc0de");
    ok("namespace", "add", "0", "data", "0", "wide", "0");
    ok("namespace", "add", "65535", "data", "4294967294", "wide", "fffffffffffffffe");
    ok("namespace", "add", "7", "wide", "11");
    ok("namespace", "add", "8");
    for (const [id, data] of [["1", "a"], ["2", "ab"], ["3", "abc"], ["5", "abcde"], ["4294967295", "x".repeat(1020)]] as const) ok("schema", "add", id, data);
    ok("schema", "add", "777", "something that will be 4n-aligned");
    ok("namespace", "set", "123", "schema", "777");
    ok("namespace", "set", "7", "schema", "3");
    assert.equal(ok("namespace", "show"), ip("namespace", "show"));
    assert.equal(ok("schema", "show"), ip("schema", "show"));
    assert.match(ip("namespace", "show"), /namespace 123 \[schema 777\], data 0xdeadbeef, wide 0xcafec0caf00dc0de/);
    assert.match(ip("namespace", "show"), /namespace 7 \[schema 3\], wide 0x0000000000000011/);
  });

  it("shows what ip ioam changed: unbinding, deletion", () => {
    ip("namespace", "set", "123", "schema", "none");
    ip("schema", "del", "3");
    ip("namespace", "del", "8");
    const shown = ok("namespace", "show");
    assert.equal(shown, ip("namespace", "show"));
    assert.doesNotMatch(shown, /namespace 8\b|schema 777\]|schema 3\]/);
    assert.equal(ok("schema", "show"), ip("schema", "show"));
    const json = JSON.parse(ok("namespace", "show", "--json")) as Array<{ namespace: number; data?: number; wide?: string }>;
    assert.deepEqual(json.find((n) => n.namespace === 123), { namespace: 123, data: 0xdeadbeef, wide: "0xcafec0caf00dc0de" });
  });

  it("deletes through ioam what ip ioam then no longer shows", () => {
    ok("namespace", "del", "123");
    ok("schema", "del", "777");
    assert.doesNotMatch(ip("namespace", "show"), /namespace 123\b/);
    assert.doesNotMatch(ip("schema", "show"), /schema 777\b/);
  });

  it("refuses bad input with one line and status 2, kernel refusals with status 1", () => {
    for (const args of [["namespace", "add", "65536"], ["namespace", "add", "1", "data", "4294967296"], ["namespace", "add", "1", "wide", "zz"], ["namespace", "add", "1", "wide", "1", "data", "2"], ["schema", "add", "1", "x".repeat(1021)], ["namespace", "set", "1", "schema"]]) {
      const r = ioam(...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /^ioam: [^\n]+\n$/);
    }
    for (const [args, errno] of [[["namespace", "add", "0"], "EEXIST"], [["namespace", "del", "4242"], "ENOENT"], [["namespace", "set", "0", "schema", "999"], "ENOENT"]] as const) {
      const r = ioam(...args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.err, new RegExp(`^ioam: .*\\(${errno}\\)\\n$`));
    }
    const missing = runIoam(["--netns", "ioamkit-no-such-netns", "namespace", "show"], bin.path);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /network namespace "ioamkit-no-such-netns" not found/);
  });
});
