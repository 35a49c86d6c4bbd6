// The server store: PostgreSQL through node-postgres (docs/deployment.md, "PostgreSQL"), the second
// implementation of Store. A batch is one transaction, as in SQLite. Rows that several writers
// would update — per-hop series, per-flow loss — are kept per writer shard (a stream worker's
// shard, or the local collector's), so that writers never wait on each other's rows; reads
// merge the shards. Paths are created outside the batch's transaction (autocommit), so that a
// path id is never one a rolled-back transaction handed out.

import pg from "pg";
import type { TsFormat } from "../hops.js";
import { pathNodes } from "../hops.js";
import type { Journey } from "../journeys.js";
import type { Checkpoint } from "../sources/source.js";
import { journeyTraceContext } from "../../wire/trace-context.js";
import { encodeHops } from "./hop-blob.js";
import { IoamError } from "../../errors.js";
import { PG_SCHEMA_VERSION, ensurePartitions, migratePg, partitionsBefore, pgSchemaVersion } from "./pg-schema.js";
import { PgQueries } from "./pg-queries.js";
import { SeriesFold, mergeBlob } from "./series.js";
import { DEFAULT_RETENTION } from "./sqlite-store.js";
import type { Retention, Store, StoreStats, WriteBatch, WriteResult } from "./store.js";

/** Options of the PostgreSQL store. */
export interface PgStoreOptions {
  tsFormats?: ReadonlyMap<number, TsFormat>;
  retention?: Partial<Retention>;
  /** Connections in the pool (default 4). */
  poolSize?: number;
}

/** The shard of a collector writing journeys itself (not a stream worker): one per database. */
export const LOCAL_SHARD = -1;

/** A journey to store, with the key a late record would find it by. */
export type KeyedJourney = Journey & { jkey?: string };

/** PostgreSQL implementation of Store. */
export class PgStore extends PgQueries implements Store {
  private readonly pathIds = new Map<string, number>();
  private readonly originIds = new Map<string, number>();
  private readonly partitions = new Set<string>();
  private readonly retention: Retention;
  private writes = 0;
  private lastWriteMs = 0;

  private constructor(pool: pg.Pool, private readonly opts: PgStoreOptions) {
    super(pool);
    this.retention = { ...DEFAULT_RETENTION, ...opts.retention };
  }

