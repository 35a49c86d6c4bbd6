// The PostgreSQL schema (docs/deployment.md, "PostgreSQL"), as an ordered list of migrations like the
// SQLite one: table ioam_meta says which ran; each runs in its own transaction, under an advisory
// lock so that workers starting together migrate once; a database newer than the code is refused;
// nothing is recreated. Append new migrations; never edit one.
//
// journeys and records are partitioned by capture time (RANGE on time_ms, one partition per UTC
// day, created before a write needs it); unique keys include time_ms, as partitioned tables
// require: records (id, time_ms) is the ledger that makes stream inserts idempotent.

import type pg from "pg";
import { IoamError } from "../../errors.js";

/** Each migration's SQL; index + 1 is the version it produces. */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE paths (
     id bigserial PRIMARY KEY, key text NOT NULL UNIQUE, namespace_id integer NOT NULL,
     nodes jsonb NOT NULL, first_ms double precision NOT NULL, last_ms double precision NOT NULL);
   CREATE TABLE path_nodes (node text NOT NULL, path_id bigint NOT NULL, hop integer NOT NULL, PRIMARY KEY (node, path_id, hop));
   CREATE SEQUENCE journeys_id_seq;
   CREATE TABLE journeys (
     id bigint NOT NULL DEFAULT nextval('journeys_id_seq'), time_ms double precision NOT NULL, time_source text NOT NULL,
     path_id bigint NOT NULL, trace_type integer NOT NULL, joined_by text NOT NULL, observations integer NOT NULL,
     at text NOT NULL, source text NOT NULL, overflow boolean NOT NULL, hops bytea NOT NULL, flow jsonb, seq text,
     origin_id integer, origin_pos bigint, trace_id text, span_id text, jkey text) PARTITION BY RANGE (time_ms);
   CREATE INDEX journeys_path_time ON journeys (path_id, time_ms);
   CREATE UNIQUE INDEX journeys_origin ON journeys (origin_id, origin_pos, time_ms);
   CREATE INDEX journeys_trace ON journeys (trace_id) WHERE trace_id IS NOT NULL;
   CREATE INDEX journeys_jkey ON journeys (jkey) WHERE jkey IS NOT NULL;
   CREATE TABLE origins (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
   CREATE TABLE hop_series (
     path_id bigint NOT NULL, hop integer NOT NULL, resolution integer NOT NULL, bucket_ms bigint NOT NULL, shard integer NOT NULL,
     count bigint NOT NULL, latency bytea, queue bytea, transit bytea, PRIMARY KEY (path_id, resolution, bucket_ms, hop, shard));
   CREATE TABLE problems (
     id bigserial PRIMARY KEY, time_ms double precision NOT NULL, source text NOT NULL, reason text NOT NULL, detail text NOT NULL,
     count bigint, since_ms double precision, node text, node_id bigint);
   CREATE INDEX problems_time ON problems (time_ms);
   CREATE TABLE flags (id bigserial PRIMARY KEY, time_ms double precision NOT NULL, kind text NOT NULL, detail jsonb NOT NULL);
   CREATE INDEX flags_time ON flags (time_ms);
   CREATE TABLE loss (flow text NOT NULL, shard integer NOT NULL, received bigint NOT NULL, lost bigint NOT NULL,
     duplicates bigint NOT NULL, updated_ms double precision NOT NULL, PRIMARY KEY (flow, shard));
   CREATE TABLE sources (name text PRIMARY KEY, kind text NOT NULL, position bigint, last_ms double precision);
   CREATE TABLE records (id text NOT NULL, time_ms double precision NOT NULL, PRIMARY KEY (id, time_ms)) PARTITION BY RANGE (time_ms);
   CREATE TABLE pending (
     seq bigserial PRIMARY KEY, shard integer NOT NULL, arrived timestamptz NOT NULL DEFAULT clock_timestamp(),
     time_ms double precision NOT NULL, rec text NOT NULL);
   CREATE INDEX pending_shard ON pending (shard, seq);`,
  // 2: the agents' stream-time watermarks (stream/watermark.ts) and each pending record's
  // journey key, so that assembly takes a journey's records together (docs/deployment.md).
  `ALTER TABLE pending ADD COLUMN jkey text;
   CREATE INDEX pending_key ON pending (shard, jkey);
   CREATE TABLE agent_marks (
     agent text PRIMARY KEY, next_seq bigint NOT NULL, stream_ms double precision NOT NULL,
     stopped boolean NOT NULL DEFAULT false, ahead jsonb NOT NULL DEFAULT '[]', seen timestamptz NOT NULL DEFAULT clock_timestamp(),
     silent_reported boolean NOT NULL DEFAULT false);`,
];

/** The version this code writes. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** The advisory lock key space of ioamkit (first int of the two-int form). */
export const LOCK_SPACE = { migrate: 0x10a0, shard: 0x10a1, member: 0x10a2, partition: 0x10a3, owner: 0x10a4 } as const;

/** Brings the database to the latest version; returns the version it had. */
export async function migratePg(c: pg.ClientBase): Promise<number> {
  await c.query("SELECT pg_advisory_lock($1, 0)", [LOCK_SPACE.migrate]);
  try {
    await c.query("CREATE TABLE IF NOT EXISTS ioam_meta (key text PRIMARY KEY, value text NOT NULL)");
    const r = await c.query<{ value: string }>("SELECT value FROM ioam_meta WHERE key = 'schema_version'");
    const from = r.rows[0] ? Number(r.rows[0].value) : 0;
    if (from > PG_SCHEMA_VERSION) throw new IoamError("BAD_CONFIG", `PostgreSQL schema version ${from} is newer than this ioam's ${PG_SCHEMA_VERSION}; use a newer ioam`);
    for (let v = from; v < PG_SCHEMA_VERSION; v++) {
      await c.query("BEGIN");
      try {
        await c.query(PG_MIGRATIONS[v]!);
        await c.query("INSERT INTO ioam_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [String(v + 1)]);
        await c.query("COMMIT");
      } catch (e) {
        await c.query("ROLLBACK");
        throw e;
      }
    }
    return from;
  } finally {
    await c.query("SELECT pg_advisory_unlock($1, 0)", [LOCK_SPACE.migrate]);
  }
}

