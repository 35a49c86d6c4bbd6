// The demo as root: examples/diamond.yaml as a real lab (src/lab/netns-lab.ts: one network
// namespace per node, veths, the edge filter, `ioam apply` per node), r1 and r4 running the
// userspace data plane (`ioam node run`, docs/lab.md "the contract with ioam node run") that
// encapsulates towards the other and hands what it decapsulates to its sink file, r2 and r3
// the kernel's transit. h1 pings h2 (ping's replies take r4 → r2 → r1); the collector follows
// both sinks. The lab has a name of its own (demo<pid>), so two demos or a user's own diamond
// never clash, and stop() takes all of it down: ping, the daemons, the namespaces, the state.
// There is no kernel-only variant: without the data plane nothing would insert IOAM (the
// kernel's ioam6 lwtunnel, CONFIG_IPV6_IOAM6_LWTUNNEL, is often not built, nor ip6_tunnel), so
// a build or host without it runs the emulation instead (run-demo.ts says why).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { IoamError } from "../../errors.js";
import { DecapSinkSource } from "../../collector/sources/line-sources.js";
import { labDown, labUp } from "../../lab/netns-lab.js";
import { probeAddresses } from "../../lab/probes.js";
import { DEMO_TRACE, demoTopology, nodeNamesOf } from "./emulated-diamond.js";
import type { DemoTraffic } from "./traffic.js";

/** Why the real lab cannot run here, or undefined when it can. */
export function realLabUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const tool of ["ip", "ping"]) if (spawnSync(tool, ["-V"], { stdio: "ignore" }).error) return `${tool} is not installed`;
  return undefined;
}

/** Starts the real diamond, its traffic and the sources that read its data plane's sinks. */
export async function labTraffic(rate: number, log: (line: string) => void): Promise<DemoTraffic> {
  const name = `demo${process.pid}`;
  const t = demoTopology(name);
  const state = await labUp(t, { vars: { MODE: "encap", TRACE: DEMO_TRACE }, progress: (l) => log(`ioam demo: lab ${l.trim()}`) });
  let ping: ChildProcess | undefined;
  const stop = async () => {
    // Ctrl-C on a terminal reaches ping too (same process group): it may have ended by a signal.
    if (ping && ping.exitCode === null && ping.signalCode === null) {
      const exited = new Promise((r) => ping!.once("exit", r));
      ping.kill("SIGTERM");
      await exited;
    }
    await labDown(name);
  };
  try {
    // labUp fails when a daemon does not start; a diamond.yaml without r1/r4's dataplane would not.
    const sinks = ["r1", "r4"].map((n) => state.nodes[n]!.daemon);
    if (sinks.some((d) => d?.status !== "running")) throw new IoamError("BAD_CONFIG", `${t.file}: r1 and r4 must run the data plane (their dataplane: sections)`);
    // A file, so that the source follows it (a missing path would make it a unix socket server).
    for (const d of sinks) if (!existsSync(d!.sink)) closeSync(openSync(d!.sink, "a"));
    const to = probeAddresses(t, "h1", "h2").dst;
    const interval = Math.max(0.002, 1 / rate).toFixed(3);
    ping = spawn("ip", ["netns", "exec", state.nodes.h1!.netns, "ping", "-6", "-q", "-i", interval, "-s", "56", to], { stdio: "ignore" });
    return {
      mode: "lab",
      label: `examples/diamond.yaml as lab ${name} (namespaces ioamkit.${name}.*): h1 pings h2 every ${interval} s; r1/r4 ioam node run, r2/r3 kernel transit`,
      sources: sinks.map((d) => new DecapSinkSource(d!.sink)),
      nodeNames: nodeNamesOf(t),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
