// test: serial
// The PostgreSQL store behaves as the SQLite store (docs/collector.md, "Store"): the same batches
// give the same answers to the named queries, a replayed journey (same capture position) is
// stored once, and retention keeps the same rows — PostgreSQL dropping whole day partitions.
// On top, what only the stream needs: the records ledger takes a record id once, however often
// it is ingested. A PostgreSQL cluster of its own (bench/scale-servers.ts), one database per case.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { PgServer, serversSkip } from "../../bench/scale-servers.js";
import { pathKey } from "../../src/collector/hops.js";
import type { Journey } from "../../src/collector/journeys.js";
import { PgStore } from "../../src/collector/store/pg-store.js";
import { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import type { Retention, Store } from "../../src/collector/store/store.js";
import { ingest, ingestRows } from "../../src/collector/stream/ingest.js";
import { TRACE_CONTEXT_SCHEMA, encodeTraceContext } from "../../src/wire/trace-context.js";
import type { TraceNode } from "../../src/wire/ioam/trace-node.js";
import { eventLine } from "../../bench/scale-traffic.js";

const skip = serversSkip();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

function journey(t: number, ids: number[], latUs = 100, extra: Partial<Journey> = {}): Journey {
  const hops: TraceNode[] = ids.map((id, i) => ({ hopLimit: 64 - i, nodeId: id, ingressIf: id * 10 + 1, egressIf: id * 10 + 2, tsSec: Math.floor(t / 1000), tsFrac: (t % 1000) * 1000 + i * latUs, queueDepth: i * 100 }));
  return { time: t, timeSource: "capture", namespaceId: 123, traceType: 0xf20000, hops, pathKey: pathKey(123, hops), joinedBy: "none", observations: 1, at: ["test"], source: "packet", overflow: false, ...extra };
}

/** What a store answers after the query batch, without its own row ids. */
async function answers(s: Store): Promise<unknown> {
  const w = await s.write({ journeys: [...Array.from({ length: 300 }, (_, i) => journey(T0 + i * 1000, [1, 2, 4], 150)), ...Array.from({ length: 100 }, (_, i) => journey(T0 + i * 1000 + 500, [1, 3, 4], 80))], checkpoints: [{ source: "pcap:x", kind: "pcap", position: 4242 }] });
  const win = { from: T0, to: T0 + 3_600_000 };
  const paths = await s.paths(win);
  const series = await s.hopSeries({ pathId: paths[0]!.id, ...win });
  const byNode = await s.journeys({ node: "3", ...win, limit: 1000 });
  const byPath = await s.journeys({ pathId: paths[1]!.id, ...win, limit: 5 });
  return {
    w,
    paths: paths.map((p) => [p.key, p.nodes, p.journeys, p.firstMs, p.lastMs]),
    series,
    byNode: byNode.map(({ id: _id, pathId: _p, ...j }) => j),
    byPath: byPath.map(({ id: _id, pathId: _p, ...j }) => j),
    checkpoint: await s.checkpoint("pcap:x"),
  };
}

/** Six days of journeys, then retention at the end of the sixth: what is left. */
async function afterRetention(s: Store): Promise<unknown> {
  for (let d = 0; d < 6; d++) await s.write({ journeys: Array.from({ length: 48 }, (_, i) => journey(T0 + d * DAY + i * 1_800_000, [1, 2 + (i % 2), 4], 50 + i)) });
  const removed = await s.maintain(T0 + 6 * DAY);
  const all = { from: T0, to: T0 + 7 * DAY };
  const paths = await s.paths(all);
  const left = await s.journeys({ ...all, limit: 10_000 });
  return {
    removed,
    days: [...new Set(left.map((j) => Math.floor((j.timeMs - T0) / DAY)))].sort(),
    journeys: left.length,
    minuteRows: (await s.hopSeries({ pathId: paths[0]!.id, ...all, resolution: "minute" })).length,
    hourRows: (await s.hopSeries({ pathId: paths[0]!.id, ...all, resolution: "hour" })).length,
  };
}

const RETENTION: Partial<Retention> = { journeysMs: 2 * DAY, minuteMs: 3 * DAY };

describe("PgStore behaves as SqliteStore", { skip }, () => {
  let db: PgServer;
  let admin: pg.Client;
  let n = 0;
  const dir = mkdtempSync(join(tmpdir(), "ioam-pg-store-"));
  before(async () => {
    db = await PgServer.start({ fsync: false });
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await db?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh database of the cluster. */
  const fresh = async () => {
    const name = `case${++n}`;
    await admin.query(`CREATE DATABASE ${name}`);
    return db.url.replace(/\/ioam$/, `/${name}`);
  };
  const both = async (retention?: Partial<Retention>): Promise<[SqliteStore, PgStore]> => [SqliteStore.open(join(dir, `s${++n}.db`), retention ? { retention } : {}), await PgStore.open(await fresh(), retention ? { retention } : {})];

  it("answers the named queries as SQLite does (paths, series, journeys by node and path, checkpoints)", async () => {
    const [s, p] = await both();
    const expected = await answers(s);
    assert.deepEqual(await answers(p), expected);
    const e = expected as { w: { journeys: number }; series: unknown[]; byNode: unknown[]; byPath: unknown[] };
    assert.deepEqual([e.w.journeys, e.byNode.length, e.byPath.length], [400, 100, 5]);
    assert.ok(e.series.length > 0);
    await s.close();
    await p.close();
  });

  it("finds a journey by its trace id", async () => {
    const [s, p] = await both();
    for (const store of [s, p]) {
      const j = journey(T0, [1, 2], 10, { traceType: 0xf20002 });
      const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
      j.hops[0]!.opaque = { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext({ traceId, spanId: "00f067aa0ba902b7", sampled: true }) };
      j.hops[1]!.opaque = { schemaId: 0xffffff, data: new Uint8Array(0) };
      await store.write({ journeys: [j, journey(T0, [1, 2])] });
      const found = await store.journeys({ traceId });
      assert.equal(found.length, 1);
      assert.equal(found[0]!.spanId, "00f067aa0ba902b7");
      await store.close();
    }
  });

  it("stores a replayed journey (same source position) once", async () => {
    const [s, p] = await both();
    for (const store of [s, p]) {
      const j = journey(T0, [1, 2], 10, { positions: [24, 180] });
      assert.deepEqual(await store.write({ journeys: [j] }), { journeys: 1, duplicates: 0 });
      assert.deepEqual(await store.write({ journeys: [j] }), { journeys: 0, duplicates: 1 });
      await store.close();
    }
  });

  it("keeps what SQLite keeps after retention, dropping whole day partitions", async () => {
    const [s, p] = await both(RETENTION);
    const expected = await afterRetention(s);
    assert.deepEqual(await afterRetention(p), expected);
    assert.deepEqual((expected as { days: number[] }).days, [4, 5]);
    const parts = await p.withClient((c) => c.query<{ n: string }>("SELECT count(*) AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent WHERE c.relname = 'journeys'"));
    assert.equal(Number(parts.rows[0]!.n), 2, "the four older day partitions were dropped");
    await s.close();
    await p.close();
  });

  it("takes a record id once into the ledger, however often it is ingested", async () => {
    const p = await PgStore.open(await fresh());
    const lines = Array.from({ length: 50 }, (_, i) => eventLine(i, 1, 3, T0 * 1000).replace('"id":"gen.0.0"', `"id":"r2.abc.${i + 1}"`));
    const rows = ingestRows(lines.join("\n"), 16, []);
    assert.equal(await ingest(p, rows), 50);
    assert.equal(await ingest(p, rows), 0, "a redelivered message adds nothing");
    assert.equal(await ingest(p, [...rows.slice(0, 10), ...rows.slice(0, 10)]), 0, "nor a record twice in one batch");
    const n = await p.withClient((c) => c.query<{ r: string; q: string }>("SELECT (SELECT count(*) FROM records) AS r, (SELECT count(*) FROM pending) AS q"));
    assert.deepEqual(n.rows[0], { r: "50", q: "50" });
    await p.close();
  });
});
