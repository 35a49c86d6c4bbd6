// What every source hands the collector: one IOAM trace as seen at one place and time — a
// canonical trace record (docs/architecture.md, "The canonical record") plus where and when it
// was collected, how its time was taken, and what the packet around it said (flow, E2E, DEX).

import type { TraceNode } from "../wire/ioam/trace-node.js";

/** Where a record came from (the canonical record's `source`). */
export type RecordSource = "packet" | "kernel-event" | "decap" | "dex";

/**
 * How the record's `time` was taken: the capture file's timestamp, the kernel's receive
 * timestamp (NFQUEUE rx), the kernel's clock, the data plane daemon's clock, or the
 * collector's own clock when the record arrived (kernel events carry no time).
 */
export type TimeSource = "capture" | "kernel-rx" | "kernel-clock" | "daemon-clock" | "collector-clock";

/** The packet's addresses and transport, when the source saw the packet. */
export interface FlowInfo {
  src: string;
  dst: string;
  flowLabel?: number;
  nextHeader?: number;
  sport?: number;
  dport?: number;
  /** The tunnel's ends when the packet was seen decapsulated (src/dst above are the inner packet's). */
  tunnel?: { src: string; dst: string };
}

/**
 * The addresses an E2E sequence number counts within (RFC 9197 §4.6): the encapsulating node
 * numbers the packets of one policy, which all leave through one tunnel, so the scope is the
 * tunnel's ends — the outer header on the wire, or the decapsulating node's `tunnel` — and the
 * packet's own addresses when it was not encapsulated. Inner flows sharing a tunnel share it.
 */
export function e2eScope(flow: FlowInfo): { src: string; dst: string } {
  return flow.tunnel ?? flow;
}

/** One trace observed once. Nodes are in wire order (newest first), as the canonical record. */
export interface Observation {
  source: RecordSource;
  /** Collection time, milliseconds since the epoch (fractional: µs resolution). */
  time: number;
  timeSource: TimeSource;
  /** Where it was collected: the netns (kernel events), the node name the sender gave, the file. */
  at: string;
  namespaceId: number;
  traceType: number;
  overflow: boolean;
  nodes: TraceNode[];
  flow?: FlowInfo;
  /** E2E sequence number (RFC 9197 §4.6), 64-bit as a decimal string when above 2^53. */
  e2eSeq?: number | string;
  /** DEX Flow ID and Sequence Number (RFC 9326 §3.2). */
  dexFlowId?: number;
  dexSeq?: number;
  /** Strict-reader issues of the option (codes), e.g. NODELEN_MISMATCH. */
  issues?: string[];
  /** The source's position of this record (pcap: frame byte offset), for resume after a crash. */
  position?: number;
}
