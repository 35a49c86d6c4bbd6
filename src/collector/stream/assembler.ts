// Journeys meet in the database (docs/deployment.md): every record waits in `pending` under the shard
// and key of its journey; the worker that holds a shard takes that shard's journeys that are
// ready (below), joins their records with the same Joiner as `ioam collect`, and in ONE
// transaction stores the journeys, series, problems and flags and deletes the records it used —
// so each record counts exactly once whichever worker assembles it. A transaction-level advisory
// lock on the shard makes two workers never assemble the same shard at once. A record whose
// journey was stored already (it came later than the rule allowed) completes that journey
// (late-merge.ts).
//
// Ready (docs/deployment.md, "Watermarks"): a journey key's records are taken together when its
// newest record arrived more than the grace ago AND its oldest record time + the grace is below
// the lowest watermark of the active agents (watermark.ts) — an agent whose spool still holds
// records of that time holds it back — or, as a last resort, when its oldest record has waited
// `maxWaitMs` by the database's clock (counted as a `wait-limit` problem).

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
import { ACTIVE_WATERMARK } from "./watermark.js";

/** Settings of assembly. */
export interface AssemblyOptions {
  /** Records wait this long in pending (by the database's clock), and this far below the watermark (default 3 s). */
  graceMs?: number;
  /** An agent not heard for this long no longer holds assembly back (default 60 s). */
  silentMs?: number;
  /** A journey waiting this long is assembled whatever the watermark (default 5 min). */
  maxWaitMs?: number;
  /** Join window on capture time (default 500 ms) and most journey keys per transaction (default 20 000). */
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
  /** Journey keys taken, and those among them taken by the wait limit, not the watermark. */
  keys: number;
  forced: number;
}

/** Defaults of the ready rule. */
export const ASSEMBLY_DEFAULTS = { graceMs: 3000, silentMs: 60_000, maxWaitMs: 300_000, batch: 20_000 } as const;

const MS = "* interval '1 millisecond'";
/** SQL: the keys of the shards in `shardCond` that are ready ($2 grace, $3 silence, $4 wait limit), with `forced`. */
const readyKeys = (shardCond: string) => `SELECT shard, coalesce(jkey, seq::text) AS k, min(seq) AS first,
    NOT (max(arrived) < clock_timestamp() - $2 ${MS} AND min(time_ms) + $2 < ${ACTIVE_WATERMARK("$3")}) AS forced
  FROM pending WHERE ${shardCond} GROUP BY shard, 2
  HAVING (max(arrived) < clock_timestamp() - $2 ${MS} AND min(time_ms) + $2 < ${ACTIVE_WATERMARK("$3")}) OR min(arrived) < clock_timestamp() - $4 ${MS}`;

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

  private get rule(): [number, number, number] {
    const o = { ...ASSEMBLY_DEFAULTS, ...this.opts };
    return [o.graceMs, o.silentMs, o.maxWaitMs];
  }

  /** The shards among `shards` with a journey ready. */
  async ready(shards: readonly number[]): Promise<number[]> {
    if (shards.length === 0) return [];
    const r = await this.store.withClient((c) => c.query<{ shard: number }>(`SELECT DISTINCT shard FROM (${readyKeys("shard = ANY ($1::int[])")}) s`, [shards, ...this.rule]));
    return r.rows.map((x) => x.shard);
  }

  /** One transaction on `shard`; resolves with what it stored (zero records: nothing waited, or another worker holds it). */
  async assemble(shard: number): Promise<Assembled> {
    const done: Assembled = { records: 0, journeys: 0, late: 0, problems: 0, keys: 0, forced: 0 };
    let stored: KeyedJourney[] = [];
    await this.store.tx(async (c) => {
      const locked = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1, $2) AS ok", [LOCK_SPACE.shard, shard]);
      if (!locked.rows[0]!.ok) return;
      const rows = await this.readyRecords(c, shard);
      if (rows.length === 0) return;
      const { observations, problems } = readRecords(rows.map((r) => r.rec));
      const forced = new Set(rows.filter((r) => r.forced).map((r) => r.k)).size;
      if (forced) problems.push({ reason: "wait-limit", source: `assembly:${shard}`, time: Date.now(), detail: `journeys assembled after waiting stream.maxWait (${this.rule[2]} ms) without every active agent's watermark passing them: they may lack records still to come`, count: forced });
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
      Object.assign(done, { records: rows.length, journeys: fresh.length, late, problems: problems.length, keys: new Set(rows.map((r) => r.k)).size, forced });
      stored = fresh;
    });
    if (stored.length) await this.store.pathsSeen(stored);
    return done;
  }

  /** The records of the shard's ready journey keys, oldest keys first, at most `batch` keys. */
  private async readyRecords(c: pg.ClientBase, shard: number): Promise<Array<{ seq: string; rec: string; k: string; forced: boolean }>> {
    const sql = `WITH ready AS (${readyKeys("shard = $1")} ORDER BY 3 LIMIT $5)
      SELECT p.seq, p.rec, r.k, r.forced FROM pending p JOIN ready r ON coalesce(p.jkey, p.seq::text) = r.k WHERE p.shard = $1 ORDER BY p.seq`;
    return (await c.query<{ seq: string; rec: string; k: string; forced: boolean }>(sql, [shard, ...this.rule, this.opts.batch ?? ASSEMBLY_DEFAULTS.batch])).rows;
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
    else if ("observations" in r) observations.push(...r.observations);
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
