// Where a transit node's side outputs go. The engine calls them synchronously, in the middle of
// a walk: a hook may itself run the engine again (a loopback copy sent through the same node),
// which is why transit keeps no per-walk state outside its own call.

import type { DexExportRecord, TraceEventRecord } from "./events.js";

/** Side outputs of transit; each is optional. */
export interface TransitHooks {
  /** What the kernel would send on ioam6_events. */
  onEvent?: (e: TraceEventRecord) => void;
  /** Direct Export records (node feature dexExport). */
  onExport?: (r: DexExportRecord) => void;
  /** Loopback copies to send back to the packet's source (node feature loopback, RFC 9322). */
  onLoopback?: (packet: Uint8Array) => void;
}
