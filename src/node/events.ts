// The record of IOAM6_EVENT_TRACE (net/ipv6/ioam6.c ioam6_event, include/uapi/linux/ioam6_genl.h), as the engine emits it: what the
// kernel would multicast on ioam6_events for the same packet.

export interface TraceEventRecord {
  namespaceId: number;
  nodeLen: number;
  /** The full 32-bit type word: Trace-Type << 8 plus the reserved octet. */
  typeWord: number;
  /** From 4·RemainingLen (after this node's fill) to the end of the option: a copy. */
  data: Uint8Array;
}

/** What a node exports for a Direct Export option (RFC 9326 §3): the DEX's identifiers and this node's data for the DEX trace type. */
export interface DexExportRecord {
  namespaceId: number;
  traceType: number;
  flowId?: number;
  seq?: number;
  /** This node's block for `traceType` (as it would write it into a trace). */
  data: Uint8Array;
}
