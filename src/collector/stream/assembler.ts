// Journeys meet in the database (docs/deployment.md): every record waits in `pending` under the shard
// of its journey key; the worker that holds a shard takes that shard's records older than the
// grace period, joins them with the same Joiner as `ioam collect`, and in ONE transaction stores
// the journeys, series, problems and flags and deletes the records it used — so each record
// counts exactly once whichever worker assembles it. A transaction-level advisory lock on the
// shard makes two workers never assemble the same shard at once. A record whose journey was
// stored already (it came later than the grace) completes that journey (late-merge.ts).

import type pg from "pg";
import { Analytics } from "../analytics.js";
import type { Flag } from "../flags.js";
import type { TsFormat } from "../hops.js";
import { type Journey, Joiner } from "../journeys.js";
import type { Observation } from "../observation.js";
import type { Problem } from "../sources/source.js";
import { LOCK_SPACE } from "../store/pg-schema.js";
import type { KeyedJourney, PgStore } from "../store/pg-store.js";
import { journeyKey } from "./journey-key.js";
import { completeLate } from "./late-merge.js";
import { parseStreamRecord } from "./record.js";

/** Settings of assembly. */
export interface AssemblyOptions {
  /** Records wait this long in pending (by the database's clock) before assembly (default 3 s). */
  graceMs?: number;
  /** Join window on capture time (default 500 ms) and most records per transaction (default 20 000). */
  windowMs?: number;
  batch?: number;
  tsFormats?: ReadonlyMap<number, TsFormat>;
}

/** What one assembly stored. */
export interface Assembled {
  records: number;
  journeys: number;
  late: number;
  problems: number;
}

/** Assembles shards of one database; keeps each shard's analytics (loss, flags). */
export class Assembly {
  private readonly analytics = new Map<number, Analytics>();
  private flags: Flag[] = [];

  constructor(private readonly store: PgStore, private readonly opts: AssemblyOptions = {}) {}

  private analyticsOf(shard: number): Analytics {
    let a = this.analytics.get(shard);
    if (!a) this.analytics.set(shard, (a = new Analytics({ ...(this.opts.tsFormats ? { tsFormats: this.opts.tsFormats } : {}), onFlag: (f) => this.flags.push(f) })));
    return a;
  }

  /** The shards among `shards` with records waiting longer than the grace. */
  async ready(shards: readonly number[]): Promise<number[]> {
    if (shards.length === 0) return [];
    const r = await this.store.withClient((c) => c.query<{ shard: number }>("SELECT DISTINCT shard FROM pending WHERE shard = ANY ($1::int[]) AND arrived < clock_timestamp() - $2 * interval '1 millisecond'", [shards, this.opts.graceMs ?? 3000]));
    return r.rows.map((x) => x.shard);
  }

  /** One transaction on `shard`; resolves with what it stored (zero records: nothing waited, or another worker holds it). */
  async assemble(shard: number): Promise<Assembled> {
    const done: Assembled = { records: 0, journeys: 0, late: 0, problems: 0 };
    let stored: KeyedJourney[] = [];
    await this.store.tx(async (c) => {
      const locked = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1, $2) AS ok", [LOCK_SPACE.shard, shard]);
      if (!locked.rows[0]!.ok) return;
      const rows = (await c.query<{ seq: string; rec: string }>("SELECT seq, rec FROM pending WHERE shard = $1 AND arrived < clock_timestamp() - $2 * interval '1 millisecond' ORDER BY seq LIMIT $3", [shard, this.opts.graceMs ?? 3000, this.opts.batch ?? 20_000])).rows;
      if (rows.length === 0) return;
      const { observations, problems } = readRecords(rows.map((r) => r.rec));
      const journeys = this.join(observations);
      const { fresh, late } = await completeLate(c, this.store, journeys);
      await this.store.prepare(fresh);
      const a = this.analyticsOf(shard);
      for (const j of fresh) a.add(j);
      if (late) problems.push({ reason: "late", source: `assembly:${shard}`, time: Date.now(), detail: "records arrived after their journey was stored (beyond the grace period): the journey was completed, its series counted it as first stored", count: late });
      const flags = this.flags.splice(0);
      const loss = a.lossReport().map(({ flow, received, lost, duplicates }) => ({ flow, received, lost, duplicates }));
      await this.store.writeIn(c, { journeys: fresh, problems, flags, loss }, shard);
      await c.query("DELETE FROM pending WHERE seq = ANY ($1::bigint[])", [rows.map((r) => r.seq)]);
      Object.assign(done, { records: rows.length, journeys: fresh.length, late, problems: problems.length });
      stored = fresh;
    });
    if (stored.length) await this.store.pathsSeen(stored);
    return done;
  }

  /** The observations joined as `ioam collect` joins them: in capture-time order, then all closed. */
  private join(observations: Observation[]): KeyedJourney[] {
    const out: KeyedJourney[] = [];
    const joiner = new Joiner((j) => out.push(keyed(j)), { windowMs: this.opts.windowMs ?? 500, maxOpen: 1_000_000 });
    observations.sort((a, b) => a.time - b.time);
    for (const o of observations) joiner.add(o);
    joiner.drain();
    return out;
  }
}

function keyed(j: Journey): KeyedJourney {
  const key = journeyKey(j, j.hops);
  return key === undefined ? j : Object.assign(j, { jkey: key });
}

/** The records' observations and problems. A stored pending line was parsed at ingest: it parses again. */
function readRecords(lines: readonly string[]): { observations: Observation[]; problems: Problem[] } {
  const observations: Observation[] = [];
  const problems: Problem[] = [];
  for (const line of lines) {
    const r = parseStreamRecord(line);
    if ("problem" in r) problems.push(r.problem);
    else observations.push(...r.observations);
  }
  return { observations, problems };
}

/** Shards a worker assembles: the member count decides each worker's share (pg_locks shows who is alive). */
export class ShardOwnership {
  readonly owned = new Set<number>();
  private member = -1;

  constructor(private readonly client: pg.Client, private readonly shards: number) {}

  /** Takes a member slot (a session advisory lock: it disappears with this worker's connection). */
  async join(): Promise<void> {
    for (let slot = 0; slot < 1024 && this.member < 0; slot++) {
      const r = await this.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [LOCK_SPACE.member, slot]);
      if (r.rows[0]!.ok) this.member = slot;
    }
  }

  /** Gives up shards beyond this worker's share, takes free ones up to it. */
  async rebalance(): Promise<void> {
    const live = await this.client.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2 AND granted", [LOCK_SPACE.member]);
    const share = Math.ceil(this.shards / Math.max(1, Number(live.rows[0]!.n)));
    for (const s of [...this.owned].sort((a, b) => b - a)) {
      if (this.owned.size <= share) break;
      await this.client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_SPACE.owner, s]);
      this.owned.delete(s);
    }
    for (let s = 0; s < this.shards && this.owned.size < share; s++) {
      if (this.owned.has(s)) continue;
      const r = await this.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [LOCK_SPACE.owner, s]);
      if (r.rows[0]!.ok) this.owned.add(s);
    }
  }
}
