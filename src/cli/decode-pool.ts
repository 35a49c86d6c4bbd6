// `ioam decode --pcap` on several cores: the main thread reads the capture and writes output in
// frame order; worker threads decode and render batches of frames (render-frame.ts, the same
// code as the inline path). Batches and their output are transferred, not copied.

import { Worker } from "node:worker_threads";
import { readCapture } from "../capture/reader.js";
import type { CapturedPacket } from "../capture/packet.js";
import type { OutputBuffer, Progress } from "./output.js";
import type { RenderCounts, RenderOptions } from "./render-frame.js";

/** Per frame in a job: tsSec, tsNsec, originalLength, capturedLength, linkType, data offset. */
export const META_FIELDS = 6;

/** A batch of frames for a worker. */
export interface DecodeJob {
  seq: number;
  firstFrame: number;
  count: number;
  meta: Float64Array;
  data: Uint8Array;
}

/** What a worker sends back: the rendered output and its counts. */
export interface DecodeResult extends RenderCounts {
  seq: number;
  out: Uint8Array;
}

export interface DecodeTotals extends RenderCounts {
  frames: number;
}

const JOB_FRAMES = 4096;
const JOB_BYTES = 4 << 20;

class JobBuilder {
  private meta = new Float64Array(JOB_FRAMES * META_FIELDS);
  private data = new Uint8Array(JOB_BYTES);
  count = 0;
  private used = 0;

  /** Adds a frame; false when the job is full (the frame was not added). */
  add(p: CapturedPacket): boolean {
    if (this.count === JOB_FRAMES || (this.count > 0 && this.used + p.data.length > this.data.length)) return false;
    if (p.data.length > this.data.length) this.data = new Uint8Array(p.data.length);
    const m = this.meta;
    const at = this.count * META_FIELDS;
    m[at] = p.tsSec;
    m[at + 1] = p.tsNsec;
    m[at + 2] = p.originalLength;
    m[at + 3] = p.capturedLength;
    m[at + 4] = p.linkType;
    m[at + 5] = this.used;
    this.data.set(p.data, this.used);
    this.used += p.data.length;
    this.count++;
    return true;
  }

  /** Hands the batch's buffers over (they are transferred) and starts a new batch. */
  take(seq: number, firstFrame: number): DecodeJob {
    const job = { seq, firstFrame, count: this.count, meta: this.meta, data: this.data };
    this.meta = new Float64Array(JOB_FRAMES * META_FIELDS);
    this.data = new Uint8Array(Math.max(JOB_BYTES, this.data.length));
    this.count = 0;
    this.used = 0;
    return job;
  }
}

class Pool {
  readonly results = new Map<number, DecodeResult>();
  private readonly workers: Worker[];
  private waiters: Array<() => void> = [];
  private failure: Error | undefined;

  constructor(n: number, opts: RenderOptions) {
    this.workers = Array.from({ length: n }, () => {
      const w = new Worker(new URL("./decode-worker.js", import.meta.url), { workerData: { json: opts.json, payload: opts.payload, ioamOnly: opts.ioamOnly } });
      w.on("message", (r: DecodeResult) => (this.results.set(r.seq, r), this.wake()));
      w.on("error", (e) => ((this.failure = e), this.wake()));
      w.on("exit", (code) => code !== 0 && !this.failure && ((this.failure = new Error(`decode worker exited with ${code}`)), this.wake()));
      return w;
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  post(job: DecodeJob): void {
    this.workers[job.seq % this.workers.length]!.postMessage(job, [job.meta.buffer as ArrayBuffer, job.data.buffer as ArrayBuffer]);
  }

  /** Resolves at the next result; throws if a worker failed. */
  async next(): Promise<void> {
    if (!this.failure) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Decodes a capture with `threads` workers, writing output in frame order. */
export async function decodeWithWorkers(path: string, opts: RenderOptions, limit: number, threads: number, out: OutputBuffer, progress: Progress): Promise<DecodeTotals> {
  const pool = new Pool(threads, opts);
  const totals: DecodeTotals = { frames: 0, notIpv6: 0, malformed: 0 };
  let sent = 0;
  let written = 0;
  const writeReady = async (): Promise<void> => {
    for (let r = pool.results.get(written); r; r = pool.results.get(written)) {
      pool.results.delete(written++);
      totals.malformed += r.malformed;
      totals.notIpv6 += r.notIpv6;
      await out.writeBytes(r.out);
    }
  };
  const send = async (job: DecodeJob): Promise<void> => {
    await writeReady();
    while (sent - written >= 4 * threads) (await pool.next(), await writeReady());
    pool.post(job);
    sent++;
  };
  try {
    const jobs = new JobBuilder();
    let first = 1;
    outer: for await (const batch of readCapture(path)) {
      for (const p of batch) {
        if (totals.frames >= limit) break outer;
        if (!jobs.add(p)) {
          await send(jobs.take(sent, first));
          first = totals.frames + 1;
          jobs.add(p);
        }
        progress.tick(++totals.frames);
      }
    }
    if (jobs.count) await send(jobs.take(sent, first));
    while (written < sent) (await pool.next(), await writeReady());
  } finally {
    await pool.close();
  }
  return totals;
}
