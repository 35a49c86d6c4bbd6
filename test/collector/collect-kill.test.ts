// Crash safety of `ioam collect` on a capture: SIGKILL at 10 random points during ingest (after
// a random number of acknowledgements, never a wall-clock time). After each kill the database
// holds at least everything the process had reported as stored; each restart resumes from the
// committed offset; the finished database holds every journey exactly once. A corrupt capture
// is reported with its reason and does not crash the collector.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeJourneyCapture } from "../../bench/collector-traffic.js";
import { IOAM_MAIN } from "../harness/netns.js";

const N = 60_000;
const dir = mkdtempSync(join(tmpdir(), "ioam-kill-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const count = (db: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare("SELECT count(*) AS n, count(DISTINCT origin_pos) AS u FROM journeys").get() as { n: number; u: number });
  } finally {
    d.close();
  }
};

/** Runs collect until the k-th acknowledgement, then SIGKILL; returns the last stored count it reported (or null if it finished first). */
function runAndKill(file: string, db: string, k: number): Promise<number | null> {
  const child = spawn(process.execPath, [IOAM_MAIN, "collect", "--pcap", file, "--db", db, "--json", "--exit-at-end", "--batch", "1000"], { stdio: ["ignore", "pipe", "pipe"] });
  let buf = "";
  let acks = 0;
  let last = 0;
  return new Promise((resolve) => {
    child.stdout.on("data", (d: Buffer) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as { stored?: number; batch?: number };
        buf = buf.slice(nl + 1);
        if (line.stored === undefined || !line.batch) continue;
        last = line.stored;
        if (++acks === k) child.kill("SIGKILL");
      }
    });
    child.on("exit", (_code, signal) => resolve(signal === "SIGKILL" ? last : null));
  });
}

describe("ioam collect killed during ingest", () => {
  it("keeps every acknowledged journey and ends with each journey stored once", async () => {
    const file = join(dir, "gen.pcap");
    const db = join(dir, "kill.db");
    writeJourneyCapture(file, N, { seed: 5 });
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 3) + 1;
    let kills = 0;
    for (let round = 0; round < 30 && kills < 10; round++) {
      const before = round === 0 ? 0 : count(db).n;
      const reported = await runAndKill(file, db, rnd());
      if (reported === null) break; // it finished before the k-th acknowledgement
      kills++;
      const after = count(db).n;
      assert.ok(after >= before + reported, `kill ${kills}: database has ${after}, before ${before} + reported ${reported}`);
    }
    assert.equal(kills, 10, "killed at 10 points before the end");
    const done = spawnSync(process.execPath, [IOAM_MAIN, "collect", "--pcap", file, "--db", db, "--json", "--exit-at-end"], { encoding: "utf8" });
    assert.equal(done.status, 0, done.stderr);
    const final = count(db);
    assert.equal(final.n, N, "every journey stored");
    assert.equal(final.u, N, "none twice");
  });

  it("reports a corrupt capture with its reason and exits cleanly", () => {
    const file = join(dir, "corrupt.pcap");
    writeJourneyCapture(file, 100, { seed: 9 });
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(0x7fffffff, 24 + 16 + 200 + 8); // a record header in the middle claims 2 GB
    writeFileSync(file, bytes.subarray(0, 24 + 16 * 3 + 600));
    const r = spawnSync(process.execPath, [IOAM_MAIN, "collect", "--pcap", file, "--db", join(dir, "c.db"), "--json", "--exit-at-end"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!) as { problems: Record<string, number>; journeysStored: number };
    assert.equal(summary.problems["corrupt-capture"], 1);
    const d = new Database(join(dir, "c.db"), { readonly: true });
    const p = d.prepare("SELECT reason, detail FROM problems").all() as Array<{ reason: string; detail: string }>;
    d.close();
    assert.equal(p[0]!.reason, "corrupt-capture");
    assert.match(p[0]!.detail, /corrupt\.pcap at byte \d+/);
  });
});
