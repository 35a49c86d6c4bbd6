// bench/codec.ts --short (the CI mode) runs and prints the decode-modes table: default, inline
// and 1 and 2 threads per size, with the thread count the default chose. No time is asserted.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { ROOT } from "./_support.js";

describe("bench:codec --short", () => {
  it("prints the default vs inline vs threads table as JSON", () => {
    const r = spawnSync(process.execPath, ["dist/bench/codec.js", "--short"], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 26 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { decodeModes: { cores: number; runs: number; rows: Array<{ packets: number; defaultThreads: number; seconds: Record<string, number>; defaultVsInline: number }> } };
    const m = out.decodeModes;
    assert.deepEqual(m.rows.map((row) => row.packets), [2_000, 20_000]);
    for (const row of m.rows) {
      assert.deepEqual(Object.keys(row.seconds), ["default", "inline", "threads1", "threads2"]);
      for (const s of Object.values(row.seconds)) assert.ok(s > 0);
      assert.equal(row.defaultThreads, 0, "small captures decode inline by default");
      assert.ok(row.defaultVsInline > 0);
    }
  });
});
