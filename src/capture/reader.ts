// Streaming reader for pcap and pcapng files (format told by the magic number:
// draft-ietf-opsawg-pcap §4, draft-ietf-opsawg-pcapng §4.1). The file is read through one
// reusable chunk buffer; records are parsed synchronously out of it and handed out in
// batches, so the only awaits are one per chunk read and one per batch. Reads are in order,
// never positioned, so a pipe, a FIFO or standard input reads like a file (byte-input.ts).

import { type ByteInput, openByteInput } from "./byte-input.js";
import { captureError } from "./_errors.js";
import type { FrameSink, RecordParser } from "./_parser.js";

export type { FrameRecord, FrameSink } from "./_parser.js";
import type { CapturedPacket } from "./packet.js";
import { PcapParser, pcapMagicFormat } from "./pcap.js";
import { PCAPNG, PcapngParser } from "./pcapng.js";

/** Options of readCapture. */
export interface ReadCaptureOptions {
  /** Most packets per batch (default 1024). A batch may hold fewer, never zero. */
  batchSize?: number;
  /** Initial chunk buffer size in bytes (default 1 MiB); it grows only for a larger record. */
  chunkSize?: number;
  /**
   * Hand out only frames whose record starts at or after this file offset (a `recordOffset`
   * seen before): resuming a file. Records before it are parsed (pcapng needs its section and
   * interface blocks) but not handed out.
   */
  startOffset?: number;
}

const DEFAULT_BATCH = 1024;
const DEFAULT_CHUNK = 1 << 20;
const MAGIC_LENGTH = 4;

/** The file, the chunk buffer and the unparsed window [pos, end) inside it. */
class Chunks {
  buf: Uint8Array;
  dv: DataView;
  /** File offset of buf[0]. */
  base = 0;
  pos = 0;
  end = 0;

  constructor(
    private readonly input: ByteInput,
    chunkSize: number,
  ) {
    this.buf = new Uint8Array(chunkSize);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Moves the unparsed bytes to the front, grows to hold `need` of them, reads once more. Returns the bytes read. */
  async refill(need: number): Promise<number> {
    const left = this.end - this.pos;
    if (need > this.buf.length) this.grow(need);
    else this.buf.copyWithin(0, this.pos, this.end);
    this.base += this.pos;
    this.pos = 0;
    this.end = left;
    const bytesRead = await this.input.read(this.buf, left, this.buf.length - left);
    this.end += bytesRead;
    return bytesRead;
  }

  /** Bytes of the input from file offset `at` on, when the input's size is known. */
  bytesFrom(at: number): number | undefined {
    return this.input.size === undefined ? undefined : this.input.size - at;
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.pos, this.end));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
}

/**
 * Reads the pcap or pcapng file at `path` ("-" for standard input, or an opened ByteInput) in batches of packets, in file order. Each
 * batch's `data` arrays alias the reader's buffer and stay valid until the next batch is
 * requested. Throws DecodeError (layer "capture", offset = file byte offset) for an unknown
 * magic number, a corrupt block, or a file that ends inside a record.
 */
export async function* readCapture(path: string | ByteInput, opts: ReadCaptureOptions = {}): AsyncGenerator<CapturedPacket[]> {
  let batch: CapturedPacket[] = [];
  const sink: FrameSink = (f, b) => {
    const { tsSec, tsNsec, capturedLength, originalLength, linkType, interfaceIndex, dataStart } = f;
    batch.push({ tsSec, tsNsec, capturedLength, originalLength, linkType, interfaceIndex, data: b.subarray(dataStart, dataStart + capturedLength) });
  };
  for await (const _ of readFrames(path, sink, opts)) {
    const full = batch;
    batch = [];
    yield full;
  }
}

/**
 * readCapture without a packet object per frame: hands every frame of the file to `sink`, in
 * file order and runs of at most `batchSize`, and yields after each run the number of frames
 * in it (never 0). A frame's bytes stay valid until the generator is resumed. Throws as
 * readCapture does.
 */
export async function* readFrames(input: string | ByteInput, sink: FrameSink, opts: ReadCaptureOptions = {}): AsyncGenerator<number> {
  const batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH);
  let frames = 0;
  let at = 0;
  const from = opts.startOffset ?? 0;
  const counted: FrameSink = (f, b) => {
    if (at < from) return;
    f.recordOffset = at;
    frames++;
    sink(f, b);
  };
  const bytes = typeof input === "string" ? await openByteInput(input) : input;
  const path = bytes.name;
  try {
    const src = new Chunks(bytes, Math.max(opts.chunkSize ?? DEFAULT_CHUNK, 16));
    const parser = await detect(path, src);
    for (;;) {
      frames = 0;
      const stalled = parseBatch(parser, src, counted, () => frames < batchSize, (o) => (at = o));
      if (frames > 0) yield frames;
      if (stalled && !(await more(path, parser, src))) return;
    }
  } finally {
    await bytes.close();
  }
}

/** Parses records into `sink` while `room()` (returns false) or until the buffer runs dry (true). */
function parseBatch(parser: RecordParser, src: Chunks, sink: FrameSink, room: () => boolean, mark: (fileOffset: number) => void): boolean {
  const { buf, dv, end } = src;
  let pos = src.pos;
  parser.base = src.base;
  try {
    while (room()) {
      mark(src.base + pos);
      const used = parser.step(buf, dv, pos, end, sink);
      if (used === 0) return true;
      pos += used;
    }
    return false;
  } finally {
    src.pos = pos;
  }
}

/** Reads more bytes for the pending record. False at a clean end of file; throws inside a record. */
async function more(path: string, parser: RecordParser, src: Chunks): Promise<boolean> {
  const left = src.bytesFrom(src.base + src.pos);
  if (left !== undefined && parser.need > left && src.end > src.pos) throw truncated(path, parser, src);
  if ((await src.refill(parser.need)) > 0) return true;
  if (src.end === src.pos) return false;
  throw truncated(path, parser, src);
}

function truncated(path: string, parser: RecordParser, src: Chunks): Error {
  const at = src.base + src.pos;
  const have = Math.min(src.bytesFrom(at) ?? Infinity, src.end - src.pos);
  return captureError("TRUNCATED", path, at, `truncated ${parser.pending}: needs ${parser.need} bytes, the file has ${have}`);
}

/** Picks the parser from the first four bytes (read big-endian). */
async function detect(path: string, src: Chunks): Promise<RecordParser> {
  while (src.end < MAGIC_LENGTH) {
    if ((await src.refill(MAGIC_LENGTH)) === 0) {
      throw captureError("TRUNCATED", path, 0, `truncated capture file: ${src.end} bytes, too short for a magic number`);
    }
  }
  const magic = src.dv.getUint32(0, false);
  if (magic === PCAPNG.SHB) return new PcapngParser(path);
  if (pcapMagicFormat(magic)) return new PcapParser(path, magic);
  throw captureError("MALFORMED", path, 0, `magic number 0x${magic.toString(16).padStart(8, "0")} is neither pcap nor pcapng`);
}
