// A model of the diamond's traffic for the API tests (examples/diamond.yaml: h1 — r1 — {r2, r3}
// — r4 — h2), as the decapsulating nodes' sinks would report it: one Pre-allocated Trace per
// packet (type 0xf20000: hop limit + node id, interface ids, seconds, microseconds, queue depth;
// 0xf20002 adds the snapshot carrying an application trace context) with the diamond's node and
// interface ids. Unlike the demo's emulated lab (src/ui/demo/emulated-diamond.ts) it also takes
// the r3 path and carries application trace contexts; times and queues come from a model, not
// from packets: an r2 egress queue that fills and drains every 90 s, jitter, a rare long tail.

import type { Observation } from "../../src/collector/observation.js";
import type { ObservationSink, Source, SourceStats } from "../../src/collector/sources/source.js";
import type { TraceNode } from "../../src/wire/ioam/trace-node.js";
import { lcg, r2Backlog } from "../../src/ui/demo/emulated-diamond.js";
import { TRACE_CONTEXT_SCHEMA, encodeTraceContext } from "../../src/wire/trace-context.js";

/** The diamond's IOAM namespace and the node/interface ids of its nodes (examples/diamond.yaml). */
export const DIAMOND_NAMESPACE = 100;
export const DIAMOND_NAMES: ReadonlyMap<string, string> = new Map([["1", "r1"], ["2", "r2"], ["3", "r3"], ["4", "r4"]]);
type Hop = { id: number; in: number; out: number };
const FORWARD_VIA_R2: Hop[] = [{ id: 1, in: 0x0100, out: 0x0102 }, { id: 2, in: 0x0201, out: 0x0204 }, { id: 4, in: 0x0402, out: 0x0400 }];
const FORWARD_VIA_R3: Hop[] = [{ id: 1, in: 0x0100, out: 0x0103 }, { id: 3, in: 0x0301, out: 0x0304 }, { id: 4, in: 0x0403, out: 0x0400 }];
const REVERSE_VIA_R2: Hop[] = [{ id: 4, in: 0x0400, out: 0x0402 }, { id: 2, in: 0x0204, out: 0x0201 }, { id: 1, in: 0x0102, out: 0x0100 }];

/** Options of the generator. */
export interface GeneratedDiamondOptions {
  /** Packets per second (default 200). */
  rate?: number;
  seed?: number;
  clock?: () => number;
}

/** A collector Source producing the diamond's journeys, each observed once by its decapsulating node. */
export class GeneratedDiamond implements Source {
  readonly name = "demo:generated-diamond";
  readonly kind = "decap" as const;
  private timer: NodeJS.Timeout | undefined;
  private done: (() => void) | undefined;
  private records = 0;
  private seq = 0;
  private readonly rnd: () => number;
  private readonly clock: () => number;

  constructor(private readonly o: GeneratedDiamondOptions = {}) {
    this.rnd = lcg(o.seed ?? 7);
    this.clock = o.clock ?? Date.now;
  }

  run(sink: ObservationSink): Promise<void> {
    const perTick = Math.max(1, Math.round((this.o.rate ?? 200) / 10));
    let last = this.clock();
    this.timer = setInterval(() => {
      const now = this.clock();
      for (let i = 0; i < perTick; i++) sink.observe(this.packet(last + ((now - last) * i) / perTick));
      this.records += perTick;
      last = now;
    }, 100);
    return new Promise((resolve) => (this.done = resolve));
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.done?.();
  }

  stats(): SourceStats {
    return { records: this.records, problems: 0, running: this.timer !== undefined };
  }

  /** One packet: its path, hop times from the model, its trace as r4 (or r1, backwards) decapsulates it. */
  packet(tMs: number): Observation {
    const r = this.rnd();
    const reverse = r < 0.3;
    const path = reverse ? REVERSE_VIA_R2 : r < 0.79 ? FORWARD_VIA_R2 : FORWARD_VIA_R3;
    const app = !reverse && this.rnd() < 0.1;
    let us = Math.floor(tMs * 1000);
    const hops: TraceNode[] = path.map((h, i) => {
      if (i > 0) us += this.linkUs(path[i - 1]!.id, h.id, tMs);
      const n: TraceNode = { hopLimit: 64 - i, nodeId: h.id, ingressIf: h.in, egressIf: h.out, tsSec: Math.floor(us / 1e6), tsFrac: us % 1e6, queueDepth: h.id === 2 && !reverse ? r2Backlog(tMs) : 0 };
      if (app) n.opaque = i === 0 ? { schemaId: TRACE_CONTEXT_SCHEMA, data: encodeTraceContext(this.context()) } : { schemaId: 0xffffff, data: new Uint8Array(0) };
      return n;
    });
    const flow = reverse ? { src: "fd00:20::2", dst: "fd00:10::1", nextHeader: 17, sport: 5201, dport: 40000 } : app ? { src: "fd00:10::1", dst: "fd00:20::2", nextHeader: 6, sport: 43000 + (this.seq % 8), dport: 443 } : { src: "fd00:10::1", dst: "fd00:20::2", nextHeader: 17, sport: 40000, dport: 5201 };
    this.seq++;
    return { source: "decap", time: us / 1000, timeSource: "daemon-clock", at: reverse ? "r1" : "r4", namespaceId: DIAMOND_NAMESPACE, traceType: app ? 0xf20002 : 0xf20000, overflow: false, nodes: hops.reverse(), flow };
  }

  /** Microseconds from node a's timestamp to node b's: the link, b's processing, a's queue. */
  private linkUs(a: number, b: number, tMs: number): number {
    const base = a === 3 || b === 3 ? 70 : 40;
    const queue = a === 2 && b === 4 ? (r2Backlog(tMs) * 8) / 1000 : 0; // the backlog drained at 1 Gbit/s, in µs
    const tail = this.rnd() < 0.01 ? 5 + this.rnd() * 10 : 1;
    return Math.round((base + this.rnd() * 25 + queue) * tail);
  }

  private context(): { traceId: string; spanId: string; sampled: boolean } {
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(this.rnd() * 16).toString(16)).join("");
    return { traceId: hex(32), spanId: hex(16), sampled: true };
  }
}
