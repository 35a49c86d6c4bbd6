// `ioam apply` against the kernel: what it applies, ip ioam and sysctl read back; applying
// again changes nothing; a failure injected at each step k = 1..n in turn (a write the kernel
// refuses, or the netns vanishing) leaves the kernel exactly as before, checked by dump.
// Bad files fail with file:line and touch nothing.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { NetnsSet, pathWithoutIproute2, rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();
const FAULT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "harness", "apply-fault.js");

const FILE = `version: 1
node: { id: 1, wide: 0x1000000000001 }
interfaces:
  a1: { enabled: true, id: 11, wide: 0x10001 }
  a2: { id: 12 }
namespaces:
  123: { data: 0xdead0002, wide: 0xcafe000000000001, schema: 777 }
  124: {}
  9: { schema: 778 }
schemas:
  777: "router 1 snapshot"
  778: { hex: "0a0b0c" }
dataplane:
  encap: ["2001:db8:2::/64 trace prealloc type 0x800000 ns 123 size 12"]
`;

/** State that the file changes in every section: ids, a1, a schema bound to a namespace, ns 123's data. */
function configureBefore(nets: NetnsSet, ns: string): void {
  nets.veth({ ns, ifname: "a1" }, { ns, ifname: "a2" });
  nets.exec(ns, "sysctl", ["-qw", "net.ipv6.ioam6_id=7", "net.ipv6.conf.a1.ioam6_id=3"]);
  for (const args of [["schema", "add", "50", "old"], ["namespace", "add", "5", "data", "0x55"], ["namespace", "set", "5", "schema", "50"], ["namespace", "add", "123", "data", "0xdead0001"], ["schema", "add", "777", "router 1 snapshot"]]) nets.ip(ns, "ioam", ...args);
}

/**
 * Everything IOAM in a netns, as iproute2 and sysctl print it, one sorted line per item (the
 * kernel dumps its hash tables in an order that depends on insertion history, which is not
 * state); `enter` runs a command inside.
 */
function dump(enter: (cmd: string, args: string[]) => string): string {
  const sysctls = ["net.ipv6.ioam6_id", "net.ipv6.ioam6_id_wide", ...["a1", "a2"].flatMap((d) => ["enabled", "id", "id_wide"].map((k) => `net.ipv6.conf.${d}.ioam6_${k}`))];
  const text = [enter("ip", ["ioam", "namespace", "show"]), enter("ip", ["ioam", "schema", "show"]), enter("sysctl", sysctls)].join("");
  return text.split("\n").filter(Boolean).sort().join("\n");
}

