// What every API handler reads: the store (any implementation of the collector's Store), the
// timestamp format of each IOAM namespace, the clock, and the page's settings.

import type { JourneyRow, Store } from "../../collector/store/store.js";
import type { Journey } from "../../collector/journeys.js";
import type { TsFormat } from "../../collector/hops.js";

export interface ApiContext {
  store: Store;
  /** Timestamp format of an IOAM namespace (default "linux", what Linux writes). */
  tsFormat(namespaceId: number): TsFormat;
  now(): number;
  /** Names for node ids ("1" → "r1"), e.g. from a lab's topology. */
  nodeNames: ReadonlyMap<string, string>;
  /** Base URL of a Jaeger UI: a journey with an application trace links to BASE/trace/ID. */
  jaegerUrl?: string;
}

/** A handler's answer: JSON text (written by the handler, so large lists are not built twice). */
export interface ApiBody {
  json: string;
}

/** The analytics' view of a stored journey (the same computation `ioam analyze` runs). */
export function journeyOf(r: JourneyRow): Journey {
  return {
    time: r.timeMs, timeSource: r.timeSource as Journey["timeSource"], namespaceId: r.namespaceId, traceType: r.traceType, hops: r.hops,
    pathKey: r.pathKey, joinedBy: r.joinedBy as Journey["joinedBy"], observations: r.observations, at: r.at, source: r.source as Journey["source"], overflow: r.overflow,
  };
}

/** `{ "from": …, "to": … }` with both as ms. */
export type Window = { from: number; to: number };
