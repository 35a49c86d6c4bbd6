// The data plane's start-up check that this kernel does through NFQUEUE what ioamkit needs
// (docs/architecture.md, "What this kernel (6.18) does through NFQUEUE"): grow a packet at prerouting (insert a
// Hop-by-Hop header), rewrite one in place (fill), strip one (decapsulate), route a
// re-addressed packet by its new destination, and take back a short stripped packet padded to
// its transport offset (the next hop trims the padding). Runs in two scratch netns — S with the queue, F which sends every
// probe back to S — that are removed afterwards whatever happens.
//
//   S (fd00:5e1f::1, queue on st0) ⇄ F (fd00:5e1f::2); fd00:5e1f:9::/64 routes S → F → S.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { installQueueRules } from "../linux/ip6tables/queue-rules.js";
import { run, runOk } from "../linux/run-program.js";
import type { ChildReport } from "./kernel-selftest-child.js";

/** The outcome: ok, or the first thing that failed in one line. */
export interface KernelSelfTest {
  ok: boolean;
  reason?: string;
  checks: { grow: boolean; rewrite: boolean; reroute: boolean; strip: boolean; stripPadded: boolean };
  /** This kernel drops replacements shorter than the transport offset (so padding is needed); null when not seen. */
  shrinkRefused: boolean | null;
  /**
   * A packet stripped at prerouting and addressed to this host reached its socket. Linux 6.18:
   * no — the kernel keeps the offsets of the headers it walked before the queue (IP6CB nhoff)
   * and reads the wrong next header (Ip6InUnknownProtos); forwarded, a stripped packet is fine.
   */
  localDeliveryAfterStrip: boolean;
  /** NFQUEUE gave receive timestamps (NFQA_TIMESTAMP). */
  timestamps: boolean;
}

const CHILD = fileURLToPath(new URL("./kernel-selftest-child.js", import.meta.url));
const LOCAL = "fd00:5e1f::1";
const PEER = "fd00:5e1f::2";
const LOOP = "fd00:5e1f:9::/64";
const VIA = ["fd00:5e1f:9::1", "fd00:5e1f:9::2", "fd00:5e1f:9::3", "fd00:5e1f:9::4"];
let counter = 0;

const FAILURES: Array<[keyof KernelSelfTest["checks"], string]> = [
  ["grow", "a packet grown by a Hop-by-Hop header at prerouting did not come back (this kernel does not take grown packets from NFQUEUE)"],
  ["rewrite", "a packet rewritten in place through NFQUEUE came back without the change"],
  ["reroute", "a re-addressed packet followed its old route instead of its new destination"],
  ["strip", "a packet stripped of its Hop-by-Hop header through NFQUEUE did not arrive stripped at the next hop"],
  ["stripPadded", "a short stripped packet, padded to its transport offset, did not arrive trimmed at the next hop"],
];

async function ip(args: string[]): Promise<void> {
  await runOk("ip", args, { what: "setting up the NFQUEUE self-test" });
}

/** Writes a sysctl inside a netns without needing procps: this Node writes /proc/sys there. */
async function sysctlIn(ns: string, key: string, value: string): Promise<void> {
  await runOk(process.execPath, ["-e", "require('fs').writeFileSync(process.argv[1], process.argv[2])", `/proc/sys/${key.replaceAll(".", "/")}`, value], { netns: ns, what: `setting ${key} for the self-test` });
}

async function setUp(s: string, f: string): Promise<void> {
  await ip(["netns", "add", s]);
  await ip(["netns", "add", f]);
  await ip(["link", "add", "name", "st0", "netns", s, "type", "veth", "peer", "name", "st0", "netns", f]);
  for (const [ns, addr, via] of [[s, LOCAL, PEER], [f, PEER, LOCAL]] as const) {
    await ip(["-n", ns, "link", "set", "lo", "up"]);
    await ip(["-n", ns, "addr", "add", `${addr}/64`, "dev", "st0", "nodad"]);
    await ip(["-n", ns, "link", "set", "st0", "up"]);
    await ip(["-n", ns, "-6", "route", "add", LOOP, "via", via]);
    await sysctlIn(ns, "net.ipv6.conf.all.forwarding", "1");
  }
  await installQueueRules("selftest", [{ hook: "PREROUTING", match: { inInterface: "st0" }, queues: { first: 0 } }], { netns: s });
}

function runChild(s: string, timeoutMs: number): Promise<ChildReport> {
  const child = spawn("ip", ["netns", "exec", s, process.execPath, CHILD, JSON.stringify({ queue: 0, local: LOCAL, via: VIA, timeoutMs })], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 5000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      try {
        resolve(JSON.parse(out) as ChildReport);
      } catch {
        reject(new Error(`the probe process exited with ${code}: ${err.trim().split("\n")[0] ?? ""}`));
      }
    });
  });
}

function verdict(r: ChildReport): KernelSelfTest {
  const checks = { grow: r.grow, rewrite: r.rewrite, reroute: r.reroute, strip: r.strip, stripPadded: r.stripPadded };
  const base = { checks, shrinkRefused: r.shrinkRefused, localDeliveryAfterStrip: r.localDeliveryAfterStrip, timestamps: r.timestamps };
  if (r.error) return { ok: false, reason: `NFQUEUE self-test could not run: ${r.error}`, ...base };
  const failed = FAILURES.find(([k]) => !checks[k]);
  return failed ? { ok: false, reason: `NFQUEUE self-test: ${failed[1]}`, ...base } : { ok: true, ...base };
}

/** Runs the self-test (needs root, iproute2, ip6tables). Never throws: a failure is a reason. */
export async function selfTestKernel(options: { timeoutMs?: number } = {}): Promise<KernelSelfTest> {
  const id = `${process.pid}-${counter++}`;
  const [s, f] = [`ioamkit-st-${id}`, `ioamkit-sf-${id}`];
  try {
    await setUp(s, f);
    return verdict(await runChild(s, options.timeoutMs ?? 3000));
  } catch (e) {
    const none = { grow: false, rewrite: false, reroute: false, strip: false, stripPadded: false };
    return { ok: false, reason: `NFQUEUE self-test could not run: ${(e as Error).message.split("\n")[0]}`, checks: none, shrinkRefused: null, localDeliveryAfterStrip: false, timestamps: false };
  } finally {
    await run("ip", ["netns", "del", s]);
    await run("ip", ["netns", "del", f]);
  }
}
