// The daemon's clock against the system's real-time clock (Date) and its own monotonicity.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { performance } from "node:perf_hooks";
import { RealtimeClock } from "./clock.js";

describe("RealtimeClock", () => {
  it("reads the system's real time, with nanoseconds within a second", () => {
    const c = new RealtimeClock();
    for (let i = 0; i < 1000; i++) {
      const before = Date.now();
      const t = c.now();
      const ms = t.sec * 1000 + t.nsec / 1e6;
      const after = Date.now();
      assert.ok(t.nsec >= 0 && t.nsec < 1e9 && Number.isInteger(t.nsec));
      // Date.now() follows a coarse clock (steps of a few ms): the reading lies close to it.
      assert.ok(ms >= before - 20 && ms < after + 20, `${ms} not near [${before}, ${after}]`);
    }
  });

  it("follows a step of the system clock", () => {
    const c = new RealtimeClock(Date.now() - 3_600_000 - performance.now());
    const t = c.now();
    assert.ok(Math.abs(t.sec * 1000 + t.nsec / 1e6 - Date.now()) < 20);
    assert.equal(c.steps, 1);
  });

  it("never goes back between two reads and resolves below a microsecond", () => {
    const c = new RealtimeClock();
    let last = 0;
    const steps = new Set<number>();
    for (let i = 0; i < 10000; i++) {
      const t = c.now();
      const ns = t.sec * 1e9 + t.nsec;
      assert.ok(ns >= last, "monotonic between anchors");
      if (last) steps.add(ns - last);
      last = ns;
    }
    assert.ok([...steps].some((s) => s > 0 && s < 1000), "some consecutive reads differ by less than 1 µs");
  });
});
