// bench/dataplane: packets/s through a namespace chain sender → r1 → receiver, for 64- and
// 1300-octet UDP payloads, for each Scenario of dataplane-scenarios.ts (1, 2, 2b; 3 and 4 plug
// in there). trafgen (netsniff-ng) offers line rate on one core, so the sender is never the
// limit. The receiver counts packets by hop limit in its raw table: instrumented (rewritten)
// apart from those that went by uninstrumented (fail-open). Each figure is the best of several
// windows (the machine is shared: figures are noisy); the ratio (2b)/(2) is the goal (≥ 1).
// Usage: node dist/bench/dataplane.js [--short] [--json] [--runs N] [--seconds S] [--only 3,4]
// Needs root, trafgen, ip6tables, a C compiler and libnetfilter-queue-dev.

import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, release, tmpdir } from "node:os";
import { join } from "node:path";
import { buildPacket } from "../src/wire/build.js";
import { NetnsSet } from "../src/linux/netns-set.js";
import { chain } from "../src/lab/line.js";
import { countByMatches, ethernetFrame, macOf, startTrafgen } from "../src/lab/trafgen.js";
import { NODE_RUN_SCENARIOS } from "./dataplane-node-run.js";
import { BENCH_TRACE, type BenchEnv, QUEUE, SCENARIOS, SENT_HOP_LIMIT, type Scenario, buildCConsumer } from "./dataplane-scenarios.js";

const argv = process.argv.slice(2);
const SHORT = argv.includes("--short");
const JSON_ONLY = argv.includes("--json");
const opt = (name: string, dflt: number) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const RUNS = opt("--runs", SHORT ? 1 : 3);
const WINDOW_S = opt("--seconds", SHORT ? 0.5 : 2);
const WARMUP_S = SHORT ? 0.2 : 0.5;
const SIZES = [64, 1300];
/** Rows to run (--only 3,4); all by default. */
const ONLY = argv.includes("--only") ? argv[argv.indexOf("--only") + 1]!.split(",") : undefined;
/** Light load for the latency figures: packets/s. */
const LATENCY_PPS = 5000;
const progress = (m: string) => JSON_ONLY || process.stderr.write(`bench/dataplane: ${m}\n`);
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** One measurement window: packets/s at the receiver, instrumented and passed. */
interface Window {
  instrumented: number;
  passed: number;
}

interface Row {
  id: string;
  name: string;
  payload: number;
  /** Best instrumented packets/s at the receiver over the runs, and each run's figures. */
  pps: number;
  passedPps: number;
  runs: Window[];
  details: Record<string, unknown>;
}

/** The receiver's counters of a scenario: instrumented, then passed (if it can pass packets). */
function matchesOf(s: Scenario): string[][] {
  if (s.count) return [s.count.instrumented, ...(s.count.passed ? [s.count.passed] : [])];
  return [s.instrumentedHopLimit, ...(s.passedHopLimit !== undefined ? [s.passedHopLimit] : [])].map((hl) => ["-m", "hl", "--hl-eq", String(hl)]);
}

async function measure(env: BenchEnv, s: Scenario, frame: Uint8Array, net: { h1: string; h2: string }, pps?: number): Promise<{ window: Window; details: Record<string, unknown> }> {
  const count = countByMatches(env.nets, net.h2, matchesOf(s));
  const running = await s.start(env);
  const tg = startTrafgen(net.h1, "east", frame, pps ? { pps } : {});
  let window: Window | undefined;
  try {
    await sleep(Math.max(WARMUP_S, s.warmupSeconds ?? 0));
    const [i0 = 0, p0 = 0] = count();
    const t0 = process.hrtime.bigint();
    await sleep(WINDOW_S);
    const [i1 = 0, p1 = 0] = count();
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    window = { instrumented: Math.round((i1 - i0) / sec), passed: Math.round((p1 - p0) / sec) };
  } finally {
    const sent = await tg.stop().catch(() => 0);
    const details = await running.stop();
    env.nets.exec(net.h2, "ip6tables", ["-t", "raw", "-F"]);
    if (window) return { window, details: { ...details, trafgenSent: sent } };
  }
  throw new Error("unreachable");
}

