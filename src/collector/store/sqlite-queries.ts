// The named queries of the SQLite store (docs/collector.md, "Named queries"), each served by an
// index: paths in a window (hop_series primary key), per-hop series of a path (same), journeys by
// trace id (journeys_trace), by node (path_nodes → journeys_path_time), by path and by time
// (journeys_path_time for each path with rows in the window: no index of its own to maintain).

import type Database from "better-sqlite3";
import type { Flag } from "../flags.js";
import { Sketch } from "../sketch.js";
import type { Problem, ProblemReason } from "../sources/source.js";
import { JOURNEY_COLUMNS, type JourneyDbRow, journeyRow } from "./journey-row.js";
import { HOUR_MS, MINUTE_MS } from "./series.js";
import type { HopSeriesRow, JourneyQuery, JourneyRow, PathRow, Resolution, Window } from "./store.js";

const summary = (blob: Uint8Array | null) => {
  if (!blob) return undefined;
  const s = Sketch.decode(blob);
  return { p50: s.quantile(0.5), p90: s.quantile(0.9), p99: s.quantile(0.99), max: s.max, count: s.count };
};

/** The read side, shared by the store class. */
export class SqliteQueries {
  constructor(protected readonly db: Database.Database) {}

  /** Minute rows for windows up to 6 hours, hour rows beyond (unless asked). */
  protected resolutionFor(w: Window, asked?: Resolution): number {
    if (asked) return asked === "minute" ? MINUTE_MS : HOUR_MS;
    return w.to - w.from > 6 * HOUR_MS ? HOUR_MS : MINUTE_MS;
  }

  async paths(w: Window & { limit?: number }): Promise<PathRow[]> {
    const res = this.resolutionFor(w);
    const rows = this.db
      .prepare(`SELECT p.id, p.key, p.namespace_id, p.nodes, p.first_ms, p.last_ms, sum(s.count) AS n FROM hop_series s JOIN paths p ON p.id = s.path_id
        WHERE s.resolution = ? AND s.hop = 0 AND s.bucket_ms >= ? AND s.bucket_ms < ? GROUP BY p.id ORDER BY n DESC LIMIT ?`)
      .all(res, Math.floor(w.from / res) * res, w.to, w.limit ?? 1000) as Array<{ id: number; key: string; namespace_id: number; nodes: string; first_ms: number; last_ms: number; n: number }>;
    return rows.map((r) => ({ id: r.id, key: r.key, namespaceId: r.namespace_id, nodes: JSON.parse(r.nodes) as string[], journeys: r.n, firstMs: r.first_ms, lastMs: r.last_ms }));
  }

  async hopSeries(q: Window & { pathId: number; resolution?: Resolution }): Promise<HopSeriesRow[]> {
    const res = this.resolutionFor(q, q.resolution);
    const rows = this.db
      .prepare("SELECT bucket_ms, hop, count, latency, queue, transit FROM hop_series WHERE path_id = ? AND resolution = ? AND bucket_ms >= ? AND bucket_ms < ? ORDER BY bucket_ms, hop")
      .all(q.pathId, res, Math.floor(q.from / res) * res, q.to) as Array<{ bucket_ms: number; hop: number; count: number; latency: Uint8Array | null; queue: Uint8Array | null; transit: Uint8Array | null }>;
    return rows.map((r) => {
      const out: HopSeriesRow = { bucketMs: r.bucket_ms, hop: r.hop, count: r.count };
      const l = summary(r.latency);
      const qd = summary(r.queue);
      const t = summary(r.transit);
      if (l) out.latency = l;
      if (qd) out.queueDepth = { p50: qd.p50, max: qd.max, count: qd.count };
      if (t) out.transitDelay = { p50: t.p50, max: t.max, count: t.count };
      return out;
    });
  }

