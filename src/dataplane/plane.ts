// The packet-processing part of the daemon: one queue socket and handler per worker — on the
// main thread when there is one worker, else on worker threads (node-worker.ts), each bound to
// its own queue of a --queue-balance range. Counters live in one SharedArrayBuffer (a region
// per worker), encap sequences in another (one shared frequency counter per policy: k/n stays
// exact however packets spread over workers). With a trace context (docs/cross-layer.md) each
// thread keeps its own copy of the flow registry: the local API runs on the main thread, which
// sends every change to every worker (registry()).

import { Worker } from "node:worker_threads";
import type { NfqueueOptions } from "../linux/nfqueue/options.js";
import { RealtimeClock } from "./clock.js";
import { type SetupInput, buildSetup, newSequenceBuffer, sharedSequences } from "./handler-setup.js";
import { counterRegion, newCounterBuffer } from "./node-counters.js";
import { NodeHandler } from "./node-handler.js";
import { NfqueuePath } from "./nfqueue-path.js";
import type { PacketPathStats } from "./packet-path.js";
import type { EncapPacketFacts } from "../node/encap.js";
import { Sink } from "./sink.js";
import { type FlowChange, type FlowRegistry, FlowContexts, applyFlowChange } from "./trace-context-api.js";

type OpaqueHook = NonNullable<EncapPacketFacts["opaqueFor"]>;

/** How often the engine's counters are copied into the shared buffer. */
const SYNC_MS = 100;

export interface PlaneOptions {
  queue: number;
  workers: number;
  failOpen: boolean;
  sinkPath: string | undefined;
}

/** What a worker (or the main thread's one handler) is started with. */
export interface CoreStart {
  input: SetupInput;
  queue: number;
  failOpen: boolean;
  sinkPath: string | undefined;
  counters: SharedArrayBuffer;
  sequences: SharedArrayBuffer;
  region: number;
}

/** One queue, one handler: what runs on the main thread or inside a worker. */
export class PlaneCore {
  private timer: NodeJS.Timeout | undefined;
  private constructor(
    private readonly path: NfqueuePath,
    private readonly handler: NodeHandler,
    private readonly sink: Sink,
    private readonly seq: SharedArrayBuffer,
    /** This thread's copy of the flow registry and the snapshot hook it answers (with a trace context configured). */
    private readonly contexts: FlowContexts | undefined,
    private readonly opaqueFor: OpaqueHook | undefined,
  ) {
    handler.traceContexts = contexts;
    this.timer = setInterval(() => handler.syncCounters(), SYNC_MS);
  }

  static async open(s: CoreStart): Promise<PlaneCore> {
    const sink = new Sink(s.sinkPath);
    const contexts = s.input.spec.traceContext ? new FlowContexts() : undefined;
    const opaqueFor: OpaqueHook | undefined = contexts && ((p) => contexts.snapshotFor(p));
    const setup = buildSetup(s.input, sharedSequences(s.sequences), opaqueFor);
    const options: NfqueueOptions = { queues: [s.queue], failOpen: s.failOpen };
    let handler: NodeHandler | undefined;
    const path = await NfqueuePath.open(options, (p) => handler!.handle(p));
    handler = new NodeHandler(path, setup, counterRegion(s.counters, s.region), new RealtimeClock(), sink, !s.failOpen);
    return new PlaneCore(path, handler, sink, s.sequences, contexts, opaqueFor);
  }

  /** A new configuration, in force from the next packet (JavaScript runs one packet at a time). */
  update(input: SetupInput, sequences: SharedArrayBuffer = this.seq): void {
    this.handler.setup = buildSetup(input, sharedSequences(sequences), this.opaqueFor);
  }

  /** A change of the flow registry (from the local API); ignored without a trace context. */
  flow(change: FlowChange): void {
    if (this.contexts) applyFlowChange(this.contexts, change);
  }

  stats(): PacketPathStats {
    this.handler.syncCounters();
    return this.path.stats();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.path.close();
    this.handler.syncCounters();
    await this.sink.close();
  }
}

/** The daemon's packet processing, on one or several threads. */
export class Plane {
  readonly counters: SharedArrayBuffer;
  private sequences: SharedArrayBuffer;
  private core: PlaneCore | undefined;
  private readonly workers: Worker[] = [];

  private constructor(readonly opts: PlaneOptions, policies: number) {
    this.counters = newCounterBuffer(opts.workers);
    this.sequences = newSequenceBuffer(policies);
  }

  static async open(input: SetupInput, opts: PlaneOptions): Promise<Plane> {
    const plane = new Plane(opts, input.spec.encap.length);
    const start = (i: number): CoreStart => ({ input, queue: opts.queue + i, failOpen: opts.failOpen, sinkPath: opts.sinkPath, counters: plane.counters, sequences: plane.sequences, region: i });
    if (opts.workers === 1) plane.core = await PlaneCore.open(start(0));
    else {
      try {
        for (let i = 0; i < opts.workers; i++) plane.workers.push(await startWorker(start(i)));
      } catch (e) {
        await plane.close();
        throw e;
      }
    }
    return plane;
  }

  /** Swaps in a new configuration on every thread; a reload's policies start with fresh counters, a refresh keeps them. */
  update(input: SetupInput, o: { keepSequences: boolean }): void {
    if (!o.keepSequences) this.sequences = newSequenceBuffer(input.spec.encap.length);
    this.core?.update(input, this.sequences);
    for (const w of this.workers) w.postMessage({ op: "update", input, sequences: this.sequences });
  }

  /** The flow registry as the local API sees it: each change goes to every thread's copy, in force when every worker said so. */
  registry(): FlowRegistry {
    const send = async (change: FlowChange) => {
      this.core?.flow(change);
      await Promise.all(this.workers.map((w) => ask(w, "flow", { change })));
    };
    return { set: (flow, ctx, ttlMs = 30_000) => send({ op: "set", flow, ctx, ttlMs }), delete: (flow) => send({ op: "delete", flow }) };
  }

  /** The queue sockets' own counts, summed over workers. */
  async pathStats(): Promise<PacketPathStats> {
    if (this.core) return this.core.stats();
    const all = await Promise.all(this.workers.map((w) => ask<PacketPathStats>(w, "stats")));
    const sum = { ...all[0]! };
    for (const s of all.slice(1)) for (const k of Object.keys(sum) as Array<keyof PacketPathStats>) sum[k] += s[k];
    return sum;
  }

  async close(): Promise<void> {
    await this.core?.close();
    await Promise.all(this.workers.map((w) => ask(w, "close").catch(() => undefined).then(() => w.terminate())));
  }
}

function startWorker(start: CoreStart): Promise<Worker> {
  const w = new Worker(new URL("./node-worker.js", import.meta.url), { workerData: start });
  return new Promise((resolve, reject) => {
    w.once("message", (m: { op: string; error?: string }) => (m.op === "ready" ? resolve(w) : reject(new Error(m.error))));
    w.once("error", reject);
  });
}

let asked = 0;
function ask<T>(w: Worker, op: string, more: object = {}): Promise<T> {
  const id = ++asked;
  return new Promise((resolve) => {
    const on = (m: { id?: number; result?: T }) => m.id === id && (w.off("message", on), resolve(m.result as T));
    w.on("message", on);
    w.postMessage({ ...more, op, id });
  });
}
