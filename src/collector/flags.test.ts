import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ANOMALY_WINDOW_MS, type Flag, LatencyAnomalies, PATH_CONFIRM, PathChanges } from "./flags.js";

describe("PathChanges", () => {
  it("raises exactly one flag when a route moves and stays, none for one-off detours", () => {
    const c = new PathChanges();
    const seen = (p: string, t: number) => c.see("r1..r4", p, t);
    const flags: Array<Flag | undefined> = [];
    for (let t = 0; t < 100; t++) flags.push(seen(t === 40 ? "via r3" : "via r2", t)); // one detour
    for (let t = 100; t < 200; t++) flags.push(seen("via r3", t));
    const raised = flags.filter((f) => f !== undefined);
    assert.equal(raised.length, 1);
    assert.deepEqual(raised[0], { kind: "path-change", time: 100 + PATH_CONFIRM - 1, route: "r1..r4", from: "via r2", to: "via r3" });
  });
});

describe("LatencyAnomalies", () => {
  it("flags a hop whose median rises 5× over its baseline, once per episode", () => {
    const a = new LatencyAnomalies();
    const flags: Array<Flag | undefined> = [];
    let t = 0;
    const window = (ns: number) => {
      for (let i = 0; i < 50; i++) flags.push(a.see("p", 2, ns + (i % 5), (t += ANOMALY_WINDOW_MS / 50)));
    };
    for (let w = 0; w < 5; w++) window(100_000);
    for (let w = 0; w < 4; w++) window(500_000);
    window(100_000);
    const raised = flags.filter((f) => f !== undefined);
    assert.equal(raised.length, 1);
    assert.equal(raised[0]!.kind, "latency-anomaly");
  });
});