  async journeys(q: JourneyQuery): Promise<JourneyRow[]> {
    const limit = Math.min(q.limit ?? 100, 10_000);
    const from = `FROM journeys j JOIN paths p ON p.id = j.path_id`;
    let rows: JourneyDbRow[];
    if ("traceId" in q) rows = this.db.prepare(`SELECT ${JOURNEY_COLUMNS} ${from} WHERE j.trace_id = ? ORDER BY j.time_ms DESC LIMIT ?`).all(q.traceId, limit) as JourneyDbRow[];
    else {
      // One index (path, time) serves node, path and time: the paths come from path_nodes, or
      // from the series rows of the window; each path's newest rows are merged.
      const ids = q.pathId !== undefined ? [q.pathId] : q.node !== undefined ? this.pathsOfNode(q.node) : this.pathsInWindow(q);
      const per = this.db.prepare(`SELECT ${JOURNEY_COLUMNS} ${from} WHERE j.path_id = ? AND j.time_ms >= ? AND j.time_ms < ? ORDER BY j.time_ms DESC LIMIT ?`);
      rows = ids.flatMap((id) => per.all(id, q.from, q.to, limit) as JourneyDbRow[]).sort((a, b) => b.time_ms - a.time_ms).slice(0, limit);
    }
    return rows.map(journeyRow);
  }

  private pathsOfNode(node: string): number[] {
    return (this.db.prepare("SELECT DISTINCT path_id FROM path_nodes WHERE node = ?").all(node) as Array<{ path_id: number }>).map((r) => r.path_id);
  }

  /** Paths with journeys in the window (their hour rows), so that a time query needs no index of its own. */
  private pathsInWindow(w: Window): number[] {
    return (this.db.prepare("SELECT DISTINCT path_id FROM hop_series WHERE resolution = ? AND hop = 0 AND bucket_ms >= ? AND bucket_ms < ?").all(HOUR_MS, Math.floor(w.from / HOUR_MS) * HOUR_MS, w.to) as Array<{ path_id: number }>).map((r) => r.path_id);
  }

  /** Problems, newest first; an agent's gap with its node id counts, as read, the journeys that crossed that node meanwhile without its observation (as pg-queries.ts). */
  async problems(w: Window & { limit?: number }): Promise<Problem[]> {
    const rows = this.db
      .prepare(
        `SELECT p.time_ms, p.source, p.reason, p.detail, p.count, p.since_ms, p.node, p.node_id,
           CASE WHEN p.reason = 'gap' AND p.node_id IS NOT NULL THEN (
             SELECT count(*) FROM journeys j JOIN path_nodes n ON n.path_id = j.path_id AND n.node = CAST(p.node_id AS TEXT)
             WHERE j.time_ms >= p.since_ms AND j.time_ms < p.time_ms AND instr(',' || j.at || ',', ',' || p.node || ',') = 0) END AS crossed
         FROM problems p WHERE p.time_ms >= ? AND p.time_ms < ? ORDER BY p.time_ms DESC LIMIT ?`,
      )
      .all(w.from, w.to, w.limit ?? 1000) as Array<{ time_ms: number; source: string; reason: string; detail: string; count: number | null; since_ms: number | null; node: string | null; node_id: number | null; crossed: number | null }>;
    return rows.map((r) => {
      const p: Problem = { reason: r.reason as ProblemReason, source: r.source, time: r.time_ms, detail: r.detail };
      const count = r.count ?? r.crossed;
      if (count !== null) p.count = count;
      if (r.since_ms !== null) p.since = r.since_ms;
      if (r.node !== null) p.node = r.node;
      if (r.node_id !== null) p.nodeId = r.node_id;
      return p;
    });
  }

  async flags(w: Window & { limit?: number }): Promise<Flag[]> {
    const rows = this.db.prepare("SELECT detail FROM flags WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms DESC LIMIT ?").all(w.from, w.to, w.limit ?? 1000) as Array<{ detail: string }>;
    return rows.map((r) => JSON.parse(r.detail) as Flag);
  }
}
