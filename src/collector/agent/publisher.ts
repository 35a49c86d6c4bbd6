// Publishes the spool's frames to JetStream in spool order, a window of frames at a time, each
// with its message id (JetStream drops a repeat within the stream's duplicate window) and only
// removes a frame from the spool once its publish acknowledgement arrived. While the stream is
// unreachable nothing is removed: the frames wait on disk and go out, oldest first, when it
// returns. After a failure sending restarts at the first unacknowledged frame.

import type { ConnectionOptions, JetStreamClient, NatsConnection } from "nats";
import { connectNats } from "../stream/nats-connect.js";
import type { Spool, SpoolFrame } from "./spool.js";

/** Counters of the publisher. */
export interface PublisherStats {
  connected: boolean;
  /** Frames and records acknowledged by the stream. */
  frames: number;
  records: number;
  /** Frames the stream already had (a resend after a lost acknowledgement). */
  duplicates: number;
  /** Heartbeat frames acknowledged (not counted in records). */
  heartbeats: number;
  errors: number;
  lastError?: string;
}

/** Settings of the publisher. */
export interface PublisherOptions {
  subject: string;
  stream: string;
  /** Frames sent before waiting for their acknowledgements (default 32). */
  window?: number;
  /** How long to wait for one acknowledgement (default 5 s). */
  timeoutMs?: number;
  /** Hears that the stream refused the credentials or the TLS handshake failed: nothing more will be sent. */
  onFatal?: (e: Error) => void;
}

/** A frame the agent sent with nothing to send: one heartbeat line (stream/record.ts). */
const isHeartbeat = (f: SpoolFrame) => f.count === 1 && f.payload.includes('"heartbeat":true');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Spool → JetStream. */
export class Publisher {
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  readonly stats: PublisherStats = { connected: false, frames: 0, records: 0, duplicates: 0, heartbeats: 0, errors: 0 };

  constructor(
    private readonly spool: Spool,
    private readonly conn: ConnectionOptions,
    private readonly opts: PublisherOptions,
  ) {}

  /** Connects in the background (retrying while no server answers) and starts sending. */
  start(): void {
    connectNats(this.conn, { stopped: () => this.stopped, onRetry: (e) => this.error(e) }).then(
      (nc) => nc && this.connected(nc),
      (e: Error) => (this.error(e), this.opts.onFatal?.(e)),
    );
    this.loop = this.run();
  }

  private connected(nc: NatsConnection): void {
    if (this.stopped) return void nc.close();
    this.nc = nc;
    this.js = nc.jetstream();
    this.stats.connected = true;
    void (async () => {
      for await (const s of nc.status()) this.stats.connected = s.type !== "disconnect" && s.type !== "reconnecting" ? true : false;
    })();
    this.kick();
  }

  private error(e: unknown): void {
    this.stats.errors++;
    this.stats.lastError = e instanceof Error ? e.message : String(e);
  }

  /** New frames are in the spool. */
  kick(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.js || this.spool.waiting === 0) {
        await new Promise<void>((r) => ((this.wake = r), setTimeout(r, 1000)));
        continue;
      }
      if (!(await this.sendWindow(this.js))) await sleep(500);
    }
  }

  /** Sends the oldest frames; acknowledges the unbroken prefix that succeeded. False on a failure. */
  private async sendWindow(js: JetStreamClient): Promise<boolean> {
    const n = Math.min(this.spool.waiting, this.opts.window ?? 32);
    const frames = Array.from({ length: n }, (_, i) => this.spool.at(i)!);
    const results = await Promise.allSettled(frames.map((f) => js.publish(this.opts.subject, f.payload, { msgID: f.msgId, expect: { streamName: this.opts.stream }, timeout: this.opts.timeoutMs ?? 5000 })));
    let ok = 0;
    for (const r of results) {
      if (r.status !== "fulfilled") break;
      if (r.value.duplicate) this.stats.duplicates++;
      if (isHeartbeat(frames[ok]!)) this.stats.heartbeats++;
      else this.stats.records += frames[ok]!.count;
      ok++;
    }
    this.stats.frames += ok;
    this.spool.ack(ok);
    const failed = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
    if (failed) this.error(failed.reason);
    return failed === undefined;
  }

  /** Sends what it can within `graceMs`, then closes the connection; the rest stays spooled. */
  async stop(graceMs = 3000): Promise<void> {
    const until = Date.now() + graceMs;
    while (this.js && this.spool.waiting > 0 && Date.now() < until) await sleep(50);
    this.stopped = true;
    this.kick();
    await this.loop;
    await this.nc?.close();
  }
}
