// The named queries on PostgreSQL (docs/collector.md, "Named queries"; docs/deployment.md), answering
// exactly as the SQLite store does: paths in a window and per-hop series from hop_series (its
// primary key; the writer shards of a bucket merged here), journeys by trace id (journeys_trace),
// by node (path_nodes → journeys_path_time), by path and by time (journeys_path_time per path).
// An agent's gap is counted when read: the journeys that crossed its node while it was down.

import type pg from "pg";
import type { Flag } from "../flags.js";
import { Sketch } from "../sketch.js";
import type { Problem, ProblemReason } from "../sources/source.js";
import { JOURNEY_COLUMNS, type JourneyDbRow, journeyRow } from "./journey-row.js";
import { HOUR_MS, MINUTE_MS } from "./series.js";
import type { HopSeriesRow, JourneyQuery, JourneyRow, PathRow, Resolution, Window } from "./store.js";

/** The sketches of a bucket's shard rows merged into one. */
function merged(blobs: ReadonlyArray<Buffer | null>): Sketch | undefined {
  let s: Sketch | undefined;
  for (const b of blobs) {
    if (!b) continue;
    const x = Sketch.decode(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    if (s) s.merge(x);
    else s = x;
  }
  return s;
}

const summary = (s: Sketch | undefined) => (s && s.count ? { p50: s.quantile(0.5), p90: s.quantile(0.9), p99: s.quantile(0.99), max: s.max, count: s.count } : undefined);

/** The read side, shared by the store class. */
export class PgQueries {
  protected bytesSeen = 0;
  protected journeysSeen = 0;

  constructor(protected readonly pool: pg.Pool) {}

  /** Refreshes what stats() reports (database size, journeys stored): it must stay synchronous. */
  async refreshStats(): Promise<void> {
    const r = await this.pool.query<{ b: string; n: string | null }>("SELECT pg_database_size(current_database()) AS b, (SELECT last_value FROM journeys_id_seq) AS n");
    this.bytesSeen = Number(r.rows[0]!.b);
    this.journeysSeen = Number(r.rows[0]!.n ?? 0);
  }

  protected resolutionFor(w: Window, asked?: Resolution): number {
    if (asked) return asked === "minute" ? MINUTE_MS : HOUR_MS;
    return w.to - w.from > 6 * HOUR_MS ? HOUR_MS : MINUTE_MS;
  }

  async paths(w: Window & { limit?: number }): Promise<PathRow[]> {
    const res = this.resolutionFor(w);
    const r = await this.pool.query<{ id: string; key: string; namespace_id: number; nodes: string[]; first_ms: number; last_ms: number; n: string }>(
      `SELECT p.id, p.key, p.namespace_id, p.nodes, p.first_ms, p.last_ms, sum(s.count) AS n FROM hop_series s JOIN paths p ON p.id = s.path_id
       WHERE s.resolution = $1 AND s.hop = 0 AND s.bucket_ms >= $2 AND s.bucket_ms < $3 GROUP BY p.id ORDER BY n DESC LIMIT $4`,
      [res, Math.floor(w.from / res) * res, w.to, w.limit ?? 1000],
    );
    return r.rows.map((x) => ({ id: Number(x.id), key: x.key, namespaceId: x.namespace_id, nodes: x.nodes, journeys: Number(x.n), firstMs: x.first_ms, lastMs: x.last_ms }));
  }

  async hopSeries(q: Window & { pathId: number; resolution?: Resolution }): Promise<HopSeriesRow[]> {
    const res = this.resolutionFor(q, q.resolution);
    const r = await this.pool.query<{ bucket_ms: string; hop: number; count: string; latency: Buffer[]; queue: Buffer[]; transit: Buffer[] }>(
      `SELECT bucket_ms, hop, sum(count) AS count, array_agg(latency) AS latency, array_agg(queue) AS queue, array_agg(transit) AS transit FROM hop_series
       WHERE path_id = $1 AND resolution = $2 AND bucket_ms >= $3 AND bucket_ms < $4 GROUP BY bucket_ms, hop ORDER BY bucket_ms, hop`,
      [q.pathId, res, Math.floor(q.from / res) * res, q.to],
    );
    return r.rows.map((x) => {
      const out: HopSeriesRow = { bucketMs: Number(x.bucket_ms), hop: x.hop, count: Number(x.count) };
      const l = summary(merged(x.latency));
      const qd = summary(merged(x.queue));
      const t = summary(merged(x.transit));
      if (l) out.latency = l;
      if (qd) out.queueDepth = { p50: qd.p50, max: qd.max, count: qd.count };
      if (t) out.transitDelay = { p50: t.p50, max: t.max, count: t.count };
      return out;
    });
  }

  async journeys(q: JourneyQuery): Promise<JourneyRow[]> {
    const limit = Math.min(q.limit ?? 100, 10_000);
    const from = "FROM journeys j JOIN paths p ON p.id = j.path_id";
    let rows: JourneyDbRow[];
    if ("traceId" in q) rows = (await this.pool.query<JourneyDbRow>(`SELECT ${JOURNEY_COLUMNS} ${from} WHERE j.trace_id = $1 ORDER BY j.time_ms DESC LIMIT $2`, [q.traceId, limit])).rows;
    else {
      const ids = q.pathId !== undefined ? [q.pathId] : q.node !== undefined ? await this.pathsOfNode(q.node) : await this.pathsInWindow(q);
      const per = (id: number) => this.pool.query<JourneyDbRow>(`SELECT ${JOURNEY_COLUMNS} ${from} WHERE j.path_id = $1 AND j.time_ms >= $2 AND j.time_ms < $3 ORDER BY j.time_ms DESC LIMIT $4`, [id, q.from, q.to, limit]);
      rows = (await Promise.all(ids.map(per))).flatMap((r) => r.rows).sort((a, b) => b.time_ms - a.time_ms).slice(0, limit);
    }
    return rows.map(journeyRow);
  }

  private async pathsOfNode(node: string): Promise<number[]> {
    return (await this.pool.query<{ path_id: string }>("SELECT DISTINCT path_id FROM path_nodes WHERE node = $1", [node])).rows.map((r) => Number(r.path_id));
  }

  private async pathsInWindow(w: Window): Promise<number[]> {
    const r = await this.pool.query<{ path_id: string }>("SELECT DISTINCT path_id FROM hop_series WHERE resolution = $1 AND hop = 0 AND bucket_ms >= $2 AND bucket_ms < $3", [HOUR_MS, Math.floor(w.from / HOUR_MS) * HOUR_MS, w.to]);
    return r.rows.map((x) => Number(x.path_id));
  }

  async problems(w: Window & { limit?: number }): Promise<Problem[]> {
    const r = await this.pool.query<{ time_ms: number; source: string; reason: string; detail: string; count: string | null; since_ms: number | null; node: string | null; node_id: string | null; crossed: string | null }>(
      `SELECT p.time_ms, p.source, p.reason, p.detail, p.count, p.since_ms, p.node, p.node_id,
         CASE WHEN p.reason = 'gap' AND p.node_id IS NOT NULL THEN (
           SELECT count(*) FROM journeys j JOIN path_nodes n ON n.path_id = j.path_id AND n.node = p.node_id::text
           WHERE j.time_ms >= p.since_ms AND j.time_ms < p.time_ms AND NOT (p.node = ANY (string_to_array(j.at, ',')))) END AS crossed
       FROM problems p WHERE p.time_ms >= $1 AND p.time_ms < $2 ORDER BY p.time_ms DESC LIMIT $3`,
      [w.from, w.to, w.limit ?? 1000],
    );
    return r.rows.map((x) => {
      const p: Problem = { reason: x.reason as ProblemReason, source: x.source, time: x.time_ms, detail: x.detail };
      const count = x.count ?? x.crossed;
      if (count !== null) p.count = Number(count);
      if (x.since_ms !== null) p.since = x.since_ms;
      if (x.node !== null) p.node = x.node;
      if (x.node_id !== null) p.nodeId = Number(x.node_id);
      return p;
    });
  }

  async flags(w: Window & { limit?: number }): Promise<Flag[]> {
    const r = await this.pool.query<{ detail: Flag }>("SELECT detail FROM flags WHERE time_ms >= $1 AND time_ms < $2 ORDER BY time_ms DESC LIMIT $3", [w.from, w.to, w.limit ?? 1000]);
    return r.rows.map((x) => x.detail);
  }
}
