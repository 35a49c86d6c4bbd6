// A stored journey as the API sends it (docs/api.md, "Journey"): the store's row, its hops as
// canonical node records — written by the same writer as `ioam decode --json` (64-bit values
// and opaque bytes as "0x…" strings) — and the values derived from them: each hop's latency
// from the previous node's timestamp and its offset from the first node, in ns.

import { timeDiffNs, type TsFormat } from "../../collector/hops.js";
import type { JourneyRow } from "../../collector/store/store.js";
import { JsonBytes } from "../../wire/json/json-bytes.js";
import { writeList, writeNode } from "../../wire/json/record-json.js";

/** The canonical JSON of a list of trace nodes (traversal order kept). */
export function nodesJson(nodes: JourneyRow["hops"]): string {
  const w = new JsonBytes(256 + 128 * nodes.length);
  w.byte(0x5b);
  writeList(w, nodes, writeNode);
  w.byte(0x5d);
  return w.toString();
}

/** Per hop: latency from the previous hop and offset from the first, ns (null without timestamps). */
export function hopTimes(hops: JourneyRow["hops"], fmt: TsFormat): { latencyNs: Array<number | null>; offsetNs: Array<number | null> } {
  const latencyNs = hops.map((h, i) => (i === 0 ? null : (timeDiffNs(hops[i - 1]!, h, fmt) ?? null)));
  const offsetNs = hops.map((h) => (hops.length ? (timeDiffNs(hops[0]!, h, fmt) ?? null) : null));
  return { latencyNs, offsetNs };
}

/** One journey as JSON text. */
export function journeyJson(r: JourneyRow, fmt: TsFormat): string {
  const head: Record<string, unknown> = {
    id: r.id, timeMs: r.timeMs, timeSource: r.timeSource, pathId: r.pathId, path: r.pathKey, namespaceId: r.namespaceId,
    traceType: "0x" + r.traceType.toString(16), joinedBy: r.joinedBy, observations: r.observations, at: r.at, source: r.source, overflow: r.overflow,
  };
  if (r.flow) head.flow = r.flow;
  if (r.seq !== undefined) head.seq = r.seq;
  if (r.traceId !== undefined) head.traceId = r.traceId;
  if (r.spanId !== undefined) head.spanId = r.spanId;
  const t = hopTimes(r.hops, fmt);
  const text = JSON.stringify(head);
  return `${text.slice(0, -1)},"hops":${nodesJson(r.hops)},"latencyNs":${JSON.stringify(t.latencyNs)},"offsetNs":${JSON.stringify(t.offsetNs)}}`;
}
