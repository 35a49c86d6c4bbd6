// The agent's on-disk spool (docs/deployment.md, "The agent"): every batch of records is appended here
// before it is published, and removed only once the stream acknowledged it, so that records
// survive an unreachable stream and an agent restart and are replayed in order. It is bounded
// (maxBytes): when full, new batches are refused and the agent counts what it dropped. It also
// keeps the record sequence: the next sequence number is derived from the last frame, which is
// never deleted, and from state.json, so a restarted agent never reuses an id.
//
// Layout: DIR/NNNNNNNNNNNNNNNN.seg files (named by their first sequence number), each a list of
// frames: u32 payload length, u32 record count, f64 first sequence, f64 newest record time,
// u16 message-id length, message id, payload (all big-endian). A frame cut short by a kill is
// truncated when the spool is opened. DIR/state.json: where the unacknowledged frames begin.

import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

const HEADER = 26;

/** One batch as spooled. */
export interface SpoolFrame {
  segment: string;
  /** Where the frame ends in its segment (the acknowledged position after it). */
  end: number;
  msgId: string;
  firstSeq: number;
  count: number;
  time: number;
  payload: Buffer;
}

/** Settings of the spool. */
export interface SpoolOptions {
  /** Most bytes on disk (default 64 MiB). */
  maxBytes?: number;
  /** Segment size before a new file is started (default 4 MiB). */
  segmentBytes?: number;
  /** fsync every frame: survives power loss, not only the agent being killed (default false). */
  fsync?: boolean;
}

interface State {
  segment: string;
  offset: number;
  nextSeq: number;
  lastTime?: number;
  nodeId?: number;
}

const segName = (seq: number) => String(seq).padStart(16, "0") + ".seg";

/** Reads the frames of one segment; returns them and the length of its complete part. */
function readSegment(dir: string, segment: string, from: number): { frames: SpoolFrame[]; complete: number } {
  const b = readFileSync(join(dir, segment));
  const frames: SpoolFrame[] = [];
  let o = 0;
  while (o + HEADER <= b.length) {
    const len = b.readUInt32BE(o);
    const idLen = b.readUInt16BE(o + 24);
    const end = o + HEADER + idLen + len;
    if (end > b.length) break;
    if (o >= from) {
      const msgId = b.toString("utf8", o + HEADER, o + HEADER + idLen);
      frames.push({ segment, end, msgId, count: b.readUInt32BE(o + 4), firstSeq: b.readDoubleBE(o + 8), time: b.readDoubleBE(o + 16), payload: b.subarray(o + HEADER + idLen, end) });
    }
    o = end;
  }
  return { frames, complete: o };
}

/** A directory of segments holding the batches not yet acknowledged. */
export class Spool {
  private readonly frames: SpoolFrame[] = [];
  private head = 0;
  private fd = -1;
  private active = "";
  private activeSize = 0;
  private diskBytes = 0;
  private state: State;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  /** The newest record time and node id the previous run left (for its gap report). */
  readonly previous: { lastTime?: number; nodeId?: number };

