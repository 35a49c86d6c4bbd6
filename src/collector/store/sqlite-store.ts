// The embedded store: SQLite through better-sqlite3, in WAL mode. One transaction per batch
// holds the journeys, the per-hop series they change, problems, flags, loss and the sources'
// checkpoints, so that after a kill the database holds exactly the batches whose write()
// resolved, and each source resumes from the position committed with its records.

import Database from "better-sqlite3";
import { statSync } from "node:fs";
import type { TsFormat } from "../hops.js";
import { pathNodes } from "../hops.js";
import type { Journey } from "../journeys.js";
import { journeyTraceContext } from "../../wire/trace-context.js";
import type { Checkpoint } from "../sources/source.js";
import { encodeHops } from "./hop-blob.js";
import { SeriesFold, mergeBlob } from "./series.js";
import { migrate } from "./sqlite-schema.js";
import { SqliteQueries } from "./sqlite-queries.js";
import type { Retention, Store, StoreStats, WriteBatch, WriteResult } from "./store.js";

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** Timestamp format per IOAM namespace (default "linux"). */
  tsFormats?: ReadonlyMap<number, TsFormat>;
  retention?: Partial<Retention>;
  /**
   * "normal" (default): a committed batch survives the process being killed (WAL); "full": it
   * also survives power loss (fsync per commit).
   */
  synchronous?: "normal" | "full";
}

const DAY = 86_400_000;
/** Defaults: raw journeys a week (at most 50M), minute series 30 days, hours a year, problems 90 days. */
export const DEFAULT_RETENTION: Retention = { journeysMs: 7 * DAY, minuteMs: 30 * DAY, hourMs: 365 * DAY, problemsMs: 90 * DAY, maxJourneys: 50_000_000 };

/** SQLite implementation of Store. */
export class SqliteStore extends SqliteQueries implements Store {
  private readonly pathIds = new Map<string, number>();
  /** Where positioned records come from (a capture file): (origin, position) identifies a journey across replays. */
  private readonly originIds = new Map<string, number>();
  private readonly retention: Retention;
  private writes = 0;
  private lastWriteMs = 0;
  private readonly st;
  private readonly write1: (b: WriteBatch) => WriteResult;

  private constructor(
    db: Database.Database,
    private readonly file: string,
    private readonly opts: SqliteStoreOptions,
  ) {
    super(db);
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
    this.st = {
      journey: db.prepare("INSERT OR IGNORE INTO journeys (time_ms, time_source, path_id, trace_type, joined_by, observations, at, source, overflow, hops, flow, seq, origin_id, origin_pos, trace_id, span_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"),
      origin: db.prepare("INSERT INTO origins (name) VALUES (?)"),
      path: db.prepare("INSERT INTO paths (key, namespace_id, nodes, first_ms, last_ms) VALUES (?,?,?,?,?)"),
      pathNode: db.prepare("INSERT OR IGNORE INTO path_nodes (node, path_id, hop) VALUES (?,?,?)"),
      pathSeen: db.prepare("UPDATE paths SET last_ms = max(last_ms, ?), first_ms = min(first_ms, ?) WHERE id = ?"),
      seriesGet: db.prepare("SELECT count, latency, queue, transit FROM hop_series WHERE path_id = ? AND resolution = ? AND bucket_ms = ? AND hop = ?"),
      seriesPut: db.prepare("INSERT OR REPLACE INTO hop_series (path_id, hop, resolution, bucket_ms, count, latency, queue, transit) VALUES (?,?,?,?,?,?,?,?)"),
      problem: db.prepare("INSERT INTO problems (time_ms, source, reason, detail, count, since_ms, node, node_id) VALUES (?,?,?,?,?,?,?,?)"),
      flag: db.prepare("INSERT INTO flags (time_ms, kind, detail) VALUES (?,?,?)"),
      loss: db.prepare("INSERT OR REPLACE INTO loss (flow, received, lost, duplicates, updated_ms) VALUES (?,?,?,?,?)"),
      checkpoint: db.prepare("INSERT OR REPLACE INTO sources (name, kind, position, last_ms) VALUES (?,?,?,?)"),
    };
    this.reloadPathIds();
    this.write1 = db.transaction((b: WriteBatch) => this.writeTx(b));
  }

