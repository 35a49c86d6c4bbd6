// The journey key of a record (docs/deployment.md, "Journeys meet in the database"): the same for
// every observation of one packet, wherever and by which agent it was seen, so that a worker can
// route a record to the shard that assembles its journey, and find a stored journey a late
// record belongs to. Content first — the oldest node entry (K_1, content-key.ts), which every
// later node's data repeats unchanged — when the trace carries timestamps, then the E2E
// sequence with the flow, then the DEX Flow ID and Sequence Number; else none (never joined).

import type { TraceNode } from "../../wire/ioam/trace-node.js";
import { contentKeys, joinableByContent } from "../content-key.js";
import type { FlowInfo, RecordSource } from "../observation.js";

/** What the key is computed from: an observation or a journey. */
export interface KeyParts {
  source: RecordSource;
  namespaceId: number;
  traceType: number;
  flow?: FlowInfo;
  e2eSeq?: number | string;
  dexFlowId?: number;
  dexSeq?: number;
}

/** The key, from `hops` in traversal order (oldest first); undefined when it cannot be joined. */
export function journeyKey(p: KeyParts, hops: readonly TraceNode[]): string | undefined {
  if (p.source !== "dex" && joinableByContent(p.traceType) && hops.length > 0) return `c|${contentKeys(p.namespaceId, p.traceType, hops.slice(0, 1))[0]}`;
  if (p.e2eSeq !== undefined && p.flow) return `e|${p.namespaceId}|${p.flow.src}|${p.flow.dst}|${p.e2eSeq}`;
  if (p.dexFlowId !== undefined && p.dexSeq !== undefined) return `d|${p.namespaceId}|${p.dexFlowId}|${p.dexSeq}`;
  return undefined;
}

/** The shard (0 … shards − 1) of a key: FNV-1a over its text. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}
