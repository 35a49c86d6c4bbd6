// NFQNL_MSG_VERDICT and NFQNL_MSG_VERDICT_BATCH (nfnetlink_queue.h struct
// nfqnl_msg_verdict_hdr), written straight into one send buffer so that many verdicts —
// with or without a replacement packet (NFQA_PAYLOAD) — leave in one sendmsg. Verdicts ask
// for no ACK: the kernel still answers a failed one with NLMSG_ERROR, which the socket counts.

import { NLMSG_HDRLEN, NLM_F, nlAlign } from "../netlink/message.js";
import { MAX_PAYLOAD, NFGENMSG_LEN, NFQA, NFQNL_MSG, nfqMsgType } from "./constants.js";

/** Offsets in a VERDICT message (netlink header, nfgenmsg, NFQA_VERDICT_HDR, [NFQA_MARK]). */
const V = { NFGEN: 16, HDR_ATTR: 20, VERDICT: 24, ID: 28, NEXT_ATTR: 32 } as const;
const VERDICT_HDR_ATTR_LEN = 12;
const MARK_ATTR_LEN = 8;

/** Octets one verdict message takes in the buffer (aligned to 4), `payloadLength` -1 for none. */
export function verdictLength(payloadLength: number, withMark = false): number {
  return V.NEXT_ATTR + (withMark ? MARK_ATTR_LEN : 0) + (payloadLength >= 0 ? nlAlign(4 + payloadLength) : 0);
}

function writeHeader(dv: DataView, off: number, type: number, length: number, queue: number): void {
  dv.setUint32(off, length, true);
  dv.setUint16(off + 4, type, true);
  dv.setUint16(off + 6, NLM_F.REQUEST, true);
  dv.setUint32(off + 8, 0, true);
  dv.setUint32(off + 12, 0, true);
  dv.setUint32(off + V.NFGEN, 0, true); // AF_UNSPEC, NFNETLINK_V0, then res_id:
  dv.setUint16(off + V.NFGEN + 2, queue, false);
}

function writeVerdictHdr(dv: DataView, off: number, verdict: number, id: number): void {
  dv.setUint16(off + V.HDR_ATTR, VERDICT_HDR_ATTR_LEN, true);
  dv.setUint16(off + V.HDR_ATTR + 2, NFQA.VERDICT_HDR, true);
  dv.setUint32(off + V.VERDICT, verdict >>> 0, false);
  dv.setUint32(off + V.ID, id >>> 0, false);
}

/**
 * Writes one VERDICT message at `off` (4-aligned). With `payloadLength` ≥ 0 it ends in an
 * NFQA_PAYLOAD attribute of that many octets, which the caller fills; `mark` ≥ 0 adds
 * NFQA_MARK. Returns the offset of the payload (or of the message end without one). The
 * padding after an odd-length payload is zeroed so that the buffer never sends stale bytes.
 */
function writeVerdict(dv: DataView, off: number, queue: number, id: number, verdict: number, payloadLength = -1, mark = -1): number {
  const withMark = mark >= 0;
  const total = V.NEXT_ATTR + (withMark ? MARK_ATTR_LEN : 0) + (payloadLength >= 0 ? 4 + payloadLength : 0);
  writeHeader(dv, off, nfqMsgType(NFQNL_MSG.VERDICT), total, queue);
  writeVerdictHdr(dv, off, verdict, id);
  let at = off + V.NEXT_ATTR;
  if (withMark) {
    dv.setUint16(at, MARK_ATTR_LEN, true);
    dv.setUint16(at + 2, NFQA.MARK, true);
    dv.setUint32(at + 4, mark >>> 0, false);
    at += MARK_ATTR_LEN;
  }
  if (payloadLength < 0) return at;
  dv.setUint16(at, 4 + payloadLength, true);
  dv.setUint16(at + 2, NFQA.PAYLOAD, true);
  for (let p = at + 4 + payloadLength; p < off + nlAlign(total); p++) dv.setUint8(p, 0);
  return at + 4;
}

/**
 * Writes one VERDICT_BATCH message at `off`: `verdict` for every packet of `queue` with an id
 * up to and including `maxId` (the kernel's nfqnl_recv_verdict_batch). Returns the end offset.
 */
function writeVerdictBatch(dv: DataView, off: number, queue: number, maxId: number, verdict: number): number {
  writeHeader(dv, off, nfqMsgType(NFQNL_MSG.VERDICT_BATCH), V.NEXT_ATTR, queue);
  writeVerdictHdr(dv, off, verdict, maxId);
  return off + V.NEXT_ATTR;
}

/**
 * A send buffer filling up with verdict messages. Methods return false / -1 when the buffer
 * has no room (flush, then repeat); `bytes.subarray(0, length)` is what to send.
 */
export class VerdictWriter {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  /** Octets written. */
  length = 0;
  /** Messages written. */
  messages = 0;

  /** `capacity` must stay below the socket's send buffer (netlink_sendmsg refuses larger). */
  constructor(capacity = 1 << 16) {
    this.bytes = new Uint8Array(capacity);
    this.dv = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  /** Appends a verdict without a payload (accept or drop as it came). */
  verdict(queue: number, id: number, verdict: number, mark = -1): boolean {
    const need = verdictLength(-1, mark >= 0);
    if (this.length + need > this.bytes.length) return false;
    writeVerdict(this.dv, this.length, queue, id, verdict, -1, mark);
    this.length += need;
    this.messages++;
    return true;
  }

  /**
   * Appends a verdict with a replacement packet of `length` octets and returns where in
   * `bytes` the caller writes it; -1 when there is no room, -2 when `length` exceeds what an
   * attribute can carry (MAX_PAYLOAD).
   */
  reserve(queue: number, id: number, verdict: number, length: number, mark = -1): number {
    if (length > MAX_PAYLOAD) return -2;
    const need = verdictLength(length, mark >= 0);
    if (this.length + need > this.bytes.length) return -1;
    const at = writeVerdict(this.dv, this.length, queue, id, verdict, length, mark);
    this.length += need;
    this.messages++;
    return at;
  }

  /** Appends a VERDICT_BATCH for every id ≤ maxId of `queue`. */
  batch(queue: number, maxId: number, verdict: number): boolean {
    if (this.length + V.NEXT_ATTR > this.bytes.length) return false;
    writeVerdictBatch(this.dv, this.length, queue, maxId, verdict);
    this.length += V.NEXT_ATTR;
    this.messages++;
    return true;
  }

  clear(): void {
    this.length = 0;
    this.messages = 0;
  }
}

/** Octets before the NFQA_PAYLOAD data of a verdict without mark (for tests and sizing). */
export const VERDICT_PAYLOAD_OFFSET = NLMSG_HDRLEN + NFGENMSG_LEN + VERDICT_HDR_ATTR_LEN + 4;
