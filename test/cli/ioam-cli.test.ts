// The `ioam` command as a user runs it: exit statuses, help, decode and encode end to end.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const SAMPLE = join(ROOT, "samples", "ioam-trace.pcapng");

function ioam(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", input, maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("ioam", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints help with an example for every command, exit 0", () => {
    for (const cmd of ["decode", "encode", "namespace", "schema", "monitor", "route", "node run", "node stats", "node cleanup"]) {
      const r = ioam([...cmd.split(" "), "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.out, /usage: ioam/);
      assert.match(r.out, /\nexamples:\n {2}ioam /);
    }
  });

  it("exits 2 with one line naming the problem on bad usage, never a stack trace", () => {
    for (const args of [["frobnicate"], ["decode"], ["decode", "--pcap"], ["decode", "zz"], ["encode", "--src", "::1", "--dst", "x", "trace", "prealloc", "type", "1", "ns", "1", "size", "4"], ["encode", "--src", "::1", "--dst", "::2", "trace", "prealloc", "type", "1", "ns", "1", "size", "6"], ["decode", "--bogus"], ["route", "add", "2001:db8::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "6"], ["route", "add", "2001:db8::/64"], ["route", "del"], ["route", "show", "extra"]]) {
      const r = ioam(args);
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.err, /^ioam: .+\n$/);
    }
  });

  it("exits 1 naming the file when a capture cannot be read", () => {
    const bad = join(dir, "bad.pcap");
    writeFileSync(bad, "not a capture at all");
    const missing = ioam(["decode", "--pcap", join(dir, "missing.pcap")]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /missing\.pcap/);
    const r = ioam(["decode", "--pcap", bad]);
    assert.equal(r.code, 1);
    assert.match(r.err, /bad\.pcap/);
    assert.doesNotMatch(r.err, /at .*\.js:\d+/);
  });

  it("decodes the sample capture: three routers' nodes, newest first", () => {
    const r = ioam(["decode", "--pcap", SAMPLE, "--limit", "1"]);
    assert.equal(r.code, 0);
    assert.match(r.out, /pre-allocated trace @44 hop-by-hop 0x31 {2}ns 123 {2}type 0xf20000/);
    assert.deepEqual(r.out.split("\n").slice(3, 6).map((l) => l.trim().split(/\s+/).slice(0, 3)), [["1", "61", "4"], ["2", "62", "2"], ["3", "63", "1"]]);
  });

  it("writes the same output on worker threads as inline", () => {
    for (const flags of [["--json"], []]) {
      const inline = ioam(["decode", ...flags, "--threads", "0", "--pcap", SAMPLE]);
      const workers = ioam(["decode", ...flags, "--threads", "2", "--pcap", SAMPLE]);
      assert.equal(workers.code, 0);
      assert.equal(workers.out, inline.out);
    }
  });

  it("round-trips the sample through decode --json --payload | encode --from-json", () => {
    const json = ioam(["decode", "--json", "--payload", "--pcap", SAMPLE]);
    const hex = ioam(["encode", "--from-json", "-"], json.out);
    assert.equal(hex.code, 0, hex.err);
    const again = ioam(["decode", "--json", "--payload", "-"], hex.out);
    const strip = (s: string) => s.trim().split("\n").map((l) => { const o = JSON.parse(l) as Record<string, unknown>; delete o.capture; delete o.index; return o; });
    assert.deepEqual(strip(again.out), strip(json.out));
  });

  it("encodes what it is told and decodes it back", () => {
    const hex = ioam(["encode", "--src", "2001:db8::1", "--dst", "2001:db8::2", "trace", "prealloc", "type", "0x800000", "ns", "123", "size", "4"]);
    assert.equal(hex.code, 0);
    // Linux's lwtunnel template (docs/worked-packets.md): the HbH for ns 123, size 4
    assert.match(hex.out, /3a020100310e0000007b08018000000000000000010200008000/);
    const rec = JSON.parse(ioam(["decode", "--json", hex.out.trim()]).out) as { options: Array<{ namespaceId: number; remainingLen: number }> };
    assert.equal(rec.options[0]!.namespaceId, 123);
    assert.equal(rec.options[0]!.remainingLen, 1);
  });
});
