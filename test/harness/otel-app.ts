// A small application instrumented with the OpenTelemetry SDK, for the cross-layer tests
// (docs/cross-layer.md), run inside a lab node's netns (ip netns exec). Its spans go to the
// test's OTLP/HTTP receiver with the official protobuf exporter, over a unix socket (a
// filesystem path reaches across network namespaces; 127.0.0.1 would not). One JSON argument:
//   { "mode": "server", "port": 8080, "otlp": SOCK }         HTTP/1.1 server: a SERVER span per
//        request, child of the request's traceparent; "ready" on stderr; SIGTERM flushes, exits
//   { "mode": "http", "url": "http://[…]:8080/", "otlp": SOCK }   one GET in a CLIENT span, its
//        context sent as traceparent (W3C Trace Context §3.2)
//   { "mode": "udp", "dsts": [ADDR…], "port": P, "count": N, "api": SOCK, "otlp": SOCK }   N
//        datagrams to each ADDR in one PRODUCER span, each flow registered first on the data
//        plane's local API
// The clients print {"traceId","spanId","status"?,"sport"?} on stdout.

import { Agent, createServer, request } from "node:http";
import { createConnection } from "node:net";
import { createSocket } from "node:dgram";
import { type Context, ROOT_CONTEXT, SpanKind, defaultTextMapGetter, defaultTextMapSetter, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

interface Config {
  mode: "server" | "http" | "udp";
  otlp: string;
  port?: number;
  url?: string;
  dsts?: string[];
  count?: number;
  api?: string;
}

const config = JSON.parse(process.argv[2] ?? "{}") as Config;
const propagator = new W3CTraceContextPropagator();

/** The OTLP exporter, its HTTP connections made to the receiver's unix socket. */
function provider(service: string): BasicTracerProvider {
  const agent = new Agent();
  (agent as unknown as { createConnection: () => unknown }).createConnection = () => createConnection(config.otlp);
  const exporter = new OTLPTraceExporter({ url: "http://otlp.receiver/v1/traces", httpAgentOptions: () => agent });
  return new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
}

async function serve(): Promise<void> {
  const p = provider("xl-server");
  const tracer = p.getTracer("xl-app");
  const server = createServer((req, res) => {
    const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer.startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER }, parent);
    req.resume().on("end", () => {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      span.end();
    });
  });
  await new Promise<void>((r) => server.listen(config.port, "::", r));
  process.on("SIGTERM", () => void p.forceFlush().then(() => server.close(() => process.exit(0))));
  process.stderr.write("ready\n");
}

/** A GET in a CLIENT span; the span's context travels as traceparent. */
async function httpClient(): Promise<void> {
  const p = provider("xl-client");
  const span = p.getTracer("xl-app").startSpan("GET", { kind: SpanKind.CLIENT });
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
  const status = await new Promise<number>((resolve, reject) => {
    request(config.url!, { headers, agent: false }, (res) => res.resume().on("end", () => resolve(res.statusCode ?? 0))).on("error", reject).end();
  });
  span.end();
  await p.forceFlush();
  print(span.spanContext(), { status });
}

/** Registers a flow's context on the local API (docs/cross-layer.md); resolves with the answer. */
function register(flow: object, ctx: Context): Promise<{ ok: boolean; error?: string }> {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return new Promise((resolve, reject) => {
    const c = createConnection(config.api!, () => c.write(JSON.stringify({ op: "set", flow, traceparent: carrier.traceparent, ttlMs: 60_000 }) + "\n"));
    c.setEncoding("utf8").once("data", (line: string) => (c.end(), resolve(JSON.parse(line) as { ok: boolean })));
    c.on("error", reject);
  });
}

/** The source address this host selects towards `dst` (a connected probe socket, nothing sent). */
async function sourceTowards(dst: string, port: number): Promise<string> {
  const probe = createSocket("udp6");
  await new Promise<void>((r) => probe.connect(port, dst, r));
  const a = probe.address().address;
  probe.close();
  return a;
}

/**
 * One flow: datagrams from an unconnected socket (a connected one fails its next send once the
 * peer's port unreachable arrives), bound to the selected source so that the flow is known
 * before the first datagram; registered first.
 */
async function udpFlow(dst: string, ctx: Context): Promise<void> {
  const src = await sourceTowards(dst, config.port!);
  const bound = createSocket("udp6");
  await new Promise<void>((r) => bound.bind(0, src, r));
  const local = bound.address();
  const answer = await register({ src: local.address, dst, protocol: 17, sport: local.port, dport: config.port }, ctx);
  if (!answer.ok) throw new Error(`local API refused: ${answer.error}`);
  for (let i = 0; i < config.count!; i++) {
    await new Promise<void>((resolve, reject) => bound.send(Buffer.from(`datagram ${i}`), config.port!, dst, (e) => (e ? reject(e) : resolve())));
  }
  bound.close();
}

async function udpClient(): Promise<void> {
  const p = provider("xl-udp");
  const span = p.getTracer("xl-app").startSpan("send datagrams", { kind: SpanKind.PRODUCER });
  for (const dst of config.dsts!) await udpFlow(dst, trace.setSpan(ROOT_CONTEXT, span));
  span.end();
  await p.forceFlush();
  print(span.spanContext(), {});
}

function print(c: { traceId: string; spanId: string }, more: object): void {
  process.stdout.write(JSON.stringify({ traceId: c.traceId, spanId: c.spanId, ...more }) + "\n");
}

if (process.argv[2] !== undefined) {
  const run = { server: serve, http: httpClient, udp: udpClient }[config.mode];
  run().catch((e: Error) => {
    process.stderr.write(`error: ${e.message || String(e)} ${(e as { code?: string }).code ?? ""} ${JSON.stringify((e as { errors?: unknown[] }).errors?.map(String) ?? [])}\n`);
    process.exit(1);
  });
}