  /** Opens (creating and migrating as needed) the database at `file`. */
  static open(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${opts.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma("busy_timeout = 5000");
    migrate(db);
    return new SqliteStore(db, file, opts);
  }

  async write(batch: WriteBatch): Promise<WriteResult> {
    try {
      const r = this.write1(batch);
      this.writes++;
      this.lastWriteMs = Date.now();
      return r;
    } catch (e) {
      this.reloadPathIds(); // ids handed out inside the rolled-back transaction are gone
      throw e;
    }
  }

  private writeTx(b: WriteBatch): WriteResult {
    const fold = new SeriesFold((ns) => this.opts.tsFormats?.get(ns) ?? "linux");
    const seen = new Map<number, { min: number; max: number }>();
    let stored = 0;
    for (const j of b.journeys) {
      const pathId = this.pathId(j);
      if (!this.insertJourney(j, pathId)) continue;
      stored++;
      fold.add(j, pathId);
      const s = seen.get(pathId);
      if (!s) seen.set(pathId, { min: j.time, max: j.time });
      else (s.min = Math.min(s.min, j.time)), (s.max = Math.max(s.max, j.time));
    }
    for (const [id, s] of seen) this.st.pathSeen.run(s.max, s.min, id);
    this.mergeSeries(fold);
    for (const p of b.problems ?? []) this.st.problem.run(p.time, p.source, p.reason, p.detail, p.count ?? null, p.since ?? null, p.node ?? null, p.nodeId ?? null);
    for (const f of b.flags ?? []) this.st.flag.run(f.time, f.kind, JSON.stringify(f));
    const now = Date.now();
    for (const l of b.loss ?? []) this.st.loss.run(l.flow, l.received, l.lost, l.duplicates, now);
    for (const c of b.checkpoints ?? []) this.st.checkpoint.run(c.source, c.kind, c.position ?? null, c.time ?? null);
    return { journeys: stored, duplicates: b.journeys.length - stored };
  }

  private insertJourney(j: Journey, pathId: number): boolean {
    const ctx = journeyTraceContext(j.hops);
    const first = j.positions?.length ? j.positions.indexOf(Math.min(...j.positions)) : -1;
    const pos = first < 0 ? null : j.positions![first]!;
    const origin = first < 0 ? null : this.originId(j.positionsAt?.[first] ?? j.at[0]!);
    const seq = j.e2eSeq !== undefined ? String(j.e2eSeq) : j.dexSeq !== undefined ? `${j.dexFlowId ?? ""}:${j.dexSeq}` : null;
    const r = this.st.journey.run(j.time, j.timeSource, pathId, j.traceType, j.joinedBy, j.observations, j.at.join(","), j.source, j.overflow ? 1 : 0, encodeHops(j.hops, j.traceType), j.flow ? JSON.stringify(j.flow) : null, seq, origin, pos, ctx?.traceId ?? null, ctx?.spanId ?? null);
    return r.changes > 0;
  }

  private originId(name: string): number {
    let id = this.originIds.get(name);
    if (id === undefined) this.originIds.set(name, (id = Number(this.st.origin.run(name).lastInsertRowid)));
    return id;
  }

  private pathId(j: Journey): number {
    const known = this.pathIds.get(j.pathKey);
    if (known !== undefined) return known;
    const nodes = pathNodes(j.pathKey);
    const id = Number(this.st.path.run(j.pathKey, j.namespaceId, JSON.stringify(nodes), j.time, j.time).lastInsertRowid);
    nodes.forEach((n, hop) => this.st.pathNode.run(n, id, hop));
    this.pathIds.set(j.pathKey, id);
    return id;
  }

  private mergeSeries(fold: SeriesFold): void {
    for (const b of fold.buckets.values()) {
      const old = this.st.seriesGet.get(b.pathId, b.resolution, b.bucketMs, b.hop) as { count: number; latency: Uint8Array | null; queue: Uint8Array | null; transit: Uint8Array | null } | undefined;
      this.st.seriesPut.run(b.pathId, b.hop, b.resolution, b.bucketMs, (old?.count ?? 0) + b.count, mergeBlob(old?.latency, b.latency), mergeBlob(old?.queue, b.queue), mergeBlob(old?.transit, b.transit));
    }
  }

  private reloadPathIds(): void {
    this.pathIds.clear();
    this.originIds.clear();
    for (const r of this.db.prepare("SELECT id, name FROM origins").all() as Array<{ id: number; name: string }>) this.originIds.set(r.name, r.id);
    for (const r of this.db.prepare("SELECT id, key FROM paths").all() as Array<{ id: number; key: string }>) this.pathIds.set(r.key, r.id);
  }

  async checkpoint(source: string): Promise<Checkpoint | undefined> {
    const r = this.db.prepare("SELECT position, last_ms FROM sources WHERE name = ?").get(source) as { position: number | null; last_ms: number | null } | undefined;
    if (!r) return undefined;
    const c: Checkpoint = {};
    if (r.position !== null) c.position = r.position;
    if (r.last_ms !== null) c.time = r.last_ms;
    return c;
  }

  async maintain(nowMs: number): Promise<number> {
    const R = this.retention;
    const del = (sql: string, ...p: number[]) => this.db.prepare(sql).run(...p).changes;
    let n = del("DELETE FROM journeys WHERE time_ms < ?", nowMs - R.journeysMs);
    const count = (this.db.prepare("SELECT count(*) AS n FROM journeys").get() as { n: number }).n;
    if (count > R.maxJourneys) n += del("DELETE FROM journeys WHERE id IN (SELECT id FROM journeys ORDER BY time_ms LIMIT ?)", count - R.maxJourneys);
    n += del("DELETE FROM hop_series WHERE resolution = ? AND bucket_ms < ?", 60_000, nowMs - R.minuteMs);
    n += del("DELETE FROM hop_series WHERE resolution = ? AND bucket_ms < ?", 3_600_000, nowMs - R.hourMs);
    n += del("DELETE FROM problems WHERE time_ms < ?", nowMs - R.problemsMs);
    n += del("DELETE FROM flags WHERE time_ms < ?", nowMs - R.problemsMs);
    this.db.pragma("incremental_vacuum");
    this.db.pragma("wal_checkpoint(TRUNCATE)");
    return n;
  }

  stats(): StoreStats {
    const size = (f: string) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    };
    const journeys = (this.db.prepare("SELECT max(id) AS n FROM journeys").get() as { n: number | null }).n ?? 0;
    return { bytes: size(this.file) + size(this.file + "-wal"), journeys, writes: this.writes, lastWriteMs: this.lastWriteMs };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
