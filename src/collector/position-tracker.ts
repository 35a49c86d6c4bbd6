// Where a positioned source (a capture file) may resume: the smallest position whose
// observations are not stored yet. Positions arrive in increasing order; they are released
// (stored) roughly in order, so a queue with a released set stays small.

/** Positions read and not yet stored. */
export class PositionTracker {
  private readonly queue: number[] = [];
  private head = 0;
  private readonly released = new Map<number, number>();
  private readonly held = new Map<number, number>();

  add(p: number): void {
    const n = this.held.get(p) ?? 0;
    this.held.set(p, n + 1);
    if (n === 0) this.queue.push(p);
  }

  release(p: number): void {
    const n = this.held.get(p);
    if (n === undefined) return;
    if (n > 1) return void this.held.set(p, n - 1);
    this.held.delete(p);
    this.released.set(p, 1);
    while (this.head < this.queue.length && this.released.has(this.queue[this.head]!)) this.released.delete(this.queue[this.head++]!);
    if (this.head > 4096) this.queue.splice(0, this.head), (this.head = 0);
  }

  /**
   * The resume position: the oldest position still held, else just after `lastRead` (the last
   * position the source handed out), else undefined (nothing read yet).
   */
  safe(lastRead: number | undefined): number | undefined {
    if (this.head < this.queue.length) return this.queue[this.head];
    return lastRead === undefined ? undefined : lastRead + 1;
  }
}
