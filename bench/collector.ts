// bench/collector: hop records per second into SQLite (1) from a generated stream of 5-hop
// journeys straight into the store and (2) from a pcap through the whole collector (reader,
// decode, join, analytics, store), beside (3) the raw decode rate of the same pcap in the same
// run; RSS sampled over the stream run; p50/p99 of the store's named queries on the result.
// Goals (issue 12): ≥ 200k hop records/s on one core, flat memory, query p99 < 100 ms. Rates are
// given per wall-clock second and per CPU second of this process (user + system, all its
// threads): on a shared machine the first falls with the load, the second much less.
// Usage: node dist/bench/collector.js [--short] [--json] [--journeys N]

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { readFrames } from "../src/capture/reader.js";
import { ipv6Offset } from "../src/capture/link-type.js";
import { pathKey } from "../src/collector/hops.js";
import type { Journey } from "../src/collector/journeys.js";
import { Collector } from "../src/collector/service.js";
import { PcapSource } from "../src/collector/sources/pcap-source.js";
import { SqliteStore } from "../src/collector/store/sqlite-store.js";
import { decodePacket } from "../src/wire/packet.js";
import type { TraceNode } from "../src/wire/ioam/trace-node.js";
import { GEN_PATHS, writeJourneyCapture } from "./collector-traffic.js";

const argv = process.argv.slice(2);
const SHORT = argv.includes("--short");
const JSON_ONLY = argv.includes("--json");
const STREAM = Number(argv[argv.indexOf("--journeys") + 1] ?? 0) || (SHORT ? 200_000 : 2_000_000);
const PCAP = SHORT ? 100_000 : 400_000;
const BATCH = 5000;
const say = (m: string) => JSON_ONLY || process.stderr.write(`bench/collector: ${m}\n`);
const dir = mkdtempSync(join(tmpdir(), "ioam-bench-collector-"));

/** A 5-hop journey i of the generated stream (two paths, Linux µs timestamps, queue depths). */
function journey(i: number, t0: number): Journey {
  const ids = i % 3 ? [1, 2, 4, 5, 6] : [1, 3, 4, 5, 6];
  const us = (i * 37) % 1_000_000;
  const hops: TraceNode[] = ids.map((id, k) => ({ hopLimit: 64 - k, nodeId: id, ingressIf: id * 10 + 1, egressIf: id * 10 + 2, tsSec: 1_763_900_000 + Math.floor(i / 50_000), tsFrac: (us + k * (50 + (i % 97))) % 1_000_000, queueDepth: (i * k) % 7 === 0 ? 1514 * k : 0 }));
  return { time: t0 + i * 0.02, timeSource: "capture", namespaceId: 123, traceType: 0xf20000, hops, pathKey: pathKey(123, hops), joinedBy: "none", observations: 1, at: ["bench"], source: "packet", overflow: false };
}

/** (1) journeys → store.write in batches; hop records/s, RSS samples. */
async function streamRun(db: string): Promise<{ hopRecordsPerSec: number; hopRecordsPerCpuSec: number; journeys: number; rssMiB: number[] }> {
  const store = SqliteStore.open(db);
  const t0 = Date.UTC(2026, 0, 1);
  const rss: number[] = [];
  let busy = 0;
  let cpu = 0;
  for (let b = 0; b < STREAM / BATCH; b++) {
    const js = Array.from({ length: BATCH }, (_, k) => journey(b * BATCH + k, t0));
    const s = process.hrtime.bigint();
    const c = process.cpuUsage();
    await store.write({ journeys: js });
    busy += Number(process.hrtime.bigint() - s) / 1e9;
    const u = process.cpuUsage(c);
    cpu += (u.user + u.system) / 1e6;
    if (b % Math.max(1, Math.floor(STREAM / BATCH / 20)) === 0) rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
  }
  await store.close();
  return { hopRecordsPerSec: Math.round((STREAM * 5) / busy), hopRecordsPerCpuSec: Math.round((STREAM * 5) / cpu), journeys: STREAM, rssMiB: rss };
}

