// A stream worker's first step (docs/deployment.md, "Exactly once"): the records of a fetched batch of
// messages go into the records ledger — unique on (id, capture time) — and, only when new there,
// into `pending` with the shard their journey key routes them to; one statement, so a redelivered
// message, a spool replay or a second worker's copy adds nothing. The messages are acknowledged
// after it committed.

import type pg from "pg";
import type { PgStore } from "../store/pg-store.js";
import { RecordError } from "../sources/ndjson-record.js";
import { journeyKey, shardOf } from "./journey-key.js";
import { parseStreamRecord } from "./record.js";

/** One record line ready for the ledger. */
export interface IngestRow {
  id: string;
  time: number;
  shard: number;
  line: string;
}

/** What one ingest did. */
export interface IngestResult {
  records: number;
  fresh: number;
  duplicates: number;
  malformed: string[];
}

/** The rows of a message's payload (record lines); lines that are not records are listed in `malformed`. */
export function ingestRows(payload: string, shards: number, malformed: string[]): IngestRow[] {
  const rows: IngestRow[] = [];
  for (const line of payload.split("\n")) {
    if (line === "") continue;
    try {
      const r = parseStreamRecord(line);
      let key = r.id;
      if ("observations" in r) {
        const o = r.observations[0]!;
        key = journeyKey(o, o.source === "dex" ? o.nodes : o.nodes.slice().reverse()) ?? r.id;
      }
      rows.push({ id: r.id, time: r.time, shard: shardOf(key, shards), line });
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      malformed.push(e.message);
    }
  }
  return rows;
}

/** Inserts the rows not yet in the ledger; one statement (one transaction). */
export async function ingest(store: PgStore, rows: readonly IngestRow[]): Promise<number> {
  const unique = [...new Map(rows.map((r) => [`${r.id}@${r.time}`, r])).values()];
  if (unique.length === 0) return 0;
  return store.withClient(async (c: pg.ClientBase) => {
    await store.prepareRecords(c, unique.map((r) => r.time));
    const r = await c.query(
      `WITH r AS (SELECT * FROM unnest($1::text[], $2::float8[], $3::int[], $4::text[]) AS t(id, time_ms, shard, rec)),
       ins AS (INSERT INTO records (id, time_ms) SELECT id, time_ms FROM r ON CONFLICT DO NOTHING RETURNING id, time_ms)
       INSERT INTO pending (shard, time_ms, rec) SELECT r.shard, r.time_ms, r.rec FROM r JOIN ins USING (id, time_ms)`,
      [unique.map((x) => x.id), unique.map((x) => x.time), unique.map((x) => x.shard), unique.map((x) => x.line)],
    );
    return r.rowCount ?? 0;
  });
}
