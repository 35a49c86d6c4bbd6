// Kernel-event records as routers would see them, for bench:scale and the stream tests without
// namespaces: journey i crosses nodes 1 … H (type 0xf20000: hop limit + node id, interfaces,
// seconds, microseconds, queue depth), and the agent of node h gets that packet's ioam6_event —
// its own entry and every earlier one, newest first — as one record line (docs/dex-export.md),
// written into the agent's decap socket. Every journey joins by content, like the kernel's.

import { connect, type Socket } from "node:net";
import type { TraceNode } from "../src/wire/ioam/trace-node.js";
import type { Observation } from "../src/collector/observation.js";
import { observationLine } from "../src/collector/stream/record.js";

export const SCALE_NAMESPACE = 123;
export const SCALE_TRACE_TYPE = 0xf20000;

/** The path key the collector gives a journey over nodes 1 … hops. */
export const scalePathKey = (hops: number) => `${SCALE_NAMESPACE}|` + Array.from({ length: hops }, (_, i) => `${i + 1}:${10 * (i + 1) + 1}/${10 * (i + 1) + 2}`).join(">");

/** Journey i's entries in traversal order (its first timestamp makes it unique: 1 µs apart from `t0Us`). */
export function scaleHops(i: number, hops: number, t0Us: number): TraceNode[] {
  const out: TraceNode[] = [];
  let us = t0Us + i;
  for (let h = 0; h < hops; h++) {
    const k = h + 1;
    if (h > 0) us += 20 + ((i * 7 + h * 13) % 50);
    out.push({ hopLimit: 64 - h, nodeId: k, ingressIf: 10 * k + 1, egressIf: 10 * k + 2, tsSec: Math.floor(us / 1e6), tsFrac: us % 1e6, queueDepth: (i + h) % 3 === 0 ? 1514 : 0 });
  }
  return out;
}

/** Node h's (0-based) event of journey i as a record line (no newline). */
export function eventLine(i: number, h: number, hops: number, t0Us: number): string {
  const entries = scaleHops(i, hops, t0Us).slice(0, h + 1).reverse();
  const o: Observation = { source: "kernel-event", time: t0Us / 1000 + i / 1000, timeSource: "collector-clock", at: `r${h + 1}`, namespaceId: SCALE_NAMESPACE, traceType: SCALE_TRACE_TYPE, overflow: false, nodes: entries };
  return observationLine("gen.0.0", o);
}

/** A writer into an agent's decap socket that waits for the socket to drain. */
export class SocketFeed {
  private constructor(private readonly s: Socket) {}

  static open(path: string): Promise<SocketFeed> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new SocketFeed(s)));
      s.once("error", reject);
    });
  }

  /** Writes lines; resolves when the socket can take more. */
  async write(lines: readonly string[]): Promise<void> {
    if (!this.s.write(lines.join("\n") + "\n")) await new Promise<void>((r) => this.s.once("drain", r));
  }

  close(): Promise<void> {
    return new Promise((r) => this.s.end(r));
  }
}
