import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PositionTracker } from "./position-tracker.js";

describe("PositionTracker", () => {
  it("safe() is the oldest position still held, whatever the release order", () => {
    const t = new PositionTracker();
    assert.equal(t.safe(undefined), undefined);
    for (const p of [24, 100, 100, 180, 260]) t.add(p);
    t.release(100);
    assert.equal(t.safe(260), 24);
    t.release(24);
    assert.equal(t.safe(260), 100, "100 is held twice");
    t.release(100);
    t.release(260);
    assert.equal(t.safe(260), 180);
    t.release(180);
    assert.equal(t.safe(260), 261, "all stored: after the last read");
  });

  it("matches a model over 50k random releases", () => {
    const t = new PositionTracker();
    const held = new Map<number, number>();
    let x = 9;
    const rnd = (n: number) => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) % n);
    const open: number[] = [];
    for (let p = 0; p < 50_000; p++) {
      const pos = p * 16;
      t.add(pos);
      held.set(pos, 1);
      open.push(pos);
      if (rnd(3) && open.length) {
        const k = open.length > 50 ? 0 : rnd(open.length);
        const r = open.splice(k, 1)[0]!;
        t.release(r);
        held.delete(r);
      }
      if (p % 997 === 0) assert.equal(t.safe(pos), held.size ? Math.min(...held.keys()) : pos + 1);
    }
  });
});
