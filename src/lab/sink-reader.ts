// What a decapsulating node's data plane wrote to its sink (`ioam node run --sink PATH`):
// NDJSON, one decap record per decapsulated packet (docs/dataplane.md "Sink records") with the
// options as they arrived there, after the node's own fill; a canonical packet record (`ioam
// decode --json --payload`) is read too. A record whose upper-layer bytes are included
// (`payload`) says which probe it was; without them, records are matched to probes in the
// order they were sent. Lines that are not such records are skipped, so a sink
// in another shape leaves the trace to the captures.

import { closeSync, openSync, readSync, statSync } from "node:fs";
import type { IoamOption } from "../wire/ioam/option.js";
import { optionsFromJson, packetFromJson } from "../wire/json/record-from-json.js";
import { encodePacket } from "../wire/packet.js";
import { probeKey } from "./probes.js";

export interface SinkRecord {
  /** The probe key of the packet inside, when the record carries its bytes. */
  key?: string;
  options: IoamOption[];
  potVerified?: boolean[];
}

/** The sink's size now: read from here after sending probes. */
export function sinkSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readFrom(path: string, from: number): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const size = statSync(path).size;
    const buf = Buffer.alloc(Math.max(0, size - from));
    readSync(fd, buf, 0, buf.length, from);
    return buf.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function record(line: string): SinkRecord | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
    const sink = json as { source?: unknown; options?: unknown; potVerified?: unknown };
    if (sink.source === "decap") return withPot({ options: optionsFromJson(sink.options) }, sink.potVerified); // ioam node run's record
    const rec = packetFromJson(json);
    const out: SinkRecord = { options: rec.options };
    const key = rec.payload.length > 0 ? probeKey(encodePacket(rec)) : undefined;
    if (key !== undefined) out.key = key;
    return withPot(out, (json as { potVerified?: unknown }).potVerified);
  } catch {
    return undefined;
  }
}

function withPot(out: SinkRecord, pot: unknown): SinkRecord {
  if (Array.isArray(pot) && pot.every((v) => typeof v === "boolean")) out.potVerified = pot;
  return out;
}

/** The records written to the sink since byte `from`. */
export function readSink(path: string, from: number): SinkRecord[] {
  return readFrom(path, from).split("\n").filter((l) => l.trim() !== "").map(record).filter((r): r is SinkRecord => r !== undefined);
}
