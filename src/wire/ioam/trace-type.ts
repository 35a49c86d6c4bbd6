// IOAM-Trace-Type bits and node data fields (RFC 9197 §4.4.1, §4.4.2; Linux ioam6.c).
// The one table every trace length, NodeLen check and fill derives from.

/** Bit b of the 24-bit Trace-Type as a mask (bit 0 = 0x800000, bit 23 = 0x000001). */
export function traceBit(b: number): number {
  return 0x800000 >>> b;
}

/** Undefined bits 12–21: a transit node writes 0xFFFFFFFF for each. */
export const UNDEFINED_BITS_MASK = 0x000ffc;
/** Bit 7: Checksum Complement (RFC 9326 §3.2: SHOULD be 0 in a DEX, and ignored there). */
export const CHECKSUM_COMPLEMENT_BIT = 0x010000;
/** Bit 22: Opaque State Snapshot (variable length, outside NodeLen). */
export const OSS_BIT = 0x000002;
/** Bit 23: reserved, carries no data. */
export const RESERVED_BIT = 0x000001;
/** Bits Linux accepts in an lwtunnel trace template: 0–11 and 22. */
export const LINUX_CONFIG_BITS_MASK = 0xfff002;

/** Names of the fixed fields (bits 0–11). */
export type TraceFieldName =
  | "hopLimitNodeId"
  | "ifIds"
  | "tsSec"
  | "tsFrac"
  | "transitDelay"
  | "nsData"
  | "queueDepth"
  | "csumComp"
  | "hopLimitNodeIdWide"
  | "ifIdsWide"
  | "nsDataWide"
  | "bufferOccupancy";

/** The node record's keys for the values of the fixed fields (docs/architecture.md, "The canonical record"). */
export type TraceNodeKey =
  | "hopLimit"
  | "nodeId"
  | "ingressIf"
  | "egressIf"
  | "tsSec"
  | "tsFrac"
  | "transitDelay"
  | "nsData"
  | "queueDepth"
  | "csumComp"
  | "hopLimitWide"
  | "nodeIdWide"
  | "ingressIfWide"
  | "egressIfWide"
  | "nsDataWide"
  | "bufferOccupancy";

/**
 * One value inside a field: its record key, where it starts (octets from the field's start)
 * and how many octets it takes. Values of 7 and 8 octets are bigints in the record.
 */
export interface TraceFieldPart {
  readonly key: TraceNodeKey;
  readonly at: number;
  readonly octets: 1 | 2 | 3 | 4 | 7 | 8;
  /** Column title in human output. */
  readonly column: string;
}

/** One defined fixed field of a node entry. */
export interface TraceField {
  readonly bit: number;
  readonly mask: number;
  readonly octets: 4 | 8;
  readonly name: TraceFieldName;
  /** Short label for human output. */
  readonly label: string;
  /** Its values in wire order; the record lists them in this order too. */
  readonly parts: readonly TraceFieldPart[];
}

const part = (key: TraceNodeKey, at: number, octets: TraceFieldPart["octets"], column: string): TraceFieldPart => ({ key, at, octets, column });

/**
 * Bits 0–11 in wire order (RFC 9197 §4.4.2). Bits 12–21 follow as one 0xFFFFFFFF word each,
 * then the OSS. The single source of the node layout: lengths, offsets, the encoder, the
 * record's key order and the human columns are derived from it; the three hand-unrolled hot
 * ladders (decodeNodeFixed, the direct JSON writer, the engine's fill) are held to it by
 * test/wire/trace-ladders.test.ts. Bit 8's hop limit is the record's `hopLimit` when bit 0 is
 * absent, and `hopLimitWide` only when both are present and differ.
 */
