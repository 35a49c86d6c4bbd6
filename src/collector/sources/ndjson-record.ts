// The records the decap sink and DEX receivers read (docs/dex-export.md): one canonical JSON
// record per line, `v: 1`. Tolerant of additions — unknown members are ignored — and of the
// shapes ioamkit writes: a packet record (`ioam decode --json`: ipv6 + options), a decap record
// (`ioam node run --sink`, docs/dataplane.md "Sink records": src, dst, inner, options), a trace
// record (`ioam monitor --json`: option) and a DEX record (option + flowId/seq, or the data
// plane's: traceType + this node's entry as hex). A line that is none of these is refused with
// a reason, never guessed at.

import { hexToBytes } from "../../wire/hex.js";
import { type TraceNode, decodeNodeFixed, nodeEntryLength } from "../../wire/ioam/trace-node.js";
import type { FlowInfo, Observation, RecordSource, TimeSource } from "../observation.js";
import { seqText } from "../packet-observation.js";

/** A line that is not a record ioamkit reads; `message` says why. */
export class RecordError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const TIME_SOURCES = new Set(["capture", "kernel-rx", "kernel-clock", "daemon-clock", "collector-clock"]);
const SOURCES = new Set(["packet", "kernel-event", "decap", "dex"]);

function num(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === "string" && /^0x[0-9a-f]+$/i.test(v)) return parseInt(v, 16);
  throw new RecordError(`${what}: expected a non-negative integer or 0x… hex, got ${JSON.stringify(v)}`);
}

const optNum = (o: Obj, k: string, what: string) => (o[k] === undefined ? undefined : num(o[k], `${what}.${k}`));

function big(v: unknown, what: string): bigint {
  if (typeof v === "string" && /^0x[0-9a-f]{1,16}$/i.test(v)) return BigInt(v);
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new RecordError(`${what}: expected a 64-bit 0x… hex value, got ${JSON.stringify(v)}`);
}

const NODE_NUMBERS = ["hopLimit", "nodeId", "ingressIf", "egressIf", "tsSec", "tsFrac", "transitDelay", "nsData", "queueDepth", "csumComp", "hopLimitWide", "ingressIfWide", "egressIfWide", "bufferOccupancy"] as const;

function node(v: unknown, what: string): TraceNode {
  if (!isObj(v)) throw new RecordError(`${what}: a node must be an object`);
  const n: TraceNode = {};
  for (const k of NODE_NUMBERS) {
    const x = optNum(v, k, what);
    if (x !== undefined) n[k] = x;
  }
  if (v.nodeIdWide !== undefined) n.nodeIdWide = big(v.nodeIdWide, `${what}.nodeIdWide`);
  if (v.nsDataWide !== undefined) n.nsDataWide = big(v.nsDataWide, `${what}.nsDataWide`);
  if (isObj(v.opaque)) {
    const data = typeof v.opaque.data === "string" ? hexToBytes(v.opaque.data) : undefined;
    if (!data) throw new RecordError(`${what}.opaque.data: expected 0x… hex bytes`);
    n.opaque = { schemaId: num(v.opaque.schemaId, `${what}.opaque.schemaId`), data };
  }
  return n;
}

/** Milliseconds since the epoch from a number (ms), an ISO text, {tsSec, tsNsec} or the data plane's {sec, nsec}. */
function timeOf(v: unknown, fallback: number): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  if (isObj(v) && typeof v.tsSec === "number") return v.tsSec * 1000 + (typeof v.tsNsec === "number" ? v.tsNsec / 1e6 : 0);
  if (isObj(v) && typeof v.sec === "number") return v.sec * 1000 + (typeof v.nsec === "number" ? v.nsec / 1e6 : 0);
  if (v === undefined) return fallback;
  throw new RecordError(`time: expected ms, an ISO date, {tsSec, tsNsec} or {sec, nsec}, got ${JSON.stringify(v)}`);
}

/** The data plane's words for where a time came from (docs/dataplane.md) in the collector's. */
const DATAPLANE_TIME_SOURCES: Readonly<Record<string, TimeSource>> = { kernel: "kernel-rx", clock: "daemon-clock" };

function timeSourceOf(v: unknown, fallback: TimeSource): TimeSource {
  if (typeof v !== "string") return fallback;
  if (TIME_SOURCES.has(v)) return v as TimeSource;
  return DATAPLANE_TIME_SOURCES[v] ?? fallback;
}

/** Where the record was made: a name, or the data plane's {id, netns}. */
function placeOf(r: Obj, fallback: string): string {
  if (typeof r.node === "string") return r.node;
  if (isObj(r.node)) return typeof r.node.netns === "string" ? r.node.netns : typeof r.node.id === "number" ? `node ${r.node.id}` : fallback;
  return typeof r.netns === "string" ? r.netns : fallback;
}

