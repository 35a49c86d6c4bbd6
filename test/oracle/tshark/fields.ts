// The mapping between tshark 4.0's IOAM fields and our decoded record. Every
// `ipv6.opt.ioam.*` field tshark can emit is listed here with how to compare its value; a field
// missing from this table fails the oracle (so a tshark upgrade that adds one is noticed).

import type { IoamOption } from "../../../src/wire/ioam/option.js";
import type { TraceNode } from "../../../src/wire/ioam/trace-node.js";
import { decodeTraceBody } from "../../../src/wire/ioam/trace.js";
import { bytesToHex } from "../../../src/wire/hex.js";
import { OSS_BIT, RESERVED_BIT, UNDEFINED_BITS_MASK, traceBit } from "../../../src/wire/ioam/trace-type.js";

/** How a tshark value string is normalised: numbers to bigint, bytes to plain hex. */
export type FieldKind = "num" | "bool" | "bytes" | "expert";

const T = "ipv6.opt.ioam.trace.";
const N = T + "node.";

export const TSHARK_IOAM_FIELDS: Readonly<Record<string, FieldKind>> = {
  "ipv6.opt.ioam.rsv": "num",
  "ipv6.opt.ioam.opt_type": "num",
  [T + "ns"]: "num",
  [T + "nodelen"]: "num",
  [T + "flags"]: "num",
  [T + "flag.o"]: "bool",
  [T + "flag.l"]: "bool",
  [T + "flag.a"]: "bool",
  [T + "flag.rsv"]: "bool",
  [T + "remlen"]: "num",
  [T + "type"]: "num",
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`${T}type.bit${i}`, "bool"])),
  [T + "type.undef"]: "bool",
  [T + "type.bit22"]: "bool",
  [T + "type.rsv"]: "bool",
  [T + "rsv"]: "num",
  [T + "free_space"]: "bytes",
  [N + "hlim"]: "num",
  [N + "id"]: "num",
  [N + "iif"]: "num",
  [N + "eif"]: "num",
  [N + "tss"]: "num",
  [N + "tsf"]: "num",
  [N + "trdelay"]: "num",
  [N + "nsdata"]: "num",
  [N + "qdepth"]: "num",
  [N + "csum"]: "num",
  [N + "id_wide"]: "num",
  [N + "iif_wide"]: "num",
  [N + "eif_wide"]: "num",
  [N + "nsdata_wide"]: "num",
  [N + "bufoccup"]: "num",
  [N + "undefined"]: "num",
  [N + "oss.len"]: "num",
  [N + "oss.scid"]: "num",
  [N + "oss.data"]: "bytes",
  [T + "invalid_nodelen"]: "expert",
  [T + "invalid_remlen"]: "expert",
  [T + "invalid_type"]: "expert",
  // raw bytes of IOAM types tshark 4.0 does not dissect, and of option type 0x11
  "ipv6.opt_unknown_data": "bytes",
  "ipv6.opt.unknown": "bytes",
};

/** Normalises a tshark value string for comparison. */
export function normalise(kind: FieldKind, v: string): string {
  switch (kind) {
    case "num": return BigInt(v).toString();
    case "bool": return v === "1" || v === "true" ? "1" : "0";
    case "bytes": return v.replace(/:/g, "").toLowerCase();
    case "expert": return "";
  }
}

type Expect = Array<[string, string | number | bigint | boolean]>;

function nodeFields(n: TraceNode, t: number): Expect {
  const e: Expect = [];
  const has = (bit: number) => (t & traceBit(bit)) !== 0;
  if (has(0)) e.push([N + "hlim", n.hopLimit!], [N + "id", n.nodeId!]);
  if (has(1)) e.push([N + "iif", n.ingressIf!], [N + "eif", n.egressIf!]);
  if (has(2)) e.push([N + "tss", n.tsSec!]);
  if (has(3)) e.push([N + "tsf", n.tsFrac!]);
  if (has(4)) e.push([N + "trdelay", n.transitDelay!]);
  if (has(5)) e.push([N + "nsdata", n.nsData!]);
  if (has(6)) e.push([N + "qdepth", n.queueDepth!]);
  if (has(7)) e.push([N + "csum", n.csumComp!]);
  if (has(8)) e.push([N + "hlim", n.hopLimitWide ?? n.hopLimit!], [N + "id_wide", n.nodeIdWide!]);
  if (has(9)) e.push([N + "iif_wide", n.ingressIfWide!], [N + "eif_wide", n.egressIfWide!]);
  if (has(10)) e.push([N + "nsdata_wide", n.nsDataWide!]);
  if (has(11)) e.push([N + "bufoccup", n.bufferOccupancy!]);
  for (const w of n.undefinedWords ?? []) e.push([N + "undefined", w]);
  if (t & OSS_BIT) {
    const o = n.opaque!;
    e.push([N + "oss.len", o.data.length / 4], [N + "oss.scid", o.schemaId]);
    if (o.data.length > 0) e.push([N + "oss.data", bytesToHex(o.data)]);
  }
  return e;
}