export const TRACE_FIELDS: readonly TraceField[] = [
  { bit: 0, mask: 0x800000, octets: 4, name: "hopLimitNodeId", label: "hop limit + node id", parts: [part("hopLimit", 0, 1, "hlim"), part("nodeId", 1, 3, "node")] },
  { bit: 1, mask: 0x400000, octets: 4, name: "ifIds", label: "ingress/egress if id", parts: [part("ingressIf", 0, 2, "in"), part("egressIf", 2, 2, "out")] },
  { bit: 2, mask: 0x200000, octets: 4, name: "tsSec", label: "timestamp seconds", parts: [part("tsSec", 0, 4, "ts_sec")] },
  { bit: 3, mask: 0x100000, octets: 4, name: "tsFrac", label: "timestamp fraction", parts: [part("tsFrac", 0, 4, "ts_frac")] },
  { bit: 4, mask: 0x080000, octets: 4, name: "transitDelay", label: "transit delay", parts: [part("transitDelay", 0, 4, "delay")] },
  { bit: 5, mask: 0x040000, octets: 4, name: "nsData", label: "namespace data", parts: [part("nsData", 0, 4, "ns_data")] },
  { bit: 6, mask: 0x020000, octets: 4, name: "queueDepth", label: "queue depth", parts: [part("queueDepth", 0, 4, "queue")] },
  { bit: 7, mask: 0x010000, octets: 4, name: "csumComp", label: "checksum complement", parts: [part("csumComp", 0, 4, "csum")] },
  { bit: 8, mask: 0x008000, octets: 8, name: "hopLimitNodeIdWide", label: "hop limit + node id (wide)", parts: [part("hopLimitWide", 0, 1, "hlim"), part("nodeIdWide", 1, 7, "node_wide")] },
  { bit: 9, mask: 0x004000, octets: 8, name: "ifIdsWide", label: "ingress/egress if id (wide)", parts: [part("ingressIfWide", 0, 4, "in_wide"), part("egressIfWide", 4, 4, "out_wide")] },
  { bit: 10, mask: 0x002000, octets: 8, name: "nsDataWide", label: "namespace data (wide)", parts: [part("nsDataWide", 0, 8, "ns_data_wide")] },
  { bit: 11, mask: 0x001000, octets: 4, name: "bufferOccupancy", label: "buffer occupancy", parts: [part("bufferOccupancy", 0, 4, "buffer")] },
];

/** Every part's record key in record order. */
export const TRACE_NODE_KEYS: readonly TraceNodeKey[] = TRACE_FIELDS.flatMap((f) => f.parts.map((p) => p.key));

function popcount24(v: number): number {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

/** Words a 12-bit half of the Trace-Type contributes to NodeLen: two lookups per type. */
function halfTable(shift: number): Uint8Array {
  const t = new Uint8Array(4096);
  for (let h = 0; h < 4096; h++) {
    const bits = h << shift;
    t[h] = popcount24(bits & SHORT_FIELDS_MASK) + 2 * popcount24(bits & WIDE_FIELDS_MASK);
  }
  return t;
}
/** Bits counted as one word in NodeLen: the 4-octet fields of TRACE_FIELDS and the undefined 12–21. */
export const SHORT_FIELDS_MASK = TRACE_FIELDS.reduce((m, f) => (f.octets === 4 ? m | f.mask : m), UNDEFINED_BITS_MASK);
/** Bits counted as two words in NodeLen: the 8-octet fields of TRACE_FIELDS (8, 9, 10). */
export const WIDE_FIELDS_MASK = TRACE_FIELDS.reduce((m, f) => (f.octets === 8 ? m | f.mask : m), 0);
const NODELEN_HIGH = halfTable(12);
const NODELEN_LOW = halfTable(0);

/** NodeLen (4-octet words per node, without the OSS) implied by a 24-bit Trace-Type. */
export function nodeLenOf(traceType: number): number {
  return NODELEN_HIGH[(traceType >>> 12) & 0xfff]! + NODELEN_LOW[traceType & 0xfff]!;
}

/** Offset, within a node entry of this Trace-Type, of field `bit` (0–11): the octets of the set bits before it. */
export function fieldOffset(traceType: number, bit: number): number {
  let o = 0;
  for (const f of TRACE_FIELDS) {
    if (f.bit === bit) return o;
    if (traceType & f.mask) o += f.octets;
  }
  throw new RangeError(`bit ${bit} is not a fixed trace field (0-11)`);
}

/** Formats a Trace-Type the way iproute2 and Wireshark do: "0x" + 6 hex digits. */
export function formatTraceType(t: number): string {
  return "0x" + t.toString(16).padStart(6, "0");
}
