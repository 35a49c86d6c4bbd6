// A stream worker's first step (docs/deployment.md, "Exactly once"): the records of a fetched batch of
// messages go into the records ledger — unique on (id, capture time) — and, only when new there,
// into `pending` with their journey key and the shard it routes them to; one statement, so a
// redelivered message, a spool replay or a second worker's copy adds nothing. The same transaction
// advances the sending agents' watermarks (watermark.ts), heartbeats included. The messages are
// acknowledged after it committed.

import type pg from "pg";
import type { PgStore } from "../store/pg-store.js";
import { RecordError } from "../sources/ndjson-record.js";
import { journeyKey, shardOf } from "./journey-key.js";
import { idParts, parseStreamRecord } from "./record.js";
import { type AgentMark, advanceMarks, noteMark } from "./watermark.js";

/** One record line ready for the ledger. */
export interface IngestRow {
  id: string;
  time: number;
  shard: number;
  /** The journey key (the record id when it has none): assembly takes a key's records together. */
  jkey: string;
  line: string;
}

/** What one ingest did. */
export interface IngestResult {
  records: number;
  fresh: number;
  duplicates: number;
  malformed: string[];
}

/**
 * The rows of a message's payload (record lines); lines that are not records are listed in
 * `malformed`. Every record and heartbeat is noted in `marks` (per agent: sequences, newest time).
 */
export function ingestRows(payload: string, shards: number, malformed: string[], marks: Map<string, AgentMark> = new Map()): IngestRow[] {
  const rows: IngestRow[] = [];
  for (const line of payload.split("\n")) {
    if (line === "") continue;
    try {
      const r = parseStreamRecord(line);
      const { agent, seq } = idParts(r.id);
      noteMark(marks, agent, seq, r.time, "heartbeat" in r && r.final);
      if ("heartbeat" in r) continue;
      let key = r.id;
      if ("observations" in r) {
        const o = r.observations[0]!;
        key = journeyKey(o, o.source === "dex" ? o.nodes : o.nodes.slice().reverse()) ?? r.id;
      }
      rows.push({ id: r.id, time: r.time, shard: shardOf(key, shards), jkey: key, line });
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      malformed.push(e.message);
    }
  }
  return rows;
}

/** Watermark settings of ingest: the marks of each message; a hole in an agent's sequence is skipped after `gapMs` (default 60 s). */
export interface IngestOptions {
  marks?: ReadonlyArray<ReadonlyMap<string, AgentMark>>;
  gapMs?: number;
  /** Hears how many sequence numbers were skipped as holes. */
  onHoles?: (n: number) => void;
}

/** Inserts the rows not yet in the ledger and advances the watermarks, in one transaction; resolves with the fresh rows. */
export async function ingest(store: PgStore, rows: readonly IngestRow[], o: IngestOptions = {}): Promise<number> {
  const unique = [...new Map(rows.map((r) => [`${r.id}@${r.time}`, r])).values()];
  if (unique.length === 0 && !o.marks?.length) return 0;
  await store.withClient((c) => store.prepareRecords(c, unique.map((r) => r.time)));
  const done = await store.tx(async (c: pg.ClientBase) => {
    const r = await c.query(
      `WITH r AS (SELECT * FROM unnest($1::text[], $2::float8[], $3::int[], $4::text[], $5::text[]) AS t(id, time_ms, shard, jkey, rec)),
       ins AS (INSERT INTO records (id, time_ms) SELECT id, time_ms FROM r ON CONFLICT DO NOTHING RETURNING id, time_ms)
       INSERT INTO pending (shard, time_ms, jkey, rec) SELECT r.shard, r.time_ms, r.jkey, r.rec FROM r JOIN ins USING (id, time_ms)`,
      [unique.map((x) => x.id), unique.map((x) => x.time), unique.map((x) => x.shard), unique.map((x) => x.jkey), unique.map((x) => x.line)],
    );
    const holes = o.marks?.length ? await advanceMarks(c, o.marks, o.gapMs ?? 60_000) : 0;
    return { fresh: r.rowCount ?? 0, holes };
  });
  if (done.holes) o.onHoles?.(done.holes);
  return done.fresh;
}
