import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SKETCH_ALPHA, Sketch, bucketOf, bucketUpper, nearestRank } from "./sketch.js";

const within = (got: number, exact: number) => Math.abs(got - exact) <= SKETCH_ALPHA * Math.abs(exact) + 1e-9;

describe("Sketch", () => {
  it("quantile() is within α of the exact nearest-rank value for random samples", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1.5, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const s = new Sketch();
        for (const x of xs) s.add(x);
        const sorted = Float64Array.from(xs).sort();
        assert.ok(within(s.quantile(q), nearestRank(sorted, q)), `q=${q} got ${s.quantile(q)} exact ${nearestRank(sorted, q)}`);
      }),
    );
  });

  it("min and max are exact; an empty sketch gives NaN", () => {
    const s = new Sketch();
    assert.ok(Number.isNaN(s.quantile(0.5)));
    [10, 1000, 123456].forEach((x) => s.add(x));
    assert.equal(s.quantile(0), 10);
    assert.equal(s.quantile(1), 123456);
  });

  it("values ≤ 1 count as zero, negatives apart (reported by their minimum)", () => {
    const s = new Sketch();
    s.add(-5);
    s.add(0.5);
    s.add(100);
    assert.equal(s.negative, 1);
    assert.equal(s.quantile(0.2), -5);
    assert.equal(s.countAtMost(0), 2);
  });

  it("merge() equals adding every sample to one sketch, and encode/decode keeps it", () => {
    const a = new Sketch();
    const b = new Sketch();
    const all = new Sketch();
    for (let i = 1; i < 5000; i++) {
      (i % 3 ? a : b).add(i * 7.3);
      all.add(i * 7.3);
    }
    a.merge(b);
    assert.deepEqual(a.counts, all.counts);
    const back = Sketch.decode(all.encode());
    assert.deepEqual(back.counts, all.counts);
    assert.equal(back.quantile(0.99), all.quantile(0.99));
  });

  it("bucket i holds exactly the values in (γ^(i-1), γ^i]", () => {
    for (const i of [5, 100, 700, 1400]) {
      assert.equal(bucketOf(bucketUpper(i)), i);
      assert.equal(bucketOf(bucketUpper(i) * 1.0000001), i + 1);
    }
  });
});