/** The packet's flow: a decap record's `inner` packet (the outer header is the tunnel's), else its addresses. */
function flowOf(r: Obj): FlowInfo | undefined {
  const ip = isObj(r.inner) ? r.inner : isObj(r.ipv6) ? r.ipv6 : r;
  if (typeof ip.src !== "string" || typeof ip.dst !== "string") return undefined;
  const f: FlowInfo = { src: ip.src, dst: ip.dst };
  if (ip === r.inner && typeof r.src === "string" && typeof r.dst === "string") f.tunnel = { src: r.src, dst: r.dst };
  if (typeof ip.flowLabel === "number") f.flowLabel = ip.flowLabel;
  if (ip === r.inner && typeof ip.nextHeader === "number") f.nextHeader = ip.nextHeader; // the inner packet's own next header
  const up = isObj(r.upper) ? r.upper : undefined;
  if (up && typeof up.protocol === "number") f.nextHeader = up.protocol;
  if (up && typeof up.srcPort === "number") f.sport = up.srcPort;
  if (up && typeof up.dstPort === "number") f.dport = up.dstPort;
  return f;
}

/** What the reader assumes when a record does not say. */
export interface RecordDefaults {
  source: RecordSource;
  timeSource: TimeSource;
  at: string;
  now: number;
}

/** The observations of one parsed JSON line. Throws RecordError with the reason. */
export function observationsFromJson(r: unknown, d: RecordDefaults): Observation[] {
  if (!isObj(r)) throw new RecordError("not a JSON object");
  if (r.v !== 1) throw new RecordError(`record version ${JSON.stringify(r.v)}: this collector reads v 1`);
  if (r.error !== undefined) throw new RecordError("an error record (the packet could not be decoded where it was seen)");
  const options = Array.isArray(r.options) ? r.options : isObj(r.option) ? [r.option] : r.source === "dex" && typeof r.data === "string" ? [dexSinkOption(r)] : undefined;
  if (!options) throw new RecordError("no options and no option: not an IOAM record");
  const source = typeof r.source === "string" && SOURCES.has(r.source) ? (r.source as RecordSource) : d.source;
  const timeSource = timeSourceOf(r.timeSource, d.timeSource);
  const at = placeOf(r, d.at);
  const base = { source, timeSource, at, time: timeOf(r.time, d.now) };
  const flow = flowOf(r);
  const ids = identifiers(options, r);
  const out: Observation[] = [];
  options.forEach((o, i) => {
    if (!isObj(o) || o.kind !== "trace") return;
    out.push(traceObservation(o, `options[${i}]`, { ...base, ...ids, ...(flow ? { flow } : {}) }));
  });
  if (out.length === 0) throw new RecordError("no trace option in the record");
  return out;
}

/**
 * The data plane's DEX sink record (docs/dataplane.md: namespaceId, traceType, flowId, seq and
 * this node's entry as hex) as the one-node trace option it stands for.
 */
function dexSinkOption(r: Obj): Obj {
  const traceType = num(r.traceType, "traceType");
  const data = hexToBytes(r.data as string);
  if (!data || data.length !== nodeEntryLength(traceType, 0)) throw new RecordError(`data: expected this node's ${nodeEntryLength(traceType, 0)}-octet entry for trace type ${r.traceType} as 0x… hex`);
  const n = decodeNodeFixed(data, 0, traceType);
  const nodeJson = Object.fromEntries(Object.entries(n).map(([k, v]) => [k, typeof v === "bigint" ? "0x" + v.toString(16) : v]));
  return { kind: "trace", namespaceId: r.namespaceId, traceType, nodes: [nodeJson] };
}

function identifiers(options: unknown[], r: Obj): Partial<Observation> {
  const id: Partial<Observation> = {};
  for (const o of options) {
    if (!isObj(o)) continue;
    if (o.kind === "e2e" && o.seq64 !== undefined) id.e2eSeq = seqText(big(o.seq64, "e2e.seq64"));
    else if (o.kind === "e2e" && o.seq32 !== undefined) id.e2eSeq = num(o.seq32, "e2e.seq32");
    if (o.kind === "dex" && o.flowId !== undefined) id.dexFlowId = num(o.flowId, "dex.flowId");
    if (o.kind === "dex" && o.seq !== undefined) id.dexSeq = num(o.seq, "dex.seq");
  }
  if (r.flowId !== undefined) id.dexFlowId = num(r.flowId, "flowId");
  if (r.seq !== undefined) id.dexSeq = num(r.seq, "seq");
  return id;
}

function traceObservation(o: Obj, what: string, base: Omit<Observation, "namespaceId" | "traceType" | "overflow" | "nodes">): Observation {
  if (!Array.isArray(o.nodes)) throw new RecordError(`${what}.nodes: expected an array`);
  const ob: Observation = {
    ...base,
    namespaceId: num(o.namespaceId, `${what}.namespaceId`),
    traceType: num(o.traceType, `${what}.traceType`),
    overflow: isObj(o.flags) && o.flags.overflow === true,
    nodes: o.nodes.map((n, i) => node(n, `${what}.nodes[${i}]`)),
  };
  if (Array.isArray(o.issues) && o.issues.length) ob.issues = o.issues.map((x) => (isObj(x) && typeof x.code === "string" ? x.code : "UNKNOWN"));
  return ob;
}

/** Parses one line; a RecordError for text that is not JSON. */
export function parseRecordLine(line: string, d: RecordDefaults): Observation[] {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new RecordError(`not JSON: ${(e as Error).message}`);
  }
  return observationsFromJson(v, d);
}
