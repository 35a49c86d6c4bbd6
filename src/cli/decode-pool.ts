// `ioam decode --pcap` on several cores: the main thread reads the capture and writes output in
// frame order; worker threads decode and render batches of frames (render-frame.ts, the same
// code as the inline path). Every buffer moves between threads by transfer, never by copy,
// and comes back to be used again: a job's input buffers return with its result, and an
// output buffer returns to the pool once stdout has written it. So after the first few jobs
// nothing is allocated per batch (a fresh multi-megabyte buffer costs its zero fill, and
// the garbage collector's time, on the main thread that everything waits for).

import { Worker } from "node:worker_threads";
import type { ByteInput } from "../capture/byte-input.js";
import { type FrameRecord, type FrameSink, readFrames } from "../capture/reader.js";
import type { OutputBuffer, Progress } from "./output.js";
import { type RenderCounts, type RenderOptions, addCounts } from "./render-frame.js";

/** Per frame in a job: tsSec, tsNsec, originalLength, capturedLength, linkType, data offset. */
export const META_FIELDS = 6;

/** A batch of frames for a worker, and the buffer to render it into. */
export interface DecodeJob {
  seq: number;
  firstFrame: number;
  count: number;
  meta: Float64Array;
  data: Uint8Array;
  out: Uint8Array;
}

/** What a worker sends back: the rendered output (out[0, length)), its counts, and the job's buffers. */
export interface DecodeResult extends RenderCounts {
  seq: number;
  out: Uint8Array;
  length: number;
  meta: Float64Array;
  data: Uint8Array;
}

export interface DecodeTotals extends RenderCounts {
  frames: number;
}

const JOB_FRAMES = 4096;
const JOB_BYTES = 4 << 20;
/** Output of a full job of 5-hop traces is ~5 MiB; the worker grows the buffer when needed. */
const OUT_BYTES = 8 << 20;

/** Buffers that came back from a worker or from stdout, for the next jobs. */
class BufferPool {
  private readonly inputs: Array<{ meta: Float64Array; data: Uint8Array }> = [];
  private readonly outputs: Uint8Array[] = [];

  takeInput(): { meta: Float64Array; data: Uint8Array } {
    return this.inputs.pop() ?? { meta: new Float64Array(JOB_FRAMES * META_FIELDS), data: new Uint8Array(JOB_BYTES) };
  }
  giveInput(meta: Float64Array, data: Uint8Array): void {
    this.inputs.push({ meta, data });
  }
  takeOutput(): Uint8Array {
    return this.outputs.pop() ?? new Uint8Array(OUT_BYTES);
  }
  giveOutput(out: Uint8Array): void {
    this.outputs.push(out);
  }
}

/** Bytes of headers between two frames up to which both go in one copy. */
const MAX_COPY_GAP = 64;

/**
 * Fills a job's buffers. Frames that follow each other in the reader's buffer (a pcap
 * record header apart) are copied in one run, not one by one: `flush()` copies the pending
 * run, and must be called before the reader's buffer changes.
 */
class JobBuilder {
  private meta: Float64Array;
  private data: Uint8Array;
  count = 0;
  /** Bytes of `data` in use, including the pending run. */
  private used = 0;
  /** The pending run: src[runStart, runEnd) goes to data[runAt, …). */
  private src: Uint8Array | undefined;
  private runStart = 0;
  private runEnd = 0;
  private runAt = 0;

  constructor(private readonly buffers: BufferPool) {
    ({ meta: this.meta, data: this.data } = buffers.takeInput());
  }

  /** Adds a frame whose bytes are b[f.dataStart, …); false when the job is full (the frame was not added). */
  add(f: FrameRecord, b: Uint8Array): boolean {
    const len = f.capturedLength;
    const start = f.dataStart;
    const joins = b === this.src && start >= this.runEnd && start - this.runEnd <= MAX_COPY_GAP;
    const at = joins ? this.runAt + (start - this.runStart) : this.used;
    if (this.count === JOB_FRAMES || (this.count > 0 && at + len > this.data.length)) return false;
    if (!joins) {
      this.flush();
      if (len > this.data.length) this.data = new Uint8Array(Math.max(len, JOB_BYTES)); // an empty job: nothing to keep
      (this.src = b), (this.runStart = start), (this.runAt = at);
    }
    this.runEnd = start + len;
    this.used = at + len;
    const m = this.meta;
    const i = this.count++ * META_FIELDS;
    m[i] = f.tsSec;
    m[i + 1] = f.tsNsec;
    m[i + 2] = f.originalLength;
    m[i + 3] = len;
    m[i + 4] = f.linkType;
    m[i + 5] = at;
    return true;
  }

