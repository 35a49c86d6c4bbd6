// The HTTP API over a store of diamond journeys: what each named query answers, checked against
// an independent count of the journeys that were stored, and the 400s for bad parameters.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { timeDiffNs } from "../../src/collector/hops.js";
import type { Journey } from "../../src/collector/journeys.js";
import type { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { journeyTraceContext } from "../../src/wire/trace-context.js";
import { DIAMOND_NAMES } from "./generated-diamond.js";
import type { UiServer } from "../../src/ui/server.js";
import { startUi } from "../../src/ui/start.js";
import { diamondStore } from "./fixtures.js";
import { get } from "./http.js";

/** Nearest-rank quantile (rank ceil(q·n), 1-based) of numbers. */
function nearestRank(values: number[], q: number): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)]!;
}

const within1pct = (got: number, want: number, what: string) => assert.ok(Math.abs(got - want) <= 0.01 * want + 1e-9, `${what}: ${got} vs ${want}`);

describe("ioam ui API", () => {
  let store: SqliteStore;
  let journeys: Journey[];
  let ui: UiServer;
  const end = Date.now() - 5000;
  const win = `from=${end - 60_000}&to=${end + 1}`;
  before(async () => {
    ({ store, journeys } = await diamondStore(3000, end));
    ui = await startUi(store, { listen: "127.0.0.1:0", nodeNames: DIAMOND_NAMES, jaegerUrl: "http://127.0.0.1:16686/" });
  });
  after(async () => {
    await ui.close();
    await store.close();
  });
  const api = async <T>(path: string) => {
    const r = await get(ui.port, path);
    assert.equal(r.status, 200, r.body);
    return r.json<T>();
  };

  it("GET /api/v1/paths gives every path with its journeys and share, and per hop the latency of ioam analyze", async () => {
    type P = { id: number; path: string; journeys: number; share: number; hops: Array<{ node: string; latencyNs?: { p50: number; p99: number; count: number } }> };
    const r = await api<{ journeys: number; paths: P[] }>(`/api/v1/paths?${win}&sample=10000`);
    assert.equal(r.journeys, journeys.length);
    const byKey = new Map<string, Journey[]>();
    for (const j of journeys) byKey.set(j.pathKey, [...(byKey.get(j.pathKey) ?? []), j]);
    assert.deepEqual(new Set(r.paths.map((p) => p.path)), new Set(byKey.keys()));
    assert.ok(Math.abs(r.paths.reduce((s, p) => s + p.share, 0) - 1) < 1e-9);
    for (const p of r.paths) {
      const js = byKey.get(p.path)!;
      assert.equal(p.journeys, js.length, p.path);
      assert.equal(p.share, js.length / journeys.length);
      for (let h = 1; h < p.hops.length; h++) {
        const lat = js.map((j) => timeDiffNs(j.hops[h - 1]!, j.hops[h]!, "linux")!);
        within1pct(p.hops[h]!.latencyNs!.p50, nearestRank(lat, 0.5), `${p.path} hop ${h} p50`);
        within1pct(p.hops[h]!.latencyNs!.p99, nearestRank(lat, 0.99), `${p.path} hop ${h} p99`);
      }
    }
  });

  it("GET /api/v1/topology gives the diamond's four named nodes and the links of its paths", async () => {
    const t = await api<{ nodes: Array<{ id: string; name: string }>; links: Array<{ from: string; to: string; journeys: number; latencyNs: { p50: number } }> }>(`/api/v1/topology?${win}&sample=10000`);
    assert.deepEqual(t.nodes.map((n) => `${n.id}=${n.name}`).sort(), ["1=r1", "2=r2", "3=r3", "4=r4"]);
    assert.deepEqual(t.links.map((l) => `${l.from}>${l.to}`).sort(), ["1>2", "1>3", "2>1", "2>4", "3>4", "4>2"]);
    const l = t.links.find((x) => x.from === "2" && x.to === "4")!;
    const over = journeys.filter((j) => j.hops[1]?.nodeId === 2 && j.hops[2]?.nodeId === 4);
    assert.equal(l.journeys, over.length);
    within1pct(l.latencyNs.p50, nearestRank(over.map((j) => timeDiffNs(j.hops[1]!, j.hops[2]!, "linux")!), 0.5), "link 2>4 p50");
  });

  it("GET /api/v1/paths/{id}/series: 1 s buckets folded from journeys, 1 min buckets from the store's series, same counts", async () => {
    const paths = await api<{ paths: Array<{ id: number; path: string }> }>(`/api/v1/paths?${win}`);
    const p = paths.paths[0]!;
    type S = { source: string; rows: Array<{ bucketMs: number; hop: number; count: number; latency?: { p50: number } }> };
    const fine = await api<S>(`/api/v1/paths/${p.id}/series?${win}&step=1s`);
    const coarse = await api<S>(`/api/v1/paths/${p.id}/series?${win}&step=1m`);
    assert.equal(fine.source, "journeys");
    assert.equal(coarse.source, "store-series");
    const mine = journeys.filter((j) => j.pathKey === p.path);
    const hop0 = (s: S) => s.rows.filter((r) => r.hop === 0).reduce((n, r) => n + r.count, 0);
    assert.equal(hop0(fine), mine.length);
    assert.equal(hop0(coarse), mine.length);
    const b = fine.rows.find((r) => r.hop === 1 && r.count > 50)!;
    const inBucket = mine.filter((j) => Math.floor(j.time / 1000) * 1000 === b.bucketMs);
    assert.equal(b.count, inBucket.length);
    within1pct(b.latency!.p50, nearestRank(inBucket.map((j) => timeDiffNs(j.hops[0]!, j.hops[1]!, "linux")!), 0.5), "bucket p50");
    const heat = await api<{ cells: Array<[number, number, number]> }>(`/api/v1/paths/${p.id}/heatmap?${win}&step=10s`);
    assert.equal(heat.cells.reduce((n, c) => n + c[2], 0), mine.length);
  });

  it("GET /api/v1/journeys by trace id, by node, by path and node; hops are canonical records with derived latency", async () => {
    const app = journeys.find((j) => journeyTraceContext(j.hops))!;
    const traceId = journeyTraceContext(app.hops)!.traceId;
    const byTrace = await api<{ journeys: Array<{ traceId: string; hops: Array<{ nodeId: number; opaque?: { schemaId: number; data: string } }>; latencyNs: Array<number | null> }> }>(`/api/v1/journeys?trace=${traceId}`);
    assert.equal(byTrace.journeys.length, 1);
    assert.equal(byTrace.journeys[0]!.traceId, traceId);
    assert.match(byTrace.journeys[0]!.hops[0]!.opaque!.data, /^0x[0-9a-f]{56}$/);
    assert.deepEqual(byTrace.journeys[0]!.latencyNs, [null, timeDiffNs(app.hops[0]!, app.hops[1]!, "linux"), timeDiffNs(app.hops[1]!, app.hops[2]!, "linux")]);
    const viaR3 = await api<{ journeys: Array<{ path: string }> }>(`/api/v1/journeys?${win}&node=3&limit=10000`);
    assert.equal(viaR3.journeys.length, journeys.filter((j) => j.hops.some((h) => h.nodeId === 3)).length);
    const paths = await api<{ paths: Array<{ id: number; nodes: string[] }> }>(`/api/v1/paths?${win}`);
    const p = paths.paths.find((x) => x.nodes.includes("2"))!;
    const both = await api<{ journeys: Array<{ pathId: number }> }>(`/api/v1/journeys?${win}&path=${p.id}&node=3`);
    assert.equal(both.journeys.length, 0, "a path through r2 has no journey through r3");
  });

  it("bad parameters are refused with 400 naming the parameter and what it expects", async () => {
    const cases: Array<[string, RegExp]> = [
      ["/api/v1/paths?from=yesterday", /from="yesterday": expected ms since the epoch/],
      ["/api/v1/paths?from=2000&to=1000", /from="2000": must be before to/],
      ["/api/v1/paths?limit=0", /limit="0": expected an integer from 1 to 1000/],
      ["/api/v1/paths?colour=red", /colour="red": unknown parameter; this endpoint takes from, to, limit, sample/],
      ["/api/v1/paths?limit=5&limit=6", /limit="6": given twice/],
      ["/api/v1/paths/abc/series", /path id="abc": expected a path id/],
      [`/api/v1/paths/1/series?from=${end - 3 * 3_600_000}&to=${end}&step=1s`, /step="1s": 10800 buckets in this window; at most 2000/],
      ["/api/v1/paths/1/series?step=10ms", /step="10ms": expected a duration/],
      ["/api/v1/paths/1/heatmap?hop=0", /hop="0": expected an integer from 1 to 255/],
      ["/api/v1/journeys?trace=XYZ", /trace="XYZ": expected a W3C trace id/],
      ["/api/v1/journeys?node=r1", /node="r1": expected a node id/],
      [`/api/v1/journeys?trace=${"a".repeat(32)}&node=1`, /a trace id selects journeys alone/],
    ];
    for (const [path, re] of cases) {
      const r = await get(ui.port, path);
      assert.equal(r.status, 400, `${path}: ${r.body}`);
      const e = r.json<{ error: { code: string; message: string } }>().error;
      assert.equal(e.code, "BAD_PARAMETER");
      assert.match(e.message, re, path);
    }
    assert.equal((await get(ui.port, "/api/v1/nothing")).status, 404);
  });

  it("GET /api/v1 names the endpoints, the node names and the Jaeger base URL", async () => {
    const r = await api<{ v: number; jaegerUrl: string; nodeNames: Record<string, string>; endpoints: string[] }>("/api/v1");
    assert.equal(r.jaegerUrl, "http://127.0.0.1:16686");
    assert.equal(r.nodeNames["4"], "r4");
    assert.ok(r.endpoints.includes("/api/v1/tail (WebSocket)"));
  });
});
