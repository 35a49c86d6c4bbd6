// Buffered pcap and pcapng writers (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng).
// `write` encodes into an in-memory buffer and returns at once; a full buffer is handed to
// a queue of positional file writes that runs in the background. `close` drains it.

import { open, type FileHandle } from "node:fs/promises";
import { IoamError } from "../errors.js";
import { PcapEncoder, type RecordInput } from "./pcap.js";
import { PcapngEncoder, type PcapngInterface } from "./pcapng-encoder.js";

/** A capture file being written. Not safe to use after `close()`. */
export interface CaptureWriter {
  /**
   * Appends one packet. Synchronous: the bytes go to a buffer that is written out in the
   * background. Frames longer than the snaplen are cut (original length kept). Throws the
   * error of an earlier failed background write, if any.
   */
  write(p: { tsSec: number; tsNsec: number; data: Uint8Array; originalLength?: number; interfaceIndex?: number }): void;
  /** Writes out everything buffered and closes the file; rejects if any write failed. */
  close(): Promise<void>;
}

/** Options of openPcapWriter. */
export interface PcapWriterOptions {
  linkType: number;
  /** Default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d). */
  nanosecond?: boolean;
  /** Write a big-endian file (default little-endian). */
  bigEndian?: boolean;
  /** Output buffer size in bytes (default 1 MiB). */
  bufferSize?: number;
}

/** Options of openPcapngWriter. */
export interface PcapngWriterOptions {
  /** One IDB each, in order; a packet's interfaceIndex picks one (default 0). */
  interfaces: PcapngInterface[];
  /** shb_userappl; default "ioamkit". */
  application?: string;
  /** Write a big-endian file (default little-endian). */
  bigEndian?: boolean;
  /** Output buffer size in bytes (default 1 MiB). */
  bufferSize?: number;
}

interface Encoder {
  header(): Uint8Array;
  recordLength(p: RecordInput): number;
  encodeRecord(p: RecordInput, out: Uint8Array, off: number): number;
}

const DEFAULT_BUFFER = 1 << 20;
const DEFAULT_SNAPLEN = 262144;

class BufferedCaptureWriter implements CaptureWriter {
  private buf: Uint8Array;
  private used = 0;
  private position = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;
  private closed = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly encoder: Encoder,
    private readonly bufferSize: number,
  ) {
    this.buf = new Uint8Array(bufferSize);
    const header = encoder.header();
    this.reserve(header.length);
    this.buf.set(header, this.used);
    this.used += header.length;
  }

  write(p: RecordInput): void {
    if (this.closed) throw new IoamError("IO", "CaptureWriter.write() called after close()");
    if (this.failure !== undefined) throw this.failure;
    this.reserve(this.encoder.recordLength(p));
    this.used = this.encoder.encodeRecord(p, this.buf, this.used);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await this.queue;
    await this.fh.close();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Makes room for `n` more bytes, flushing first when they do not fit. */
  private reserve(n: number): void {
    if (this.buf.length - this.used >= n) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(n);
  }

  /** Queues the buffered bytes for writing and starts a fresh buffer (the old one is in flight). */
  private flush(): void {
    if (this.used === 0) return;
    const chunk = this.buf.subarray(0, this.used);
    const at = this.position;
    this.position += chunk.length;
    this.buf = new Uint8Array(this.bufferSize);
    this.used = 0;
    this.queue = this.queue
      .then(() => (this.failure === undefined ? writeAll(this.fh, chunk, at) : undefined))
      .catch((e: unknown) => void (this.failure ??= e));
  }
}

async function writeAll(fh: FileHandle, chunk: Uint8Array, at: number): Promise<void> {
  for (let done = 0; done < chunk.length; ) {
    const { bytesWritten } = await fh.write(chunk, done, chunk.length - done, at + done);
    done += bytesWritten;
  }
}

/** Creates (or truncates) a classic pcap file at `path` and writes its file header. */
export async function openPcapWriter(path: string, opts: PcapWriterOptions): Promise<CaptureWriter> {
  const encoder = new PcapEncoder({
    linkType: opts.linkType,
    snaplen: opts.snaplen ?? DEFAULT_SNAPLEN,
    nanosecond: opts.nanosecond ?? false,
    bigEndian: opts.bigEndian ?? false,
  });
  return new BufferedCaptureWriter(await open(path, "w"), encoder, opts.bufferSize ?? DEFAULT_BUFFER);
}

/** Creates (or truncates) a pcapng file at `path`: one section, its SHB, one IDB per interface. */
export async function openPcapngWriter(path: string, opts: PcapngWriterOptions): Promise<CaptureWriter> {
  const encoder = new PcapngEncoder({
    interfaces: opts.interfaces,
    application: opts.application ?? "ioamkit",
    bigEndian: opts.bigEndian ?? false,
  });
  return new BufferedCaptureWriter(await open(path, "w"), encoder, opts.bufferSize ?? DEFAULT_BUFFER);
}
