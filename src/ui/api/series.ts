// Per-hop series of one path and its latency heatmap (docs/api.md, "/paths/{id}/series",
// "/paths/{id}/heatmap"). A step of one minute or one hour reads the store's per-hop series (a
// DDSketch per bucket over every journey); a finer step — what a live view needs — folds the
// path's newest journeys in the window (at most 10 000; `sampled` says when there were more)
// into the same sketches, so the rows have one shape whichever way they were made.

import { queueDepthOf, timeDiffNs, transitDelayNs } from "../../collector/hops.js";
import { Sketch } from "../../collector/sketch.js";
import type { HopSeriesRow, JourneyRow } from "../../collector/store/store.js";
import { badParameter } from "./api-error.js";
import type { ApiContext, Window } from "./context.js";
import { keyHopTexts } from "./summary.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const MAX_BUCKETS = 2000;
const JOURNEY_LIMIT = 10_000;
const NICE_STEPS = [1000, 2000, 5000, 10_000, 15_000, 30_000, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR];

/** The step a window gets when none is asked: about 120 buckets, a round number of seconds. */
export function autoStep(w: Window): number {
  const want = (w.to - w.from) / 120;
  return NICE_STEPS.find((s) => s >= want) ?? HOUR * Math.ceil(want / HOUR);
}

/** Checks that the window holds at most MAX_BUCKETS steps. */
export function checkBuckets(w: Window, step: number, raw: string): void {
  if ((w.to - w.from) / step > MAX_BUCKETS) throw badParameter("step", raw, `${Math.ceil((w.to - w.from) / step)} buckets in this window; at most ${MAX_BUCKETS} (use a larger step or a shorter window)`);
}

interface Fold {
  count: number;
  latency: Sketch;
  queue: Sketch;
  transit: Sketch;
}

/** The path's journeys in the window, newest first, and whether the limit cut them. */
async function pathJourneys(ctx: ApiContext, pathId: number, w: Window): Promise<{ rows: JourneyRow[]; sampled: boolean }> {
  const rows = await ctx.store.journeys({ pathId, ...w, limit: JOURNEY_LIMIT });
  return { rows, sampled: rows.length >= JOURNEY_LIMIT };
}

function foldJourneys(ctx: ApiContext, rows: readonly JourneyRow[], step: number): HopSeriesRow[] {
  const buckets = new Map<string, Fold & { bucketMs: number; hop: number }>();
  for (const r of rows) {
    const bucketMs = Math.floor(r.timeMs / step) * step;
    const fmt = ctx.tsFormat(r.namespaceId);
    r.hops.forEach((n, hop) => {
      const k = `${bucketMs}/${hop}`;
      let b = buckets.get(k);
      if (!b) buckets.set(k, (b = { bucketMs, hop, count: 0, latency: new Sketch(), queue: new Sketch(), transit: new Sketch() }));
      b.count++;
      const d = hop > 0 ? timeDiffNs(r.hops[hop - 1]!, n, fmt) : undefined;
      if (d !== undefined) b.latency.add(d);
      const q = queueDepthOf(n);
      if (q !== undefined) b.queue.add(q);
      const t = transitDelayNs(n);
      if (t !== undefined) b.transit.add(t);
    });
  }
  return [...buckets.values()].sort((a, b) => a.bucketMs - b.bucketMs || a.hop - b.hop).map(seriesRow);
}

function seriesRow(b: Fold & { bucketMs: number; hop: number }): HopSeriesRow {
  const row: HopSeriesRow = { bucketMs: b.bucketMs, hop: b.hop, count: b.count };
  if (b.latency.count) row.latency = { p50: b.latency.quantile(0.5), p90: b.latency.quantile(0.9), p99: b.latency.quantile(0.99), max: b.latency.max, count: b.latency.count };
  if (b.queue.count) row.queueDepth = { p50: b.queue.quantile(0.5), max: b.queue.max, count: b.queue.count };
  if (b.transit.count) row.transitDelay = { p50: b.transit.quantile(0.5), max: b.transit.max, count: b.transit.count };
  return row;
}

/** The path's key and hops, looked up among the window's paths (undefined when it has no traffic there). */
async function pathInWindow(ctx: ApiContext, pathId: number, w: Window): Promise<{ key: string; nodes: string[] } | undefined> {
  const p = (await ctx.store.paths({ ...w, limit: 1000 })).find((x) => x.id === pathId);
  return p ? { key: p.key, nodes: keyHopTexts(p.key) } : undefined;
}

/** GET /api/v1/paths/{id}/series. */
export async function seriesJson(ctx: ApiContext, pathId: number, w: Window, step: number): Promise<string> {
  const path = await pathInWindow(ctx, pathId, w);
  const fromStore = step === MINUTE || step === HOUR;
  let rows: HopSeriesRow[];
  let sampled = false;
  if (fromStore) rows = await ctx.store.hopSeries({ ...w, pathId, resolution: step === MINUTE ? "minute" : "hour" });
  else {
    const j = await pathJourneys(ctx, pathId, w);
    rows = foldJourneys(ctx, j.rows, step);
    sampled = j.sampled;
  }
  return JSON.stringify({ v: 1, pathId, path: path?.key ?? null, hops: path?.nodes ?? [], window: w, stepMs: step, source: fromStore ? "store-series" : "journeys", sampled, rows });
}

/** Latency bins: edges from 1 µs to 100 s, five per decade (ns). */
export const HEATMAP_EDGES_NS: readonly number[] = Array.from({ length: 41 }, (_, i) => Math.round(1000 * 10 ** (i / 5)));

function binOf(ns: number): number {
  let lo = 0;
  while (lo < HEATMAP_EDGES_NS.length - 1 && ns >= HEATMAP_EDGES_NS[lo + 1]!) lo++;
  return lo;
}

/** GET /api/v1/paths/{id}/heatmap: counts per (time bucket, latency bin) of one hop, or of the whole path. */
export async function heatmapJson(ctx: ApiContext, pathId: number, w: Window, step: number, hop: number | undefined): Promise<string> {
  const j = await pathJourneys(ctx, pathId, w);
  const cells = new Map<string, number>();
  for (const r of j.rows) {
    if (r.hops.length < 2) continue;
    const fmt = ctx.tsFormat(r.namespaceId);
    if (hop !== undefined && hop >= r.hops.length) throw badParameter("hop", String(hop), `this path has hops 1 to ${r.hops.length - 1}`);
    const d = hop === undefined ? timeDiffNs(r.hops[0]!, r.hops[r.hops.length - 1]!, fmt) : timeDiffNs(r.hops[hop - 1]!, r.hops[hop]!, fmt);
    if (d === undefined) continue;
    const k = `${Math.floor(r.timeMs / step) * step}/${binOf(Math.max(d, 0))}`;
    cells.set(k, (cells.get(k) ?? 0) + 1);
  }
  const list = [...cells].map(([k, n]) => {
    const [t, b] = k.split("/").map(Number);
    return [t!, b!, n] as const;
  });
  list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return JSON.stringify({ v: 1, pathId, hop: hop ?? "path", window: w, stepMs: step, binsNs: HEATMAP_EDGES_NS, sampled: j.sampled, cells: list });
}