/**
 * The fields tshark should show for one IOAM option in option type 0x31, from our decoded
 * record; `body` is the option body as on the wire (for undissected types).
 */
export function expectedFields(o: IoamOption, optionData: Uint8Array): Expect {
  if (o.ipv6OptType !== 0x31) return [["ipv6.opt.unknown", bytesToHex(optionData)]];
  const e: Expect = [["ipv6.opt.ioam.rsv", o.optReserved], ["ipv6.opt.ioam.opt_type", optionData[1]!]];
  if (o.kind !== "trace") return [...e, ["ipv6.opt_unknown_data", bytesToHex(optionData.subarray(2))]];
  const t = o.traceType;
  const f = o.flags;
  e.push([T + "ns", o.namespaceId], [T + "nodelen", o.nodeLen]);
  e.push([T + "flags", (f.overflow ? 8 : 0) | (f.loopback ? 4 : 0) | (f.active ? 2 : 0) | f.unknownBits]);
  e.push([T + "flag.o", f.overflow], [T + "flag.l", f.loopback], [T + "flag.a", f.active], [T + "flag.rsv", f.unknownBits !== 0]);
  e.push([T + "remlen", o.remainingLen], [T + "type", t]);
  for (let i = 0; i < 12; i++) e.push([`${T}type.bit${i}`, (t & traceBit(i)) !== 0]);
  e.push([T + "type.undef", (t & UNDEFINED_BITS_MASK) !== 0], [T + "type.bit22", (t & OSS_BIT) !== 0], [T + "type.rsv", (t & RESERVED_BIT) !== 0], [T + "rsv", o.reserved]);
  if (o.nodeLen === 0) {
    // tshark 4.0 refuses NodeLen 0 (a legal OSS-only type) and shows the data list undecoded.
    e.push([T + "invalid_nodelen", ""], ["ipv6.opt_unknown_data", bytesToHex(optionData.subarray(10))]);
    return e;
  }
  if (o.variant === "incremental") {
    // tshark 4.0 misreads Incremental traces as pre-allocated: the node data shows as free space,
    // and a RemainingLen budget larger than the data present as an invalid RemainingLen.
    if (10 + 4 * o.remainingLen > optionData.length) {
      e.push([T + "invalid_remlen", ""]);
      if (optionData.length > 10) e.push(["ipv6.opt_unknown_data", bytesToHex(optionData.subarray(10))]);
      return e;
    }
    // Otherwise it shows what a pre-allocated reading of the same bytes gives: free space, then
    // nodes parsed from 4·RemainingLen on.
    const asPrealloc = decodeTraceBody(optionData, 2, optionData.length, "prealloc", []);
    if (o.remainingLen > 0) e.push([T + "free_space", bytesToHex(optionData.subarray(10, 10 + 4 * o.remainingLen))]);
    for (const n of asPrealloc.nodes) e.push(...nodeFields(n, t));
    return e;
  }
  if (o.remainingLen > 0) e.push([T + "free_space", bytesToHex(optionData.subarray(10, 10 + 4 * o.remainingLen))]);
  for (const n of o.nodes) e.push(...nodeFields(n, t));
  return e;
}

/** Converts an expectation value to the normalised string form of `normalise`. */
export function expectedString(kind: FieldKind, v: string | number | bigint | boolean): string {
  if (kind === "bool") return v ? "1" : "0";
  if (kind === "bytes") return String(v);
  if (kind === "expert") return "";
  return BigInt(v as number | bigint).toString();
}
