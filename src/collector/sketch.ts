// Percentiles in flat memory: a DDSketch (Masson, Rim, Lee, "DDSketch: a fast and fully-mergeable
// quantile sketch with relative-error guarantees", VLDB 2019) with logarithmic buckets in one
// Float64Array. Used by `ioam analyze`, the store (per-minute and per-hour series) and /metrics,
// so all three report the same figures for the same samples (docs/collector.md, "The sketch").
//
// Bucket i holds the values x with γ^(i-1) < x ≤ γ^i, γ = (1+α)/(1-α), α = 0.01. A quantile
// returns its bucket's value 2γ^i/(γ+1), within α of every value in the bucket, so it is
// within 1% (relative) of the exact nearest-rank value. Values ≤ MIN_VALUE count in a zero
// bucket (reported as 0); values above MAX_VALUE in the top bucket (reported as max, which is
// exact). Negative values (clocks that disagree) count apart, in `negative`, and are reported
// by their exact minimum only: a negative hop latency says the clocks are not comparable.

/** Relative accuracy α: every quantile is within α·x of the exact nearest-rank value x. */
export const SKETCH_ALPHA = 0.01;
const GAMMA = (1 + SKETCH_ALPHA) / (1 - SKETCH_ALPHA);
const LN_GAMMA = Math.log(GAMMA);
/** Smallest value told apart from zero (1 ns when values are nanoseconds). */
export const MIN_VALUE = 1;
/** Largest value given its own bucket (≈ 2.8e14: 78 hours in nanoseconds). */
export const MAX_VALUE = 2 ** 48;
/** Buckets for (MIN_VALUE, MAX_VALUE]: bucket 0 is the zero bucket. */
export const SKETCH_BUCKETS = Math.ceil(Math.log(MAX_VALUE) / LN_GAMMA) + 2;

/** The bucket a positive value falls in (1 … SKETCH_BUCKETS-1); 0 for values ≤ MIN_VALUE. */
export function bucketOf(x: number): number {
  if (!(x > MIN_VALUE)) return 0;
  if (x >= MAX_VALUE) return SKETCH_BUCKETS - 1;
  return Math.ceil(Math.log(x) / LN_GAMMA);
}

/** Upper bound of bucket i (γ^i); the zero bucket's is MIN_VALUE. */
export function bucketUpper(i: number): number {
  return i <= 0 ? MIN_VALUE : GAMMA ** i;
}

/** The value a quantile in bucket i reports: within α of every value in the bucket. */
export function bucketValue(i: number): number {
  return i <= 0 ? 0 : (2 * GAMMA ** i) / (GAMMA + 1);
}

/**
 * One distribution. Counts are float64 (exact integers up to 2^53). Not thread-safe; cheap to
 * reset and to merge (bucket-wise sum), so per-minute sketches roll up into hours exactly.
 */
export class Sketch {
  readonly counts = new Float64Array(SKETCH_BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Samples below zero (kept out of the buckets). */
  negative = 0;

  add(x: number, n = 1): void {
    this.count += n;
    this.sum += x * n;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (x < 0) this.negative += n;
    else this.counts[bucketOf(x)]! += n;
  }

  /**
   * The nearest-rank q-quantile (rank ⌈q·n⌉, 1-based, q in [0, 1]) within α: the value of
   * the bucket holding that rank. The extreme ranks are exact (min and max). NaN when empty.
   */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (rank >= this.count) return this.max;
    if (rank <= this.negative) return this.min;
    if (rank === 1) return this.min;
    let seen = this.negative;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      seen += c[i]!;
      if (seen >= rank) return Math.min(Math.max(bucketValue(i), this.min), this.max);
    }
    return this.max;
  }

  /** Samples ≤ bucketUpper(i) (negative ones included): a Prometheus bucket's count. */
  countAtMost(i: number): number {
    let n = this.negative;
    for (let k = 0; k <= i && k < this.counts.length; k++) n += this.counts[k]!;
    return n;
  }

  merge(o: Sketch): void {
    if (o.count === 0) return;
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += o.counts[i]!;
    this.count += o.count;
    this.sum += o.sum;
    this.negative += o.negative;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = this.sum = this.negative = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /**
   * Sparse bytes for storage: a header (count, sum, min, max, negative as float64), then
   * (bucket u16, count f64) pairs for the non-empty buckets. Little-endian.
   */
  encode(): Uint8Array {
    let used = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]) used++;
    const out = new Uint8Array(40 + used * 10);
    const dv = new DataView(out.buffer);
    [this.count, this.sum, this.min, this.max, this.negative].forEach((v, k) => dv.setFloat64(8 * k, v, true));
    let o = 40;
    for (let i = 0; i < this.counts.length; i++) {
      if (!this.counts[i]) continue;
      dv.setUint16(o, i, true);
      dv.setFloat64(o + 2, this.counts[i]!, true);
      o += 10;
    }
    return out;
  }

  /** The sketch encode() wrote. Throws RangeError on bytes that are not one. */
  static decode(b: Uint8Array): Sketch {
    if (b.length < 40 || (b.length - 40) % 10 !== 0) throw new RangeError(`sketch of ${b.length} bytes`);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const s = new Sketch();
    [s.count, s.sum, s.min, s.max, s.negative] = [0, 8, 16, 24, 32].map((o) => dv.getFloat64(o, true)) as [number, number, number, number, number];
    for (let o = 40; o < b.length; o += 10) {
      const i = dv.getUint16(o, true);
      if (i >= SKETCH_BUCKETS) throw new RangeError(`sketch bucket ${i}`);
      s.counts[i] = dv.getFloat64(o + 2, true);
    }
    return s;
  }
}

/** Exact nearest-rank quantile of sorted values (the sketch's reference). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