/** (2) the pcap through the whole collector; (3) the same pcap decoded only. */
async function pcapRuns(file: string): Promise<{ collectorHopRecordsPerSec: number; collectorHopRecordsPerCpuSec: number; decodeHopRecordsPerSec: number; hops: number }> {
  let hops = 0;
  const decodeStart = process.hrtime.bigint();
  for await (const _ of readFrames(file, (f, b) => {
    const frame = b.subarray(f.dataStart, f.dataStart + f.capturedLength);
    const rec = decodePacket(frame.subarray(ipv6Offset(f.linkType, frame)));
    for (const o of rec.options) if (o.kind === "trace") hops += o.nodes.length;
  }));
  const decodeSec = Number(process.hrtime.bigint() - decodeStart) / 1e9;
  const db = join(dir, `pcap-${Math.random()}.db`);
  const store = SqliteStore.open(db);
  const c = new Collector(store, [new PcapSource(file)], []);
  const start = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  await c.start();
  await c.sourcesEnded();
  await c.stop();
  const sec = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  await store.close();
  if (c.health.journeysStored !== PCAP) throw new Error(`stored ${c.health.journeysStored} of ${PCAP}`);
  return { collectorHopRecordsPerSec: Math.round(hops / sec), collectorHopRecordsPerCpuSec: Math.round(hops / ((cpu.user + cpu.system) / 1e6)), decodeHopRecordsPerSec: Math.round(hops / decodeSec), hops };
}

const pct = (xs: number[], q: number) => xs.slice().sort((a, b) => a - b)[Math.max(0, Math.ceil(q * xs.length) - 1)]!;

/** p50/p99 (ms) of each named query over the stream database. */
async function queries(db: string): Promise<Record<string, { p50: number; p99: number }>> {
  const store = SqliteStore.open(db);
  const t0 = Date.UTC(2026, 0, 1);
  const span = STREAM * 0.02;
  let x = 1;
  const at = () => t0 + ((x = (x * 48271) % 2147483647) / 2147483647) * span;
  const named: Record<string, () => Promise<unknown>> = {
    "paths in a 1 h window": () => store.paths({ from: at(), to: at() + 3_600_000 }),
    "per-hop series of a path, 1 h": () => store.hopSeries({ pathId: 1 + (x % 2), from: at(), to: at() + 3_600_000 }),
    "journeys by node, 1 min, 100": () => store.journeys({ node: "3", from: at(), to: at() + 60_000, limit: 100 }),
    "journeys by time, 10 s, 100": () => store.journeys({ from: at(), to: at() + 10_000, limit: 100 }),
    "journeys by trace id": () => store.journeys({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736" }),
  };
  const out: Record<string, { p50: number; p99: number }> = {};
  for (const [name, q] of Object.entries(named)) {
    const ms: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = process.hrtime.bigint();
      await q();
      ms.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    out[name] = { p50: +pct(ms, 0.5).toFixed(3), p99: +pct(ms, 0.99).toFixed(3) };
  }
  await store.close();
  return out;
}

async function main(): Promise<void> {
  const load = loadavg()[0]!.toFixed(2);
  say(`load ${load}; stream of ${STREAM} 5-hop journeys into SQLite`);
  const db = join(dir, "stream.db");
  const stream = await streamRun(db);
  say(`${stream.hopRecordsPerSec} hop records/s; querying`);
  const q = await queries(db);
  const file = join(dir, "bench.pcap");
  writeJourneyCapture(file, PCAP, { seed: 3 });
  say(`pcap of ${PCAP} packets (${GEN_PATHS.length} paths): best of 3 collector runs beside the decode rate`);
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await pcapRuns(file));
  const best = runs.reduce((a, b) => (b.collectorHopRecordsPerSec > a.collectorHopRecordsPerSec ? b : a));
  const result = {
    bench: "collector", short: SHORT, loadAverage1m: Number(load), cores: 2,
    stream: { ...stream, dbBytes: statSync(db).size, goalHopRecordsPerSec: 200_000 },
    pcap: { packets: PCAP, hopRecords: best.hops, collectorHopRecordsPerSec: best.collectorHopRecordsPerSec, collectorHopRecordsPerCpuSec: Math.max(...runs.map((r) => r.collectorHopRecordsPerCpuSec)), decodeHopRecordsPerSec: Math.max(...runs.map((r) => r.decodeHopRecordsPerSec)) },
    queriesMs: q, goalQueryP99Ms: 100,
  };
  process.stdout.write(JSON.stringify(result, null, JSON_ONLY ? 0 : 2) + "\n");
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`bench/collector: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
