// `ioam agent`: the collector's live sources on one node — the kernel's ioam6_events, the data
// plane's decap sink, DEX receivers — publishing records to JetStream on ioam.DOMAIN.NODE
// (docs/deployment.md). Records are batched, each batch appended to the spool before it is
// published; ids are NODE.START.SEQ with the sequence kept by the spool. Kernel events while
// the agent was down are gone (multicast cannot be replayed): at start the agent publishes a gap
// per live source, from the last moment the previous run was alive to now, with its node id so
// that the collector can count the journeys that crossed this node meanwhile. An agent with
// nothing to send — no records for a second and its spool empty — sends a heartbeat, so that its
// watermark keeps advancing and it does not hold the workers' assembly back (stream/watermark.ts);
// its last record, when it stops, is a final heartbeat.

import { randomBytes } from "node:crypto";
import type { Observation } from "../observation.js";
import { EventsSource } from "../sources/events-source.js";
import { DecapSinkSource, DexReceiver } from "../sources/line-sources.js";
import type { ObservationSink, Problem, Source } from "../sources/source.js";
import { connectionOptions } from "../stream/nats-config.js";
import { heartbeatLine, observationLine, problemLine, recordId } from "../stream/record.js";
import type { AgentConfig } from "./config.js";
import { Publisher } from "./publisher.js";
import { Spool } from "./spool.js";

type Item = { o: Observation } | { p: Problem } | { heartbeat: number; final?: boolean };

/** An idle agent's heartbeat period (docs/deployment.md, "Watermarks"). */
export const HEARTBEAT_MS = 1000;

/** What `ioam agent` reports. */
export interface AgentStats {
  node: string;
  start: string;
  subject: string;
  records: number;
  problems: number;
  /** Records refused because the spool was full. */
  dropped: number;
  spooledFrames: number;
  spoolBytes: number;
  published: number;
  duplicates: number;
  connected: boolean;
  lastError?: string;
}

/** One agent. */
export class Agent {
  readonly start = Date.now().toString(36) + randomBytes(3).toString("hex");
  readonly subject: string;
  readonly sources: Source[];
  private spool: Spool | undefined;
  private publisher: Publisher | undefined;
  private batch: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private alive: NodeJS.Timeout | undefined;
  private records = 0;
  private problems = 0;
  private dropped = 0;
  private droppedSince: number | undefined;
  private appendedAt = 0;
  private fail: ((e: Error) => void) | undefined;
  /** Rejects when the stream refused the agent's credentials or TLS failed (a configuration error). */
  readonly failed = new Promise<never>((_, reject) => (this.fail = reject));

  constructor(private readonly c: AgentConfig) {
    this.failed.catch(() => {}); // observed by the caller that races it; never an unhandled rejection
    this.subject = `ioam.${c.domain}.${c.node}`;
    this.sources = [
      ...c.sources.events.map((n) => new EventsSource(n === "self" ? undefined : n)),
      ...c.sources.decap.map((p) => new DecapSinkSource(p)),
      ...c.sources.dex.map((d) => new DexReceiver(d)),
    ];
  }

  /** Opens the spool, reports the gap since the previous run, starts publishing and the sources. */
  async run(): Promise<void> {
    const spool = (this.spool = Spool.open(this.c.spool.dir, { maxBytes: this.c.spool.maxBytes, fsync: this.c.spool.fsync }));
    const since = spool.previous.lastTime;
    if (since !== undefined) for (const s of this.sources) this.problem({ reason: "gap", source: `${this.c.node}:${s.name}`, time: Date.now(), since, node: this.atOf(s), ...(spool.previous.nodeId !== undefined ? { nodeId: spool.previous.nodeId } : {}), detail: `ioam agent ${this.c.node} was not running: ${s.kind === "events" ? "kernel events" : "records"} since then are lost` });
    this.publisher = new Publisher(spool, connectionOptions(this.c.nats, `ioam-agent-${this.c.node}`), { subject: this.subject, stream: this.c.nats.stream, onFatal: (e) => this.fail?.(e) });
    this.publisher.start();
    this.alive = setInterval(() => spool.noteAlive(Date.now()), 1000);
    this.timer = setInterval(() => this.flush(), Math.max(1, this.c.batch.ms));
    for (const s of this.sources) void s.run(this.sinkFor(s), undefined);
    await Promise.all(this.sources.map((s) => s.ready?.()));
  }

