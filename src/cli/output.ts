// Buffered writes to stdout that respect back-pressure, so that `decode --json` of a large
// capture streams at full speed without holding everything in memory.

import type { Writable } from "node:stream";

/** Collects text in one reusable byte buffer and flushes it in large chunks. */
export class OutputBuffer {
  private buf: Buffer;
  private used = 0;
  constructor(
    private readonly out: Writable = process.stdout,
    private readonly chunk = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(2 * chunk);
  }

  /** Appends a line (a newline is added). */
  line(s: string): void {
    const need = this.used + 3 * s.length + 1; // worst case of UTF-8
    if (need > this.buf.length) this.grow(need);
    this.used += this.buf.write(s, this.used);
    this.buf[this.used++] = 0x0a;
  }

  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(need, 2 * this.buf.length));
    this.buf.copy(bigger, 0, 0, this.used);
    this.buf = bigger;
  }

  /** Flushes when the buffer is large; awaits the stream if it is full. */
  async maybeFlush(): Promise<void> {
    if (this.used >= this.chunk) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const data = Buffer.from(this.buf.subarray(0, this.used)); // the stream may keep it
    this.used = 0;
    if (!this.out.write(data)) await new Promise<void>((resolve) => this.out.once("drain", resolve));
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
