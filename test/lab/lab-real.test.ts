// Real labs (root): examples/diamond.yaml comes up with one command and h1 pings h2; two labs
// run side by side; a second lab with a taken name is refused; every bad input is refused
// with file:line and creates nothing; `lab down` leaves nothing (namespaces, processes, state).
// Up and down times are printed, not asserted.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { labDir, readLabState } from "../../src/lab/lab-state.js";
import { isAlive } from "../../src/lab/background.js";
import { rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const DIAMOND_FILE = join(ROOT, "examples", "diamond.yaml");
const DIAMOND = readFileSync(DIAMOND_FILE, "utf8");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);
const name = (tag: string) => `t${process.pid}-${tag}`;

/** Every named netns whose name belongs to lab `lab`. */
function labNamespaces(lab: string): string[] {
  return execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]!).filter((n) => n.startsWith(`ioamkit.${lab}.`));
}

/** Processes whose command line mentions the lab's directory (its daemons) or its namespaces. */
function labProcesses(lab: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.includes(labDir(lab)) || l.includes(`ioamkit.${lab}.`));
}

function timed<T>(what: string, fn: () => T): T {
  const t0 = Date.now();
  const r = fn();
  process.stdout.write(`# ${what}: ${Date.now() - t0} ms\n`);
  return r;
}

describe("ioam lab (real namespaces)", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-lab-"));
  const used: string[] = [];
  after(() => {
    for (const lab of used) ioam("lab", "down", lab);
    rmSync(dir, { recursive: true, force: true });
  });

  it("brings the diamond up with one command; h1 pings h2; status and exec see it; down leaves nothing", () => {
    const lab = name("dia");
    used.push(lab);
    const up = timed("diamond lab up", () => ioam("lab", "up", DIAMOND_FILE, "--name", lab));
    assert.equal(up.code, 0, up.err);
    assert.deepEqual(labNamespaces(lab).sort(), ["h1", "h2", "r1", "r2", "r3", "r4"].map((n) => `ioamkit.${lab}.${n}`));
    const ping = ioam("lab", "exec", lab, "h1", "--", "ping", "-c", "3", "-i", "0.2", "-W", "2", "fd00:20::2");
    assert.equal(ping.code, 0, ping.out + ping.err);
    assert.match(ping.out, /3 received/);
    const status = JSON.parse(ioam("lab", "status", lab, "--json").out) as Array<{ complete: boolean; nodes: Array<{ node: string; present: boolean; daemon?: { status: string } }> }>;
    assert.equal(status[0]!.complete, true);
    assert.ok(status[0]!.nodes.every((n) => n.present));
    assert.equal(status[0]!.nodes.find((n) => n.node === "r1")!.daemon!.status, "running");
    assert.equal(ioam("lab", "exec", lab, "r2", "--", "sysctl", "-n", "net.ipv6.ioam6_id").out.trim(), "2");
    assert.match(ioam("lab", "exec", lab, "r1", "--", "ip6tables-save", "-t", "raw").out, /-A PREROUTING -i eth1 -j IOAMLAB-EDGE-IN/);
    const r4 = readLabState(lab)!.nodes.r4!.daemon!.pid!;
    process.kill(-r4, "SIGKILL"); // a data plane that dies: status says so, down still cleans its rules
    for (let t = Date.now(); isAlive(r4) && Date.now() - t < 5000; ) spawnSync("sleep", ["0.1"]);
    const later = JSON.parse(ioam("lab", "status", lab, "--json").out) as Array<{ nodes: Array<{ node: string; daemon?: { status: string } }> }>;
    assert.equal(later[0]!.nodes.find((n) => n.node === "r4")!.daemon!.status, "exited (see its log)");
    assert.equal(later[0]!.nodes.find((n) => n.node === "r1")!.daemon!.status, "running");
    const down = timed("diamond lab down", () => ioam("lab", "down", DIAMOND_FILE, "--name", lab));
    assert.equal(down.code, 0, down.err);
    assert.deepEqual(labNamespaces(lab), []);
    assert.deepEqual(labProcesses(lab), []);
    assert.equal(existsSync(labDir(lab)), false);
  });

  it("runs two labs side by side and refuses a third with a name in use, creating nothing", () => {
    const [a, b] = [name("a"), name("b")];
    used.push(a, b);
    for (const lab of [a, b]) assert.equal(ioam("lab", "up", DIAMOND_FILE, "--name", lab).code, 0);
    for (const lab of [a, b]) assert.equal(ioam("lab", "exec", lab, "h2", "--", "ping", "-c", "1", "-W", "2", "fd00:10::1").code, 0);
    const before = labNamespaces(a);
    const clash = ioam("lab", "up", DIAMOND_FILE, "--name", a);
    assert.equal(clash.code, 2);
    assert.match(clash.err, new RegExp(`^ioam: ${DIAMOND_FILE.replace(/[.]/g, "\\.")}:\\d+: name: name clash: a lab named "${a}" is already up`));
    assert.deepEqual(labNamespaces(a), before);
    assert.equal(readLabState(a)?.complete, true, "the first lab's state is untouched");
    for (const lab of [a, b]) assert.equal(ioam("lab", "down", lab).code, 0);
    assert.deepEqual([...labNamespaces(a), ...labNamespaces(b)], []);
  });

  it("refuses every bad input with file:line before creating anything", () => {
    const bad: Array<[string, string, string, RegExp]> = [
      ["unknown node", 'endpoints: ["r3:eth2", "r4:eth2"]', 'endpoints: ["r3:eth2", "r9:eth2"]', /unknown node "r9"/],
      ["duplicate address", 'prefix: "fd00:34::/48" }', 'prefix: "fd00:34::/48", addresses: ["fd00:34::1", "fd00:34::1"] }', /duplicate address fd00:34::1/],
      ["unreachable tundst", "} tundst fd00:24::2", "} tundst fd00:99::2", /unreachable tundst/],
      ["trace too big", 'prefix: "fd00:24::/48" }', 'prefix: "fd00:24::/48", mtu: 1500 }', /trace too big for the MTU/],
      ["name clash", 'endpoints: ["r3:eth2", "r4:eth2"]', 'endpoints: ["r3:eth2", "r4:eth1"]', /name clash: r4:eth1/],
    ];
    // Other tests may create namespaces meanwhile: "nothing created" means none of this lab's.
    for (const [what, from, to, re] of bad) {
      const file = join(dir, `${what.replace(/ /g, "-")}.yaml`);
      writeFileSync(file, DIAMOND.replace(from, to));
      const r = ioam("lab", "up", file, "--name", name("bad"));
      assert.equal(r.code, 2, `${what}: ${r.err}`);
      assert.match(r.err, new RegExp(`^ioam: ${file.replace(/[.]/g, "\\.")}:\\d+: `), what);
      assert.match(r.err, re, what);
      assert.deepEqual(labNamespaces(name("bad")), [], `${what}: created namespaces`);
      assert.equal(existsSync(labDir(name("bad"))), false, `${what}: left state`);
    }
  });
});
