// A record that reaches assembly after its journey was stored — its agent's spool replayed late,
// its message redelivered after a worker died — completes the stored journey instead of becoming
// a second one (docs/deployment.md, "Late records"). The stored journey is found by its key within an
// hour of capture time; it is the same packet only when the two agree: content and E2E journeys
// when one's node entries begin the other's (a pre-allocated trace only grows), DEX journeys
// always (their blocks are merged in hop-limit order). The journey row takes the longer data, the
// sum of observations and both observation points; its per-hop series keep what was first stored.

import type pg from "pg";
import { pathKey } from "../hops.js";
import { orderDexHops } from "../journeys.js";
import { decodeHops, encodeHops } from "../store/hop-blob.js";
import type { KeyedJourney, PgStore } from "../store/pg-store.js";

const LATENESS_MS = 3_600_000;

interface StoredRow {
  id: string;
  time_ms: number;
  jkey: string;
  hops: Buffer;
  trace_type: number;
  observations: number;
  at: string;
  overflow: boolean;
}

const startsWith = (long: Uint8Array, short: Uint8Array) => short.length <= long.length && short.every((b, i) => long[i] === b);

/** The stored journey completed by `j`, or undefined when they are not the same packet. */
function merged(row: StoredRow, j: KeyedJourney): KeyedJourney | undefined {
  if (row.trace_type !== j.traceType) return undefined;
  const stored = new Uint8Array(row.hops.buffer, row.hops.byteOffset, row.hops.byteLength);
  let hops = decodeHops(stored, row.trace_type);
  if (j.jkey!.startsWith("d|")) hops = orderDexHops([...hops, ...j.hops]);
  else {
    const fresh = encodeHops(j.hops, j.traceType);
    if (!startsWith(fresh, stored) && !startsWith(stored, fresh)) return undefined;
    if (fresh.length > stored.length) hops = j.hops;
  }
  const at = [...new Set([...row.at.split(","), ...j.at])];
  return { ...j, time: row.time_ms, hops, pathKey: pathKey(j.namespaceId, hops), observations: row.observations + j.observations, at, overflow: row.overflow || j.overflow };
}

/**
 * Completes stored journeys with the late ones among `journeys` (inside the caller's
 * transaction); returns the journeys still to be stored and how many were late.
 */
export async function completeLate(c: pg.ClientBase, store: PgStore, journeys: readonly KeyedJourney[]): Promise<{ fresh: KeyedJourney[]; late: number }> {
  const keyed = journeys.filter((j) => j.jkey !== undefined);
  if (keyed.length === 0) return { fresh: [...journeys], late: 0 };
  const times = keyed.map((j) => j.time);
  const r = await c.query<StoredRow>("SELECT id, time_ms, jkey, hops, trace_type, observations, at, overflow FROM journeys WHERE jkey = ANY ($1::text[]) AND time_ms >= $2 AND time_ms < $3", [keyed.map((j) => j.jkey!), Math.min(...times) - LATENESS_MS, Math.max(...times) + LATENESS_MS]);
  if (r.rows.length === 0) return { fresh: [...journeys], late: 0 };
  const byKey = new Map(r.rows.map((x) => [x.jkey, x]));
  const fresh: KeyedJourney[] = [];
  let late = 0;
  for (const j of journeys) {
    const row = j.jkey === undefined ? undefined : byKey.get(j.jkey);
    const m = row && merged(row, j);
    if (!row || !m) {
      fresh.push(j);
      continue;
    }
    late++;
    await store.prepare([m]);
    await c.query("UPDATE journeys SET hops = $3, observations = $4, at = $5, overflow = $6, path_id = $7 WHERE id = $1 AND time_ms = $2", [row.id, row.time_ms, Buffer.from(encodeHops(m.hops, m.traceType)), m.observations, m.at.join(","), m.overflow, store.pathIdOf(m)]);
    Object.assign(row, { hops: Buffer.from(encodeHops(m.hops, m.traceType)), observations: m.observations, at: m.at.join(",") });
  }
  return { fresh, late };
}
