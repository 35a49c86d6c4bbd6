// The fast path: finds every IOAM option of a packet in place, with no allocation per packet
// (smoltcp-style checked view). Used by the benchmarks and the Linux-rule tests; the engine
// walks its one Hop-by-Hop header itself, with the kernel's stricter TLV rules. decodePacket
// builds records on top of the same walkers (tlvEnd, extHeaderLength).
//
// Invariant: after next() returns true, bytes[optionOffset, optionEnd) is a whole option TLV
// inside [start, end) whose type is 0x31 or 0x11; getters of a view over it stay in bounds.

import { readU16 } from "./_be.js";
import { IPPROTO, extHeaderLength, isWalkedExtHeader } from "./ext-header.js";
import { isIoamOptionType } from "./ioam/option-header.js";
import { IPV6 } from "./ipv6.js";
import { tlvEnd } from "./tlv-options.js";

/** Why a scan stopped early (0 = it did not). */
export const SCAN_ERROR = { NONE: 0, TRUNCATED: 1, BAD_VERSION: 2, BAD_OPTION_LENGTH: 3 } as const;
export type ScanError = (typeof SCAN_ERROR)[keyof typeof SCAN_ERROR];

const EMPTY = new Uint8Array(0);

/** Reusable cursor over the IOAM options of one packet at a time. */
export class IoamScanner {
  bytes: Uint8Array = EMPTY;
  /** Start of the IPv6 header and end of the IPv6 packet (from Payload Length). */
  start = 0;
  end = 0;
  /** The current option: its TLV bounds, its header's start and kind (0 HbH, 60 DestOpts). */
  optionOffset = 0;
  optionEnd = 0;
  headerStart = 0;
  headerType = 0;
  /** Set when next() returned false because the packet could not be walked. */
  error: ScanError = SCAN_ERROR.NONE;
  errorOffset = 0;
  private pos = 0;
  private headerEnd = 0;
  private nextHeader = 0;

  /** Starts on the IPv6 packet at bytes[start, limit). Returns false (error set) if it is not one. */
  reset(bytes: Uint8Array, start = 0, limit = bytes.length): boolean {
    this.bytes = bytes;
    this.start = start;
    this.error = SCAN_ERROR.NONE;
    if (limit - start < IPV6.LENGTH) return this.fail(SCAN_ERROR.TRUNCATED, limit);
    if (bytes[start]! >>> 4 !== 6) return this.fail(SCAN_ERROR.BAD_VERSION, start);
    this.end = start + IPV6.LENGTH + readU16(bytes, start + IPV6.PAYLOAD_LENGTH);
    if (this.end > limit) return this.fail(SCAN_ERROR.TRUNCATED, limit);
    this.nextHeader = bytes[start + IPV6.NEXT_HEADER]!;
    this.pos = start + IPV6.LENGTH;
    this.headerEnd = this.pos; // no options header entered yet
    return true;
  }

  private fail(e: ScanError, at: number): false {
    this.error = e;
    this.errorOffset = at;
    return false;
  }

  /** Advances to the next IOAM option; false at the end of the chain or on error. */
  next(): boolean {
    const b = this.bytes;
    let pos = this.pos;
    let headerEnd = this.headerEnd;
    for (;;) {
      while (pos < headerEnd) {
        const e = tlvEnd(b, pos, headerEnd);
        if (e < 0) return this.fail(SCAN_ERROR.BAD_OPTION_LENGTH, pos + 1);
        if (isIoamOptionType(b[pos]!)) {
          this.optionOffset = pos;
          this.optionEnd = this.pos = e;
          return true;
        }
        pos = e;
      }
      this.pos = pos;
      if (!this.enterNextHeader()) return false;
      pos = this.pos;
      headerEnd = this.headerEnd;
    }
  }

  /** Steps to the next extension header; enters it when it carries options. */
  private enterNextHeader(): boolean {
    const nh = this.nextHeader;
    if (!isWalkedExtHeader(nh) || this.error) return false;
    const at = this.headerEnd;
    const len = extHeaderLength(this.bytes, nh, at, this.end);
    if (len < 0) return this.fail(SCAN_ERROR.TRUNCATED, this.end);
    if (nh === IPPROTO.FRAGMENT && ((this.bytes[at + 2]! << 8) | this.bytes[at + 3]!) >>> 3 !== 0) return false;
    this.nextHeader = this.bytes[at]!;
    this.headerEnd = at + len;
    this.headerStart = at;
    this.headerType = nh;
    this.pos = nh === IPPROTO.HOPOPTS || nh === IPPROTO.DSTOPTS ? at + 2 : this.headerEnd;
    return true;
  }

  /** IOAM-Opt-Type of the current option, or -1 when Opt Data Len < 2. */
  ioamType(): number {
    return this.optionEnd - this.optionOffset >= 4 ? this.bytes[this.optionOffset + 3]! : -1;
  }
}
