// The two halves of the kernel differential tests: the same packets sent through kernel IOAM
// routers (a chain of netns configured with ip ioam and sysctl from the fixture table), and
// through the engine, given only that fixture, the interface names, and the values only the
// kernel knows — per IOAM option, the time it recorded and the queue depth — read from the
// kernel's own ioam6_events.

import { transitPacket } from "../../src/node/transit.js";
import { forwardHopLimit } from "../../src/node/forward.js";
import { newCounters } from "../../src/node/counters.js";
import type { NodeState } from "../../src/node/state.js";
import type { PacketContext, Timestamp } from "../../src/node/context.js";
import type { TraceEventRecord } from "../../src/node/events.js";
import { fieldOffset } from "../../src/wire/ioam/trace-type.js";
import type { NetnsSet } from "../harness/netns.js";
import { type BackgroundIoam, Capture, injectPackets, startIoamMonitor } from "../harness/process.js";
import type { Chain } from "../../src/lab/line.js";
import type { TransitCase } from "./transit-cases.js";

/** The kernel's counter Ip6InHdrErrors of a netns. */
export function inHdrErrors(nets: NetnsSet, ns: string): number {
  const m = /^Ip6InHdrErrors\s+(\d+)/m.exec(nets.exec(ns, "cat", ["/proc/net/snmp6"]));
  return Number(m![1]);
}

export interface KernelRun {
  /** Packets that arrived at each host, by case index. */
  arrived: Map<number, Uint8Array>;
  /** Event lines per router, in order. */
  events: string[][];
  hdrErrors: number[];
  window: [bigint, bigint];
}

/**
 * Sends every case's packet through the kernel routers; collects arrivals, events and counters.
 * The capture at h2 stops once `minArrivals` packets arrived (or a second after the last).
 */
export async function runKernel(nets: NetnsSet, net: Chain, cases: TransitCase[], packets: Uint8Array[], path: string, minArrivals: number): Promise<KernelRun> {
  const monitors = await startAll(net.routers.map((r) => startIoamMonitor(["--netns", r, "monitor"], path)));
  const caps: Capture[] = [];
  let got: Array<{ ipv6: Uint8Array }>;
  let before: number[];
  let t0: bigint;
  let t1: bigint;
  const fromH2 = packets.filter((_, i) => cases[i]!.from === "h2");
  try {
    caps.push(await Capture.start(net.h2, "west", "udp or ip6 proto 0"), await Capture.start(net.h1, "east", "udp or ip6 proto 0"));
    before = net.routers.map((r) => inHdrErrors(nets, r));
    t0 = BigInt(Date.now()) * 1_000_000n;
    const fromH1 = packets.filter((_, i) => cases[i]!.from === "h1");
    if (fromH1.length) injectPackets(nets, net.h1, fromH1);
    if (fromH2.length) injectPackets(nets, net.h2, fromH2);
    got = [...(await caps[0]!.stop(minArrivals)), ...(await caps[1]!.stop(fromH2.length))];
    t1 = BigInt(Date.now()) * 1_000_000n;
  } catch (e) {
    for (const m of monitors) m.child.kill("SIGKILL");
    throw e;
  } finally {
    caps.forEach((c) => c.cleanup());
  }
  for (const m of monitors) m.child.kill("SIGINT");
  const events = (await Promise.all(monitors.map((m) => m.done))).map((d) => d.out.split("\n").filter(Boolean));
  const arrived = new Map<number, Uint8Array>();
  for (const p of got) {
    const port = udpSourcePort(p.ipv6);
    if (port !== undefined && port >= 20000) arrived.set(port - 20000, p.ipv6);
  }
  return { arrived, events, hdrErrors: net.routers.map((r, k) => inHdrErrors(nets, r) - before[k]!), window: [t0, t1] };
}

/** Waits for every start; if one fails, stops those that did start (a live child keeps the test process from ending). */
async function startAll(starts: Array<Promise<BackgroundIoam>>): Promise<BackgroundIoam[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((r) => r.status === "rejected");
  if (!failed) return settled.map((r) => (r as PromiseFulfilledResult<BackgroundIoam>).value);
  for (const r of settled) if (r.status === "fulfilled") r.value.child.kill("SIGKILL");
  throw (failed as PromiseRejectedResult).reason;
}

/** The UDP source port, found by walking past a Hop-by-Hop header if there is one. */
function udpSourcePort(p: Uint8Array): number | undefined {
  let nh = p[6]!;
  let at = 40;
  if (nh === 0) (nh = p[at]!), (at += (p[at + 1]! + 1) * 8);
  return nh === 17 && at + 2 <= p.length ? (p[at]! << 8) | p[at + 1]! : undefined;
}

/** What one kernel event says about the option it reports: the time and queue depth the kernel wrote, if the type carries them. */
export interface KernelOptionValues {
  /** Timestamp seconds (bit 2) and sub-seconds in µs (bit 3), each when the type carries it. */
  sec?: number;
  usec?: number;
  queueDepth?: number;
}

