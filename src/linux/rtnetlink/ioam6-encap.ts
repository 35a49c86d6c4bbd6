// The ioam6 lightweight tunnel as rtnetlink carries it (include/uapi/linux/ioam6_iptunnel.h;
// include/uapi/linux/ioam6_iptunnel.h): RTA_ENCAP_TYPE = LWTUNNEL_ENCAP_IOAM6 and the IOAM6_IPTUNNEL_*
// attributes nested in RTA_ENCAP. Pure: bytes in, bytes out.

import { ConfigError } from "../../errors.js";
import { UNDEFINED_BITS_MASK } from "../../wire/ioam/trace-type.js";
import { LINUX_TRACE_CONFIG_TEXT, linuxTraceConfigProblems } from "../trace-config.js";
import { AttrWriter, attrU32, attrU8, parseAttrs } from "../netlink/attrs.js";

/** LWTUNNEL_ENCAP_IOAM6 (include/uapi/linux/lwtunnel.h). */
export const LWTUNNEL_ENCAP_IOAM6 = 9;

/** IOAM6_IPTUNNEL_* numbers since Linux 5.16 (5.15 had TRACE = 1 and nothing else). */
export const IOAM6_IPTUNNEL = { MODE: 1, DST: 2, TRACE: 3, FREQ_K: 4, FREQ_N: 5, SRC: 6 } as const;

export const IOAM6_MODES = ["inline", "encap", "auto"] as const;
export type Ioam6Mode = (typeof IOAM6_MODES)[number];
/** IOAM6_IPTUNNEL_MODE_* values: inline 1, encap 2, auto 3. */
export const IOAM6_MODE_NUMBER: Readonly<Record<Ioam6Mode, number>> = { inline: 1, encap: 2, auto: 3 };

export const IOAM6_FREQ_MAX = 1_000_000;
/** IOAM6_TRACE_DATA_SIZE_MAX: Opt Data Len (8 bits) must hold 10 + the data. */
export const IOAM6_TRACE_SIZE_MAX = 244;

/** The Pre-allocated Trace the tunnel inserts: `trace prealloc type T ns N size S`. */
export interface Ioam6TraceTemplate {
  namespaceId: number;
  /** 24-bit notation (bit 0 = 0x800000), as iproute2 writes it. */
  traceType: number;
  /** Bytes of node data space, a multiple of 4 from 4 to 244 (RemainingLen = size / 4). */
  size: number;
}

/** An ioam6 lwtunnel: what `encap ioam6 …` says. */
export interface Ioam6Encap {
  /** Insert into k packets of every n (default 1/1). */
  freq: { k: number; n: number };
  mode: Ioam6Mode;
  /** Outer source for encap/auto (Linux ≥ 6.12); the kernel selects one when absent. */
  tunsrc?: Uint8Array;
  /** Outer destination, required for encap/auto, refused with inline. */
  tundst?: Uint8Array;
  trace: Ioam6TraceTemplate;
}

/** A problem with an Ioam6Encap, naming the word (`freq`, `tundst`, `type`, …) it concerns. */
export interface Ioam6EncapProblem {
  word: string;
  message: string;
}

const isUnspecified = (a: Uint8Array) => a.length === 16 && a.every((b) => b === 0);

/**
 * What iproute2 and the kernel (ioam6_build_state, 6.12+) refuse, so that a bad route is
 * stopped before it reaches the kernel, with the word it concerns. Empty when acceptable.
 */
export function ioam6EncapProblems(e: Ioam6Encap): Ioam6EncapProblem[] {
  const p: Ioam6EncapProblem[] = [];
  const { k, n } = e.freq;
  const inRange = (v: number) => Number.isInteger(v) && v >= 1 && v <= IOAM6_FREQ_MAX;
  if (!inRange(k) || !inRange(n)) p.push({ word: "freq", message: `k and n must be from 1 to ${IOAM6_FREQ_MAX}` });
  else if (k > n) p.push({ word: "freq", message: "k must not exceed n" });
  if (!IOAM6_MODES.includes(e.mode)) p.push({ word: "mode", message: "must be inline, encap or auto" });
  if (e.mode === "inline") {
    if (e.tunsrc) p.push({ word: "tunsrc", message: "inline mode does not need tunsrc (it adds no outer header)" });
    if (e.tundst) p.push({ word: "tundst", message: "inline mode does not need tundst (it adds no outer header)" });
  } else if (!e.tundst) p.push({ word: "tundst", message: `mode ${e.mode} needs a tunnel destination (tundst ADDR)` });
  if (e.tunsrc && (e.tunsrc.length !== 16 || isUnspecified(e.tunsrc))) p.push({ word: "tunsrc", message: "must be a unicast IPv6 address, not ::" });
  if (e.tundst && (e.tundst.length !== 16 || isUnspecified(e.tundst))) p.push({ word: "tundst", message: "must be a unicast IPv6 address, not ::" });
  const t = e.trace;
  if (!Number.isInteger(t.namespaceId) || t.namespaceId < 0 || t.namespaceId > 0xffff) p.push({ word: "ns", message: "must be from 0 to 65535" });
  if (!Number.isInteger(t.traceType) || t.traceType < 0 || t.traceType > 0xffffff) p.push({ word: "type", message: "must be a 24-bit trace type from 0x000001 to 0xffffff" });
  else for (const c of linuxTraceConfigProblems(t.traceType, t.size)) {
    const word = c.startsWith("size") ? "size" : "type";
    const detail = c === "undefined-bits" ? ` (bits set: 0x${(t.traceType & UNDEFINED_BITS_MASK).toString(16).padStart(6, "0")})` : "";
    p.push({ word, message: LINUX_TRACE_CONFIG_TEXT[c] + detail });
  }
  return p;
}

