import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { TraceNode } from "../../wire/ioam/trace-node.js";
import { pathKey } from "../hops.js";
import type { Journey } from "../journeys.js";
import { TRACE_CONTEXT_SCHEMA, encodeTraceContext } from "../../wire/trace-context.js";
import { MIGRATIONS, SCHEMA_VERSION, migrate } from "./sqlite-schema.js";
import { SqliteStore } from "./sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "ioam-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function journey(t: number, ids: number[], latUs = 100, extra: Partial<Journey> = {}): Journey {
  const hops: TraceNode[] = ids.map((id, i) => ({ hopLimit: 64 - i, nodeId: id, ingressIf: id * 10 + 1, egressIf: id * 10 + 2, tsSec: Math.floor(t / 1000), tsFrac: (t % 1000) * 1000 + i * latUs, queueDepth: i * 100 }));
  return { time: t, timeSource: "capture", namespaceId: 123, traceType: 0xf20000, hops, pathKey: pathKey(123, hops), joinedBy: "none", observations: 1, at: ["test"], source: "packet", overflow: false, ...extra };
}

describe("SqliteStore", () => {
  it("stores journeys and answers the named queries", async () => {
    const s = SqliteStore.open(join(dir, "q.db"));
    const t0 = Date.UTC(2026, 0, 1);
    const js = [...Array.from({ length: 300 }, (_, i) => journey(t0 + i * 1000, [1, 2, 4], 150)), ...Array.from({ length: 100 }, (_, i) => journey(t0 + i * 1000 + 500, [1, 3, 4], 80))];
    const w = await s.write({ journeys: js, checkpoints: [{ source: "pcap:x", kind: "pcap", position: 4242 }] });
    assert.deepEqual(w, { journeys: 400, duplicates: 0 });
    const paths = await s.paths({ from: t0, to: t0 + 3_600_000 });
    assert.deepEqual(paths.map((p) => [p.key, p.journeys]), [["123|1:11/12>2:21/22>4:41/42", 300], ["123|1:11/12>3:31/32>4:41/42", 100]]);
    const series = await s.hopSeries({ pathId: paths[0]!.id, from: t0, to: t0 + 3_600_000 });
    const hop1 = series.filter((r) => r.hop === 1);
    assert.equal(hop1.reduce((n, r) => n + r.count, 0), 300);
    assert.ok(hop1.every((r) => Math.abs(r.latency!.p50 - 150_000) <= 1500));
    const byNode = await s.journeys({ node: "3", from: t0, to: t0 + 3_600_000, limit: 1000 });
    assert.equal(byNode.length, 100);
    assert.deepEqual(byNode[0]!.hops.map((h) => h.nodeId), [1, 3, 4]);
    assert.deepEqual(await s.checkpoint("pcap:x"), { position: 4242 });
    await s.close();
  });

  it("finds a journey by the trace id in its encapsulating node's snapshot", async () => {
    const s = SqliteStore.open(join(dir, "t.db"));
    const j = journey(Date.UTC(2026, 0, 1), [1, 2], 10, { traceType: 0xf20002 });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    j.hops[0]!.opaque = { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext({ traceId, spanId: "00f067aa0ba902b7", sampled: true }) };
    j.hops[1]!.opaque = { schemaId: 0xffffff, data: new Uint8Array(0) };
    await s.write({ journeys: [j, journey(Date.UTC(2026, 0, 1), [1, 2])] });
    const found = await s.journeys({ traceId });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.spanId, "00f067aa0ba902b7");
    assert.deepEqual(found[0]!.hops[0]!.opaque!.data, j.hops[0]!.opaque.data);
    await s.close();
  });

  it("stores a replayed journey (same source position) once", async () => {
    const s = SqliteStore.open(join(dir, "d.db"));
    const j = journey(Date.UTC(2026, 0, 1), [1, 2], 10, { positions: [24, 180] });
    assert.deepEqual(await s.write({ journeys: [j] }), { journeys: 1, duplicates: 0 });
    assert.deepEqual(await s.write({ journeys: [j] }), { journeys: 0, duplicates: 1 });
    await s.close();
  });

  it("opens a database written by schema version 1 and migrates it, keeping its rows", async () => {
    const file = join(dir, "old.db");
    const db = new Database(file);
    migrate(db, 1);
    db.prepare("INSERT INTO paths (key, namespace_id, nodes, first_ms, last_ms) VALUES ('123|1>2', 123, '[\"1\",\"2\"]', 0, 0)").run();
    db.prepare("INSERT INTO journeys (time_ms, time_source, path_id, trace_type, joined_by, observations, at, source, overflow, hops) VALUES (5, 'capture', 1, 8388608, 'none', 1, 'x', 'packet', 0, x'3f0000013e000002')").run();
    db.close();
    const s = SqliteStore.open(file);
    const rows = await s.journeys({ pathId: 1, from: 0, to: 10 });
    assert.deepEqual(rows[0]!.hops, [{ hopLimit: 63, nodeId: 1 }, { hopLimit: 62, nodeId: 2 }]);
    await s.close();
    const check = new Database(file);
    assert.equal(check.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    assert.ok(SCHEMA_VERSION >= 2 && MIGRATIONS.length === SCHEMA_VERSION);
    check.close();
  });

  it("keeps the file bounded over a simulated month with retention and downsampling", async () => {
    const file = join(dir, "month.db");
    const s = SqliteStore.open(file, { retention: { journeysMs: 2 * 86_400_000, minuteMs: 7 * 86_400_000 } });
    const day = 86_400_000;
    const t0 = Date.UTC(2026, 0, 1);
    const sizes: number[] = [];
    for (let d = 0; d < 30; d++) {
      for (let h = 0; h < 24; h++) {
        const base = t0 + d * day + h * 3_600_000;
        await s.write({ journeys: Array.from({ length: 500 }, (_, i) => journey(base + i * 7000, [1, 2 + (i % 2), 4], 50 + (i % 90))) });
      }
      await s.maintain(t0 + (d + 1) * day);
      sizes.push(statSync(file).size);
    }
    const week = sizes[9]!;
    assert.ok(sizes[29]! <= week * 1.3, `size after a month ${sizes[29]} vs after 10 days ${week}`);
    const old = await s.hopSeries({ pathId: 1, from: t0, to: t0 + day, resolution: "hour" });
    assert.ok(old.length > 0, "hour rows outlive the minute rows");
    assert.equal((await s.hopSeries({ pathId: 1, from: t0, to: t0 + day, resolution: "minute" })).length, 0);
    await s.close();
  });
});
