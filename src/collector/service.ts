// The collector as a service (`ioam collect`): sources → journey joiner → batches written to the
// store, each batch with the sources' checkpoints in one transaction; once a write is durable
// the batch is acknowledged (reported, exported, counted in /metrics). A capture source waits
// when the store falls behind; live sources cannot wait, so nothing they send is dropped here
// (the kernel's own overrun is reported by the source).

import { Analytics } from "./analytics.js";
import type { Exporter } from "./export/exporter.js";
import type { Flag } from "./flags.js";
import type { TsFormat } from "./hops.js";
import { type Journey, Joiner } from "./journeys.js";
import type { Observation } from "./observation.js";
import { PositionTracker } from "./position-tracker.js";
import type { ObservationSink, Problem, Source } from "./sources/source.js";
import type { Store, WriteResult } from "./store/store.js";

/** Settings of the service. */
export interface CollectorOptions {
  /** IOAM namespaces to accept; others are counted as "unknown-namespace" (default: all). */
  namespaces?: ReadonlySet<number>;
  tsFormats?: ReadonlyMap<number, TsFormat>;
  windowMs?: number;
  /** Journeys per store write (default 5000) and the longest wait before a write (default 200 ms). */
  batchSize?: number;
  flushMs?: number;
  /** Called after every durable write with what it stored (the acknowledgement). */
  onStored?: (r: WriteResult & { totalStored: number; problems: number }) => void;
  /**
   * Called once if a store write fails (disk full, I/O error). The service then writes nothing
   * more: what was acknowledged is stored, and a restart resumes from the committed checkpoints.
   */
  onFailure?: (e: Error) => void;
  /** Called for each problem as a source reports it. */
  onProblem?: (p: Problem) => void;
  clock?: () => number;
}

/** The service's health for /metrics and status lines. */
export interface CollectorHealth {
  recordsIn: number;
  journeysStored: number;
  duplicates: number;
  problems: number;
  problemsByReason: Record<string, number>;
  pending: number;
  openJourneys: number;
  /** ms from a live record's arrival to its durable write, last batch. */
  lagMs: number;
}

const HIGH_WATER = 50_000;

/** Runs sources into a store. */
export class Collector {
  readonly analytics: Analytics;
  private readonly joiner: Joiner;
  private pending: Journey[] = [];
  private problems: Problem[] = [];
  private flags: Flag[] = [];
  private readonly positions = new Map<string, PositionTracker>();
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private runs: Array<Promise<void>> = [];
  private readonly clock: () => number;
  /** Set when a write failed: nothing more is written. */
  failure: Error | undefined;
  readonly health: CollectorHealth = { recordsIn: 0, journeysStored: 0, duplicates: 0, problems: 0, problemsByReason: {}, pending: 0, openJourneys: 0, lagMs: 0 };

  constructor(
    private readonly store: Store,
    private readonly sources: readonly Source[],
    private readonly exporters: readonly Exporter[],
    private readonly opts: CollectorOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.analytics = new Analytics({ ...(opts.tsFormats ? { tsFormats: opts.tsFormats } : {}), onFlag: (f) => this.flags.push(f) });
    // Captures alone: the join window runs on capture time (a file is read faster than real
    // time). With any live source it runs on the clock, so that old captures and live events mix.
    const live = sources.some((s) => s.kind !== "pcap");
    this.joiner = new Joiner((j) => this.pending.push(j), { windowMs: opts.windowMs ?? 500, ...(live ? { clock: this.clock } : {}) });
  }

  /** Starts every source from its checkpoint; resolves once they are running. */
  async start(): Promise<void> {
    for (const s of this.sources) {
      const resume = await this.store.checkpoint(s.name);
      if (s.kind === "pcap") this.positions.set(s.name, new PositionTracker());
      this.runs.push(s.run(this.sinkFor(s), resume));
    }
    this.timer = setInterval(() => void this.flush(), this.opts.flushMs ?? 200);
  }

  /** Resolves when every source has ended by itself (files read to the end). */
  async sourcesEnded(): Promise<void> {
    await Promise.all(this.runs);
  }

