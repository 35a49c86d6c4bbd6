// Where a positioned source (a capture file) may resume: the smallest position whose
// observations are not stored yet. Positions arrive in increasing order (file offsets), so they
// sit in a sorted queue with a hold count each; a release finds its position by binary search
// (nearly always the head) and the head advances past released positions. No map per record.

/** Positions read and not yet stored. */
export class PositionTracker {
  private pos: number[] = [];
  private holds: number[] = [];
  private head = 0;

  /** Holds `p` (not below the last position added). */
  add(p: number): void {
    const n = this.pos.length;
    if (n > this.head && this.pos[n - 1] === p) this.holds[n - 1]!++;
    else this.pos.push(p), this.holds.push(1);
  }

  /** Releases one hold of `p` (stored). */
  release(p: number): void {
    const i = this.find(p);
    if (i < 0 || this.holds[i]! === 0) return;
    this.holds[i]!--;
    while (this.head < this.pos.length && this.holds[this.head] === 0) this.head++;
    if (this.head > 4096 && this.head * 2 > this.pos.length) {
      this.pos = this.pos.slice(this.head);
      this.holds = this.holds.slice(this.head);
      this.head = 0;
    }
  }

  private find(p: number): number {
    if (this.pos[this.head] === p) return this.head;
    let lo = this.head;
    let hi = this.pos.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.pos[mid]!;
      if (v === p) return mid;
      if (v < p) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * The resume position: the oldest position still held, else just after `lastRead` (the last
   * position the source handed out), else undefined (nothing read yet).
   */
  safe(lastRead: number | undefined): number | undefined {
    if (this.head < this.pos.length) return this.pos[this.head];
    return lastRead === undefined ? undefined : lastRead + 1;
  }
}
