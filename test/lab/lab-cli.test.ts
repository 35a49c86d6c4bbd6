// `ioam lab` as a user runs it without root: help whose --emulate examples run as printed,
// bad usage as one line with status 2, --json output that is one canonical record per probe,
// and status with no labs up.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const labs = mkdtempSync(join(tmpdir(), "ioamkit-labs-"));
after(() => rmSync(labs, { recursive: true, force: true }));

function ioam(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", cwd: ROOT, env: { ...process.env, IOAMKIT_LAB_DIR: labs } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Splits an example line into words as a shell would (double quotes only). */
const words = (line: string) => [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, ""));

describe("ioam lab", () => {
  it("prints help with usage and examples; every --emulate example runs as printed", () => {
    const r = ioam(["lab", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /usage: ioam lab up FILE/);
    const examples = r.out.split(/^examples:\n/im)[1]!.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("ioam lab") && l.includes("--emulate"));
    assert.ok(examples.length >= 3, "at least three runnable examples");
    for (const ex of examples) {
      const run = ioam(words(ex).slice(1));
      assert.equal(run.code, 0, `${ex}: ${run.err}`);
      assert.notEqual(run.out, "");
    }
  });

  it("exits 2 with one line naming the problem on bad usage", () => {
    for (const args of [["lab", "frob"], ["lab", "up"], ["lab", "trace", "examples/diamond.yaml", "h1"], ["lab", "trace", "examples/diamond.yaml", "h1", "h9", "--emulate"], ["lab", "trace", "examples/diamond.yaml", "h1", "h2", "--emulate", "--proto", "tcp"], ["lab", "exec", "x"]]) {
      const r = ioam(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /^ioam: [^\n]+\n$/, args.join(" "));
    }
  });

  it("trace --emulate --json prints one canonical record per probe", () => {
    const r = ioam(["lab", "trace", "examples/diamond.yaml", "h1", "h2", "--emulate", "--json", "--count", "2"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as { v: number; probe: { seq: number; proto: string }; at: { source: string; node: string }; options: Array<{ kind: string; traceType: string; nodes: Array<{ nodeId: number }> }> });
    assert.deepEqual(lines.map((l) => [l.v, l.probe.seq, l.probe.proto, l.at.source, l.at.node]), [[1, 1, "icmp", "sink", "r4"], [1, 2, "udp", "sink", "r4"], [1, 3, "icmp", "sink", "r4"], [1, 4, "udp", "sink", "r4"]]);
    assert.deepEqual(lines[0]!.options.map((o) => [o.kind, o.traceType, o.nodes.map((n) => n.nodeId)]), [["trace", "0x800000", [2, 1]]]);
  });

  it("status with no lab up says so; down of an unknown lab removes nothing", () => {
    assert.deepEqual(JSON.parse(ioam(["lab", "status", "--json"]).out), []);
    if (process.getuid?.() === 0) assert.match(ioam(["lab", "down", "nosuchlab"]).out, /no lab named nosuchlab was up/);
    else assert.match(ioam(["lab", "up", "examples/diamond.yaml"]).err, /needs root.*--emulate/);
  });
});
