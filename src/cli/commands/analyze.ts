// `ioam analyze FILE…`: paths and their share, per-hop delay percentiles, queue depth, overflow,
// malformed and loss counts of capture files, as a table or --json (collector/analyze.ts).

import { type AnalysisReport, type Distribution, analyzeFiles } from "../../collector/analyze.js";
import type { TsFormat } from "../../collector/hops.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { Progress } from "../output.js";

/** "123=ptp,124=linux" → map; a bare format applies to every namespace listed as "*". */
export function parseTsFormats(text: string | undefined): Map<number, TsFormat> {
  const m = new Map<number, TsFormat>();
  if (text === undefined) return m;
  for (const item of text.split(",")) {
    const [ns, fmt] = item.split("=");
    const id = Number(ns);
    if (!Number.isInteger(id) || id < 0 || id > 0xffff || (fmt !== "linux" && fmt !== "ptp" && fmt !== "ntp")) {
      throw new UsageError(`--ts-format "${item}": expected NAMESPACE=linux|ptp|ntp, e.g. 123=ptp`);
    }
    m.set(id, fmt);
  }
  return m;
}

const us = (ns: number | undefined) => (ns === undefined ? "-" : (ns / 1000).toFixed(ns < 10_000 ? 1 : 0));
const num = (v: number | undefined) => (v === undefined ? "-" : String(Math.round(v)));

function hopLine(i: number, h: AnalysisReport["paths"][number]["hops"][number]): string {
  const l: Distribution | undefined = h.latencyNs;
  const q = h.queueDepth;
  const cols = [String(i + 1).padStart(3), h.node.padEnd(14), us(l?.p50).padStart(9), us(l?.p90).padStart(9), us(l?.p99).padStart(9), us(l?.max).padStart(9), us(h.transitDelayNs?.p50).padStart(9), num(q?.p50).padStart(7), num(q?.max).padStart(7)];
  return cols.join(" ");
}

/** The human summary. */
export function formatAnalysis(r: AnalysisReport): string {
  const lines = [`${r.frames} frames, ${r.journeys} journeys, ${r.hopRecords} hop records, ${r.paths.length} paths; not IPv6 ${r.notIpv6}, no trace ${r.noTrace}, malformed ${Object.values(r.malformed).reduce((a, b) => a + b, 0)}, overflow ${r.overflow}`];
  for (const [code, n] of Object.entries({ ...r.malformed, ...r.issues })) lines.push(`  ${code}: ${n}`);
  for (const p of r.paths) {
    lines.push("", `path ${p.path}  ${p.journeys} journeys (${(100 * p.share).toFixed(1)}%)${p.overflow ? `  overflow ${p.overflow}` : ""}`);
    lines.push("hop node            p50 µs    p90 µs    p99 µs    max µs  transit  q p50   q max");
    p.hops.forEach((h, i) => lines.push(hopLine(i, h)));
  }
  for (const l of r.loss) lines.push(`loss ${l.flow}: ${l.lost} of ${l.received + l.lost} (${(100 * l.lossRatio).toFixed(2)}%), duplicates ${l.duplicates}`);
  for (const f of r.flags) lines.push(f.kind === "path-change" ? `flag path change ${f.route}: ${f.from} -> ${f.to}` : `flag latency anomaly ${f.path} hop ${f.hop}: median ${us(f.medianNs)} µs, baseline ${us(f.baselineNs)} µs`);
  lines.push("", `percentiles: ${r.sketch.name}, nearest-rank within ${100 * r.sketch.relativeError}%; latency = this node's timestamp minus the previous node's`);
  return lines.join("\n");
}

async function run(a: Parsed): Promise<number> {
  if (a.words.length === 0) throw new UsageError("analyze needs at least one capture file (pcap or pcapng)");
  const progress = new Progress("frames");
  const tsFormats = parseTsFormats(a.text("ts-format"));
  const report = await analyzeFiles([...a.words], { tsFormats, onProgress: (n) => progress.tick(n & ~1023) });
  progress.done();
  process.stdout.write((a.has("json") ? JSON.stringify(report) : formatAnalysis(report)) + "\n");
  return 0;
}

/** --ts-format, shared with collect. */
export const TS_FORMAT_FLAG = {
  name: "ts-format",
  help: "how a namespace's timestamps are read (default linux: seconds + µs)",
  value: { placeholder: "NS=FORMAT[,…]", spec: V.text("IOAM namespace = linux, ptp or ntp, comma-separated, e.g. 123=ptp") },
};

export const analyzeCommand: CommandSpec = {
  name: "analyze",
  summary: "paths, per-hop delay percentiles, queues, loss and malformed counts of captures",
  description: `Streams pcap/pcapng files (any size, flat memory) and reports each path (ordered node and
interface ids) with its share of journeys, and per hop: the latency from the previous node's
timestamp (p50/p90/p99/max, DDSketch nearest-rank within 1%), transit delay, queue depth;
overflow, malformed and strict-reader issue counts; loss from E2E sequence numbers; path
changes and latency anomalies. Timestamps are Linux's (seconds + µs) unless --ts-format says
otherwise for a namespace. A progress line shows on a terminal.`,
  forms: [{ words: "FILE...", flags: ["json", "ts-format"] }],
  flags: [{ name: "json", help: "print the report as one JSON object" }, TS_FORMAT_FLAG],
  values: { FILE: V.file("a pcap or pcapng capture") },
  examples: [{ cmd: "ioam analyze samples/ioam-trace.pcapng", runnable: true }, { cmd: "ioam analyze --json capture.pcap | jq '.paths[0].hops'" }],
  run,
};
