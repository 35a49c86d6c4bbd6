// The live tail (docs/api.md, "/tail"): journeys as they are stored, pushed to WebSocket
// clients. It polls the store's "journeys by time" query — so it works over any Store, also one
// another process writes — and sends each journey once. Every client has a bounded buffer: a
// client whose unsent bytes pass the bound is dropped (close 1008 is not even attempted: its
// socket is full), and since sends never wait, nobody else waits for it.

import type { WebSocket } from "ws";
import type { ApiContext } from "./api/context.js";
import { journeyJson } from "./api/journey-json.js";
import { keyHops } from "./api/summary.js";

/** What a client asked to see. */
export interface TailFilter {
  pathId?: number;
  node?: string;
}

/** Settings of the tail. */
export interface TailOptions {
  /** How often the store is asked for new journeys (default 500 ms). */
  pollMs?: number;
  /** Unsent bytes a client may have before it is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** How far back a poll looks for journeys stored late (join window, batching; default 10 s). */
  lookbackMs?: number;
  /** Most journeys sent per poll (default 2000); more are counted as skipped. */
  maxPerPoll?: number;
}

interface Client {
  ws: WebSocket;
  filter: TailFilter;
  alive: boolean;
}

/** Counters for tests and the status line. */
export interface TailStats {
  clients: number;
  sent: number;
  dropped: number;
  skipped: number;
}

export class TailHub {
  private readonly clients = new Set<Client>();
  /** Journey ids already sent (or present before the first poll), with their time, pruned by age. */
  private readonly seen = new Map<number, number>();
  private seeded = false;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private polling = false;
  readonly stats: TailStats = { clients: 0, sent: 0, dropped: 0, skipped: 0 };
  private readonly o: Required<TailOptions>;

  constructor(private readonly ctx: ApiContext, opts: TailOptions = {}) {
    this.o = { pollMs: 500, maxBufferedBytes: 1 << 20, lookbackMs: 10_000, maxPerPoll: 2000, ...opts };
  }

  /** Takes a client; polling runs while there is one. */
  add(ws: WebSocket, filter: TailFilter): void {
    const c: Client = { ws, filter, alive: true };
    this.clients.add(c);
    this.stats.clients = this.clients.size;
    ws.on("pong", () => (c.alive = true));
    ws.on("close", () => this.remove(c));
    ws.on("error", () => this.remove(c));
    ws.send(JSON.stringify({ v: 1, type: "hello", pollMs: this.o.pollMs, maxBufferedBytes: this.o.maxBufferedBytes, filter }));
    if (!this.timer) this.start();
  }

  private start(): void {
    this.timer = setInterval(() => void this.poll(), this.o.pollMs);
    // A client that vanished without closing (no pong in 30 s) is dropped too.
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) {
        if (!c.alive) this.drop(c);
        else (c.alive = false), c.ws.ping();
      }
    }, 30_000);
    void this.poll();
  }

  private remove(c: Client): void {
    this.clients.delete(c);
    this.stats.clients = this.clients.size;
    if (this.clients.size === 0) this.stop();
  }

  private drop(c: Client): void {
    this.stats.dropped++;
    c.ws.terminate();
    this.remove(c);
  }

  /** Stops polling (the clients stay connected; `close` ends them). */
  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = this.heartbeat = undefined;
  }

  /** Ends every client and stops. */
  close(): void {
    for (const c of [...this.clients]) c.ws.terminate(), this.remove(c);
    this.stop();
  }

  /** One poll: journeys not sent yet, oldest first, to every client whose filter takes them. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = this.ctx.now();
      const rows = await this.ctx.store.journeys({ from: now - this.o.lookbackMs, to: now + 60_000, limit: this.o.maxPerPoll });
      const fresh = rows.filter((r) => !this.seen.has(r.id)).reverse();
      for (const r of fresh) this.seen.set(r.id, r.timeMs);
      for (const [id, t] of this.seen) if (t < now - 2 * this.o.lookbackMs) this.seen.delete(id);
      if (!this.seeded) return void (this.seeded = true);
      if (rows.length >= this.o.maxPerPoll) this.stats.skipped++;
      for (const r of fresh) this.broadcast(r.pathId, r.pathKey, `{"v":1,"type":"journey","journey":${journeyJson(r, this.ctx.tsFormat(r.namespaceId))}}`);
    } finally {
      this.polling = false;
    }
  }

  private broadcast(pathId: number, pathKey: string, text: string): void {
    let nodes: string[] | undefined;
    for (const c of [...this.clients]) {
      if (c.filter.pathId !== undefined && c.filter.pathId !== pathId) continue;
      if (c.filter.node !== undefined && !(nodes ??= keyHops(pathKey).map((h) => h.node)).includes(c.filter.node)) continue;
      if (c.ws.bufferedAmount > this.o.maxBufferedBytes) {
        this.drop(c);
        continue;
      }
      c.ws.send(text);
      this.stats.sent++;
    }
  }
}
