// Cross-layer telemetry end to end (docs/cross-layer.md) on examples/cross-layer.yaml: h1, an
// application host in the IOAM domain, runs `ioam node run` as the encapsulating node with
// dataplane.traceContext (two worker threads: the local API's registrations must reach both);
// r4 decapsulates and `ioam collect` follows its sink, exporting OTLP.
// Applications instrumented with the OpenTelemetry SDK (test/harness/otel-app.ts) export their
// own spans to the same receiver. Asserted on what the receiver decodes (the official OTLP
// protobuf definitions, as test/collector/exports.test.ts):
//   - HTTP: the client's traceparent, read by h1's data plane from the request packet, puts one
//     "ioam journey" (child of the client span) with one hop span per node h1 → r1 → r2 → r4
//     into the client's trace, beside the server's span;
//   - local API: UDP datagrams of flows registered on h1's unix socket land in the sender's
//     trace, on both of h1's workers;
//   - the id travels in the packet: a test-only NFQUEUE consumer at r2 rewrites the snapshot's
//     trace id in flight, and the hop spans follow it (not the client's trace).

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { labDir } from "../../src/lab/lab-state.js";
import { IOAM_MAIN, rootSkip, runIoam } from "../harness/netns.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const APP = join(ROOT, "dist", "test", "harness", "otel-app.js");
const NFQ = join(ROOT, "dist", "test", "harness", "nfq-consumer.js");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);
const H2 = "fd00:20::2";
/** The node ids of the path, in traversal order (examples/cross-layer.yaml). */
const PATH_IDS = ["10", "1", "2", "4"];

const require = createRequire(import.meta.url);
const proto = require("@opentelemetry/otlp-proto-exporter-base/build/src/generated/root.js") as { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: { decode(b: Uint8Array): unknown; toObject(m: unknown, o: object): OtlpRequest } } } } } } };
const Request = proto.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

