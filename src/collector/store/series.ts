// Per-hop series as the store keeps them: for each path, hop and time bucket (a minute, and the
// downsampled hour), the count and a DDSketch each of latency, queue depth and transit delay.
// A batch's journeys are folded into bucket sketches here; the store merges them into the rows.

import type { TsFormat } from "../hops.js";
import { queueDepthOf, timeDiffNs, transitDelayNs } from "../hops.js";
import type { Journey } from "../journeys.js";
import { Sketch } from "../sketch.js";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** One bucket's values for one hop. */
export interface BucketSketches {
  pathId: number;
  hop: number;
  resolution: number;
  bucketMs: number;
  count: number;
  latency: Sketch;
  queue: Sketch;
  transit: Sketch;
}

/** Folds journeys (with their path ids) into minute and hour buckets. */
export class SeriesFold {
  readonly buckets = new Map<string, BucketSketches>();

  constructor(private readonly tsFormat: (namespaceId: number) => TsFormat) {}

  add(j: Journey, pathId: number): void {
    for (const res of [MINUTE_MS, HOUR_MS]) {
      const bucketMs = Math.floor(j.time / res) * res;
      for (let i = 0; i < j.hops.length; i++) this.hop(j, i, pathId, res, bucketMs);
    }
  }

  private hop(j: Journey, i: number, pathId: number, resolution: number, bucketMs: number): void {
    const key = `${pathId}/${i}/${resolution}/${bucketMs}`;
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { pathId, hop: i, resolution, bucketMs, count: 0, latency: new Sketch(), queue: new Sketch(), transit: new Sketch() }));
    b.count++;
    const n = j.hops[i]!;
    if (i > 0) {
      const d = timeDiffNs(j.hops[i - 1]!, n, this.tsFormat(j.namespaceId));
      if (d !== undefined) b.latency.add(d);
    }
    const q = queueDepthOf(n);
    if (q !== undefined) b.queue.add(q);
    const t = transitDelayNs(n);
    if (t !== undefined) b.transit.add(t);
  }
}

/** A stored sketch column merged with new samples (either may be empty). */
export function mergeBlob(stored: Uint8Array | null | undefined, fresh: Sketch): Uint8Array | null {
  if (!stored) return fresh.count ? fresh.encode() : null;
  if (!fresh.count) return stored;
  const s = Sketch.decode(stored);
  s.merge(fresh);
  return s.encode();
}