  private constructor(private readonly dir: string, private readonly opts: SpoolOptions) {
    this.maxBytes = opts.maxBytes ?? 64 << 20;
    this.segmentBytes = opts.segmentBytes ?? 4 << 20;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, "state.json");
    this.state = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as State) : { segment: "", offset: 0, nextSeq: 1 };
    this.recover();
    this.previous = { ...(this.state.lastTime !== undefined ? { lastTime: this.state.lastTime } : {}), ...(this.state.nodeId !== undefined ? { nodeId: this.state.nodeId } : {}) };
  }

  /** Opens (creating) the spool in `dir`, truncating a frame a kill left incomplete. */
  static open(dir: string, opts: SpoolOptions = {}): Spool {
    return new Spool(dir, opts);
  }

  private recover(): void {
    const segments = readdirSync(this.dir).filter((f) => f.endsWith(".seg")).sort();
    for (const seg of segments) {
      const acked = seg < this.state.segment;
      if (acked && seg !== segments[segments.length - 1]) {
        unlinkSync(join(this.dir, seg));
        continue;
      }
      const from = seg === this.state.segment ? this.state.offset : acked ? Infinity : 0;
      const { frames, complete } = readSegment(this.dir, seg, from);
      if (complete < statSync(join(this.dir, seg)).size) truncateSync(join(this.dir, seg), complete);
      this.frames.push(...frames);
      this.diskBytes += complete;
      const last = frames[frames.length - 1] ?? readSegment(this.dir, seg, 0).frames.pop();
      if (last) this.noteFrame(last);
      (this.active = seg), (this.activeSize = complete);
    }
  }

  private noteFrame(f: SpoolFrame): void {
    this.state.nextSeq = Math.max(this.state.nextSeq, f.firstSeq + f.count);
    if (f.count > 0) this.state.lastTime = Math.max(this.state.lastTime ?? 0, f.time);
  }

  /** The next record sequence number (never one used before, by this or an earlier run). */
  get nextSeq(): number {
    return this.state.nextSeq;
  }

  /** Remembers the node id this agent's events show, for the gap report of its next start. */
  noteNodeId(id: number): void {
    if (this.state.nodeId !== id) (this.state.nodeId = id), this.persist();
  }

  /** Records that the agent was alive at `time` (the start of its gap, should it be killed now). */
  noteAlive(time: number): void {
    this.state.lastTime = Math.max(this.state.lastTime ?? 0, time);
    this.persist();
  }

  /**
   * Appends one batch of `count` records (sequences nextSeq …), newest record time `time`.
   * Returns false, writing nothing, when the spool is full.
   */
  append(msgId: string, payload: string, count: number, time: number): boolean {
    const id = Buffer.from(msgId);
    const body = Buffer.from(payload);
    const size = HEADER + id.length + body.length;
    if (this.diskBytes + size > this.maxBytes) return false;
    const firstSeq = this.state.nextSeq;
    if (this.fd < 0 || this.activeSize >= this.segmentBytes) this.rotate(firstSeq);
    const frame = Buffer.alloc(size);
    frame.writeUInt32BE(body.length, 0);
    frame.writeUInt32BE(count, 4);
    frame.writeDoubleBE(firstSeq, 8);
    frame.writeDoubleBE(time, 16);
    frame.writeUInt16BE(id.length, 24);
    id.copy(frame, HEADER);
    body.copy(frame, HEADER + id.length);
    writeSync(this.fd, frame);
    if (this.opts.fsync) fsyncSync(this.fd);
    this.activeSize += size;
    this.diskBytes += size;
    const f: SpoolFrame = { segment: this.active, end: this.activeSize, msgId, firstSeq, count, time, payload: frame.subarray(HEADER + id.length) };
    this.frames.push(f);
    this.noteFrame(f);
    return true;
  }

  private rotate(firstSeq: number): void {
    if (this.fd >= 0) closeSync(this.fd);
    const reuse = this.active !== "" && this.activeSize < this.segmentBytes;
    if (!reuse) (this.active = segName(firstSeq)), (this.activeSize = 0);
    this.fd = openSync(join(this.dir, this.active), "a", 0o600);
    this.activeSize = fstatSync(this.fd).size;
  }

  /** The frames not yet acknowledged, oldest first. */
  pending(): readonly SpoolFrame[] {
    return this.frames.slice(this.head);
  }

  /** Frames waiting, and bytes on disk. */
  get waiting(): number {
    return this.frames.length - this.head;
  }

  get bytes(): number {
    return this.diskBytes;
  }

  /** The oldest frame waiting, or undefined. */
  first(): SpoolFrame | undefined {
    return this.frames[this.head];
  }

  /** The i-th frame waiting (0 = oldest). */
  at(i: number): SpoolFrame | undefined {
    return this.frames[this.head + i];
  }

  /** Marks the `n` oldest waiting frames acknowledged; deletes segments left with none. */
  ack(n: number): void {
    if (n <= 0) return;
    const last = this.frames[this.head + n - 1]!;
    this.head += n;
    if (this.head > 1024 && this.head * 2 > this.frames.length) this.frames.splice(0, this.head), (this.head = 0);
    (this.state.segment = last.segment), (this.state.offset = last.end);
    for (const seg of readdirSync(this.dir).filter((f) => f.endsWith(".seg") && f < last.segment && f !== this.active)) {
      this.diskBytes -= statSync(join(this.dir, seg)).size;
      unlinkSync(join(this.dir, seg));
    }
    this.persist();
  }

  private persist(): void {
    const file = join(this.dir, "state.json");
    writeFileSync(file + ".tmp", JSON.stringify(this.state));
    renameSync(file + ".tmp", file);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.persist();
  }
}
