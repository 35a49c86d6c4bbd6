// The contract between the streaming reader (reader.ts) and the per-format record parsers
// (pcap.ts, pcapng.ts): parsing is synchronous over bytes already in memory, so the
// per-packet path has no Promise; only refilling the chunk buffer awaits. Frames go to a
// sink as one reused record plus an offset into the buffer, so that a reader which copies the
// bytes elsewhere (the decode worker pool) allocates nothing per frame.

import type { CapturedPacket } from "./packet.js";

/** A frame as a parser finds it (a CapturedPacket whose bytes stay in the buffer); the parser refills the same object for every frame. */
export type FrameRecord = Omit<CapturedPacket, "data"> & {
  /** Where the frame's bytes start in the buffer given to step(); capturedLength of them. */
  dataStart: number;
  /**
   * File offset of the frame's record (pcap record header, pcapng block): a reader started at
   * `startOffset` = this value begins with this frame. Set by the reader, not the parsers.
   */
  recordOffset: number;
};

/** Receives each frame with the buffer it sits in; `frame` is only valid during the call. */
export type FrameSink = (frame: FrameRecord, b: Uint8Array) => void;

/** A FrameRecord with every field zero, for a parser to refill. */
export function emptyFrame(): FrameRecord {
  return { tsSec: 0, tsNsec: 0, capturedLength: 0, originalLength: 0, linkType: 0, interfaceIndex: 0, dataStart: 0, recordOffset: 0 };
}

/** Parses one record at a time out of the reader's chunk buffer. */
export interface RecordParser {
  /** File offset of the chunk buffer's byte 0; the reader sets it before each run. */
  base: number;
  /** After `step` returned 0: bytes needed from `pos` for the pending record to be whole. */
  need: number;
  /** After `step` returned 0: what the pending record is ("pcap record"), for messages. */
  pending: string;
  /**
   * Parses the record at b[pos, end) (dv views all of b), handing the frame to `sink` when the
   * record is one. Returns the bytes consumed, or 0 when the record is not whole yet.
   * Throws DecodeError for records that can never parse.
   */
  step(b: Uint8Array, dv: DataView, pos: number, end: number, sink: FrameSink): number;
}