/** Reads the kernel's values from an event line (its first node block is the router's own). */
export function kernelOptionValues(line: string): KernelOptionValues {
  const type = parseInt(/Type=(?:0x)?([0-9a-f]+)/.exec(line)![1]!, 16) >>> 8;
  const hex = /Data=([0-9a-f]*)/.exec(line)![1]!;
  const data = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  const u32 = (bit: number) => {
    const o = fieldOffset(type, bit);
    return data.length >= o + 4 ? ((data[o]! << 24) | (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!) >>> 0 : undefined;
  };
  const v: KernelOptionValues = {};
  const sec = type & 0x200000 ? u32(2) : undefined;
  const usec = type & 0x100000 ? u32(3) : undefined;
  if (sec !== undefined) v.sec = sec;
  if (usec !== undefined) v.usec = usec;
  if (type & 0x020000) {
    const q = u32(6);
    if (q !== undefined) v.queueDepth = q;
  }
  return v;
}

/** How the engine learns each option's time: a clock fed the kernel's per-option values, or the one receive timestamp. */
export type TimeFeed = "clock-per-option" | "rx-timestamp";

export interface EngineRun {
  out?: Uint8Array;
  events: TraceEventRecord[][];
  hdrErrors: number[];
  /** Times the engine's clock was read, per router. */
  clockReads: number[];
  /** Per router, per event: did this router fill the option (its block first in the event's data)? */
  filled: boolean[][];
}

/**
 * The engine's journey of one packet through the routers. `kernelEvents(k, n)` gives the next n
 * kernel events of router k without consuming them: the values of the options the engine fills.
 */
export function runEngine(packet: Uint8Array, c: TransitCase, routers: NodeState[], kernelEvents: (k: number, n: number) => string[], feed: TimeFeed): EngineRun {
  const b = packet.slice();
  const run: EngineRun = { events: routers.map(() => []), hdrErrors: routers.map(() => 0), clockReads: routers.map(() => 0), filled: routers.map(() => []) };
  const order = c.from === "h1" ? routers.map((_, k) => k) : routers.map((_, k) => routers.length - 1 - k);
  for (const [step, k] of order.entries()) {
    const local = c.to === "router" && step === 0;
    // First pass without the kernel's values, to learn which options this router fills: their
    // events carry the router's own block first (an overflowed option's event does not).
    const probe = b.slice();
    const probeCounters = newCounters();
    const filled: boolean[] = [];
    const unfed = contextFor(c, local, [], feed, () => {});
    transitPacket(probe, 0, probe.length, routers[k]!, unfed, probeCounters, { onEvent: () => filled.push(probeCounters.ioamFilled > filled.filter(Boolean).length) });
    run.filled[k] = filled;
    const values = kernelEvents(k, filled.length).flatMap((line, j) => (filled[j] ? [kernelOptionValues(line)] : []));
    const ctx = contextFor(c, local, values, feed, () => run.clockReads[k]!++);
    const counters = newCounters();
    const verdict = transitPacket(b, 0, b.length, routers[k]!, ctx, counters, { onEvent: (e) => run.events[k]!.push(e) });
    const forwarded = verdict.verdict === "pass" && !local && forwardHopLimit(b, 0, counters) === "forward";
    run.hdrErrors[k]! += counters.Ip6InHdrErrors; // the forwarding step counts expired hop limits too
    if (!forwarded) return run;
  }
  run.out = b;
  return run;
}

const NO_TIME: Timestamp = { sec: 0, nsec: 0 };

/** The context of one router's transit: interfaces from the direction, times and queue depth from the kernel. */
function contextFor(c: TransitCase, local: boolean, values: KernelOptionValues[], feed: TimeFeed, onClockRead: () => void): PacketContext {
  // A clock reading per option that records a time, in fill order; one receive time for all (its parts from whichever options carry them).
  const timed = values.filter((v) => v.sec !== undefined || v.usec !== undefined);
  const times = timed.map((v) => ({ sec: v.sec ?? 0, nsec: (v.usec ?? 0) * 1000 }));
  let next = 0;
  const ctx: PacketContext = {
    stage: "prerouting",
    ingress: c.from === "h1" ? "west" : "east",
    queueDepth: values.find((v) => v.queueDepth !== undefined)?.queueDepth ?? 0,
    clock: () => (onClockRead(), times[next++] ?? NO_TIME),
  };
  if (feed === "rx-timestamp") ctx.rxTime = { sec: timed.find((v) => v.sec !== undefined)?.sec ?? 0, nsec: (timed.find((v) => v.usec !== undefined)?.usec ?? 0) * 1000 };
  if (!local) ctx.egress = c.from === "h1" ? "east" : "west";
  return ctx;
}
