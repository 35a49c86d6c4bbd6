// The demo without root: examples/diamond.yaml run by the lab's emulation (src/lab/emulation.ts,
// docs/lab.md "the emulation's model") in real time. h1 sends UDP to h2 and pings it; every
// packet is built by the codec and crosses the same engine code a real node runs — r1 and r4's
// data plane encapsulating towards each other (RFC 9486 §3 encap mode) and decapsulating, r2's
// kernel Hop-by-Hop processing — and what the decapsulating node hands its sink becomes the
// collector's observation, as the real data plane's --sink does. Link delay and r2's egress
// queue come from a small model (the emulation alone has every crossing 10 µs and idle veths).

import { fileURLToPath } from "node:url";
import type { Observation } from "../../collector/observation.js";
import { flowOf, observationsOf } from "../../collector/packet-observation.js";
import type { ObservationSink, Source, SourceStats } from "../../collector/sources/source.js";
import { Emulation, type EmulationModel, type Journey } from "../../lab/emulation.js";
import { loadTopology } from "../../lab/load.js";
import { probeAddresses } from "../../lab/probes.js";
import type { Topology } from "../../lab/topology.js";
import { buildPacket } from "../../wire/build.js";
import { decodePacket } from "../../wire/packet.js";

/** examples/diamond.yaml (this file runs as dist/src/ui/demo/emulated-diamond.js). */
export const DIAMOND_FILE = fileURLToPath(new URL("../../../../examples/diamond.yaml", import.meta.url));

/**
 * The trace the demo asks of the diamond's encapsulating nodes: hop limit + node id, interface
 * ids, timestamp seconds and fraction, queue depth (RFC 9197 §4.4.1 bits 0-3 and 6: 20 octets a
 * node), room for r1, r2 and r4.
 */
export const DEMO_TRACE = "type 0xf20000 size 60";

/** The diamond as the demo runs it (the file's MODE and TRACE variables set). */
export function demoTopology(name?: string): Topology {
  return loadTopology(DIAMOND_FILE, { vars: { MODE: "encap", TRACE: DEMO_TRACE }, ...(name ? { name } : {}) });
}

/** IOAM node id → node name, from the topology's ioam: blocks. */
export function nodeNamesOf(t: Topology): Map<string, string> {
  const names = new Map<string, string>();
  for (const n of t.nodes.values()) if (n.ioam?.node?.id !== undefined) names.set(String(n.ioam.node.id), n.name);
  return names;
}

/** A deterministic random source (the same run twice gives the same traffic). */
export function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), x / 4294967296);
}

/** r2's egress backlog towards r4 (bytes) at time t: a 20 s burst every 90 s, up to 60 full-size packets. */
export function r2Backlog(tMs: number): number {
  const phase = (tMs % 90_000) / 20_000;
  return phase < 1 ? Math.round(Math.sin(Math.PI * phase) * 60) * 1514 : 0;
}

/** Link delay and r2's queue: 40-65 µs a crossing, the backlog drained at 1 Gbit/s, a rare long tail. */
function diamondModel(rnd: () => number, nowMs: () => number): EmulationModel {
  return {
    crossingNs: (from, fromIf) => {
      const queued = from === "r2" && fromIf === "eth2" ? r2Backlog(nowMs()) * 8 : 0; // bytes × 8 bit at 1 bit/ns
      const tail = rnd() < 0.01 ? 5 + rnd() * 10 : 1;
      return ((from === "r3" ? 70_000 : 40_000) + rnd() * 25_000 + queued) * tail;
    },
    queueDepth: (node, dev) => (node === "r2" && dev === "eth2" ? r2Backlog(nowMs()) : 0),
  };
}

export interface EmulatedDiamondOptions {
  /** Packets per second h1 sends (default 200). */
  rate?: number;
  seed?: number;
  clock?: () => number;
  topology?: Topology;
}

const PAYLOAD = new TextEncoder().encode("ioamkit demo traffic");
/** The share of h1's packets that are pings (their replies travel r4 → r2 → r1). */
const PING_SHARE = 0.3;

/** A collector Source: the emulated diamond's decapsulating nodes' sinks. */
export class EmulatedDiamond implements Source {
  readonly name = "demo:emulated-diamond";
  readonly kind = "decap" as const;
  readonly topology: Topology;
  readonly emulation: Emulation;
  private timer: NodeJS.Timeout | undefined;
  private done: (() => void) | undefined;
  private records = 0;
  private seq = 0;
  private readonly rnd: () => number;
  private readonly clock: () => number;
  private readonly addr: { src: string; dst: string };

  constructor(private readonly o: EmulatedDiamondOptions = {}) {
    this.rnd = lcg(o.seed ?? 7);
    this.clock = o.clock ?? Date.now;
    this.topology = o.topology ?? demoTopology();
    const start = this.clock();
    this.emulation = new Emulation(this.topology, { sec: Math.floor(start / 1000), nsec: (start % 1000) * 1e6 }, diamondModel(this.rnd, () => this.virtualMs()));
    this.addr = probeAddresses(this.topology, "h1", "h2");
  }

  private virtualMs(): number {
    const t = this.emulation.now();
    return t.sec * 1000 + t.nsec / 1e6;
  }

  run(sink: ObservationSink): Promise<void> {
    const perTick = Math.max(1, Math.round((this.o.rate ?? 200) / 10));
    let last = this.clock();
    this.timer = setInterval(() => {
      const now = this.clock();
      for (let i = 0; i < perTick; i++) for (const ob of this.send(last + ((now - last) * i) / perTick)) sink.observe(ob);
      last = now;
    }, 100);
    return new Promise((resolve) => (this.done = resolve));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.done?.();
  }

  stats(): SourceStats {
    return { records: this.records, problems: 0, running: this.timer !== undefined };
  }

  /** Sends one packet from h1 at `tMs` (a ping, sometimes, whose reply comes back); what the sinks saw. */
  send(tMs: number): Observation[] {
    const ms = Math.floor(tMs);
    this.emulation.advanceTo({ sec: Math.floor(ms / 1000), nsec: Math.round((tMs - Math.floor(ms / 1000) * 1000) * 1e6) });
    const ping = this.rnd() < PING_SHARE;
    const seq = ++this.seq & 0xffff;
    const upper = ping ? { kind: "icmp-echo" as const, id: 0x10a, seq, data: PAYLOAD } : { kind: "udp" as const, srcPort: 40000 + (seq % 4), dstPort: 5201, data: PAYLOAD };
    const packet = buildPacket({ src: this.addr.src, dst: this.addr.dst, hopLimit: 64, options: [], upper });
    const j = this.emulation.send("h1", packet, { reply: ping });
    const out = [...this.sunk(j), ...(j.reply ? this.sunk(j.reply) : [])];
    this.records += out.length;
    return out;
  }

  /** The observations of what decapsulating nodes handed their sinks, with the flow the sender sent. */
  private sunk(j: Journey): Observation[] {
    const first = j.hops[0]?.packet;
    const flow = first ? flowOf(decodePacket(first)) : undefined;
    return j.sink.flatMap((s) => observationsOf(s.record.options, flow, { source: "decap", time: this.virtualMs(), timeSource: "daemon-clock", at: s.node }));
  }
}
