// What bench/dataplane measures at router r1 of sender → r1 → receiver: one Scenario per row.
// (1) the kernel forwarding with its own IOAM transit; (2) the minimal C libnetfilter_queue
// consumer; (2b) the same consumer on ioamkit's socket; (3) and (4), `ioam node run`
// encapsulating and decapsulating, are in dataplane-node-run.ts.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type InstalledQueueRules, installQueueRules, removeQueueRules } from "../src/linux/ip6tables/queue-rules.js";
import type { NetnsSet } from "../src/linux/netns-set.js";
import type { OptionSpec } from "../src/wire/build.js";
import { nodeLenOf } from "../src/wire/ioam/trace-type.js";

/** What a scenario gets: the namespaces and where its programs are. */
export interface BenchEnv {
  nets: NetnsSet;
  router: string;
  /** Directory holding the compiled C consumer (nfq-minimal). */
  buildDir: string;
}

/** Settings every NFQUEUE consumer of the bench shares, so that rows compare like with like. */
export const QUEUE = { num: 0, maxLen: 8192, rcvbuf: 16 << 20, copyRange: 0xffff, failOpen: true } as const;
/** Hop limit the sender uses; the receiver sees SENT - 1 for a packet r1 forwarded untouched. */
export const SENT_HOP_LIMIT = 64;
/** The trace the default packets carry: pre-allocated, 0x800000, room for 5 nodes, namespace 123 (r1 knows it). */
export const BENCH_TRACE: OptionSpec = { kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: nodeLenOf(0x800000), flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 5 * nodeLenOf(0x800000), traceType: 0x800000, reserved: 0, nodes: [] };

/** Hop limit the consumers write; the receiver sees it minus 1. */
export const REWRITE_HOP_LIMIT = 200;

export interface Scenario {
  id: string;
  name: string;
  /** Hop limit at the receiver of a packet this scenario instrumented (or rewrote). */
  instrumentedHopLimit: number;
  /** Hop limit at the receiver of a packet that passed uninstrumented (fail-open), if that can happen. */
  passedHopLimit?: number;
  /** Raw-table matches that count at the receiver instead of the hop limits (instrumented first: it drops what it counts). */
  count?: { instrumented: string[]; passed?: string[] };
  /** The IPv6 packet the sender sends (default: UDP to the receiver with a 5-node trace). */
  packet?(net: { h1Addr: string; h2Addr: string }, payload: number): Uint8Array;
  /** Also measure, at light load, the delay the scenario adds (its stop() returns latencyUs). */
  latency?: boolean;
  /** Seconds of traffic before the window opens (default the bench's): a JIT-compiled consumer needs longer. */
  warmupSeconds?: number;
  /** Starts the scenario at r1; stop() undoes everything and returns what it counted. */
  start(env: BenchEnv): Promise<{ stop(): Promise<Record<string, unknown>> }>;
}

const sysctl = (env: BenchEnv, kv: string) => env.nets.exec(env.router, "sysctl", ["-qw", kv]);

/** Consumers still running: killed when the bench exits, however it exits (^C included). */
const consumers = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of consumers) c.kill("SIGKILL");
});

/** Starts a consumer in r1 and resolves once it printed its ready line on stderr. */
function startConsumer(env: BenchEnv, argv: string[]): Promise<ChildProcess & { stdoutText: () => string }> {
  const child = spawn("ip", ["netns", "exec", env.router, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  consumers.add(child);
  child.on("exit", () => consumers.delete(child));
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (/ready/.test(err)) resolve(Object.assign(child, { stdoutText: () => out }));
    });
    child.on("exit", (code) => reject(new Error(`${argv.join(" ")} exited (${code}): ${err.trim()}`)));
  });
}

/** An NFQUEUE consumer row: ioamkit's rules send r1's input to the queue while it runs. */
function consumerScenario(id: string, name: string, argv: (env: BenchEnv) => string[]): Scenario {
  return {
    id,
    name,
    instrumentedHopLimit: REWRITE_HOP_LIMIT - 1,
    passedHopLimit: SENT_HOP_LIMIT - 1,
    async start(env) {
      const rules: InstalledQueueRules = await installQueueRules(`bench${process.pid}`, [{ hook: "PREROUTING", match: { inInterface: "west" }, queues: { first: QUEUE.num } }], { netns: env.router });
      const args = [String(QUEUE.num), String(REWRITE_HOP_LIMIT), String(QUEUE.maxLen), String(QUEUE.rcvbuf)];
      let child: Awaited<ReturnType<typeof startConsumer>>;
      try {
        child = await startConsumer(env, [...argv(env), ...args]);
      } catch (e) {
        await removeQueueRules(rules);
        throw e;
      }
      return {
        async stop() {
          const exited = new Promise((r) => child.once("exit", r));
          child.kill("SIGTERM");
          await exited;
          await removeQueueRules(rules);
          return JSON.parse(child.stdoutText() || "{}") as Record<string, unknown>;
        },
      };
    },
  };
}

const DIST_BENCH = fileURLToPath(new URL(".", import.meta.url));

export const SCENARIOS: Scenario[] = [
  {
    id: "1",
    name: "kernel forwarding with kernel IOAM transit",
    instrumentedHopLimit: SENT_HOP_LIMIT - 1,
    async start(env) {
      sysctl(env, "net.ipv6.conf.west.ioam6_enabled=1");
      return { stop: async () => (sysctl(env, "net.ipv6.conf.west.ioam6_enabled=0"), {}) };
    },
  },
  consumerScenario("2", "minimal C libnetfilter_queue consumer, payload rewritten", (env) => [join(env.buildDir, "nfq-minimal")]),
  consumerScenario("2b", "the same consumer on ioamkit's socket (addon + TS messages)", () => [process.execPath, join(DIST_BENCH, "nfq-minimal.js")]),
];

/** Compiles bench/nfq-minimal.c into `dir` (Debian: libnetfilter-queue-dev, build-essential). */
export function buildCConsumer(dir: string): void {
  const src = fileURLToPath(new URL("../../bench/nfq-minimal.c", import.meta.url));
  try {
    execFileSync("cc", ["-O2", "-Wall", "-o", join(dir, "nfq-minimal"), src, "-lnetfilter_queue", "-lnfnetlink"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const why = ((e as { stderr?: Buffer }).stderr?.toString() ?? String(e)).split("\n")[0];
    throw new Error(`cannot build bench/nfq-minimal.c (apt-get install build-essential libnetfilter-queue-dev): ${why}`);
  }
}
