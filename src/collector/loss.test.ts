import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SEQ_WINDOW, SeqTracker } from "./loss.js";

describe("SeqTracker", () => {
  it("counts gaps as lost and a late packet inside the window as received", () => {
    const t = new SeqTracker();
    for (const s of [10, 11, 13, 14, 12, 17]) t.add(s);
    assert.deepEqual(t.final(), { received: 6, lost: 2, duplicates: 0, outOfWindow: 0 });
  });

  it("counts repeats as duplicates and nothing below the first number as lost", () => {
    const t = new SeqTracker();
    for (const s of [100, 101, 101, 102]) t.add(s);
    assert.deepEqual(t.final(), { received: 3, lost: 0, duplicates: 1, outOfWindow: 0 });
  });

  it("counts every skipped number across jumps longer than the window", () => {
    const t = new SeqTracker();
    const seen = [0, 1, 5, 3 * SEQ_WINDOW, 3 * SEQ_WINDOW + 2];
    for (const s of seen) t.add(s);
    const expected = 3 * SEQ_WINDOW + 3 - seen.length;
    assert.equal(t.final().lost, expected);
  });

  it("equals an exact count over 100k numbers with 10% random drops and local reordering", () => {
    const t = new SeqTracker();
    let x = 7;
    const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296);
    const kept: number[] = [];
    for (let s = 0; s < 100_000; s++) if (rnd() >= 0.1) kept.push(s);
    for (let i = 0; i + 1 < kept.length; i += 7) [kept[i], kept[i + 1]] = [kept[i + 1]!, kept[i]!];
    for (const s of kept) t.add(s);
    const last = Math.max(...kept.slice(-3));
    const first = Math.min(...kept.slice(0, 3));
    assert.equal(t.final().lost, last - first + 1 - kept.length);
    assert.equal(t.final().received, kept.length);
  });
});
