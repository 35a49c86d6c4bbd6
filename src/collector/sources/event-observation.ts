// A kernel IOAM6_EVENT_TRACE (net/ipv6/ioam6.c, ioam6_event) as an observation: the event holds
// the namespace, NodeLen, the type word and the node data from this node's entry to the end of
// the trace (every earlier node's entry too), newest first — decoded as a pre-allocated
// trace's entries. The kernel gives no time: the collector's clock at receipt is used.

import { type Ioam6TraceEvent, decodeTraceEvent } from "../../linux/netlink/ioam6-family.js";
import type { Observation } from "../observation.js";

/** The observation of one event seen in netns `at` at `time` (ms). */
export function eventObservation(e: Ioam6TraceEvent, at: string, time: number): Observation {
  const { trace: t, issues } = decodeTraceEvent(e);
  const o: Observation = { source: "kernel-event", time, timeSource: "collector-clock", at, namespaceId: t.namespaceId, traceType: t.traceType, overflow: false, nodes: t.nodes };
  if (issues.length) o.issues = issues.map((i) => i.code);
  return o;
}

/** An event as one JSON line (the netns child → the collector), data in hex. */
export function eventLine(e: Ioam6TraceEvent, time: number): string {
  let hex = "";
  for (const b of e.data) hex += b.toString(16).padStart(2, "0");
  return JSON.stringify({ t: time, ns: e.namespaceId, nl: e.nodeLen, tw: e.typeWord >>> 0, d: hex });
}

/** The event of a line eventLine wrote, or an overrun notice ({ overrun: time }). */
export function parseEventLine(line: string): { event: Ioam6TraceEvent; time: number } | { overrun: number } | undefined {
  const v = JSON.parse(line) as { t?: number; ns?: number; nl?: number; tw?: number; d?: string; overrun?: number };
  if (typeof v.overrun === "number") return { overrun: v.overrun };
  if (typeof v.t !== "number" || typeof v.ns !== "number" || typeof v.nl !== "number" || typeof v.tw !== "number" || typeof v.d !== "string") return undefined;
  const data = new Uint8Array(v.d.length / 2);
  for (let i = 0; i < data.length; i++) data[i] = parseInt(v.d.slice(2 * i, 2 * i + 2), 16);
  return { event: { namespaceId: v.ns, nodeLen: v.nl, typeWord: v.tw, data }, time: v.t };
}