  /** Copies the pending run into the job. */
  flush(): void {
    if (this.src) this.data.set(this.src.subarray(this.runStart, this.runEnd), this.runAt);
    this.src = undefined;
  }

  /** Hands the batch's buffers over (they are transferred) and starts a new batch. */
  take(seq: number, firstFrame: number): DecodeJob {
    this.flush();
    const job = { seq, firstFrame, count: this.count, meta: this.meta, data: this.data, out: this.buffers.takeOutput() };
    ({ meta: this.meta, data: this.data } = this.buffers.takeInput());
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

  constructor(n: number, opts: RenderOptions, buffers: BufferPool) {
    this.workers = Array.from({ length: n }, () => {
      const w = new Worker(new URL("./decode-worker.js", import.meta.url), { workerData: { json: opts.json, payload: opts.payload, ioamOnly: opts.ioamOnly } });
      w.on("message", (r: DecodeResult) => {
        buffers.giveInput(r.meta, r.data);
        this.results.set(r.seq, r);
        this.wake();
      });
      w.on("error", (e) => ((this.failure = e), this.wake()));
      w.on("exit", (code) => code !== 0 && !this.failure && ((this.failure = new Error(`decode worker exited with ${code}`)), this.wake()));
      return w;
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  post(job: DecodeJob): void {
    this.workers[job.seq % this.workers.length]!.postMessage(job, [job.meta.buffer as ArrayBuffer, job.data.buffer as ArrayBuffer, job.out.buffer as ArrayBuffer]);
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

/** Sends jobs to the pool, at most 4 per worker in flight, and writes results in job order. */
class InOrder {
  sent = 0;
  private written = 0;
  constructor(
    private readonly pool: Pool,
    private readonly buffers: BufferPool,
    private readonly out: OutputBuffer,
    private readonly totals: DecodeTotals,
    private readonly threads: number,
  ) {}

  private async writeReady(): Promise<void> {
    for (let r = this.pool.results.get(this.written); r; r = this.pool.results.get(this.written)) {
      this.pool.results.delete(this.written++);
      addCounts(this.totals, r);
      const rendered = r.out;
      await this.out.writeBytes(rendered.subarray(0, r.length), () => this.buffers.giveOutput(rendered));
    }
  }

  async send(job: DecodeJob): Promise<void> {
    await this.writeReady();
    while (this.sent - this.written >= 4 * this.threads) (await this.pool.next(), await this.writeReady());
    this.pool.post(job);
    this.sent++;
  }

  /** Waits for and writes every result still out. */
  async drain(): Promise<void> {
    while (this.written < this.sent) (await this.pool.next(), await this.writeReady());
  }
}

/**
 * Decodes a capture with `threads` workers, writing output in frame order into `totals`. When
 * the capture turns out bad (cut inside a record), every frame before the bad spot is still
 * decoded and written, then the reader's error is thrown.
 */
export async function decodeWithWorkers(input: ByteInput, opts: RenderOptions, limit: number, threads: number, out: OutputBuffer, progress: Progress, totals: DecodeTotals): Promise<void> {
  const buffers = new BufferPool();
  const pool = new Pool(threads, opts, buffers);
  const order = new InOrder(pool, buffers, out, totals, threads);
  try {
    const jobs = new JobBuilder(buffers);
    const ready: DecodeJob[] = [];
    let first = 1;
    // Called for every frame while the reader parses a run; jobs that fill up wait in `ready`.
    const sink: FrameSink = (f, b) => {
      if (totals.frames >= limit) return;
      if (!jobs.add(f, b)) {
        ready.push(jobs.take(order.sent + ready.length, first));
        first = totals.frames + 1;
        jobs.add(f, b);
      }
      progress.tick(++totals.frames);
    };
    let readError: unknown;
    try {
      for await (const _ of readFrames(input, sink)) {
        jobs.flush(); // before the reader reuses its buffer
        for (const job of ready.splice(0)) await order.send(job);
        if (totals.frames >= limit) break;
      }
    } catch (e) {
      readError = e; // the frames read before it still go out, then it is thrown
    }
    for (const job of ready.splice(0)) await order.send(job);
    if (jobs.count) await order.send(jobs.take(order.sent, first));
    await order.drain();
    if (readError !== undefined) throw readError;
  } finally {
    await pool.close();
  }
}