/** The 8-byte trace header iproute2 sends: NodeLen and flags 0 (the kernel computes NodeLen). */
export function ioam6TraceHeader(t: Ioam6TraceTemplate): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, t.namespaceId);
  b[3] = t.size / 4; // RemainingLen, 7 bits
  dv.setUint32(4, (t.traceType << 8) >>> 0);
  return b;
}

/**
 * The attributes nested in RTA_ENCAP, in iproute2's order: FREQ_K, FREQ_N, MODE, [SRC], [DST],
 * TRACE (SRC and DST only for encap/auto). Throws ConfigError naming the word when invalid.
 */
export function encodeIoam6Encap(e: Ioam6Encap): Uint8Array {
  const problem = ioam6EncapProblems(e)[0];
  if (problem) throw new ConfigError(problem.word, problem.message);
  const a = new AttrWriter().u32(IOAM6_IPTUNNEL.FREQ_K, e.freq.k).u32(IOAM6_IPTUNNEL.FREQ_N, e.freq.n).u8(IOAM6_IPTUNNEL.MODE, IOAM6_MODE_NUMBER[e.mode]);
  if (e.mode !== "inline") {
    if (e.tunsrc) a.raw(IOAM6_IPTUNNEL.SRC, e.tunsrc);
    a.raw(IOAM6_IPTUNNEL.DST, e.tundst!);
  }
  return a.raw(IOAM6_IPTUNNEL.TRACE, ioam6TraceHeader(e.trace)).bytes();
}

/**
 * The nested attributes of a dumped ioam6 route, as received: any may be missing or odd (a
 * printer must show what iproute2 shows for them). Lengths are checked, values are not.
 */
export interface Ioam6EncapAttrs {
  freqK?: number;
  freqN?: number;
  /** IOAM6_IPTUNNEL_MODE as a number (1 inline, 2 encap, 3 auto; others unknown). */
  mode?: number;
  src?: Uint8Array;
  dst?: Uint8Array;
  /** The 8-byte trace header, with the NodeLen the kernel computed. */
  trace?: Uint8Array;
}

/** Reads the attributes nested in RTA_ENCAP; those of the wrong length are left out. */
export function decodeIoam6Encap(nested: Uint8Array): Ioam6EncapAttrs {
  const a = parseAttrs(nested);
  const out: Ioam6EncapAttrs = {};
  const get = (type: number, len: number) => {
    const v = a.get(type);
    return v && v.length >= len ? v : undefined;
  };
  const k = get(IOAM6_IPTUNNEL.FREQ_K, 4);
  const n = get(IOAM6_IPTUNNEL.FREQ_N, 4);
  const mode = get(IOAM6_IPTUNNEL.MODE, 1);
  const src = get(IOAM6_IPTUNNEL.SRC, 16);
  const dst = get(IOAM6_IPTUNNEL.DST, 16);
  const trace = get(IOAM6_IPTUNNEL.TRACE, 8);
  if (k) out.freqK = attrU32(k);
  if (n) out.freqN = attrU32(n);
  if (mode) out.mode = attrU8(mode);
  if (src) out.src = src.slice(0, 16);
  if (dst) out.dst = dst.slice(0, 16);
  if (trace) out.trace = trace.slice(0, 8);
  return out;
}

/** Trace header fields: Namespace-ID, NodeLen, RemainingLen·4 and the 24-bit type. */
export function readIoam6TraceHeader(h: Uint8Array): Ioam6TraceTemplate & { nodeLen: number } {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  return { namespaceId: dv.getUint16(0), nodeLen: h[2]! >>> 3, size: (h[3]! & 0x7f) * 4, traceType: dv.getUint32(4) >>> 8 };
}

/** The Ioam6Encap a dump describes, or undefined when an attribute it needs is missing. */
export function ioam6EncapFromAttrs(a: Ioam6EncapAttrs): Ioam6Encap | undefined {
  const mode = IOAM6_MODES.find((m) => IOAM6_MODE_NUMBER[m] === a.mode);
  if (a.freqK === undefined || a.freqN === undefined || !mode || !a.trace) return undefined;
  const { namespaceId, traceType, size } = readIoam6TraceHeader(a.trace);
  const e: Ioam6Encap = { freq: { k: a.freqK, n: a.freqN }, mode, trace: { namespaceId, traceType, size } };
  if (mode !== "inline" && a.src) e.tunsrc = a.src;
  if (mode !== "inline" && a.dst) e.tundst = a.dst;
  return e;
}
