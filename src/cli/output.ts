// Buffered writes to stdout that respect back-pressure, so that `decode --json` of a large
// capture streams at full speed without holding everything in memory.

import type { Writable } from "node:stream";
import { JsonBytes } from "../wire/json/json-bytes.js";

const utf8 = new TextEncoder();
/** Written buffers kept for reuse; more are in flight only while the stream is slow. */
const SPARE_BUFFERS = 4;

/** Lines of output collected in one growable byte buffer (no stream: workers use it too). */
export class LineWriter {
  readonly w = new JsonBytes(1 << 21);

  /** Appends a line of any text (a newline is added). */
  line(s: string): void {
    this.w.reserve(3 * s.length + 1);
    this.w.pos += utf8.encodeInto(s, this.w.buf.subarray(this.w.pos)).written;
    this.endLine();
  }

  /** Ends a line written directly into `w`. */
  endLine(): void {
    this.w.byte(0x0a);
  }
}

/**
 * Output to a stream in large chunks. JSON records are written straight into `w` (see
 * wire/record-json.ts) and ended with endLine().
 */
export class OutputBuffer extends LineWriter {
  /** Buffers the stream has finished writing, to write on in. */
  private readonly spare: Uint8Array[] = [];

  constructor(
    private readonly out: Writable = process.stdout,
    private readonly chunk = 1 << 20,
  ) {
    super();
  }

  /** Flushes when the buffer is large; awaits the stream if it is full. */
  async maybeFlush(): Promise<void> {
    if (this.w.pos >= this.chunk) await this.flush();
  }

  /**
   * Writes bytes rendered elsewhere (a worker), after what is buffered. `written` is called
   * once the stream is done with them, so that their buffer can be used again.
   */
  async writeBytes(b: Uint8Array, written?: () => void): Promise<void> {
    await this.flush();
    if (!this.out.write(b, written && (() => written()))) await new Promise<void>((resolve) => this.out.once("drain", resolve));
  }

  /**
   * Flushes, then resolves once the stream has handed every byte to the system, so that a
   * message written to stderr afterwards comes after the output, and nothing is lost when the
   * process ends.
   */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => this.out.write(new Uint8Array(0), () => resolve()));
  }

  async flush(): Promise<void> {
    if (this.w.pos === 0) return;
    // The stream may keep the bytes until it has written them, so hand it this buffer and
    // write on in another: one it has finished with, or a new one.
    const full = this.w.buf;
    const data = Buffer.from(full.buffer, full.byteOffset, this.w.pos);
    this.w.buf = this.spare.pop() ?? new Uint8Array(full.length);
    this.w.reset();
    if (!this.out.write(data, () => this.spare.length < SPARE_BUFFERS && this.spare.push(full))) await new Promise<void>((resolve) => this.out.once("drain", resolve));
  }
}

/** Progress on stderr, at most once a second, only for a person watching a terminal. */
export class Progress {
  private last = Date.now();
  private readonly started = this.last;
  private shown = false;
  constructor(private readonly what: string, private readonly enabled = process.stderr.isTTY === true) {}

  tick(count: number): void {
    if (!this.enabled || (count & 1023) !== 0) return;
    const now = Date.now();
    if (now - this.last < 1000) return;
    this.last = now;
    this.shown = true;
    const rate = Math.round(count / ((now - this.started) / 1000));
    process.stderr.write(`\r${this.what}: ${count} (${rate}/s)   `);
  }

  done(): void {
    if (this.shown) process.stderr.write("\n");
  }
}