  /** Connects, creating and migrating the schema as needed. The URL carries no password (PGPASSWORD, ~/.pgpass). */
  static async open(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 4, connectionTimeoutMillis: 10_000 });
    pool.on("error", () => {}); // an idle client lost (server restart): the pool replaces it
    const c = await pool.connect();
    try {
      await migratePg(c);
    } finally {
      c.release();
    }
    return new PgStore(pool, opts);
  }

  /**
   * Connects for reading only (`ioam ui`): nothing is migrated and every transaction is read-only
   * (default_transaction_read_only), so a role with SELECT rights suffices. Refuses a database
   * without ioamkit's schema or with a newer one than this code reads.
   */
  static async openReader(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 4, connectionTimeoutMillis: 10_000, options: "-c default_transaction_read_only=on" });
    pool.on("error", () => {});
    try {
      const v = await pgSchemaVersion(pool);
      if (v === 0) throw new IoamError("BAD_CONFIG", "no ioamkit schema in this database: it is created by ioam collect --store (docs/deployment.md)");
      if (v > PG_SCHEMA_VERSION) throw new IoamError("BAD_CONFIG", `PostgreSQL schema version ${v} is newer than this ioam's ${PG_SCHEMA_VERSION}; use a newer ioam`);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PgStore(pool, opts);
  }

  /** Runs `fn` on one connection of the pool (autocommit). */
  async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let ok = false;
    try {
      const r = await fn(c);
      ok = true;
      return r;
    } finally {
      c.release(!ok);
    }
  }

  /** Runs `fn` in one transaction on one connection. */
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken = false;
    try {
      await c.query("BEGIN");
      const r = await fn(c);
      await c.query("COMMIT");
      return r;
    } catch (e) {
      broken = await c.query("ROLLBACK").then(() => false, () => true);
      throw e;
    } finally {
      c.release(broken);
    }
  }

  async write(batch: WriteBatch): Promise<WriteResult> {
    await this.prepare(batch.journeys);
    const r = await this.tx((c) => this.writeIn(c, batch, LOCAL_SHARD));
    await this.pathsSeen(batch.journeys);
    return r;
  }

  /** Partitions and path ids the journeys need; outside any batch transaction. */
  async prepare(journeys: readonly Journey[]): Promise<void> {
    const c = await this.pool.connect();
    try {
      await ensurePartitions(c, "journeys", journeys.map((j) => j.time), this.partitions);
      for (const j of journeys) if (!this.pathIds.has(j.pathKey)) this.pathIds.set(j.pathKey, await this.createPath(c, j));
      for (const j of journeys) if (j.positions?.length && !this.originIds.has(originOf(j))) this.originIds.set(originOf(j), await this.createOrigin(c, originOf(j)));
    } finally {
      c.release();
    }
  }

  /**
   * Partitions of the records ledger for these capture times, and of journeys for the same days:
   * assembly stores journeys inside a transaction that already reads journeys, and creating a
   * partition there (ACCESS EXCLUSIVE on the parent, from another connection) would wait on it.
   */
  async prepareRecords(c: pg.ClientBase, times: readonly number[]): Promise<void> {
    await ensurePartitions(c, "records", times, this.partitions);
    await ensurePartitions(c, "journeys", times, this.partitions);
  }

  private async createPath(c: pg.ClientBase, j: Journey): Promise<number> {
    const nodes = pathNodes(j.pathKey);
    const r = await c.query<{ id: string }>("INSERT INTO paths (key, namespace_id, nodes, first_ms, last_ms) VALUES ($1,$2,$3,$4,$4) ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id", [j.pathKey, j.namespaceId, JSON.stringify(nodes), j.time]);
    const id = Number(r.rows[0]!.id);
    await c.query("INSERT INTO path_nodes (node, path_id, hop) SELECT n, $2, h - 1 FROM unnest($1::text[]) WITH ORDINALITY AS t(n, h) ON CONFLICT DO NOTHING", [nodes, id]);
    return id;
  }

  private async createOrigin(c: pg.ClientBase, name: string): Promise<number> {
    const r = await c.query<{ id: number }>("INSERT INTO origins (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id", [name]);
    return r.rows[0]!.id;
  }

  /** The path id of a prepared journey. */
  pathIdOf(j: Journey): number {
    return this.pathIds.get(j.pathKey)!;
  }

  /**
   * Writes a batch inside the caller's transaction (prepare() first). Journeys replayed from a
   * capture (same origin and position) are not stored again. Series and loss go to `shard`.
   */
  async writeIn(c: pg.ClientBase, b: WriteBatch & { journeys: readonly KeyedJourney[] }, shard: number): Promise<WriteResult> {
    const fresh = await this.withoutReplays(c, b.journeys);
    await this.insertJourneys(c, fresh);
    await this.mergeSeries(c, fresh, shard);
    for (const p of b.problems ?? []) await c.query("INSERT INTO problems (time_ms, source, reason, detail, count, since_ms, node, node_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", [p.time, p.source, p.reason, p.detail, p.count ?? null, p.since ?? null, p.node ?? null, p.nodeId ?? null]);
    for (const f of b.flags ?? []) await c.query("INSERT INTO flags (time_ms, kind, detail) VALUES ($1,$2,$3)", [f.time, f.kind, JSON.stringify(f)]);
    const now = Date.now();
    for (const l of b.loss ?? []) await c.query("INSERT INTO loss (flow, shard, received, lost, duplicates, updated_ms) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (flow, shard) DO UPDATE SET received = EXCLUDED.received, lost = EXCLUDED.lost, duplicates = EXCLUDED.duplicates, updated_ms = EXCLUDED.updated_ms", [l.flow, shard, l.received, l.lost, l.duplicates, now]);
    for (const k of b.checkpoints ?? []) await c.query("INSERT INTO sources (name, kind, position, last_ms) VALUES ($1,$2,$3,$4) ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, position = EXCLUDED.position, last_ms = EXCLUDED.last_ms", [k.source, k.kind, k.position ?? null, k.time ?? null]);
    this.writes++;
    this.lastWriteMs = now;
    return { journeys: fresh.length, duplicates: b.journeys.length - fresh.length };
  }

  private async withoutReplays(c: pg.ClientBase, journeys: readonly KeyedJourney[]): Promise<KeyedJourney[]> {
    const positioned = journeys.filter((j) => j.positions?.length);
    if (positioned.length === 0) return [...journeys];
    const r = await c.query<{ o: number; p: string }>("SELECT origin_id AS o, origin_pos AS p FROM journeys WHERE (origin_id, origin_pos) IN (SELECT * FROM unnest($1::int[], $2::bigint[]))", [positioned.map((j) => this.originIds.get(originOf(j))!), positioned.map((j) => firstPosition(j))]);
    const stored = new Set(r.rows.map((x) => `${x.o}:${x.p}`));
    return journeys.filter((j) => !j.positions?.length || !stored.has(`${this.originIds.get(originOf(j))}:${firstPosition(j)}`));
  }

  private async insertJourneys(c: pg.ClientBase, js: readonly KeyedJourney[]): Promise<void> {
    if (js.length === 0) return;
    const cols: unknown[][] = Array.from({ length: 17 }, () => []);
    for (const j of js) {
      const ctx = journeyTraceContext(j.hops);
      const seq = j.e2eSeq !== undefined ? String(j.e2eSeq) : j.dexSeq !== undefined ? `${j.dexFlowId ?? ""}:${j.dexSeq}` : null;
      const positioned = j.positions?.length ? [this.originIds.get(originOf(j))!, firstPosition(j)] : [null, null];
      const row = [j.time, j.timeSource, this.pathIdOf(j), j.traceType, j.joinedBy, j.observations, j.at.join(","), j.source, j.overflow, Buffer.from(encodeHops(j.hops, j.traceType)), j.flow ? JSON.stringify(j.flow) : null, seq, ...positioned, ctx?.traceId ?? null, ctx?.spanId ?? null, j.jkey ?? null];
      row.forEach((v, i) => cols[i]!.push(v));
    }
    await c.query(
      `INSERT INTO journeys (time_ms, time_source, path_id, trace_type, joined_by, observations, at, source, overflow, hops, flow, seq, origin_id, origin_pos, trace_id, span_id, jkey)
       SELECT * FROM unnest($1::float8[], $2::text[], $3::bigint[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[], $9::bool[], $10::bytea[], $11::jsonb[], $12::text[], $13::int[], $14::bigint[], $15::text[], $16::text[], $17::text[])`,
      cols,
    );
  }

  /** Folds the journeys into the shard's minute and hour rows (no other writer touches them). */
  async mergeSeries(c: pg.ClientBase, js: readonly Journey[], shard: number): Promise<void> {
    if (js.length === 0) return;
    const fold = new SeriesFold((ns) => this.opts.tsFormats?.get(ns) ?? "linux");
    for (const j of js) fold.add(j, this.pathIdOf(j));
    const b = [...fold.buckets.values()];
    const keys = [b.map((x) => x.pathId), b.map((x) => x.resolution), b.map((x) => x.bucketMs), b.map((x) => x.hop)];
    const old = await c.query<{ path_id: string; resolution: number; bucket_ms: string; hop: number; count: string; latency: Buffer | null; queue: Buffer | null; transit: Buffer | null }>(
      "SELECT s.path_id, s.resolution, s.bucket_ms, s.hop, s.count, s.latency, s.queue, s.transit FROM hop_series s JOIN unnest($1::bigint[], $2::int[], $3::bigint[], $4::int[]) AS k(p, r, b, h) ON s.path_id = k.p AND s.resolution = k.r AND s.bucket_ms = k.b AND s.hop = k.h WHERE s.shard = $5",
      [...keys, shard],
    );
    const stored = new Map(old.rows.map((r) => [`${r.path_id}/${r.resolution}/${r.bucket_ms}/${r.hop}`, r]));
    const cols: unknown[][] = [[], [], [], [], [], [], [], []];
    for (const x of b) {
      const o = stored.get(`${x.pathId}/${x.resolution}/${x.bucketMs}/${x.hop}`);
      const row = [x.pathId, x.hop, x.resolution, x.bucketMs, Number(o?.count ?? 0) + x.count, blob(mergeBlob(o?.latency, x.latency)), blob(mergeBlob(o?.queue, x.queue)), blob(mergeBlob(o?.transit, x.transit))];
      row.forEach((v, i) => cols[i]!.push(v));
    }
    await c.query(
      `INSERT INTO hop_series (path_id, hop, resolution, bucket_ms, count, latency, queue, transit, shard)
       SELECT *, $9::int FROM unnest($1::bigint[], $2::int[], $3::int[], $4::bigint[], $5::bigint[], $6::bytea[], $7::bytea[], $8::bytea[])
       ON CONFLICT (path_id, resolution, bucket_ms, hop, shard) DO UPDATE SET count = EXCLUDED.count, latency = EXCLUDED.latency, queue = EXCLUDED.queue, transit = EXCLUDED.transit`,
      [...cols, shard],
    );
  }

  /** First and last sight of each path, after the batch committed (a short autocommit update). */
  async pathsSeen(js: readonly Journey[]): Promise<void> {
    const seen = new Map<number, { min: number; max: number }>();
    for (const j of js) {
      const id = this.pathIdOf(j);
      const s = seen.get(id);
      if (!s) seen.set(id, { min: j.time, max: j.time });
      else (s.min = Math.min(s.min, j.time)), (s.max = Math.max(s.max, j.time));
    }
    if (seen.size === 0) return;
    const ids = [...seen.keys()];
    await this.pool.query("UPDATE paths p SET first_ms = least(p.first_ms, k.lo), last_ms = greatest(p.last_ms, k.hi) FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS k(id, lo, hi) WHERE p.id = k.id", [ids, ids.map((i) => seen.get(i)!.min), ids.map((i) => seen.get(i)!.max)]);
  }

  async checkpoint(source: string): Promise<Checkpoint | undefined> {
    const r = await this.pool.query<{ position: string | null; last_ms: number | null }>("SELECT position, last_ms FROM sources WHERE name = $1", [source]);
    const row = r.rows[0];
    if (!row) return undefined;
    const c: Checkpoint = {};
    if (row.position !== null) c.position = Number(row.position);
    if (row.last_ms !== null) c.time = row.last_ms;
    return c;
  }

  /** Retention: day partitions past their age are dropped whole; the rest as in SQLite. */
  async maintain(nowMs: number): Promise<number> {
    const R = this.retention;
    const c = await this.pool.connect();
    try {
      let n = 0;
      for (const [table, age] of [["journeys", R.journeysMs], ["records", R.journeysMs]] as const) {
        for (const p of await partitionsBefore(c, table, nowMs - age)) {
          n += Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM ${p}`)).rows[0]!.n);
          await c.query(`DROP TABLE ${p}`);
          this.partitions.delete(p);
        }
      }
      const del = async (sql: string, ...p: unknown[]) => (await c.query(sql, p)).rowCount ?? 0;
      n += await del("DELETE FROM journeys WHERE time_ms < $1", nowMs - R.journeysMs);
      const count = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM journeys")).rows[0]!.n);
      if (count > R.maxJourneys) n += await del("DELETE FROM journeys WHERE id IN (SELECT id FROM journeys ORDER BY time_ms LIMIT $1)", count - R.maxJourneys);
      n += await del("DELETE FROM hop_series WHERE resolution = $1 AND bucket_ms < $2", 60_000, nowMs - R.minuteMs);
      n += await del("DELETE FROM hop_series WHERE resolution = $1 AND bucket_ms < $2", 3_600_000, nowMs - R.hourMs);
      n += await del("DELETE FROM problems WHERE time_ms < $1", nowMs - R.problemsMs);
      n += await del("DELETE FROM flags WHERE time_ms < $1", nowMs - R.problemsMs);
      return n;
    } finally {
      c.release();
    }
  }

  stats(): StoreStats {
    return { bytes: this.bytesSeen, journeys: this.journeysSeen, writes: this.writes, lastWriteMs: this.lastWriteMs };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const originOf = (j: Journey) => {
  const positions = j.positions!;
  return j.positionsAt?.[positions.indexOf(Math.min(...positions))] ?? j.at[0]!;
};
const firstPosition = (j: Journey) => Math.min(...j.positions!);
const blob = (b: Uint8Array | null) => (b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : null);
