// IOAM-Trace-Type bits and node data fields (RFC 9197 §4.4.1, §4.4.2; Linux ioam6.c).
// The one table every trace length, NodeLen check and fill derives from.

/** Bit b of the 24-bit Trace-Type as a mask (bit 0 = 0x800000, bit 23 = 0x000001). */
export function traceBit(b: number): number {
  return 0x800000 >>> b;
}

/** Bits counted as one word in NodeLen: 0–7, 11 and the undefined 12–21. */
export const SHORT_FIELDS_MASK = 0xff1ffc;
/** Bits counted as two words in NodeLen: 8, 9, 10. */
export const WIDE_FIELDS_MASK = 0x00e000;
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
const NODELEN_HIGH = halfTable(12);
const NODELEN_LOW = halfTable(0);

/** NodeLen (4-octet words per node, without the OSS) implied by a 24-bit Trace-Type. */
export function nodeLenOf(traceType: number): number {
  return NODELEN_HIGH[(traceType >>> 12) & 0xfff]! + NODELEN_LOW[traceType & 0xfff]!;
}

/** Node record keys for fixed-size fields; each field's first key is its wire-order anchor. */
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

/** One defined fixed field of a node entry. */
export interface TraceField {
  readonly bit: number;
  readonly mask: number;
  readonly octets: 4 | 8;
  readonly name: TraceFieldName;
  /** Short label for human output. */
  readonly label: string;
}

/** Bits 0–11 in wire order. Bits 12–21 follow as one 0xFFFFFFFF word each, then the OSS. */
export const TRACE_FIELDS: readonly TraceField[] = [
  { bit: 0, mask: 0x800000, octets: 4, name: "hopLimitNodeId", label: "hop limit + node id" },
  { bit: 1, mask: 0x400000, octets: 4, name: "ifIds", label: "ingress/egress if id" },
  { bit: 2, mask: 0x200000, octets: 4, name: "tsSec", label: "timestamp seconds" },
  { bit: 3, mask: 0x100000, octets: 4, name: "tsFrac", label: "timestamp fraction" },
  { bit: 4, mask: 0x080000, octets: 4, name: "transitDelay", label: "transit delay" },
  { bit: 5, mask: 0x040000, octets: 4, name: "nsData", label: "namespace data" },
  { bit: 6, mask: 0x020000, octets: 4, name: "queueDepth", label: "queue depth" },
  { bit: 7, mask: 0x010000, octets: 4, name: "csumComp", label: "checksum complement" },
  { bit: 8, mask: 0x008000, octets: 8, name: "hopLimitNodeIdWide", label: "hop limit + node id (wide)" },
  { bit: 9, mask: 0x004000, octets: 8, name: "ifIdsWide", label: "ingress/egress if id (wide)" },
  { bit: 10, mask: 0x002000, octets: 8, name: "nsDataWide", label: "namespace data (wide)" },
  { bit: 11, mask: 0x001000, octets: 4, name: "bufferOccupancy", label: "buffer occupancy" },
];

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
