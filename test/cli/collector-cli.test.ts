// `ioam analyze` and `ioam collect` as a user runs them: help with examples, the sample
// capture's table and JSON, usage errors with exit status 2, and a capture collected into a
// database that the JSON acknowledgements describe.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const SAMPLE = join(ROOT, "samples", "ioam-trace.pcapng");
const ioam = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });

describe("ioam analyze and ioam collect", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-collector-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("print help with examples", () => {
    for (const cmd of ["analyze", "collect"]) {
      const r = ioam([cmd, "--help"]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /usage: ioam/);
      assert.match(r.stdout, /examples:/i);
    }
  });

  it("analyze prints the sample's paths as a table and as JSON", () => {
    const t = ioam(["analyze", SAMPLE]);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /^11 frames, 8 journeys, 22 hop records, 3 paths/);
    assert.match(t.stdout, /path 123\|1:11\/12>2:21\/22>4:41\/42  6 journeys \(75\.0%\)/);
    const j = JSON.parse(ioam(["analyze", "--json", SAMPLE]).stdout) as { v: number; paths: Array<{ journeys: number; hops: Array<{ latencyNs?: { p50: number } }> }> };
    assert.equal(j.v, 1);
    assert.deepEqual(j.paths.map((p) => p.journeys), [6, 1, 1]);
    assert.equal(j.paths[0]!.hops[1]!.latencyNs!.p50, 180_000);
  });

  it("exit 2 with one line on bad usage", () => {
    for (const args of [["analyze"], ["analyze", "--ts-format", "123=gps", SAMPLE], ["collect", "--dex-udp", "[::1]:4739"], ["collect", "--batch", "0", "--pcap", SAMPLE], ["collect", "extra"]]) {
      const r = ioam(args);
      assert.equal(r.status, 2, args.join(" "));
      assert.match(r.stderr, /^ioam: .+\n$/);
    }
  });

  it("collect stores a capture and says so in its acknowledgements", () => {
    const db = join(dir, "sample.db");
    const r = ioam(["collect", "--pcap", SAMPLE, "--db", db, "--json", "--exit-at-end"]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { stored?: number; done?: boolean; journeysStored?: number });
    assert.equal(lines.at(-1)!.journeysStored, 8);
    const d = new Database(db, { readonly: true });
    assert.equal((d.prepare("SELECT count(*) AS n FROM journeys").get() as { n: number }).n, 8);
    d.close();
  });
});
