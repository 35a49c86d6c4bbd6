// A live capture as a collector source (src/collector/sources/capture-source.ts) on the diamond
// lab: `ioam collect --capture NETNS/eth1` captures r4's link from r2 while following r4's decap
// sink. Each echo request is seen twice — on the wire with r1's and r2's entries, then in r4's
// sink with r4's too — and the two observations are joined by content into one journey of
// three hops; the replies r4 encapsulates leave through the same interface with r4's entry
// only. SIGTERM stops tcpdump with the collector; a missing interface is refused at start.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { labDir } from "../../src/lab/lab-state.js";
import { startCollect } from "../harness/collect-child.js";
import { IOAM_MAIN, runIoam } from "../harness/netns.js";
import { toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ping: "iputils-ping", tcpdump: "tcpdump" });
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);

describe("ioam collect --capture on the diamond lab", { skip }, () => {
  const lab = `t${process.pid}-cap`;
  const r4 = `ioamkit.${lab}.r4`;
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-livecap-"));
  after(() => {
    ioam("lab", "down", lab);
    rmSync(dir, { recursive: true, force: true });
  });

  it("joins the wire's observation with r4's sink record into one 3-hop journey per request", async () => {
    const up = ioam("lab", "up", join(ROOT, "examples", "diamond.yaml"), "TRACE=type 0xf00000 size 48", "--name", lab);
    assert.equal(up.code, 0, up.err);
    const db = join(dir, "cap.db");
    const collect = await startCollect(["--capture", `${r4}/eth1`, "--decap", join(labDir(lab), "r4.sink.ndjson"), "--db", db, "--batch", "1"]);
    try {
      const ping = ioam("lab", "exec", lab, "h1", "--", "ping", "-c", "20", "-i", "0.05", "-W", "2", "fd00:20::2");
      assert.match(ping.out, /20 received/, ping.out + ping.err);
      await new Promise((r) => setTimeout(r, 1500)); // the join window (500 ms) and a batch
    } finally {
      assert.equal(await collect.stop(), 0, collect.stderr());
    }
    assert.equal(spawnSync("pgrep", ["-f", `netns exec ${r4} tcpdump`]).status, 1, "tcpdump stopped with the collector");
    const d = new Database(db, { readonly: true });
    const rows = d.prepare("SELECT j.observations, j.at, j.joined_by, p.nodes FROM journeys j JOIN paths p ON p.id = j.path_id").all() as Array<{ observations: number; at: string; joined_by: string; nodes: string }>;
    const problems = d.prepare("SELECT reason, count FROM problems").all();
    d.close();
    const requests = rows.filter((r) => r.nodes === JSON.stringify(["1", "2", "4"]));
    const replies = rows.filter((r) => r.nodes === JSON.stringify(["4"]));
    assert.equal(requests.length, 20, JSON.stringify(rows.slice(0, 3)));
    for (const r of requests) {
      assert.equal(r.observations, 2);
      assert.equal(r.joined_by, "content");
      assert.deepEqual(r.at.split(",").sort(), [`${r4}`, `${r4}/eth1`].sort());
    }
    assert.equal(replies.length, 20, "r4's encapsulated replies leave through the captured interface");
    assert.equal(rows.length, 40);
    assert.deepEqual(problems, []);
  });

  it("refuses an interface that does not exist, naming it, and leaves nothing running", () => {
    const r = spawnSync(process.execPath, [IOAM_MAIN, "collect", "--capture", `${r4}/nosuch0`, "--db", join(dir, "bad.db")], { encoding: "utf8", timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /capturing on .*nosuch0: tcpdump exited/);
    assert.equal(spawnSync("pgrep", ["-f", "nosuch0"]).status, 1);
  });
});
