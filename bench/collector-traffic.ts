// Generated journeys for the collector's benchmark and tests: packets of a diamond domain
// (r1 → r2 | r3 → r4 → r5, and shorter paths) carrying a pre-allocated trace of type 0xf20000
// (hop limit + node id, interfaces, seconds, microseconds, queue depth), as Linux fills it. One
// template packet per path is built with the codec; each packet patches its timestamps and
// queue depths in place, so millions of packets are written in seconds.

import { openSync, writeSync, closeSync } from "node:fs";
import { buildPacket } from "../src/wire/build.js";
import { decodePacket } from "../src/wire/packet.js";
import type { TraceNode } from "../src/wire/ioam/trace-node.js";

export const GEN_NAMESPACE = 123;
export const GEN_TRACE_TYPE = 0xf20000;
const NODE_LEN = 5;
const ROOM = 6;

/** The node ids of each generated path, in traversal order, and their share (weights). */
export const GEN_PATHS: ReadonlyArray<{ nodes: number[]; weight: number }> = [
  { nodes: [1, 2, 4, 5, 6], weight: 50 },
  { nodes: [1, 3, 4, 5, 6], weight: 30 },
  { nodes: [1, 2, 4], weight: 15 },
  { nodes: [1, 3], weight: 5 },
];

/** Interfaces of node k: in 10k+1, out 10k+2. */
export const genHop = (k: number) => `${k}:${10 * k + 1}/${10 * k + 2}`;
/** The collector's path key of a generated path. */
export const genPathKey = (nodes: readonly number[]) => `${GEN_NAMESPACE}|` + nodes.map(genHop).join(">");

interface Template {
  bytes: Uint8Array;
  /** Offset of the E2E seq32 (-1 without E2E). */
  seqAt: number;
  /** Offset of each hop's tsSec, in traversal order (tsFrac +4, queue depth +8). */
  tsAt: number[];
}

function template(nodes: readonly number[], e2e: boolean): Template {
  const hops: TraceNode[] = nodes.map((k, i) => ({ hopLimit: 64 - i, nodeId: k, ingressIf: 10 * k + 1, egressIf: 10 * k + 2, tsSec: 0, tsFrac: 0, queueDepth: 0 }));
  const trace = { kind: "trace" as const, variant: "prealloc" as const, namespaceId: GEN_NAMESPACE, nodeLen: NODE_LEN, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: (ROOM - nodes.length) * NODE_LEN, traceType: GEN_TRACE_TYPE, reserved: 0, nodes: hops.slice().reverse() };
  const options = e2e ? [trace, { kind: "e2e" as const, namespaceId: GEN_NAMESPACE, e2eType: 0x4000, seq32: 0 }] : [trace];
  const bytes = buildPacket({ src: "2001:db8:1::2", dst: "2001:db8:4::2", hopLimit: 60, options, upper: { kind: "udp", srcPort: 40000 + nodes.length * 10 + nodes[1]!, dstPort: 5000, data: new Uint8Array(32) } });
  const rec = decodePacket(bytes);
  const t = rec.options[0]!;
  const dataStart = t.offset + 4 + 8 + 4 * (ROOM - nodes.length) * NODE_LEN;
  const tsAt = nodes.map((_, i) => dataStart + (nodes.length - 1 - i) * 4 * NODE_LEN + 8);
  const e = rec.options.find((x) => x.kind === "e2e");
  return { bytes, tsAt, seqAt: e ? e.offset + 8 : -1 };
}

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), x / 4294967296);
}

/** What the generator decided for one packet (for an independent computation). */
export interface GenPacket {
  path: number;
  /** Latency of hop i (i ≥ 1) from hop i-1, µs (index 0 unused). */
  latencyUs: Uint32Array;
  queue: Uint32Array;
}

/** Options of writeJourneyCapture. */
export interface GenOptions {
  seed?: number;
  /** Also carry an E2E option with a 32-bit sequence number (for loss); `drop` skips numbers. */
  e2e?: boolean;
  drop?: (seq: number) => boolean;
  onPacket?: (p: GenPacket) => void;
}

/** Writes `n` packets as a pcap (LINKTYPE_RAW) at `path`, 20 µs apart. */
export function writeJourneyCapture(path: string, n: number, opts: GenOptions = {}): void {
  const rnd = lcg(opts.seed ?? 1);
  const templates = GEN_PATHS.map((p) => template(p.nodes, opts.e2e ?? false));
  const total = GEN_PATHS.reduce((s, p) => s + p.weight, 0);
  const fd = openSync(path, "w");
  const buf = new Uint8Array(1 << 22);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true); // pcap file header: magic, version 2.4, snaplen, LINKTYPE_RAW
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true);
  dv.setUint32(20, 101, true);
  let o = 24;
  const lat = new Uint32Array(6);
  const queue = new Uint32Array(6);
  let seq = 0;
  for (let i = 0; i < n; i++) {
    let pick = rnd() * total;
    let p = 0;
    while (pick >= GEN_PATHS[p]!.weight) pick -= GEN_PATHS[p++]!.weight;
    const t = templates[p]!;
    if (o + t.bytes.length + 16 > buf.length) (writeSync(fd, buf, 0, o), (o = 0));
    const startUs = 1_763_900_000_000_000 + i * 20;
    dv.setUint32(o, Math.floor(startUs / 1e6), true);
    dv.setUint32(o + 4, startUs % 1e6, true);
    dv.setUint32(o + 8, t.bytes.length, true);
    dv.setUint32(o + 12, t.bytes.length, true);
    buf.set(t.bytes, o + 16);
    const base = o + 16;
    let us = startUs;
    for (let h = 0; h < t.tsAt.length; h++) {
      if (h > 0) us += lat[h] = 5 + Math.floor(rnd() < 0.9 ? rnd() * 200 : rnd() * 20000);
      queue[h] = rnd() < 0.7 ? 0 : Math.floor(rnd() * 100) * 1514;
      dv.setUint32(base + t.tsAt[h]!, Math.floor(us / 1e6), false);
      dv.setUint32(base + t.tsAt[h]! + 4, us % 1e6, false);
      dv.setUint32(base + t.tsAt[h]! + 8, queue[h]!, false);
    }
    if (opts.e2e) {
      while (opts.drop?.(seq)) seq++;
      dv.setUint32(base + t.seqAt, seq++, false);
    }
    opts.onPacket?.({ path: p, latencyUs: lat, queue });
    o += 16 + t.bytes.length;
  }
  writeSync(fd, buf, 0, o);
  closeSync(fd);
}
