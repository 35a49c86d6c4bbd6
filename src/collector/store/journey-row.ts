// A stored journey as both stores read it back: the same columns (JOURNEY_COLUMNS, from
// journeys j joined with paths p) and one conversion to JourneyRow. The drivers differ only in
// the types they return: better-sqlite3 gives integers for booleans and the flow as JSON text,
// pg gives bigint ids as strings, booleans, and the jsonb flow as an object.

import { decodeHops } from "./hop-blob.js";
import type { JourneyRow } from "./store.js";

export const JOURNEY_COLUMNS = "j.id, j.time_ms, j.time_source, j.path_id, p.key, p.namespace_id, j.trace_type, j.joined_by, j.observations, j.at, j.source, j.overflow, j.hops, j.flow, j.seq, j.trace_id, j.span_id";

/** A row of JOURNEY_COLUMNS as either driver returns it. */
export interface JourneyDbRow {
  id: number | string;
  time_ms: number;
  time_source: string;
  path_id: number | string;
  key: string;
  namespace_id: number;
  trace_type: number;
  joined_by: string;
  observations: number;
  at: string;
  source: string;
  overflow: number | boolean;
  hops: Uint8Array;
  flow: string | NonNullable<JourneyRow["flow"]> | null;
  seq: string | null;
  trace_id: string | null;
  span_id: string | null;
}

export function journeyRow(r: JourneyDbRow): JourneyRow {
  const out: JourneyRow = {
    id: Number(r.id), timeMs: r.time_ms, timeSource: r.time_source, pathId: Number(r.path_id), pathKey: r.key, namespaceId: r.namespace_id,
    traceType: r.trace_type, joinedBy: r.joined_by, observations: r.observations, at: r.at.split(","), source: r.source,
    overflow: r.overflow === true || r.overflow === 1, hops: decodeHops(new Uint8Array(r.hops.buffer, r.hops.byteOffset, r.hops.byteLength), r.trace_type),
  };
  if (r.flow) out.flow = typeof r.flow === "string" ? (JSON.parse(r.flow) as NonNullable<JourneyRow["flow"]>) : r.flow;
  if (r.seq !== null) out.seq = r.seq;
  if (r.trace_id !== null) out.traceId = r.trace_id;
  if (r.span_id !== null) out.spanId = r.span_id;
  return out;
}
