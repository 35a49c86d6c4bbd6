// Observations from whole packets (captures, the decap sink): one per trace option, with the
// packet's flow and its E2E / DEX identifiers, which the journey joiner keys on.

import type { IoamOption } from "../wire/ioam/option.js";
import type { PacketRecord } from "../wire/packet.js";
import type { FlowInfo, Observation, RecordSource, TimeSource } from "./observation.js";

/** Where and when a packet was seen. */
export interface PacketSeen {
  source: RecordSource;
  time: number;
  timeSource: TimeSource;
  at: string;
  position?: number;
}

/** The packet's flow from its IPv6 header and upper layer. */
export function flowOf(rec: PacketRecord): FlowInfo {
  const f: FlowInfo = { src: rec.ipv6.src, dst: rec.ipv6.dst, flowLabel: rec.ipv6.flowLabel, nextHeader: rec.upper.protocol };
  if (rec.upper.srcPort !== undefined) f.sport = rec.upper.srcPort;
  if (rec.upper.dstPort !== undefined) f.dport = rec.upper.dstPort;
  return f;
}

/** Observations of every trace option among `options` (E2E and DEX identifiers attached). */
export function observationsOf(options: readonly IoamOption[], flow: FlowInfo | undefined, seen: PacketSeen): Observation[] {
  const out: Observation[] = [];
  let e2eSeq: number | string | undefined;
  let dex: { flowId?: number; seq?: number } | undefined;
  for (const o of options) {
    if (o.kind === "e2e") e2eSeq = o.seq64 !== undefined ? seqText(o.seq64) : o.seq32;
    else if (o.kind === "dex") dex = { ...(o.flowId !== undefined ? { flowId: o.flowId } : {}), ...(o.seq !== undefined ? { seq: o.seq } : {}) };
  }
  for (const o of options) {
    if (o.kind !== "trace") continue;
    const ob: Observation = { source: seen.source, time: seen.time, timeSource: seen.timeSource, at: seen.at, namespaceId: o.namespaceId, traceType: o.traceType, overflow: o.flags.overflow, nodes: o.nodes };
    if (flow) ob.flow = flow;
    if (e2eSeq !== undefined) ob.e2eSeq = e2eSeq;
    if (dex?.flowId !== undefined) ob.dexFlowId = dex.flowId;
    if (dex?.seq !== undefined) ob.dexSeq = dex.seq;
    if (o.issues.length) ob.issues = o.issues.map((i) => i.code);
    if (seen.position !== undefined) ob.position = seen.position;
    out.push(ob);
  }
  return out;
}

/** A 64-bit sequence number as a number when exact, else its decimal text. */
export function seqText(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Observations of a decoded packet. */
export function packetObservations(rec: PacketRecord, seen: PacketSeen): Observation[] {
  return observationsOf(rec.options, flowOf(rec), seen);
}