interface OtlpSpan { traceId: string; spanId: string; parentSpanId: string; name: string; kind: string; attributes: Array<{ key: string; value: Record<string, unknown> }> }
interface OtlpRequest { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
/** A received span, ids as hex. */
interface Span { traceId: string; spanId: string; parent: string; name: string; kind: string; attrs: Map<string, unknown> }

/** One OTLP/HTTP receiver on two listeners: TCP for the collector, a unix socket for the applications inside the lab's namespaces. */
async function receiver(dir: string): Promise<{ url: string; socket: string; spans: Span[]; close(): void }> {
  const spans: Span[] = [];
  const hex = (b64: string) => Buffer.from(b64 ?? "", "base64").toString("hex");
  const handle = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c)).on("end", () => {
      const msg = Request.toObject(Request.decode(Buffer.concat(chunks)), { bytes: String, longs: String, enums: String, defaults: true });
      for (const rs of msg.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) {
        spans.push({ traceId: hex(s.traceId), spanId: hex(s.spanId), parent: hex(s.parentSpanId), name: s.name, kind: s.kind, attrs: new Map(s.attributes.map((a) => [a.key, Object.values(a.value)[0]])) });
      }
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  };
  const tcp = createServer(handle);
  const unix = createServer(handle);
  const socket = join(dir, "otlp.sock");
  await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => unix.listen(socket, r));
  const port = (tcp.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/v1/traces`, socket, spans, close: () => [tcp, unix].forEach((s: Server) => s.close()) };
}

/** Starts `node FILE ARG` in a lab node's netns; resolves once it says "ready" on stderr. */
function startIn(netns: string, file: string, arg: object, procs: ChildProcess[]): Promise<ChildProcess> {
  const child = spawn("ip", ["netns", "exec", netns, process.execPath, file, JSON.stringify(arg)], { stdio: ["ignore", "pipe", "pipe"] });
  procs.push(child);
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => ((err += d), /^ready$/m.test(err) && resolve(child)));
    child.on("exit", (c) => reject(new Error(`${file} exited ${c}: ${err}`)));
  });
}

/** Runs an otel-app client in h1 and returns what it printed (asynchronously: this process's receiver must answer its export). */
async function client(lab: string, arg: object): Promise<{ traceId: string; spanId: string; status?: number; sport?: number }> {
  const child = spawn("ip", ["netns", "exec", `ioamkit.${lab}.h1`, process.execPath, APP, JSON.stringify(arg)], { stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  assert.equal(code, 0, err);
  return JSON.parse(out) as { traceId: string; spanId: string };
}

/** Waits until `done(spans)` holds (or 15 s have passed) and returns the spans of `traceId`. */
async function spansOf(all: Span[], traceId: string, done: (s: Span[]) => boolean): Promise<Span[]> {
  const of = () => all.filter((s) => s.traceId === traceId);
  for (const t = Date.now(); !done(of()) && Date.now() - t < 15_000; ) await new Promise((r) => setTimeout(r, 100));
  return of();
}

/** The journeys' root spans under `parent`, each with its hop spans' node ids in hop order. */
function journeysUnder(spans: Span[], parent: string): Array<{ root: Span; ids: string[]; hops: Span[] }> {
  return spans.filter((s) => s.name === "ioam journey" && s.parent === parent).map((root) => {
    const hops = spans.filter((s) => s.parent === root.spanId).sort((a, b) => Number(a.attrs.get("ioam.hop.index")) - Number(b.attrs.get("ioam.hop.index")));
    return { root, hops, ids: hops.map((h) => String(h.attrs.get("ioam.node.id"))) };
  });
}

describe("cross-layer telemetry: the application's trace holds the IOAM hops (examples/cross-layer.yaml)", { skip: rootSkip() }, () => {
  const lab = `xl${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-xl-"));
  const apiSocket = `/run/ioamkit/${lab}-h1.sock`;
  const procs: ChildProcess[] = [];
  let rx: Awaited<ReturnType<typeof receiver>>;
  let collectErr = "";

  before(async () => {
    rx = await receiver(dir);
    const up = ioam("lab", "up", join(ROOT, "examples", "cross-layer.yaml"), `SOCKET=${apiSocket}`, "WORKERS=2", "--name", lab);
    assert.equal(up.code, 0, up.err);
    const config = join(dir, "collect.yaml");
    writeFileSync(config, `version: 1\nnamespaces:\n  100: {}\nexports:\n  otlp: { url: "${rx.url}", sampleRate: 0 }\n`);
    const collect = spawn(process.execPath, [IOAM_MAIN, "collect", "--config", config, "--db", join(dir, "xl.db"), "--batch", "1", "--decap", join(labDir(lab), "r4.sink.ndjson")], { stdio: ["ignore", "ignore", "pipe"] });
    procs.push(collect);
    await new Promise<void>((resolve, reject) => {
      collect.stderr!.on("data", (d: Buffer) => ((collectErr += d), /\(ready\)/.test(collectErr) && resolve()));
      collect.on("exit", (c) => reject(new Error(`collect exited ${c}: ${collectErr}`)));
    });
    await startIn(`ioamkit.${lab}.h2`, APP, { mode: "server", port: 8080, otlp: rx.socket }, procs);
  });

  after(() => {
    for (const p of procs) if (p.exitCode === null && p.pid) p.kill("SIGTERM");
    spawnSync("ip", ["netns", "exec", `ioamkit.${lab}.r2`, "ip6tables", "-t", "mangle", "-F", "FORWARD"]);
    ioam("lab", "down", lab);
    rx?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("HTTP: the client's traceparent, read from the request packet by h1, puts the server span and one journey h1 → r1 → r2 → r4 in the client's trace", async () => {
    const c = await client(lab, { mode: "http", url: `http://[${H2}]:8080/`, otlp: rx.socket });
    assert.equal(c.status, 200);
    const spans = await spansOf(rx.spans, c.traceId, (s) => s.some((x) => x.kind === "SPAN_KIND_SERVER") && journeysUnder(s, c.spanId).some((j) => j.ids.length === PATH_IDS.length));
    const clientSpan = spans.find((s) => s.spanId === c.spanId);
    assert.equal(clientSpan?.kind, "SPAN_KIND_CLIENT", "the client exported its span");
    const server = spans.filter((s) => s.kind === "SPAN_KIND_SERVER");
    assert.equal(server.length, 1, "the server's span is in the client's trace");
    assert.equal(server[0]!.parent, c.spanId);
    const journeys = journeysUnder(spans, c.spanId);
    assert.equal(journeys.length, 1, "only the packet holding the request head carries the context");
    const [j] = journeys;
    assert.deepEqual(j!.ids, PATH_IDS);
    assert.equal(j!.root.attrs.get("ioam.path") !== undefined, true);
    assert.equal(j!.hops[0]!.attrs.get("ioam.snapshot.schema_id"), String(0x696f6b), "h1's entry holds the trace-context snapshot");
    for (const h of j!.hops.slice(1)) assert.equal(h.attrs.get("ioam.snapshot.schema_id"), String(0xffffff), "kernel nodes write no schema");
    assert.deepEqual(spans.filter((s) => s.name.startsWith("ioam hop")).length, PATH_IDS.length, "no other hop span in this trace");
    const stats = ioam("node", "stats", "--netns", `ioamkit.${lab}.h1`, "--json");
    assert.equal(stats.code, 0, stats.err);
    assert.ok((JSON.parse(stats.out) as { counters: { trace_context_http: number } }).counters.trace_context_http >= 1);
  });

  it("local API: datagrams of flows registered on h1's unix socket join the application's trace, one journey each, whichever worker takes them", async () => {
    // --queue-balance spreads by address pair only (hash_v6, include/net/netfilter/nf_queue.h):
    // eight destinations put flows on both workers (all on one: 2^-7 per run).
    const dsts = Array.from({ length: 8 }, (_, i) => `fd00:20::${(0x10 + i).toString(16)}`);
    for (const a of dsts) assert.equal(spawnSync("ip", ["-n", `ioamkit.${lab}.h2`, "-6", "addr", "add", `${a}/48`, "dev", "eth1", "nodad"]).status, 0, a);
    const n = 3;
    const c = await client(lab, { mode: "udp", dsts, port: 9999, count: n, api: apiSocket, otlp: rx.socket });
    const spans = await spansOf(rx.spans, c.traceId, (s) => journeysUnder(s, c.spanId).length >= n * dsts.length);
    const journeys = journeysUnder(spans, c.spanId);
    assert.equal(journeys.length, n * dsts.length, "every datagram of every flow carried the context");
    for (const j of journeys) assert.deepEqual(j.ids, PATH_IDS);
    assert.equal(spans.find((s) => s.spanId === c.spanId)?.kind, "SPAN_KIND_PRODUCER");
    const stats = JSON.parse(ioam("node", "stats", "--netns", `ioamkit.${lab}.h1`, "--json").out) as { counters: { trace_context_registered: number } };
    assert.ok(stats.counters.trace_context_registered >= n * dsts.length, JSON.stringify(stats.counters));
  });

  it("the id travels in the packet: rewritten in flight at r2, the hop spans land in the rewritten trace, not the client's", async () => {
    const rewritten = "feedc0de" + process.pid.toString(16).padStart(8, "0") + "0123456789abcdef";
    const r2 = `ioamkit.${lab}.r2`;
    await startIn(r2, NFQ, { queues: [7], mode: "retrace", traceId: rewritten }, procs);
    const rule = spawnSync("ip", ["netns", "exec", r2, "ip6tables", "-t", "mangle", "-A", "FORWARD", "-d", "fd00:24::2/128", "-j", "NFQUEUE", "--queue-num", "7"], { encoding: "utf8" });
    assert.equal(rule.status, 0, rule.stderr);
    try {
      const c = await client(lab, { mode: "http", url: `http://[${H2}]:8080/`, otlp: rx.socket });
      assert.equal(c.status, 200);
      const moved = await spansOf(rx.spans, rewritten, (s) => journeysUnder(s, c.spanId).some((j) => j.ids.length === PATH_IDS.length));
      const journeys = journeysUnder(moved, c.spanId);
      assert.equal(journeys.length, 1, "the journey is in the rewritten trace, still under the client's span id");
      assert.deepEqual(journeys[0]!.ids, PATH_IDS);
      const own = await spansOf(rx.spans, c.traceId, (s) => s.some((x) => x.kind === "SPAN_KIND_SERVER"));
      assert.ok(own.some((s) => s.spanId === c.spanId) && own.some((s) => s.kind === "SPAN_KIND_SERVER"), "client and server spans stay in the client's trace");
      assert.equal(own.filter((s) => s.name.startsWith("ioam")).length, 0, "no IOAM span in the client's trace");
    } finally {
      spawnSync("ip", ["netns", "exec", r2, "ip6tables", "-t", "mangle", "-D", "FORWARD", "-d", "fd00:24::2/128", "-j", "NFQUEUE", "--queue-num", "7"]);
    }
  });
});
