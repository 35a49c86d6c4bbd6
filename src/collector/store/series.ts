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
  /**
   * Keyed by a number: bucket index, resolution, hop (< 64) and path id (< 2^20) packed in 53
   * bits (no string per hop); path ids from 2^20 on use text keys.
   */
  readonly buckets = new Map<number | string, BucketSketches>();

  constructor(private readonly tsFormat: (namespaceId: number) => TsFormat) {}

  add(j: Journey, pathId: number): void {
    const minute = Math.floor(j.time / MINUTE_MS);
    const hour = Math.floor(j.time / HOUR_MS);
    const packed = pathId < 1048576;
    for (let i = 0; i < j.hops.length; i++) {
      const small = packed && i < 64;
      this.hop(j, i, pathId, MINUTE_MS, minute, small ? (minute * 128 + i) * 1048576 + pathId : `${pathId}/${i}/m/${minute}`);
      this.hop(j, i, pathId, HOUR_MS, hour, small ? ((hour * 2 + 1) * 64 + i) * 1048576 + pathId : `${pathId}/${i}/h/${hour}`);
    }
  }

  private hop(j: Journey, i: number, pathId: number, resolution: number, index: number, key: number | string): void {
    let b = this.buckets.get(key);
    if (!b) this.buckets.set(key, (b = { pathId, hop: i, resolution, bucketMs: index * resolution, count: 0, latency: new Sketch(), queue: new Sketch(), transit: new Sketch() }));
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