/** The schema version of the database (0: no ioamkit schema in it). */
export async function pgSchemaVersion(c: pg.ClientBase | pg.Pool): Promise<number> {
  const t = await c.query<{ t: string | null }>("SELECT to_regclass('ioam_meta')::text AS t");
  if (t.rows[0]?.t == null) return 0;
  const r = await c.query<{ value: string }>("SELECT value FROM ioam_meta WHERE key = 'schema_version'");
  return Number(r.rows[0]?.value ?? 0);
}

export const DAY_MS = 86_400_000;

/** The partition of `table` holding day `day` (days since the epoch). */
export const partitionName = (table: "journeys" | "records", day: number) => `${table}_d${day}`;

/**
 * Creates the day partitions of `table` that the given times need and are not yet known (the
 * set `known` caches what exists). Serialised by an advisory lock: two workers may need the same.
 */
export async function ensurePartitions(c: pg.ClientBase, table: "journeys" | "records", times: Iterable<number>, known: Set<string>): Promise<void> {
  const days = new Set<number>();
  for (const t of times) {
    const day = Math.floor(t / DAY_MS);
    if (!known.has(partitionName(table, day))) days.add(day);
  }
  if (days.size === 0) return;
  // Another writer may have made them: learn that from the catalog (no lock) before CREATE, which
  // takes an ACCESS EXCLUSIVE lock on the parent and would wait behind every open reader of it.
  for (const name of await partitionsOf(c, table)) known.add(name);
  for (const day of days) if (known.has(partitionName(table, day))) days.delete(day);
  if (days.size === 0) return;
  await c.query("SELECT pg_advisory_lock($1, 0)", [LOCK_SPACE.partition]);
  try {
    for (const day of days) {
      const name = partitionName(table, day);
      await c.query(`CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`);
      known.add(name);
    }
  } finally {
    await c.query("SELECT pg_advisory_unlock($1, 0)", [LOCK_SPACE.partition]);
  }
}

/** The names of `table`'s partitions. */
async function partitionsOf(c: pg.ClientBase, table: "journeys" | "records"): Promise<string[]> {
  const r = await c.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1", [table]);
  return r.rows.map((x) => x.name);
}

/** The day partitions of `table` whose every row is older than `beforeMs`. */
export async function partitionsBefore(c: pg.ClientBase, table: "journeys" | "records", beforeMs: number): Promise<string[]> {
  return (await partitionsOf(c, table)).filter((n) => (Number(n.slice(n.lastIndexOf("_d") + 2)) + 1) * DAY_MS <= beforeMs);
}
