// The checked view over a trace option in place (RFC 9197 §4.4), smoltcp-style: check the
// option once (checkTraceOption, like `new_checked`), then read and write its header fields
// through the accessors below, which take the bytes and the body offset the check returned.
// Invariant: after checkTraceOption(b, opt, optEnd) returns body ≥ 0, every accessor reads
// inside b[opt, optEnd); setters change no length, so the check stays valid.
//
// These functions are the one place where the header's bits are taken apart (NodeLen, the
// four flags, RemainingLen, Trace-Type): the decoder, the direct JSON writer, Linux's receive
// verdict, the fill, incremental insertion and transit all use them. They are plain functions
// over (bytes, offset), not an object per option, so the engine stays allocation-free and
// re-entrant. TraceView wraps them for callers that want to hold one view.

import { RESERVED_BIT, UNDEFINED_BITS_MASK, nodeLenOf } from "./trace-type.js";

//  0                   1                   2                   3
// +-------------------------------+---------+-------+-------------+
// |         Namespace-ID          | NodeLen | Flags | RemainingLen|
// +-------------------------------+---------+-------+-------------+
// |              IOAM-Trace-Type (24)             |  Reserved (8) |
// +-----------------------------------------------+---------------+
/** Offsets within the trace body (which starts at the Namespace-ID). */
export const TRACE = { NAMESPACE_ID: 0, NODELEN_FLAGS: 2, REMLEN: 3, TYPE: 4, RESERVED: 7, DATA: 8 } as const;

/**
 * Flag bits within the octet at TRACE.NODELEN_FLAGS (NodeLen is its upper five bits). The
 * fourth flag bit, unassigned, is the top bit of the RemainingLen octet (UNASSIGNED_FLAG).
 */
export const TRACE_FLAG_BITS = { OVERFLOW: 0x04, LOOPBACK: 0x02, ACTIVE: 0x01 } as const;
/** The unassigned fourth flag (RFC 9197 §4.4.1 defines Overflow; RFC 9322 Loopback and Active). */
export const UNASSIGNED_FLAG = 0x80;
const NODELEN_SHIFT = 3;
const REMLEN_MASK = 0x7f;

/** Returned by checkTraceOption when the option is too short for the 8-octet trace header. */
export const TRACE_TOO_SHORT = -1;

// The accessors below write TRACE's offsets (and the option header's 4 octets) as literals:
// V8 inlines a function of at most 27 bytecode bytes without charging its inlining budget, and
// a load of TRACE.X costs 6 bytes. With property loads the engine's fill of a wide trace type
// was 17% slower (measured in instructions with callgrind). trace-view.test.ts holds every
// literal to TRACE.

/**
 * Checks that the IOAM option TLV at b[opt, optEnd) holds a whole trace header. Returns the
 * offset of the trace body (its Namespace-ID), or TRACE_TOO_SHORT. `optEnd` comes from a TLV
 * walk inside the packet (≤ b.length): every caller's walk guarantees it, and testing it again
 * here cost the view walk 9% of its instructions.
 */
export function checkTraceOption(_b: Uint8Array, opt: number, optEnd: number): number {
  return optEnd - opt < 12 ? TRACE_TOO_SHORT : opt + 4;
}

export function traceNamespaceId(b: Uint8Array, body: number): number {
  return (b[body]! << 8) | b[body + 1]!;
}
export function traceNodeLen(b: Uint8Array, body: number): number {
  return b[body + 2]! >>> 3;
}
/** The four flag bits as one number: Overflow 8, Loopback 4, Active 2, unassigned 1. */
export function traceFlagBits(b: Uint8Array, body: number): number {
  return ((b[body + 2]! & 0x07) << 1) | (b[body + 3]! >>> 7);
}
export function traceOverflow(b: Uint8Array, body: number): boolean {
  return (b[body + 2]! & 0x04) !== 0;
}
export function traceLoopback(b: Uint8Array, body: number): boolean {
  return (b[body + 2]! & 0x02) !== 0;
}
export function traceRemainingLen(b: Uint8Array, body: number): number {
  return b[body + 3]! & 0x7f;
}
export function traceType(b: Uint8Array, body: number): number {
  return (b[body + 4]! << 16) | (b[body + 5]! << 8) | b[body + 6]!;
}
export function traceReservedOctet(b: Uint8Array, body: number): number {
  return b[body + 7]!;
}
/** Offset of the node data list (RemainingLen words of free space first, in a Pre-allocated Trace). */
export function traceDataStart(body: number): number {
  return body + 8;
}
/** End of the free space of a Pre-allocated Trace: where the newest node entry starts. */
export function traceFreeEnd(b: Uint8Array, body: number): number {
  return body + 8 + 4 * (b[body + 3]! & 0x7f);
}
/** True when NodeLen is the value the Trace-Type implies (the kernel's check since 6db8b56eed62). */
export function traceNodeLenMatches(b: Uint8Array, body: number): boolean {
  return b[body + 2]! >>> 3 === nodeLenOf((b[body + 4]! << 16) | (b[body + 5]! << 8) | b[body + 6]!);
}
/** True when the free space RemainingLen announces fits in the option ending at optEnd. */
export function traceRemainingLenFits(b: Uint8Array, body: number, optEnd: number): boolean {
  return body + 8 + 4 * (b[body + 3]! & 0x7f) <= optEnd;
}

