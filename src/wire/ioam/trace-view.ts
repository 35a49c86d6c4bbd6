// A checked view over a trace option in place (RFC 9197 §4.4), for the fast path. After
// reset() returns 0 every getter reads inside the option; setters that change lengths void it.

import { readU16, readU32, writeU16 } from "../_be.js";
import { IOAM_OPT } from "./option.js";
import { TRACE, TRACE_FLAG_BITS } from "./trace.js";
import { nodeLenOf } from "./trace-type.js";

/** Why a trace view cannot be taken: the option is too short for the 8-octet trace header. */
export const TRACE_VIEW_TOO_SHORT = 1;

export class TraceView {
  bytes: Uint8Array = new Uint8Array(0);
  /** Offset of the trace body (Namespace-ID) and end of the option. */
  body = 0;
  end = 0;

  /** Views the trace of the IOAM option TLV at bytes[opt, optEnd). Returns 0 or TRACE_VIEW_TOO_SHORT. */
  reset(bytes: Uint8Array, opt: number, optEnd: number): number {
    if (optEnd - opt < IOAM_OPT.BODY + TRACE.DATA) return TRACE_VIEW_TOO_SHORT;
    this.bytes = bytes;
    this.body = opt + IOAM_OPT.BODY;
    this.end = optEnd;
    return 0;
  }

  get namespaceId(): number {
    return readU16(this.bytes, this.body);
  }
  get nodeLen(): number {
    return this.bytes[this.body + TRACE.NODELEN_FLAGS]! >>> 3;
  }
  get overflow(): boolean {
    return (this.bytes[this.body + TRACE.NODELEN_FLAGS]! & TRACE_FLAG_BITS.OVERFLOW) !== 0;
  }
  get remainingLen(): number {
    return this.bytes[this.body + TRACE.REMLEN]! & 0x7f;
  }
  get traceType(): number {
    return readU32(this.bytes, this.body + TRACE.TYPE) >>> 8;
  }
  /** Octets of the node data list (Opt Data Len − 10). */
  get dataLength(): number {
    return this.end - this.body - TRACE.DATA;
  }
  /** Offset of the node data list. */
  get dataStart(): number {
    return this.body + TRACE.DATA;
  }
  /** True when NodeLen equals the value the Trace-Type implies. */
  nodeLenMatches(): boolean {
    return this.nodeLen === nodeLenOf(this.traceType);
  }

  setOverflow(): void {
    this.bytes[this.body + TRACE.NODELEN_FLAGS]! |= TRACE_FLAG_BITS.OVERFLOW;
  }
  setRemainingLen(v: number): void {
    const w = readU16(this.bytes, this.body + TRACE.NODELEN_FLAGS);
    writeU16(this.bytes, this.body + TRACE.NODELEN_FLAGS, (w & 0xff80) | (v & 0x7f));
  }
}
