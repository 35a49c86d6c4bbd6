// The packets of the kernel differential transit test: every trace-type bit alone, random
// combinations (fixed seed), wide fields, opaque snapshots with and without schema, sizes down
// to overflow, wrong NodeLen, unknown IOAM namespace, disabled ingress (sent the other way),
// traffic to the router itself, hop-limit edges, and hand-made Hop-by-Hop headers the kernel
// must drop or skip. Expected outcomes come from the running kernel, not from here.

import type { OptionSpec } from "../../src/wire/build.js";
import { buildPacket } from "../../src/wire/build.js";
import { nodeLenOf } from "../../src/wire/ioam/trace-type.js";

export interface TransitCase {
  name: string;
  /** h1 → h2 enters routers on "west" (IOAM enabled); h2 → h1 on "east" (disabled). */
  from: "h1" | "h2";
  /** "host": the far host; "router": the first router's address on the sender's side. */
  to: "host" | "router";
  hopLimit: number;
  /** Either trace options laid out by the codec, or raw Hop-by-Hop option bytes (after nh/len). */
  options?: OptionSpec[];
  rawHbh?: number[];
}

const NO_FLAGS = { overflow: false, loopback: false, active: false, unknownBits: 0 };

export function trace(type: number, ns: number, size: number, extra: Partial<{ nodeLen: number; overflow: boolean }> = {}): OptionSpec {
  return { kind: "trace", variant: "prealloc", namespaceId: ns, nodeLen: extra.nodeLen ?? nodeLenOf(type), flags: { ...NO_FLAGS, overflow: extra.overflow ?? false }, remainingLen: size / 4, traceType: type, reserved: 0, nodes: [] };
}

