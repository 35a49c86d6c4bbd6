// OpenTelemetry traces over OTLP/HTTP (protobuf), with the official SDK and exporter: one
// journey = one trace (docs/collector.md, "OpenTelemetry"). A root span "ioam journey" spans the
// first to the last node timestamp; each node is a child span "ioam hop N" from the previous
// node's timestamp to its own (the first node: zero length). A journey whose encapsulating node
// wrote an application trace context (trace-context.ts) joins that trace: its root span is a
// child of the application's span. Other journeys are sampled at `sampleRate`. Spans refused
// because the queue is full, and spans whose export failed, are counted as dropped.

import { type Attributes, type Context, type HrTime, ROOT_CONTEXT, type Span, SpanKind, TraceFlags, trace } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { TraceNode } from "../../wire/ioam/trace-node.js";
import { formatTraceType } from "../../wire/ioam/trace-type.js";
import { hasTimestamp, nodeIdText, queueDepthOf, type TsFormat, transitDelayNs } from "../hops.js";
import type { Journey } from "../journeys.js";
import { journeyTraceContext } from "../../wire/trace-context.js";
import type { Exporter, ExporterStats } from "./exporter.js";

/** Options of the OTLP exporter. */
export interface OtlpOptions {
  /** OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string;
  /** Share of journeys without an application trace context that are exported (0–1). */
  sampleRate: number;
  /** Most spans waiting for export; more are dropped (counted). */
  maxQueue: number;
  tsFormats?: ReadonlyMap<number, TsFormat>;
  /** Sampling draw, for tests (default Math.random). */
  random?: () => number;
}

/** Counts what the exporter really delivered. */
class CountingExporter implements SpanExporter {
  exported = 0;
  failed = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => {
      if (r.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      else this.failed += spans.length;
      done(r);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function hrTime(n: TraceNode, f: TsFormat): HrTime | undefined {
  if (!hasTimestamp(n)) return undefined;
  const nanos = f === "linux" ? n.tsFrac! * 1000 : f === "ptp" ? n.tsFrac! : Math.floor((n.tsFrac! / 4294967296) * 1e9);
  return [n.tsSec!, nanos];
}

/** The documented span attributes of one hop (docs/collector.md, "Span attributes"). */
export function hopAttributes(n: TraceNode, index: number): Attributes {
  const a: Attributes = { "ioam.hop.index": index, "ioam.node.id": nodeIdText(n) };
  if (n.hopLimit !== undefined) a["ioam.hop_limit"] = n.hopLimit;
  if (n.ingressIf !== undefined) a["ioam.ingress_if"] = n.ingressIf;
  if (n.egressIf !== undefined) a["ioam.egress_if"] = n.egressIf;
  if (n.ingressIfWide !== undefined) a["ioam.ingress_if_wide"] = n.ingressIfWide;
  if (n.egressIfWide !== undefined) a["ioam.egress_if_wide"] = n.egressIfWide;
  if (n.tsSec !== undefined) a["ioam.timestamp.seconds"] = n.tsSec;
  if (n.tsFrac !== undefined) a["ioam.timestamp.fraction"] = n.tsFrac;
  const td = transitDelayNs(n);
  if (td !== undefined) a["ioam.transit_delay_ns"] = td;
  const q = queueDepthOf(n);
  if (q !== undefined) a["ioam.queue_depth"] = q;
  if (n.bufferOccupancy !== undefined && n.bufferOccupancy !== 0xffffffff) a["ioam.buffer_occupancy"] = n.bufferOccupancy;
  if (n.nsData !== undefined) a["ioam.namespace_data"] = n.nsData;
  if (n.opaque) a["ioam.snapshot.schema_id"] = n.opaque.schemaId;
  return a;
}

function journeyAttributes(j: Journey): Attributes {
  const a: Attributes = { "ioam.namespace_id": j.namespaceId, "ioam.trace_type": formatTraceType(j.traceType), "ioam.path": j.pathKey, "ioam.hop_count": j.hops.length, "ioam.joined_by": j.joinedBy, "ioam.observations": j.observations, "ioam.source": j.source, "ioam.overflow": j.overflow, "network.type": "ipv6" };
  if (j.flow) Object.assign(a, { "source.address": j.flow.src, "destination.address": j.flow.dst }, j.flow.sport !== undefined ? { "source.port": j.flow.sport } : {}, j.flow.dport !== undefined ? { "destination.port": j.flow.dport } : {});
  if (j.e2eSeq !== undefined) a["ioam.e2e.seq"] = String(j.e2eSeq);
  return a;
}

/** Journeys as OTLP traces. */
export class OtlpExporter implements Exporter {
  readonly name = "otlp";
  private readonly provider: BasicTracerProvider;
  private readonly counting: CountingExporter;
  private readonly tracer;
  private ended = 0;
  private refused = 0;
  private sampledOut = 0;

  constructor(private readonly opts: OtlpOptions) {
    this.counting = new CountingExporter(new OTLPTraceExporter({ url: opts.url }));
    const processor = new BatchSpanProcessor(this.counting, { maxQueueSize: opts.maxQueue * 2, maxExportBatchSize: 512, scheduledDelayMillis: 500 });
    this.provider = new BasicTracerProvider({ resource: resourceFromAttributes({ "service.name": "ioamkit-collector" }), spanProcessors: [processor] });
    this.tracer = this.provider.getTracer("ioamkit", "1");
  }

  export(journeys: readonly Journey[]): void {
    for (const j of journeys) {
      const ctx = journeyTraceContext(j.hops);
      if (!ctx && (this.opts.random ?? Math.random)() >= this.opts.sampleRate) {
        this.sampledOut++;
        continue;
      }
      const queued = this.ended - this.counting.exported - this.counting.failed;
      if (queued + j.hops.length + 1 > this.opts.maxQueue) {
        this.refused += j.hops.length + 1;
        continue;
      }
      const parent = ctx ? trace.setSpanContext(ROOT_CONTEXT, { traceId: ctx.traceId, spanId: ctx.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }) : ROOT_CONTEXT;
      this.journeySpans(j, parent);
    }
  }

  private journeySpans(j: Journey, parent: Context): void {
    const f = this.opts.tsFormats?.get(j.namespaceId) ?? "linux";
    const times = j.hops.map((h) => hrTime(h, f));
    const start = times.find((t) => t !== undefined) ?? msTime(j.time);
    const end = [...times].reverse().find((t) => t !== undefined) ?? start;
    const root = this.tracer.startSpan("ioam journey", { kind: SpanKind.INTERNAL, startTime: start, attributes: journeyAttributes(j) }, parent);
    const inRoot = trace.setSpan(parent, root);
    j.hops.forEach((h, i) => {
      const t = times[i] ?? start;
      const s: Span = this.tracer.startSpan(`ioam hop ${i} node ${nodeIdText(h)}`, { kind: SpanKind.INTERNAL, startTime: i > 0 ? (times[i - 1] ?? t) : t, attributes: hopAttributes(h, i) }, inRoot);
      s.end(t);
    });
    root.end(end);
    this.ended += j.hops.length + 1;
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.provider.forceFlush().catch(() => undefined);
    await this.provider.shutdown().catch(() => undefined);
  }

  stats(): ExporterStats {
    return { exported: this.counting.exported, dropped: this.refused + this.counting.failed, sampledOut: this.sampledOut };
  }
}

function msTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}
