// The collector on the diamond lab (examples/diamond.yaml, `ioam node run` at r1 and r4, kernel
// transit at r2): `ioam collect --decap` follows r4's sink while h1 pings h2 through r1's
// tunnel; each echo request becomes one stored journey with path r1 → r2 → r4 (three hops,
// each node's interface ids), and the Prometheus metrics count the records as they come.

import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { labDir } from "../../src/lab/lab-state.js";
import { startCollect } from "../harness/collect-child.js";
import { runIoam } from "../harness/netns.js";
import { toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ping: "iputils-ping" });
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);

const recordsTotal = async (port: number) => Number(/^ioam_collector_records_total (\d+)/m.exec(await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))?.[1] ?? NaN);

describe("ioam collect on the diamond lab's decap sink", { skip }, () => {
  const lab = `t${process.pid}-col`;
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-labcol-"));
  after(() => {
    ioam("lab", "down", lab);
    rmSync(dir, { recursive: true, force: true });
  });

  it("pings through r1's tunnel become journeys r1 → r2 → r4 in SQLite; /metrics counts them", async () => {
    const up = ioam("lab", "up", join(ROOT, "examples", "diamond.yaml"), "TRACE=type 0xc00000 size 32", "--name", lab);
    assert.equal(up.code, 0, up.err);
    const db = join(dir, "lab.db");
    const config = join(dir, "collect.yaml");
    writeFileSync(config, `version: 1\nnamespaces:\n  100: {}\nexports:\n  prometheus: { listen: "127.0.0.1:0" }\n`);
    const collect = await startCollect(["--config", config, "--db", db, "--batch", "1", "--decap", join(labDir(lab), "r4.sink.ndjson")]);
    try {
      const port = collect.metricsPort!;
      const before = await recordsTotal(port);
      const ping = ioam("lab", "exec", lab, "h1", "--", "ping", "-c", "20", "-i", "0.05", "-W", "2", "fd00:20::2");
      assert.match(ping.out, /20 received/, ping.out + ping.err);
      let now = before;
      for (let t = Date.now(); now < before + 20 && Date.now() - t < 20_000; await new Promise((r) => setTimeout(r, 100))) now = await recordsTotal(port);
      assert.equal(now - before, 20, "one decap record per echo request, counted as it arrives");
    } finally {
      assert.equal(await collect.stop(), 0, collect.stderr());
    }
    const d = new Database(db, { readonly: true });
    const rows = d.prepare("SELECT j.observations, p.key FROM journeys j JOIN paths p ON p.id = j.path_id").all() as Array<{ observations: number; key: string }>;
    d.close();
    assert.equal(rows.length, 20);
    for (const r of rows) {
      const hops = r.key.split("|")[1]!.split(">");
      assert.deepEqual(hops.map((h) => h.split(":")[0]), ["1", "2", "4"], r.key);
      assert.deepEqual(hops.slice(0, 2), ["1:256/258", "2:513/516"], "r1 from h1's link to r2's, r2 across");
    }
  });
});