  private sinkFor(s: Source): ObservationSink {
    const tracker = this.positions.get(s.name);
    return {
      observe: (o: Observation) => {
        this.health.recordsIn++;
        if (this.opts.namespaces && !this.opts.namespaces.has(o.namespaceId)) return this.problem({ reason: "unknown-namespace", source: s.name, time: this.clock(), detail: `IOAM namespace ${o.namespaceId} is not in the configuration`, count: 1 });
        if (tracker && o.position !== undefined) tracker.add(o.position);
        this.joiner.add(o);
        if (this.pending.length >= (this.opts.batchSize ?? 5000)) void this.flush();
      },
      problem: (p) => this.problem(p),
      ready: () => (this.failure || this.pending.length + this.joiner.open < HIGH_WATER ? Promise.resolve() : new Promise((r) => this.waiters.push(r))),
    };
  }

  private problem(p: Problem): void {
    this.opts.onProblem?.(p);
    this.health.problems += p.count ?? 1;
    this.health.problemsByReason[p.reason] = (this.health.problemsByReason[p.reason] ?? 0) + (p.count ?? 1);
    const same = this.problems.find((x) => x.source === p.source && x.reason === p.reason && x.count !== undefined && p.count !== undefined);
    if (same) same.count! += p.count!;
    else this.problems.push({ ...p });
  }

  /** Writes what is pending (one write at a time); resolves when it is durable. */
  flush(): Promise<void> {
    if (this.failure) return Promise.resolve();
    if (this.writing) return this.writing;
    this.joiner.tick(this.clock());
    if (this.pending.length === 0 && this.problems.length === 0 && this.flags.length === 0) return Promise.resolve(this.release());
    this.writing = this.writeBatch()
      .catch((e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))))
      .finally(() => (this.writing = undefined));
    return this.writing;
  }

  private fail(e: Error): void {
    this.failure = e;
    if (this.timer) clearInterval(this.timer);
    void Promise.all(this.sources.map((s) => s.stop()));
    for (const w of this.waiters.splice(0)) w();
    this.opts.onFailure?.(e);
  }

  private async writeBatch(): Promise<void> {
    const journeys = this.pending.splice(0, this.opts.batchSize ?? 5000);
    const problems = this.problems.splice(0);
    const flags = this.flags.splice(0);
    for (const j of journeys) {
      this.analytics.add(j);
      j.positions?.forEach((p, i) => this.positions.get(`pcap:${j.positionsAt![i]}`)?.release(p));
    }
    const checkpoints = this.sources.flatMap((s) => {
      const at = this.resumePoint(s);
      return at ? [{ source: s.name, kind: s.kind, ...at }] : [];
    });
    const loss = this.analytics.lossReport({ changedOnly: true }).map(({ flow, received, lost, duplicates }) => ({ flow, received, lost, duplicates }));
    const r = await this.store.write({ journeys, problems, flags, checkpoints, loss });
    this.acknowledge(journeys, r);
    this.release();
  }

  /** Where a source resumes after this batch: the first position not yet stored, or its newest time. */
  private resumePoint(s: Source): { position?: number; time?: number } | undefined {
    const t = this.positions.get(s.name);
    if (!t) return { time: this.clock() };
    const p = t.safe(s.stats().position);
    return p === undefined ? undefined : { position: p };
  }

  private acknowledge(journeys: Journey[], r: WriteResult): void {
    this.health.journeysStored += r.journeys;
    this.health.duplicates += r.duplicates;
    const live = journeys.filter((j) => j.timeSource !== "capture");
    if (live.length) this.health.lagMs = this.clock() - live[live.length - 1]!.time;
    for (const e of this.exporters) e.export(journeys);
    this.opts.onStored?.({ ...r, totalStored: this.health.journeysStored, problems: this.health.problems });
  }

  private release(): void {
    this.health.pending = this.pending.length;
    this.health.openJourneys = this.joiner.open;
    if (this.pending.length + this.joiner.open >= HIGH_WATER) return;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  /** Stops the sources, closes every open journey and writes everything (SIGTERM). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.sources.map((s) => s.stop()));
    for (const w of this.waiters.splice(0)) w();
    await Promise.allSettled(this.runs);
    await this.drain();
    await Promise.all(this.exporters.map((e) => e.shutdown()));
  }

  /** Closes every open journey and writes until nothing is pending. */
  async drain(): Promise<void> {
    this.joiner.drain();
    while (!this.failure && (this.writing || this.pending.length || this.problems.length || this.flags.length)) await this.flush();
  }
}
