// bench/dataplane's rows (3) and (4): `ioam node run` at r1, started as an operator starts it
// (the CLI, --netns), fed by the same trafgen. (3) encapsulates: plain UDP from the sender gets
// an inline Hop-by-Hop trace (type 0x800000, room for 5 nodes); the receiver tells instrumented
// packets (with the header) from those that went by (fail-open). (4) decapsulates: the sender
// sends what an encapsulating node would (ip6ip6 to r1's address, outer Hop-by-Hop trace); r1
// fills its own entry, strips the outer header and forwards the inner packet. A packet that
// goes by r1's daemon here is lost (the kernel has no ip6_tunnel): only the receiver's count
// of inner packets is reported, and the daemon's bypass count says how many were lost.

import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeStats } from "../src/dataplane/node-stats.js";
import { buildPacket } from "../src/wire/build.js";
import { encapsulateIpv6 } from "../src/wire/encap.js";
import type { BenchEnv, Scenario } from "./dataplane-scenarios.js";
import { BENCH_TRACE, SENT_HOP_LIMIT } from "./dataplane-scenarios.js";

const MAIN = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
/** r1's west address in the bench's chain (sender → r1 → receiver): the tunnel end of row (4). */
const R1_WEST = "2001:db8:0::2";

const daemons = new Set<ChildProcess>();
process.on("exit", () => {
  for (const d of daemons) d.kill("SIGKILL");
});

const nodeYaml = (dataplane: string) => `version: 1
node: { id: 1 }
interfaces:
  west: { enabled: true, id: 11 }
  east: { id: 12 }
namespaces:
  123: {}
dataplane:
${dataplane}`;

/** Starts `ioam --netns ROUTER node run` on `yaml`; stop() sends SIGTERM and returns its last stats. */
async function startDaemon(env: BenchEnv, yaml: string): Promise<{ stop(): Promise<Record<string, unknown>> }> {
  const file = join(env.buildDir, "node.yaml");
  writeFileSync(file, yaml);
  const child = spawn(process.execPath, [MAIN, "--netns", env.router, "node", "run", file, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  daemons.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on("exit", () => (daemons.delete(child), r())));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => ((err += d.toString()), /ioam node run: ready/.test(err) && resolve()));
    void exited.then(() => reject(new Error(`ioam node run exited: ${err.trim()}`)));
  });
  return {
    async stop() {
      child.kill("SIGTERM");
      await exited;
      const s = JSON.parse(out.trim().split("\n").pop() || "{}") as Partial<NodeStats>;
      const c = s.counters;
      return { latencyUs: s.latencyUs, seen: c?.seen, encapsulated: c?.encapsulated, decapsulated: c?.decapsulated, bypassed: s.bypassed, rulePackets: s.rulePackets, decapPadded: c?.decap_padded, timestampSource: s.timestampSource };
    },
  };
}

export const NODE_RUN_SCENARIOS: Scenario[] = [
  {
    id: "3",
    name: "ioamkit encapsulating (ioam node run, inline, trace 0x800000 for 5 nodes)",
    instrumentedHopLimit: SENT_HOP_LIMIT - 1,
    count: { instrumented: ["-m", "ipv6header", "--header", "hop-by-hop", "--soft"], passed: ["-p", "udp"] },
    packet: (net, payload) => buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: SENT_HOP_LIMIT, options: [], upper: { kind: "udp", srcPort: 4000, dstPort: 9, data: new Uint8Array(payload) } }),
    latency: true,
    // V8 compiles the hot path after some thousands of packets; before that it runs several times slower.
    warmupSeconds: 1,
    start: (env) => startDaemon(env, nodeYaml(`  encap:\n    - "2001:db8:1::/64 trace prealloc type 0x800000 ns 123 size 20"\n`)),
  },
  {
    id: "4",
    name: "ioamkit decapsulating (ioam node run, tunnel end: fill, strip ip6ip6 + trace, forward)",
    instrumentedHopLimit: SENT_HOP_LIMIT - 1,
    count: { instrumented: ["-p", "udp"] },
    packet: (net, payload) => {
      const inner = buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: SENT_HOP_LIMIT, options: [], upper: { kind: "udp", srcPort: 4000, dstPort: 9, data: new Uint8Array(payload) } });
      return encapsulateIpv6(inner, { src: net.h1Addr, dst: R1_WEST, hopByHop: [BENCH_TRACE] });
    },
    latency: true,
    warmupSeconds: 1,
    start: (env) => startDaemon(env, nodeYaml(`  decap:\n    - tunnel ${R1_WEST}\n`)),
  },
];