async function row(env: BenchEnv, s: Scenario, payload: number, frame: Uint8Array, net: { h1: string; h2: string }): Promise<Row> {
  const runs: Window[] = [];
  let details: Record<string, unknown> = {};
  for (let r = 0; r < RUNS; r++) {
    const m = await measure(env, s, frame, net);
    runs.push(m.window);
    details = m.details;
  }
  const best = runs.reduce((a, b) => (b.instrumented > a.instrumented ? b : a));
  progress(`(${s.id}) ${payload} B: ${best.instrumented} pps instrumented, ${best.passed} pps passed`);
  return { id: s.id, name: s.name, payload, pps: best.instrumented, passedPps: best.passed, runs, details };
}

function ratios(rows: Row[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const size of SIZES) {
    const c = rows.find((r) => r.id === "2" && r.payload === size)?.pps;
    for (const id of ["2b", "3", "4"]) {
      const x = rows.find((r) => r.id === id && r.payload === size)?.pps;
      if (x !== undefined) out[`${id}/2 @${size}B`] = c ? Math.round((x / c) * 100) / 100 : null;
    }
  }
  return out;
}

/** The delay a scenario adds at light load: its daemon's kernel receive → verdict histogram. */
async function latency(env: BenchEnv, s: Scenario, size: number, frame: Uint8Array, net: { h1: string; h2: string }): Promise<Record<string, unknown>> {
  const m = await measure(env, s, frame, net, LATENCY_PPS);
  const l = m.details.latencyUs as { p50: number | null; p99: number | null; samples: number } | undefined;
  progress(`(${s.id}) ${size} B at ${LATENCY_PPS} pps: receive → verdict p50 ${l?.p50} µs, p99 ${l?.p99} µs`);
  return { id: s.id, payload: size, pps: LATENCY_PPS, p50Us: l?.p50 ?? null, p99Us: l?.p99 ?? null, samples: l?.samples ?? 0 };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("needs root (network namespaces, ip6tables)");
  const nets = new NetnsSet();
  const buildDir = mkdtempSync(join(tmpdir(), "ioamkit-bench-"));
  const load = loadavg()[0];
  // ^C: the exit handlers stop trafgen (src/lab/trafgen.ts) and remove the namespaces.
  process.on("exit", () => nets.cleanup());
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));
  try {
    progress("building bench/nfq-minimal.c");
    buildCConsumer(buildDir);
    const net = chain(nets, 1, "dp");
    const r1 = net.routers[0]!;
    // Row (1)'s kernel transit: node id 1, IOAM namespace 123; scenarios switch ioam6_enabled on west.
    nets.exec(r1, "sysctl", ["-qw", "net.ipv6.ioam6_id=1", "net.ipv6.conf.west.ioam6_enabled=0"]);
    nets.ip(r1, "ioam", "namespace", "add", "123");
    const env: BenchEnv = { nets, router: r1, buildDir };
    const frame = (s: Scenario, size: number) => {
      const ipv6 = s.packet?.(net, size) ?? buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: SENT_HOP_LIMIT, options: [BENCH_TRACE], upper: { kind: "udp", srcPort: 4000, dstPort: 9, data: new Uint8Array(size) } });
      return ethernetFrame(macOf(nets, r1, "west"), macOf(nets, net.h1, "east"), ipv6);
    };
    const scenarios = [...SCENARIOS, ...NODE_RUN_SCENARIOS].filter((s) => !ONLY || ONLY.includes(s.id) || s.id === "2");
    const rows: Row[] = [];
    for (const s of scenarios) for (const size of SIZES) rows.push(await row(env, s, size, frame(s, size), net));
    const latencies: Array<Record<string, unknown>> = [];
    for (const s of scenarios.filter((x) => x.latency)) for (const size of SIZES) latencies.push(await latency(env, s, size, frame(s, size), net));
    const result = {
      bench: "dataplane",
      mode: SHORT ? "short" : "full",
      host: { kernel: release(), cpus: cpus().length, loadavg1AtStart: load },
      settings: { runs: RUNS, windowSeconds: WINDOW_S, queues: 1, ...QUEUE, trace: "HbH pre-allocated 0x800000, 5 nodes", latencyPps: LATENCY_PPS },
      rows,
      ratio: ratios(rows),
      latency: latencies,
      goal: "2b/2, 3/2 and 4/2 >= 1",
    };
    process.stdout.write(JSON.stringify(result, null, JSON_ONLY ? 0 : 2) + "\n");
  } finally {
    nets.cleanup();
    rmSync(buildDir, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  process.stderr.write(`bench/dataplane: ${e.message}\n`);
  process.exit(1);
});