describe("ioam apply", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-apply-"));
  const file = join(dir, "node.yaml");
  const holders: ChildProcess[] = [];
  before(() => writeFileSync(file, FILE));
  after(() => {
    for (const h of holders) h.kill("SIGKILL");
    nets.cleanup();
    bin.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const inNs = (ns: string) => (cmd: string, args: string[]) => nets.exec(ns, cmd, args);

  it("applies a file that ip ioam and sysctl read back, and a second time changes nothing", () => {
    const ns = nets.add("apply");
    configureBefore(nets, ns);
    const r = runIoam(["--netns", ns, "apply", file], bin.path);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^plan: ioam schema del 50 .*\(.*node\.yaml:\d+\)$/m);
    assert.match(r.out, /left to the userspace data plane \(ioam node run\): dataplane\.encap\[0\] \(.*node\.yaml:14\)/);
    assert.deepEqual(nets.ip(ns, "ioam", "namespace", "show").split("\n").sort(), ["", "namespace 123 [schema 777], data 0xdead0002, wide 0xcafe000000000001", "namespace 124", "namespace 9 [schema 778]"]);
    assert.match(nets.ip(ns, "ioam", "schema", "show"), /^schema 777 \[namespace 123\], data: 72 6f 75 74 65 72 20 31 20 73 6e 61 70 73 68 6f 74 00 00 00$/m);
    assert.match(nets.ip(ns, "ioam", "schema", "show"), /schema 778 \[namespace 9\], data: 0a 0b 0c 00/);
    assert.equal(nets.exec(ns, "sysctl", ["-n", "net.ipv6.ioam6_id", "net.ipv6.ioam6_id_wide", "net.ipv6.conf.a1.ioam6_enabled", "net.ipv6.conf.a1.ioam6_id", "net.ipv6.conf.a1.ioam6_id_wide", "net.ipv6.conf.a2.ioam6_id"]), "1\n281474976710657\n1\n11\n65537\n12\n");
    const before = dump(inNs(ns));
    const again = runIoam(["--netns", ns, "apply", file, "--json"], bin.path);
    assert.equal(again.code, 0, again.err);
    const j = JSON.parse(again.out) as { plan: unknown[]; applied: boolean; dataplane: Array<{ path: string }> };
    assert.deepEqual([j.plan, j.applied, j.dataplane.map((d) => d.path)], [[], false, ["dataplane.encap[0]"]]);
    assert.equal(dump(inNs(ns)), before);
  });

  it("--dry-run prints the plan and changes nothing", () => {
    const ns = nets.add("apply");
    configureBefore(nets, ns);
    const was = dump(inNs(ns));
    const r = runIoam(["--netns", ns, "apply", file, "--dry-run"], bin.path);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /would run: ioam namespace add 123 data 0xdead0002 wide cafe000000000001/);
    assert.equal(dump(inNs(ns)), was);
  });

  it("restores the exact state from before when step k fails, for every k", () => {
    const probe = nets.add("apply");
    configureBefore(nets, probe);
    const n = (JSON.parse(runIoam(["--netns", probe, "apply", file, "--dry-run", "--json"], bin.path).out) as { plan: unknown[] }).plan.length;
    assert.ok(n >= 10, `a plan of ${n} steps`);
    for (let k = 1; k <= n; k++) {
      const ns = nets.add("apply");
      configureBefore(nets, ns);
      const was = dump(inNs(ns));
      const out = JSON.parse(nets.exec(ns, process.execPath, [FAULT, "--apply-fault", file, String(k), "refuse", ns])) as { steps: number; error: string; restored: boolean };
      assert.equal(out.steps, n);
      assert.match(out.error, new RegExp(`^step ${k} \\(ioam .*\\) failed: .*the state from before was restored`), `k=${k}`);
      assert.equal(out.restored, true);
      assert.equal(dump(inNs(ns)), was, `state after a failure at step ${k}`);
    }
  });

  it("restores the state when the netns vanishes mid-apply, and says so", async () => {
    for (const k of [1, 4, 9]) {
      const ns = nets.add("apply");
      configureBefore(nets, ns);
      const was = dump(inNs(ns));
      // A process that keeps the netns alive after its name is gone, to dump it by /proc/PID/ns/net.
      const holder = spawn("ip", ["netns", "exec", ns, "sleep", "300"]);
      holders.push(holder);
      await new Promise((r) => setTimeout(r, 100));
      const pid = String(holder.pid); // ip netns exec execs sleep in place
      const out = JSON.parse(nets.exec(ns, "env", [`IOAMKIT_NETNS=${ns}`, process.execPath, FAULT, "--apply-fault", file, String(k), "vanish", ns])) as { error: string; restored: boolean };
      assert.match(out.error, new RegExp(`network namespace "${ns}" vanished.*the state from before was restored`), `k=${k}`);
      const orphan = (cmd: string, args: string[]) => execFileSync("nsenter", [`--net=/proc/${pid}/ns/net`, cmd, ...args], { encoding: "utf8" });
      assert.equal(dump(orphan), was, `state after the netns vanished at step ${k}`);
      holder.kill("SIGKILL");
    }
  });

  it("refuses bad files with file:line, exit status 2, and touches nothing", () => {
    const ns = nets.add("apply");
    configureBefore(nets, ns);
    const was = dump(inNs(ns));
    const cases: Array<[string, RegExp]> = [
      ["version: 1\nnode:\n  id: 16777216\n", /bad\.yaml:3: node\.id: expected an integer from 0 to 16777215/],
      ["version: 1\ninterfaces:\n  eth9: { enabled: true }\n", /bad\.yaml:3: interfaces\.eth9: no interface "eth9"/],
      ["version: 1\nnamespaces:\n  1: { schema: 4242 }\n", /bad\.yaml:3: namespaces\.1\.schema: schema 4242 is neither/],
      ["version: 1\nnamespaces:\n  70000: {}\n", /bad\.yaml:3: namespaces\.70000: expected an integer from 0 to 65535/],
      ["version: 1\nschemas:\n  1: { hex: \"abc\" }\n", /bad\.yaml:3: schemas\.1\.hex: expected an even number of hex digits/],
      ["version: 1\nnode: { id: [1\n", /bad\.yaml:\d+:\d+: malformed YAML/],
      ["version: 1\nnodes: {}\n", /bad\.yaml:2: nodes: unknown key/],
      ["version: 1\ndataplane:\n  encap: [\"2001:db8::/64 trace prealloc type 0x800000 ns 70000 size 8\"]\n", /bad\.yaml:3: dataplane\.encap\[0\]: .*70000/],
      ["version: 1\ninterfaces:\n  a1: { enabled: maybe }\n", /bad\.yaml:3: interfaces\.a1\.enabled: expected true or false/],
    ];
    for (const [text, message] of cases) {
      const bad = join(dir, "bad.yaml");
      writeFileSync(bad, text);
      const r = runIoam(["--netns", ns, "apply", bad], bin.path);
      assert.equal(r.code, 2, text);
      assert.match(r.err, /^ioam: [^\n]+\n$/, text);
      assert.match(r.err, message, text);
    }
    assert.equal(runIoam(["--netns", ns, "apply", join(dir, "missing.yaml")], bin.path).code, 1);
    assert.equal(dump(inNs(ns)), was);
  });
});
