// `ioam collect --source nats://… --store postgres://…` (docs/deployment.md): one stream worker. Every
// worker pulls from the same durable consumer (the work is shared; what a worker fetched and did
// not acknowledge is redelivered to the others after the ack wait), puts the records into the
// ledger (ingest.ts) and acknowledges only after that commit; and it assembles the journeys of
// the shards it holds (assembler.ts). The worker creates the stream and the consumer if missing.

import { AckPolicy, type Consumer, DeliverPolicy, type JetStreamManager, type JsMsg, type NatsConnection, RetentionPolicy, StorageType, nanos } from "nats";
import pg from "pg";
import type { PgStore } from "../store/pg-store.js";
import { ASSEMBLY_DEFAULTS, type AssemblyOptions, Assembly, ShardOwnership } from "./assembler.js";
import { ingest, ingestRows } from "./ingest.js";
import { type NatsConfig, connectionOptions } from "./nats-config.js";
import { connectNats } from "./nats-connect.js";
import { type AgentMark, silentCount, takeSilent } from "./watermark.js";

/** Settings of a stream worker (docs/deployment.md, "Sizing"). */
export interface WorkerOptions {
  nats: NatsConfig;
  /** The store's connection string, for the worker's own lock connection. */
  storeUrl: string;
  consumer: string;
  ackWaitMs: number;
  duplicateWindowMs: number;
  maxAgeMs: number;
  replicas: number;
  shards: number;
  /** Messages per fetch (each holds up to an agent batch of records). */
  fetch: number;
  assembly: AssemblyOptions;
}

/** Defaults: ack wait 30 s, duplicate window 10 min, messages kept a day, 16 shards, 32 messages per fetch. */
export const WORKER_DEFAULTS = { consumer: "ioam-collect", ackWaitMs: 30_000, duplicateWindowMs: 600_000, maxAgeMs: 86_400_000, replicas: 1, shards: 16, fetch: 32 } as const;

/** A worker's counters. */
export interface WorkerStats {
  messages: number;
  records: number;
  fresh: number;
  duplicates: number;
  malformed: number;
  assembled: number;
  journeys: number;
  late: number;
  /** Journeys assembled at the wait limit, not by the watermark. */
  forced: number;
  /** Agents silent now (not holding assembly back), and sequence numbers skipped as holes. */
  silentAgents: number;
  holes: number;
  shards: number;
  errors: number;
  lastError?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Creates the stream (file storage, work-queue retention) and the durable consumer when missing. */
export async function ensureStream(jsm: JetStreamManager, o: Pick<WorkerOptions, "nats" | "consumer" | "ackWaitMs" | "duplicateWindowMs" | "maxAgeMs" | "replicas">): Promise<void> {
  const name = o.nats.stream;
  await jsm.streams.info(name).catch(() =>
    jsm.streams.add({ name, subjects: ["ioam.>"], storage: StorageType.File, retention: RetentionPolicy.Workqueue, max_age: nanos(o.maxAgeMs), duplicate_window: nanos(o.duplicateWindowMs), num_replicas: o.replicas }).catch(() => jsm.streams.info(name)),
  );
  const cfg = { durable_name: o.consumer, ack_policy: AckPolicy.Explicit, ack_wait: nanos(o.ackWaitMs), deliver_policy: DeliverPolicy.All, max_ack_pending: 4096 };
  await jsm.consumers.add(name, cfg).catch(() => jsm.consumers.update(name, o.consumer, { ack_wait: cfg.ack_wait, max_ack_pending: cfg.max_ack_pending }));
}

/** One worker. */
export class StreamWorker {
  private nc: NatsConnection | undefined;
  private stopped = false;
  private loops: Array<Promise<void>> = [];
  private readonly assembly: Assembly;
  private lock: pg.Client | undefined;
  private ownership: ShardOwnership | undefined;
  /** When the shares were last rebalanced (every 2 s: a member joining or leaving shows then). */
  private balancedAt = 0;
  readonly stats: WorkerStats = { messages: 0, records: 0, fresh: 0, duplicates: 0, malformed: 0, assembled: 0, journeys: 0, late: 0, forced: 0, silentAgents: 0, holes: 0, shards: 0, errors: 0 };

  constructor(private readonly store: PgStore, private readonly o: WorkerOptions, private readonly onCommit?: (s: WorkerStats) => void) {
    this.assembly = new Assembly(store, o.assembly);
  }

  /** Connects, makes sure the stream and consumer exist, and starts consuming and assembling. */
  async start(): Promise<void> {
    const nc = await connectNats(connectionOptions(this.o.nats, "ioam-collect"), { stopped: () => this.stopped, onRetry: (e) => this.error(e) });
    if (!nc) return;
    this.nc = nc;
    await ensureStream(await this.nc.jetstreamManager(), this.o);
    this.loops.push(this.consume(this.nc), this.assemble());
  }