export function setTraceOverflow(b: Uint8Array, body: number): void {
  b[body + 2]! |= 0x04;
}
export function clearTraceLoopback(b: Uint8Array, body: number): void {
  b[body + 2]! &= ~0x02;
}
/** Sets RemainingLen, keeping the unassigned flag bit that shares its octet. */
export function setTraceRemainingLen(b: Uint8Array, body: number, v: number): void {
  b[body + 3] = (b[body + 3]! & 0x80) | (v & 0x7f);
}
/** Writes NodeLen, the four flag bits (as traceFlagBits() gives them) and RemainingLen. */
export function writeTraceLengthsAndFlags(b: Uint8Array, body: number, nodeLen: number, flagBits: number, remainingLen: number): void {
  b[body + TRACE.NODELEN_FLAGS] = ((nodeLen & 0x1f) << NODELEN_SHIFT) | ((flagBits >>> 1) & 0x07);
  b[body + TRACE.REMLEN] = ((flagBits & 1) << 7) | (remainingLen & REMLEN_MASK);
}

/** Writes a trace header: NodeLen from the type, no flags. */
export function writeTraceHeader(b: Uint8Array, body: number, h: { namespaceId: number; traceType: number; remainingLen: number }): void {
  b[body] = h.namespaceId >>> 8;
  b[body + 1] = h.namespaceId & 0xff;
  b[body + TRACE.NODELEN_FLAGS] = nodeLenOf(h.traceType) << NODELEN_SHIFT;
  b[body + TRACE.REMLEN] = h.remainingLen & REMLEN_MASK;
  b[body + TRACE.TYPE] = h.traceType >>> 16;
  b[body + TRACE.TYPE + 1] = (h.traceType >>> 8) & 0xff;
  b[body + TRACE.TYPE + 2] = h.traceType & 0xff;
  b[body + TRACE.RESERVED] = 0;
}

/** What a strict reader objects to in a trace header, one bit each (0: nothing). */
export const TRACE_HEADER_ISSUE = {
  NODELEN_MISMATCH: 1,
  UNDEFINED_TRACE_BITS: 2,
  RESERVED_TRACE_BIT: 4,
  RESERVED_NONZERO: 8,
  REMLEN_EXCEEDS_DATA: 16,
  DATA_NOT_WORD_ALIGNED: 32,
} as const;

/**
 * The strict reader's objections to the checked trace at b[body, optEnd), as TRACE_HEADER_ISSUE
 * bits. RemainingLen is checked for Pre-allocated Traces only (an Incremental Trace's
 * RemainingLen counts room the option does not hold yet).
 */
export function traceHeaderIssues(b: Uint8Array, body: number, optEnd: number, prealloc: boolean): number {
  const t = traceType(b, body);
  let issues = 0;
  if (traceNodeLen(b, body) !== nodeLenOf(t)) issues |= TRACE_HEADER_ISSUE.NODELEN_MISMATCH;
  if (t & UNDEFINED_BITS_MASK) issues |= TRACE_HEADER_ISSUE.UNDEFINED_TRACE_BITS;
  if (t & RESERVED_BIT) issues |= TRACE_HEADER_ISSUE.RESERVED_TRACE_BIT;
  if (traceReservedOctet(b, body) !== 0) issues |= TRACE_HEADER_ISSUE.RESERVED_NONZERO;
  if (prealloc && !traceRemainingLenFits(b, body, optEnd)) issues |= TRACE_HEADER_ISSUE.REMLEN_EXCEEDS_DATA;
  if ((optEnd - traceDataStart(body)) % 4 !== 0) issues |= TRACE_HEADER_ISSUE.DATA_NOT_WORD_ALIGNED;
  return issues;
}

/** One held view over a checked trace: the accessors above, bound to one option. */
export class TraceView {
  bytes: Uint8Array = new Uint8Array(0);
  /** Offset of the trace body (Namespace-ID) and end of the option. */
  body = 0;
  end = 0;

  /** Views the trace of the IOAM option TLV at bytes[opt, optEnd). Returns true, or false when the header does not fit. */
  reset(bytes: Uint8Array, opt: number, optEnd: number): boolean {
    const body = checkTraceOption(bytes, opt, optEnd);
    if (body === TRACE_TOO_SHORT) return false;
    this.bytes = bytes;
    this.body = body;
    this.end = optEnd;
    return true;
  }

  get namespaceId(): number {
    return traceNamespaceId(this.bytes, this.body);
  }
  get nodeLen(): number {
    return traceNodeLen(this.bytes, this.body);
  }
  get overflow(): boolean {
    return traceOverflow(this.bytes, this.body);
  }
  get remainingLen(): number {
    return traceRemainingLen(this.bytes, this.body);
  }
  get traceType(): number {
    return traceType(this.bytes, this.body);
  }
  /** Octets of the node data list (Opt Data Len − 10). */
  get dataLength(): number {
    return this.end - traceDataStart(this.body);
  }
  get dataStart(): number {
    return traceDataStart(this.body);
  }
  nodeLenMatches(): boolean {
    return traceNodeLenMatches(this.bytes, this.body);
  }
  setOverflow(): void {
    setTraceOverflow(this.bytes, this.body);
  }
  setRemainingLen(v: number): void {
    setTraceRemainingLen(this.bytes, this.body, v);
  }
}
