// The collector's exports on a capture: OTLP/HTTP protobuf payloads received here and decoded
// with the generated code of the official opentelemetry-proto definitions — one trace per
// journey, a span per hop under the journey's root span, the IOAM attributes; a journey whose
// encapsulating node wrote an application trace context joins that trace under the
// application's span; others follow the sampling rate; a full queue drops spans and counts them.
// Prometheus /metrics changes with the traffic and folds paths beyond the cap into "other".

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LINKTYPE, openPcapWriter } from "../../src/capture/index.js";
import { OtlpExporter } from "../../src/collector/export/otlp.js";
import { MetricsRenderer } from "../../src/collector/export/prometheus.js";
import { Collector } from "../../src/collector/service.js";
import { PcapSource } from "../../src/collector/sources/pcap-source.js";
import { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { TRACE_CONTEXT_SCHEMA, encodeTraceContext } from "../../src/wire/trace-context.js";
import { buildPacket } from "../../src/wire/build.js";
import type { TraceNode } from "../../src/wire/ioam/trace-node.js";

const require = createRequire(import.meta.url);
const root = require("@opentelemetry/otlp-proto-exporter-base/build/src/generated/root.js") as { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): OtlpRequest } } } } } } };
const Request = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

interface OtlpSpan { traceId: string; spanId: string; parentSpanId: string; name: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }
interface OtlpRequest { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }

const dir = mkdtempSync(join(tmpdir(), "ioam-exports-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const APP_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const APP_SPAN = "00f067aa0ba902b7";

/** n packets over `ids`; every `ctxEvery`-th carries the application context at its first node. */
async function capture(file: string, n: number, paths: number[][], ctxEvery: number): Promise<void> {
  const w = await openPcapWriter(file, { linkType: LINKTYPE.RAW });
  for (let i = 0; i < n; i++) {
    const ids = paths[i % paths.length]!;
    const hops: TraceNode[] = ids.map((id, k) => ({ hopLimit: 64 - k, nodeId: id, ingressIf: 1, egressIf: 2, tsSec: 1_763_900_000 + i, tsFrac: 100 * k, queueDepth: k, opaque: { schemaId: 0xffffff, data: new Uint8Array(0) } }));
    if (i % ctxEvery === 0) hops[0]!.opaque = { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext({ traceId: APP_TRACE, spanId: APP_SPAN, sampled: true }) };
    const trace = { kind: "trace" as const, variant: "prealloc" as const, namespaceId: 7, nodeLen: 5, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 0, traceType: 0xf20002, reserved: 0, nodes: hops.reverse() };
    w.write({ tsSec: 1_763_900_000 + i, tsNsec: 0, data: buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [trace], upper: { kind: "udp", srcPort: 1000 + i, dstPort: 80 } }) });
  }
  await w.close();
}

async function receiver(): Promise<{ url: string; spans: OtlpSpan[]; close(): void }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
      const msg = Request.toObject(Request.decode(Buffer.concat(chunks)), { bytes: String, longs: String });
      for (const rs of msg.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans, close: () => server.close() };
}

const hex = (b64: string) => Buffer.from(b64, "base64").toString("hex");
const attr = (s: OtlpSpan, k: string) => s.attributes.find((a) => a.key === k)?.value;

async function collect(file: string, exporter: OtlpExporter, db: string): Promise<Collector> {
  const store = SqliteStore.open(db);
  const c = new Collector(store, [new PcapSource(file)], [exporter], { windowMs: 0 });
  await c.start();
  await c.sourcesEnded();
  await c.stop();
  await store.close();
  return c;
}

describe("exports", () => {
  it("sends one OTLP trace per journey, hop spans under the root, application journeys in the application's trace", async () => {
    const file = join(dir, "ctx.pcap");
    await capture(file, 40, [[1, 2, 3]], 4);
    const rx = await receiver();
    const otlp = new OtlpExporter({ url: rx.url, sampleRate: 0.5, maxQueue: 10_000, random: (() => { let i = 0; return () => (i++ % 2 ? 0.9 : 0.1); })() });
    await collect(file, otlp, join(dir, "ctx.db"));
    rx.close();
    const byTrace = new Map<string, OtlpSpan[]>();
    for (const s of rx.spans) byTrace.set(hex(s.traceId), [...(byTrace.get(hex(s.traceId)) ?? []), s]);
    const app = byTrace.get(APP_TRACE)!;
    assert.equal(app.length, 10 * 4, "10 application journeys, 1 root + 3 hops each, all in the application's trace");
    const roots = app.filter((s) => s.name === "ioam journey");
    assert.ok(roots.every((r) => hex(r.parentSpanId) === APP_SPAN), "root spans are children of the application's span");
    for (const h of app.filter((s) => s.name !== "ioam journey")) {
      assert.ok(roots.some((r) => r.spanId === h.parentSpanId), "each hop span's parent is a journey root");
      assert.ok(["1", "2", "3"].includes(String(attr(h, "ioam.node.id")!.stringValue)));
      assert.ok(attr(h, "ioam.hop_limit")!.intValue !== undefined);
    }
    assert.equal(byTrace.size - 1, 15, "half of the other 30 journeys sampled, one trace each");
    assert.deepEqual(otlp.stats(), { exported: 40 + 15 * 4, dropped: 0, sampledOut: 15 });
  });

  it("counts the spans a full queue refuses", async () => {
    const file = join(dir, "drop.pcap");
    await capture(file, 200, [[1, 2, 3]], 1);
    const rx = await receiver();
    const otlp = new OtlpExporter({ url: rx.url, sampleRate: 1, maxQueue: 8 });
    await collect(file, otlp, join(dir, "drop.db"));
    rx.close();
    const s = otlp.stats();
    assert.ok(s.dropped > 0, "some spans refused");
    assert.equal(s.exported + s.dropped, 200 * 4);
    assert.equal(rx.spans.length, s.exported);
  });

  it("renders /metrics from the traffic, with paths beyond the cap folded into other", async () => {
    const file = join(dir, "metrics.pcap");
    await capture(file, 30, [[1, 2], [1, 3], [1, 4]], 1000);
    const store = SqliteStore.open(join(dir, "m.db"));
    const c = new Collector(store, [new PcapSource(file)], [], { windowMs: 0 });
    const r = new MetricsRenderer(2);
    const before = r.render({ analytics: c.analytics, health: c.health });
    await c.start();
    await c.sourcesEnded();
    await c.stop();
    await store.close();
    const m = r.render({ analytics: c.analytics, health: c.health });
    assert.ok(!/ioam_journeys_total\{/.test(before));
    assert.match(m, /^ioam_journeys_total\{path="7\|1:1\/2>2:1\/2"\} 10$/m);
    assert.match(m, /^ioam_journeys_total\{path="other"\} 10$/m);
    assert.match(m, /^ioam_hop_latency_seconds_count\{path="7\|1:1\/2>3:1\/2",hop="1",node="3:1\/2"\} 10$/m);
    // every hop took 100 µs: buckets below that bound hold 0, the rest all 10
    const buckets = [...m.matchAll(/^ioam_hop_latency_seconds_bucket\{path="7\|1:1\/2>3:1\/2",hop="1",node="3:1\/2",le="([^"]+)"\} (\d+)$/gm)].map((x) => [Number(x[1]), Number(x[2])] as const);
    assert.ok(buckets.length > 10);
    for (const [le, n] of buckets) assert.equal(n, le < 100e-6 ? 0 : 10, `le ${le}`);
    assert.match(m, /^ioam_collector_journeys_stored_total 30$/m);
  });
});