  /** The observation point a source's records name: the node, or the netns it reads. */
  private atOf(s: Source): string {
    return s instanceof EventsSource && s.netns !== undefined ? s.netns : this.c.node;
  }

  private sinkFor(s: Source): ObservationSink {
    const at = this.atOf(s);
    return {
      observe: (o) => {
        if (o.source === "kernel-event") {
          o.at = at;
          const id = o.nodes[0]?.nodeId;
          if (id !== undefined) this.spool!.noteNodeId(id);
        }
        this.batch.push({ o });
        if (this.batch.length >= this.c.batch.records) this.flush();
      },
      problem: (p) => this.problem({ ...p, source: `${this.c.node}:${p.source}` }),
      ready: () => Promise.resolve(),
    };
  }

  private problem(p: Problem): void {
    this.batch.push({ p });
    this.problems++;
  }

  /** Appends the batch to the spool as one frame (one message); counts it as dropped when full. */
  private flush(): void {
    const spool = this.spool!;
    if (this.batch.length === 0 && spool.waiting === 0 && Date.now() - this.appendedAt >= HEARTBEAT_MS) this.batch.push({ heartbeat: Date.now() });
    if (this.batch.length === 0) return;
    if (this.dropped > 0 && this.droppedSince !== undefined && spool.bytes < this.c.spool.maxBytes / 2) {
      this.batch.unshift({ p: { reason: "spool-full", source: `${this.c.node}:spool`, time: Date.now(), since: this.droppedSince, count: this.dropped, detail: `spool full (${this.c.spool.maxBytes} bytes) while the stream was unreachable: records dropped` } });
      (this.dropped = 0), (this.droppedSince = undefined);
    }
    const items = this.batch;
    this.batch = [];
    const first = spool.nextSeq;
    let time = 0;
    const lines = items.map((it, i) => {
      const id = recordId(this.c.node, this.start, first + i);
      if ("o" in it) return (time = Math.max(time, it.o.time)), observationLine(id, it.o);
      if ("heartbeat" in it) return heartbeatLine(id, it.heartbeat, it.final);
      return problemLine(id, it.p);
    });
    if (spool.append(recordId(this.c.node, this.start, first), lines.join("\n"), items.length, time)) {
      this.appendedAt = Date.now();
      this.records += items.filter((it) => "o" in it).length;
      this.publisher?.kick();
    } else {
      this.droppedSince ??= Date.now();
      this.dropped += items.length;
    }
  }

  stats(): AgentStats {
    const p = this.publisher?.stats;
    const s: AgentStats = { node: this.c.node, start: this.start, subject: this.subject, records: this.records, problems: this.problems, dropped: this.dropped, spooledFrames: this.spool?.waiting ?? 0, spoolBytes: this.spool?.bytes ?? 0, published: p?.records ?? 0, duplicates: p?.duplicates ?? 0, connected: p?.connected ?? false };
    if (p?.lastError) s.lastError = p.lastError;
    return s;
  }

  /** Stops the sources, spools what is batched, publishes what it can within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    await Promise.all(this.sources.map((s) => s.stop()));
    clearInterval(this.timer);
    clearInterval(this.alive);
    this.flush();
    this.batch.push({ heartbeat: Date.now(), final: true }); // a frame of its own: it holds the workers' assembly back no more
    this.flush();
    await this.publisher?.stop(graceMs);
    this.spool?.noteAlive(Date.now());
    this.spool?.close();
  }
}
