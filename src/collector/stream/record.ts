// What an agent publishes and a stream worker reads (docs/deployment.md, "Records"): the record
// format of docs/dex-export.md (v 1, one JSON object per line) with one member more, `id`
// (`NODE.START.SEQ`: the agent's node, its start id, and a sequence the spool persists), so that
// a record replayed from the spool or redelivered by the stream is recognised downstream. A
// problem the agent reports (a gap while it was down, a full spool) travels as a record too, and
// so does a heartbeat (`{ v, id, time, heartbeat: true }`): an idle agent's statement that it has
// nothing older than `time` left to send, which advances its watermark (watermark.ts); `final: true`
// on the last one an agent sends when it stops.

import { bytesToHex } from "../../wire/hex.js";
import type { TraceNode } from "../../wire/ioam/trace-node.js";
import type { Observation } from "../observation.js";
import { type RecordDefaults, RecordError, observationsFromJson } from "../sources/ndjson-record.js";
import type { Problem } from "../sources/source.js";

/** One record as read back: its id, capture time, and what it holds. */
export type StreamRecord = { id: string; time: number } & ({ observations: Observation[] } | { problem: Problem } | { heartbeat: true; final: boolean });

/** A token of a subject or a record id: letters, digits, `_` and `-` (no dots, no wildcards). */
export const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** The record id of sequence `seq` of agent `node` started as `start`. */
export function recordId(node: string, start: string, seq: number): string {
  return `${node}.${start}.${seq}`;
}

function nodeJson(n: TraceNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (v === undefined) continue;
    if (typeof v === "bigint") out[k] = "0x" + v.toString(16);
    else if (k === "opaque") out[k] = { schemaId: (v as { schemaId: number }).schemaId, data: "0x" + bytesToHex((v as { data: Uint8Array }).data) };
    else out[k] = v;
  }
  return out;
}

function flowMembers(o: Observation, r: Record<string, unknown>): void {
  if (!o.flow) return;
  const f = o.flow;
  r.ipv6 = f.flowLabel === undefined ? { src: f.src, dst: f.dst } : { src: f.src, dst: f.dst, flowLabel: f.flowLabel };
  if (f.nextHeader !== undefined) r.upper = { protocol: f.nextHeader, ...(f.sport !== undefined ? { srcPort: f.sport } : {}), ...(f.dport !== undefined ? { dstPort: f.dport } : {}) };
}

/** An observation as one record line (no newline). */
export function observationLine(id: string, o: Observation): string {
  const trace: Record<string, unknown> = { kind: "trace", namespaceId: o.namespaceId, traceType: "0x" + o.traceType.toString(16).padStart(6, "0"), flags: { overflow: o.overflow }, nodes: o.nodes.map(nodeJson) };
  if (o.issues?.length) trace.issues = o.issues.map((code) => ({ code }));
  const r: Record<string, unknown> = { v: 1, id, source: o.source, node: o.at, time: o.time, timeSource: o.timeSource };
  if (o.e2eSeq !== undefined) {
    const big = typeof o.e2eSeq === "string" || o.e2eSeq > 0xffffffff;
    const e2e = big ? { kind: "e2e", namespaceId: o.namespaceId, seq64: "0x" + BigInt(o.e2eSeq).toString(16) } : { kind: "e2e", namespaceId: o.namespaceId, seq32: o.e2eSeq };
    r.options = [trace, e2e];
  } else r.option = trace;
  if (o.dexFlowId !== undefined) r.flowId = o.dexFlowId;
  if (o.dexSeq !== undefined) r.seq = o.dexSeq;
  flowMembers(o, r);
  return JSON.stringify(r);
}

/** A problem as one record line. */
export function problemLine(id: string, p: Problem): string {
  return JSON.stringify({ v: 1, id, time: p.time, problem: p });
}

/** A heartbeat as one record line; `final` when the agent stops. */
export function heartbeatLine(id: string, time: number, final = false): string {
  return JSON.stringify(final ? { v: 1, id, time, heartbeat: true, final } : { v: 1, id, time, heartbeat: true });
}

/** The agent (node) and sequence of a record id NODE.START.SEQ. */
export function idParts(id: string): { agent: string; seq: number } {
  return { agent: id.slice(0, id.indexOf(".")), seq: Number(id.slice(id.lastIndexOf(".") + 1)) };
}

const DEFAULTS: RecordDefaults = { source: "kernel-event", timeSource: "collector-clock", at: "?", now: 0 };

function problemOf(v: Record<string, unknown>): Problem {
  const p = v.problem as Partial<Problem> | null;
  if (!p || typeof p !== "object" || typeof p.reason !== "string" || typeof p.source !== "string" || typeof p.time !== "number" || typeof p.detail !== "string") throw new RecordError("problem: expected { reason, source, time, detail }");
  const out: Problem = { reason: p.reason, source: p.source, time: p.time, detail: p.detail };
  if (typeof p.count === "number") out.count = p.count;
  if (typeof p.since === "number") out.since = p.since;
  if (typeof p.node === "string") out.node = p.node;
  if (typeof p.nodeId === "number") out.nodeId = p.nodeId;
  return out;
}

/** Parses one record line. Throws RecordError naming what is wrong. */
export function parseStreamRecord(line: string): StreamRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new RecordError(`not JSON: ${(e as Error).message}`);
  }
  const r = v as Record<string, unknown>;
  if (!r || typeof r !== "object" || typeof r.id !== "string" || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.\d+$/.test(r.id)) throw new RecordError("id: expected NODE.START.SEQ");
  if (r.heartbeat === true) {
    if (typeof r.time !== "number" || !Number.isFinite(r.time)) throw new RecordError("heartbeat: expected a numeric time");
    return { id: r.id, time: r.time, heartbeat: true, final: r.final === true };
  }
  if (r.problem !== undefined) {
    const problem = problemOf(r);
    return { id: r.id, time: problem.time, problem };
  }
  const observations = observationsFromJson(r, DEFAULTS);
  return { id: r.id, time: observations[0]!.time, observations };
}
