// The record of IOAM6_EVENT_TRACE (linux-ioam6.md §4), as the engine emits it: what the
// kernel would multicast on ioam6_events for the same packet.

export interface TraceEventRecord {
  namespaceId: number;
  nodeLen: number;
  /** The full 32-bit type word: Trace-Type << 8 plus the reserved octet. */
  typeWord: number;
  /** From 4·RemainingLen (after this node's fill) to the end of the option: a copy. */
  data: Uint8Array;
}
