// The SQLite schema, as an ordered list of migrations: a database records its version in
// PRAGMA user_version and is moved forward one migration at a time, each in a transaction;
// nothing is ever recreated (docs/collector.md, "Store"). Append new migrations; never edit one.

import type Database from "better-sqlite3";
import { IoamError } from "../../errors.js";

/** Each migration's SQL; index + 1 is the version it produces. */
export const MIGRATIONS: readonly string[] = [
  // 1: journeys, paths, per-hop series (minute), problems, sources
  `CREATE TABLE paths (
     id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, namespace_id INTEGER NOT NULL,
     nodes TEXT NOT NULL, first_ms REAL NOT NULL, last_ms REAL NOT NULL);
   CREATE TABLE path_nodes (node TEXT NOT NULL, path_id INTEGER NOT NULL, hop INTEGER NOT NULL,
     PRIMARY KEY (node, path_id, hop)) WITHOUT ROWID;
   CREATE TABLE journeys (
     id INTEGER PRIMARY KEY, time_ms REAL NOT NULL, time_source TEXT NOT NULL,
     path_id INTEGER NOT NULL, trace_type INTEGER NOT NULL, joined_by TEXT NOT NULL,
     observations INTEGER NOT NULL, at TEXT NOT NULL, source TEXT NOT NULL, overflow INTEGER NOT NULL,
     hops BLOB NOT NULL, flow TEXT, seq TEXT, origin_id INTEGER, origin_pos INTEGER);
   CREATE INDEX journeys_path_time ON journeys (path_id, time_ms);
   CREATE UNIQUE INDEX journeys_origin ON journeys (origin_id, origin_pos) WHERE origin_pos IS NOT NULL;
   CREATE TABLE origins (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
   CREATE TABLE hop_series (
     path_id INTEGER NOT NULL, hop INTEGER NOT NULL, resolution INTEGER NOT NULL, bucket_ms INTEGER NOT NULL,
     count INTEGER NOT NULL, latency BLOB, queue BLOB, transit BLOB,
     PRIMARY KEY (path_id, resolution, bucket_ms, hop)) WITHOUT ROWID;
   CREATE TABLE problems (
     id INTEGER PRIMARY KEY, time_ms REAL NOT NULL, source TEXT NOT NULL, reason TEXT NOT NULL,
     detail TEXT NOT NULL, count INTEGER, since_ms REAL);
   CREATE INDEX problems_time ON problems (time_ms);
   CREATE TABLE sources (name TEXT PRIMARY KEY, kind TEXT NOT NULL, position INTEGER, last_ms REAL);`,
  // 2: cross-layer trace ids on journeys, flags, per-flow loss
  `ALTER TABLE journeys ADD COLUMN trace_id TEXT;
   ALTER TABLE journeys ADD COLUMN span_id TEXT;
   CREATE INDEX journeys_trace ON journeys (trace_id) WHERE trace_id IS NOT NULL;
   CREATE TABLE flags (id INTEGER PRIMARY KEY, time_ms REAL NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL);
   CREATE INDEX flags_time ON flags (time_ms);
   CREATE TABLE loss (flow TEXT PRIMARY KEY, received INTEGER NOT NULL, lost INTEGER NOT NULL,
     duplicates INTEGER NOT NULL, updated_ms REAL NOT NULL);`,
  // 3: an agent's gap names its observation point and node id, as in PostgreSQL (docs/api.md, "Stores")
  `ALTER TABLE problems ADD COLUMN node TEXT;
   ALTER TABLE problems ADD COLUMN node_id INTEGER;`,
];

/** The version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` to version `target` (default: the latest). A database newer than this code is
 * refused: an older ioam must not write into a schema it does not know.
 */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): number {
  const from = db.pragma("user_version", { simple: true }) as number;
  if (from > SCHEMA_VERSION) throw new IoamError("BAD_CONFIG", `${db.name}: schema version ${from} is newer than this ioam's ${SCHEMA_VERSION}; use a newer ioam`);
  if (from === 0) db.pragma("auto_vacuum = INCREMENTAL"); // only effective before the first table
  for (let v = from; v < target; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return from;
}
