// Line-rate traffic for overload tests and bench/dataplane: trafgen (netsniff-ng) sends one
// Ethernet frame over and over from a netns, on one CPU, until stopped — fast enough that the
// sender is never what limits a measurement.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetnsSet } from "../linux/netns-set.js";

/** Process groups of running trafgens: killed when this process exits, however it exits. */
const running = new Set<number>();
process.on("exit", () => {
  for (const pgid of running) killGroup(pgid, "SIGKILL");
});

function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

/** The MAC address of an interface in a netns. */
export function macOf(nets: NetnsSet, ns: string, ifname: string): string {
  const [link] = JSON.parse(nets.ip(ns, "-j", "link", "show", ifname)) as Array<{ address: string }>;
  return link!.address;
}

/** An Ethernet frame carrying `ipv6` from `srcMac` to `dstMac`. */
export function ethernetFrame(dstMac: string, srcMac: string, ipv6: Uint8Array): Uint8Array {
  const mac = (m: string) => m.split(":").map((x) => parseInt(x, 16));
  return Uint8Array.from([...mac(dstMac), ...mac(srcMac), 0x86, 0xdd, ...ipv6]);
}

/** A running trafgen. */
export interface Trafgen {
  /** Stops it and resolves with the number of packets it sent. */
  stop(): Promise<number>;
  /** Kills it at once (cleanup after a failure). */
  kill(): void;
}

/**
 * Starts trafgen in `ns` on `ifname`, sending `frame` as fast as it can on one CPU, or (about)
 * `opts.pps` packets a second, one at a time (trafgen --gap; its --rate sends bursts).
 */
export function startTrafgen(ns: string, ifname: string, frame: Uint8Array, opts: { pps?: number; randomAt?: number } = {}): Trafgen {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-trafgen-"));
  const cfg = join(dir, "packet.cfg");
  // randomAt: two octets trafgen draws anew for every packet (drnd), e.g. a UDP source port, so that packets spread over flows.
  const bytes = [...frame].map((b) => `0x${b.toString(16).padStart(2, "0")}`);
  if (opts.randomAt !== undefined) bytes.splice(opts.randomAt, 2, "drnd(2)");
  writeFileSync(cfg, `{ ${bytes.join(", ")} }\n`);
  // Its own process group: trafgen forks a sender per CPU and stops only when the whole group
  // gets the signal (as ^C does), not when its parent alone does.
  const child: ChildProcess = spawn("ip", ["netns", "exec", ns, "trafgen", "-o", ifname, "-i", cfg, "--cpus", "1", "-n", "0", ...(opts.pps ? ["-t", `${Math.round(1e6 / opts.pps)}us`] : [])], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const signal = (sig: NodeJS.Signals) => killGroup(child.pid!, sig);
  running.add(child.pid!);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on("exit", () => (running.delete(child.pid!), resolve())));
  return {
    kill: () => (signal("SIGKILL"), rmSync(dir, { recursive: true, force: true })),
    async stop() {
      signal("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
      const m = /(\d+) packets outgoing/.exec(out);
      if (!m) throw new Error(`trafgen in ${ns}: no packet count in its output: ${out.trim().slice(-300)}`);
      return Number(m[1]);
    },
  };
}

/** Counts packets arriving in `ns` by hop limit with raw-table rules (drops them there). */
export function countByHopLimit(nets: NetnsSet, ns: string, hopLimits: readonly number[]): () => number[] {
  return countByMatches(nets, ns, hopLimits.map((hl) => ["-m", "hl", "--hl-eq", String(hl)]));
}

/**
 * Counts packets arriving in `ns` with one raw-table rule per match (ip6tables match
 * arguments), in order: a packet is counted (and dropped) by the first rule it matches.
 */
export function countByMatches(nets: NetnsSet, ns: string, matches: readonly string[][]): () => number[] {
  const tag = (i: number) => `ioamkit-count-${i}`;
  matches.forEach((m, i) => nets.exec(ns, "ip6tables", ["-t", "raw", "-A", "PREROUTING", ...m, "-m", "comment", "--comment", tag(i), "-j", "DROP"]));
  return () => {
    const out = nets.exec(ns, "ip6tables-save", ["-c", "-t", "raw"]);
    return matches.map((_, i) => Number(new RegExp(`^\\[(\\d+):\\d+\\] -A PREROUTING .*--comment ${tag(i)} -j DROP`, "m").exec(out)?.[1] ?? 0));
  };
}
