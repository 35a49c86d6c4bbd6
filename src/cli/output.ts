// Buffered writes to stdout that respect back-pressure, so that `decode --json` of a large
// capture streams at full speed without holding everything in memory.

import type { Writable } from "node:stream";

/** Collects text and flushes it in large chunks. */
export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;
  constructor(
    private readonly out: Writable = process.stdout,
    private readonly chunk = 1 << 16,
  ) {}

  /** Appends a line (a newline is added). */
  line(s: string): void {
    this.parts.push(s, "\n");
    this.size += s.length + 1;
  }

  /** Flushes when the buffer is large; awaits the stream if it is full. */
  async maybeFlush(): Promise<void> {
    if (this.size >= this.chunk) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join("");
    this.parts = [];
    this.size = 0;
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once("drain", resolve));
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
