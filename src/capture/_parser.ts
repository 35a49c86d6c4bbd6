// The contract between the streaming reader (reader.ts) and the per-format record parsers
// (pcap.ts, pcapng.ts): parsing is synchronous over bytes already in memory, so the
// per-packet path has no Promise; only refilling the chunk buffer awaits.

import type { CapturedPacket } from "./packet.js";

/** Parses one record at a time out of the reader's chunk buffer. */
export interface RecordParser {
  /** File offset of the chunk buffer's byte 0; the reader sets it before each run. */
  base: number;
  /** After `step` returned 0: bytes needed from `pos` for the pending record to be whole. */
  need: number;
  /** After `step` returned 0: what the pending record is ("pcap record"), for messages. */
  pending: string;
  /**
   * Parses the record at b[pos, end) (dv views all of b), pushing a packet to `out` when the
   * record is one. Returns the bytes consumed, or 0 when the record is not whole yet.
   * Throws DecodeError for records that can never parse.
   */
  step(b: Uint8Array, dv: DataView, pos: number, end: number, out: CapturedPacket[]): number;
}
