// Loss between encapsulation and decapsulation from sequence numbers (E2E, RFC 9197 §4.6; DEX,
// RFC 9326 §3.2): per flow, the numbers seen in a sliding window of WINDOW; a number that falls
// out of the window unseen is lost. Late (reordered) packets inside the window fill their gap;
// repeats are counted as duplicates, not as received twice.

/** How far behind the highest number a late packet still counts (numbers). */
export const SEQ_WINDOW = 4096;

/** Counters of one flow. */
export interface SeqCounts {
  received: number;
  lost: number;
  duplicates: number;
  /** Numbers more than the window behind the highest (restarts, very late packets). */
  outOfWindow: number;
}

/** Sequence tracking for one flow. */
export class SeqTracker implements SeqCounts {
  private readonly seen = new Uint8Array(SEQ_WINDOW);
  private highest = -1;
  received = 0;
  lost = 0;
  duplicates = 0;
  outOfWindow = 0;

  add(seq: number): void {
    if (this.highest < 0) {
      this.firstSeq = seq;
      this.highest = seq;
      this.seen[seq % SEQ_WINDOW] = 1;
      this.received++;
      return;
    }
    if (seq > this.highest) return this.advance(seq);
    if (this.highest - seq >= SEQ_WINDOW) {
      this.outOfWindow++;
      return;
    }
    const slot = seq % SEQ_WINDOW;
    if (this.seen[slot]) this.duplicates++;
    else (this.seen[slot] = 1), this.received++;
  }

  /** Moves the window's top from `highest` to `seq`: numbers leaving it unseen are lost. */
  private advance(seq: number): void {
    const h = this.highest;
    const oldLo = Math.max(this.firstSeq, h - SEQ_WINDOW + 1);
    const leaveEnd = Math.min(h, seq - SEQ_WINDOW); // old numbers in [oldLo, leaveEnd] leave
    for (let s = oldLo; s <= leaveEnd; s++) if (!this.seen[s % SEQ_WINDOW]) this.lost++;
    if (seq - SEQ_WINDOW > h) this.lost += seq - SEQ_WINDOW - h; // new numbers skipped past the window
    if (seq - h >= SEQ_WINDOW) this.seen.fill(0);
    else for (let s = h + 1; s <= seq; s++) this.seen[s % SEQ_WINDOW] = 0;
    this.highest = seq;
    this.seen[seq % SEQ_WINDOW] = 1;
    this.received++;
  }

  private firstSeq = 0;

  /** Numbers in the window not (yet) seen: counted lost if they never come. */
  pending(): number {
    if (this.highest < 0) return 0;
    const lo = Math.max(this.firstSeq, this.highest - SEQ_WINDOW + 1);
    let n = 0;
    for (let s = lo; s <= this.highest; s++) if (!this.seen[s % SEQ_WINDOW]) n++;
    return n;
  }

  /** Counts as they stand, with the numbers still missing in the window counted as lost. */
  final(): SeqCounts {
    return { received: this.received, lost: this.lost + this.pending(), duplicates: this.duplicates, outOfWindow: this.outOfWindow };
  }
}