/** Room for `hops` nodes of `type` (with the largest opaque snapshot of the fixture), at most 244. */
function sizeFor(type: number, hops: number): number {
  const oss = type & 0x000002 ? 7 : 0; // 1 + 24/4: "router k snapshot" padded
  return Math.min(244, Math.max(4, 4 * hops * (nodeLenOf(type) + oss)));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An IOAM option TLV: 0x31, length, reserved, IOAM type, then `body`. */
function ioamTlv(ioamType: number, body: number[]): number[] {
  return [0x31, 2 + body.length, 0, ioamType, ...body];
}

/** A trace body: namespace, NodeLen/flags, RemainingLen, type, then `data` zero octets. */
function traceBody(ns: number, type: number, remLen: number, data: number): number[] {
  return [ns >> 8, ns & 0xff, nodeLenOf(type) << 3, remLen, (type >> 16) & 0xff, (type >> 8) & 0xff, type & 0xff, 0, ...new Array<number>(data).fill(0)];
}

export function transitCases(hops: number): TransitCase[] {
  const cases: TransitCase[] = [];
  const add = (name: string, options: OptionSpec[], more: Partial<TransitCase> = {}) => cases.push({ name, from: "h1", to: "host", hopLimit: 64, options, ...more });
  for (let bit = 0; bit < 24; bit++) {
    const type = 0x800000 >>> bit;
    add(`bit ${bit}`, [trace(type, 123, sizeFor(type, hops))]);
    add(`bit ${bit} ns 124`, [trace(type, 124, sizeFor(type, hops))]);
  }
  const rnd = mulberry32(9197);
  for (let i = 0; i < 200; i++) {
    let type = Math.floor(rnd() * 0x1000000) & (rnd() < 0.85 ? 0xfff002 : 0xffffff);
    if (type === 0) type = 0x800000;
    add(`random ${i} 0x${type.toString(16)}`, [trace(type, rnd() < 0.7 ? 123 : 124, sizeFor(type, rnd() < 0.8 ? hops : 1))]);
  }
  for (const type of [0x008000, 0x004000, 0x002000, 0x00e000, 0x80e000, 0xffe002]) for (const ns of [123, 124]) add(`wide 0x${type.toString(16)} ns ${ns}`, [trace(type, ns, sizeFor(type, hops))]);
  for (const size of [0, 4, 8, 12, 16, 20, 32, 48, 64]) add(`size ${size}`, [trace(0xf00000, 123, size)]);
  for (const size of [4, 8, 28, 32]) add(`oss size ${size}`, [trace(0x800002, 123, size)]);
  add("overflow already set", [trace(0xf00000, 123, 32, { overflow: true })]);
  for (const d of [-1, 1, 3]) add(`nodelen ${d > 0 ? "+" : ""}${d}`, [trace(0xf00000, 123, 32, { nodeLen: 4 + d })]);
  add("nodelen wrong, unknown namespace", [trace(0xf00000, 999, 32, { nodeLen: 2 })]);
  for (const ns of [0, 999, 65535]) add(`unknown namespace ${ns}`, [trace(0xf00000, ns, 32)]);
  add("two traces", [trace(0x800000, 123, 12), trace(0x400000, 124, 12)]);
  cases.push(...timestampCases(hops));
  for (const type of [0xf00000, 0xffe002, 0x000002]) add(`disabled ingress 0x${type.toString(16)}`, [trace(type, 123, sizeFor(type, hops))], { from: "h2" });
  for (const type of [0xff0000, 0xc0c002, 0x000002]) add(`to the router 0x${type.toString(16)}`, [trace(type, 123, sizeFor(type, hops))], { to: "router" });
  for (const hopLimit of [0, 1, 2, 3, 4, 255]) add(`hop limit ${hopLimit}`, [trace(0x808000, 123, sizeFor(0x808000, hops))], { hopLimit });
  add("hop limit 1 to the router", [trace(0x800000, 123, 12)], { hopLimit: 1, to: "router" });
  const raw = (name: string, rawHbh: number[]) => cases.push({ name, from: "h1", to: "host", hopLimit: 64, rawHbh });
  const ok = traceBody(123, 0x800000, 3, 12);
  raw("misaligned option", ioamTlv(0, ok));
  raw("aligned by two Pad1", [0, 0, ...ioamTlv(0, ok)]);
  raw("PadN with a non-zero octet", [1, 2, 0, 7, ...ioamTlv(0, ok)]);
  raw("eight octets of padding", [1, 6, 0, 0, 0, 0, 0, 0, 0, 0, ...ioamTlv(0, ok)]);
  raw("Opt Data Len 1", [1, 0, 0x31, 1, 0]);
  raw("IOAM type 1 (incremental) is ignored", [1, 0, ...ioamTlv(1, ok)]);
  raw("IOAM type 2 (POT) is ignored", [1, 0, ...ioamTlv(2, [0, 123, 0, 0, ...new Array<number>(16).fill(0)])]);
  raw("trace header cut short", [1, 0, ...ioamTlv(0, [0, 123, 8, 0, 0x80])]);
  raw("RemainingLen beyond the option", [1, 0, ...ioamTlv(0, traceBody(123, 0x800000, 5, 12))]);
  raw("unknown option, skip", [0x1e, 2, 9, 9, 1, 0, ...ioamTlv(0, ok)]);
  raw("unknown option, discard", [0x5e, 2, 9, 9, 1, 0, ...ioamTlv(0, ok)]);
  raw("unknown option, discard + ICMP", [0x9e, 2, 9, 9, 1, 0, ...ioamTlv(0, ok)]);
  raw("router alert", [5, 2, 0, 0, ...ioamTlv(0, ok)]);
  raw("nine options", [...Array.from({ length: 8 }, () => [0x1e, 2, 0, 0]).flat(), 1, 0, ...ioamTlv(0, ok)]);
  return cases;
}

/** Types with a timestamp (bits 2 and/or 3) for the multi-trace cases. */
const TIMESTAMP_TYPES = [0xf00000, 0x300000, 0x200000, 0x100000, 0xb00000, 0xf20000, 0x30e000];

/**
 * Packets with two and three Pre-allocated Traces that record timestamps: without a receive
 * timestamp the kernel reads the clock once per option, so their times can differ.
 */
export function timestampCases(hops: number): TransitCase[] {
  const rnd = mulberry32(9486);
  const pick = () => TIMESTAMP_TYPES[Math.floor(rnd() * TIMESTAMP_TYPES.length)]!;
  return Array.from({ length: 32 }, (_, i) => {
    const types = Array.from({ length: i % 2 ? 3 : 2 }, pick);
    const options = types.map((t, j) => trace(t, j === 1 ? 124 : 123, Math.min(sizeFor(t, hops), 76)));
    return { name: `${types.length} timestamped traces ${i}: ${types.map((t) => "0x" + t.toString(16)).join(" ")}`, from: "h1", to: "host", hopLimit: 64, options };
  });
}

/** The packet of case `i`: UDP from port 20000 + i, so captures can be matched to cases. */
export function casePacket(c: TransitCase, i: number, src: string, dst: string): Uint8Array {
  const udp = { kind: "udp" as const, srcPort: 20000 + i, dstPort: 5000, data: Uint8Array.of(i & 0xff, i >> 8, 0, 0) };
  if (c.options) return buildPacket({ src, dst, hopLimit: c.hopLimit, options: c.options, upper: udp });
  const plain = buildPacket({ src, dst, hopLimit: c.hopLimit, options: [], upper: udp });
  const tlvs = [...c.rawHbh!];
  const total = (tlvs.length + 2 + 7) & ~7;
  const pad = total - 2 - tlvs.length;
  if (pad === 1) tlvs.push(0);
  else if (pad > 1) tlvs.push(1, pad - 2, ...new Array<number>(pad - 2).fill(0));
  const hbh = Uint8Array.from([plain[6]!, total / 8 - 1, ...tlvs]);
  const out = new Uint8Array(plain.length + hbh.length);
  out.set(plain.subarray(0, 40));
  out.set(hbh, 40);
  out.set(plain.subarray(40), 40 + hbh.length);
  out[6] = 0;
  const payload = out.length - 40;
  out[4] = payload >> 8;
  out[5] = payload & 0xff;
  return out;
}