  private error(e: unknown): void {
    this.stats.errors++;
    this.stats.lastError = e instanceof Error ? e.message : String(e);
  }

  private async consume(nc: NatsConnection): Promise<void> {
    const js = nc.jetstream();
    let consumer: Consumer | undefined; // looked up once (an API request), again after a failure
    while (!this.stopped) {
      try {
        consumer ??= await js.consumers.get(this.o.nats.stream, this.o.consumer);
        const batch: JsMsg[] = [];
        for await (const m of await consumer.fetch({ max_messages: this.o.fetch, expires: 1000 })) batch.push(m);
        if (batch.length) await this.take(batch);
      } catch (e) {
        this.error(e);
        consumer = undefined;
        await sleep(500);
      }
    }
  }

  /** Ledger first, acknowledgements after its commit; on failure the messages come back soon (nak). */
  private async take(batch: JsMsg[]): Promise<void> {
    const malformed: string[] = [];
    const marks: Array<Map<string, AgentMark>> = [];
    const rows = batch.flatMap((m) => ingestRows(new TextDecoder().decode(m.data), this.o.shards, malformed, marks[marks.push(new Map()) - 1]));
    try {
      let holes = 0;
      const fresh = await ingest(this.store, rows, { marks, gapMs: this.silentMs, onHoles: (n) => (holes = n) });
      if (malformed.length) await this.store.write({ journeys: [], problems: [{ reason: "malformed", source: "stream", time: Date.now(), detail: malformed[0]!, count: malformed.length }] });
      if (holes) await this.store.write({ journeys: [], problems: [{ reason: "sequence-hole", source: "stream", time: Date.now(), detail: `an agent's record sequence had a hole for longer than stream.silentAfter (${this.silentMs} ms): its watermark skipped it`, count: holes }] });
      this.stats.holes += holes;
      for (const m of batch) m.ack();
      Object.assign(this.stats, { messages: this.stats.messages + batch.length, records: this.stats.records + rows.length, fresh: this.stats.fresh + fresh, duplicates: this.stats.duplicates + rows.length - fresh, malformed: this.stats.malformed + malformed.length });
      this.onCommit?.(this.stats);
    } catch (e) {
      for (const m of batch) m.nak(1000);
      throw e;
    }
  }

  private get silentMs(): number {
    return this.o.assembly.silentMs ?? ASSEMBLY_DEFAULTS.silentMs;
  }

  /** Reports the agents that turned silent (once each, whichever worker sees it first) and counts the silent ones. */
  private async noteSilent(c: pg.ClientBase): Promise<void> {
    const silent = await takeSilent(c, this.silentMs);
    const problems = silent.map((a) => ({ reason: "agent-silent" as const, source: "stream", node: a.agent, since: a.seenMs, time: Date.now(), detail: `ioam agent ${a.agent} not heard for stream.silentAfter (${this.silentMs} ms; its watermark ${new Date(a.streamMs).toISOString()}): it no longer holds assembly back, its records still to come will be late` }));
    if (problems.length) await this.store.write({ journeys: [], problems });
    this.stats.silentAgents = await silentCount(c, this.silentMs);
  }

  private async assemble(): Promise<void> {
    while (!this.stopped) {
      try {
        const own = await this.owned();
        let busy = false;
        // One query says which held shards have records past the grace: an idle worker costs
        // the database one query a round, not a transaction per shard.
        for (const s of await this.assembly.ready(own)) {
          const a = await this.assembly.assemble(s);
          Object.assign(this.stats, { assembled: this.stats.assembled + a.records, journeys: this.stats.journeys + a.journeys, late: this.stats.late + a.late, forced: this.stats.forced + a.forced });
          if (a.keys >= (this.o.assembly.batch ?? ASSEMBLY_DEFAULTS.batch)) busy = true;
          if (a.records) this.onCommit?.(this.stats);
        }
        if (!busy) await sleep(200);
      } catch (e) {
        this.error(e);
        await this.lock?.end().catch(() => {});
        this.lock = undefined;
        await sleep(1000);
      }
    }
  }

  /** The shards this worker holds now (its lock connection reconnects after a database restart). */
  private async owned(): Promise<number[]> {
    const now = Date.now();
    if (this.lock && now - this.balancedAt < 2000) return [...this.ownership!.owned];
    this.balancedAt = now;
    if (!this.lock) {
      const c = new pg.Client({ connectionString: this.o.storeUrl });
      c.on("error", () => {});
      await c.connect();
      this.lock = c;
      this.ownership = new ShardOwnership(c, this.o.shards);
      await this.ownership.join();
    }
    await this.ownership!.rebalance();
    this.stats.shards = this.ownership!.owned.size;
    await this.noteSilent(this.lock);
    return [...this.ownership!.owned];
  }

  /** Stops fetching and assembling; what is unacknowledged or pending stays for the others. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await this.lock?.end().catch(() => {});
    await this.nc?.close();
  }
}
