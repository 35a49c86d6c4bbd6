// Counters the engine keeps. Where the kernel has the counter, the name and meaning are the
// kernel's (a dropped packet counts like Ip6InHdrErrors); the rest say what IOAM did.

export interface NodeCounters {
  /** Packets dropped while parsing the Hop-by-Hop header (kernel: Ip6InHdrErrors). */
  Ip6InHdrErrors: number;
  /** Traces this node wrote its data into. */
  ioamFilled: number;
  /** Traces where this node set Overflow (no room), or found it already set. */
  ioamOverflowed: number;
  ioamAlreadyOverflowed: number;
  /** IOAM options left untouched: IOAM disabled on the ingress, unknown namespace, not a pre-allocated trace. */
  ioamIgnored: number;
  /** Proof-of-transit options this node added its share to. */
  potUpdated: number;
}

export function newCounters(): NodeCounters {
  return { Ip6InHdrErrors: 0, ioamFilled: 0, ioamOverflowed: 0, ioamAlreadyOverflowed: 0, ioamIgnored: 0, potUpdated: 0 };
}
