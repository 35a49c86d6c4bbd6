// Classic libpcap files (draft-ietf-opsawg-pcap §4 File Header, §5 Packet Record).
//
//  File Header (24 bytes)               Packet Record (16 bytes + data)
//  +---------------------------+        +---------------------------+
//  | Magic Number              |  0     | Timestamp (seconds)       |  0
//  | Major (2)  | Minor (2)    |  4     | Timestamp (µs or ns)      |  4
//  | Reserved1 (thiszone)      |  8     | Captured Packet Length    |  8
//  | Reserved2 (sigfigs)       | 12     | Original Packet Length    | 12
//  | SnapLen                   | 16     | Packet Data …             | 16
//  | FCS/flags | LinkType (16) | 20     +---------------------------+
//  +---------------------------+
// All fields are in the writer's byte order, told apart by the magic number.

import { captureError } from "./_errors.js";
import { putU16, putU32 } from "./_endian.js";
import { type FrameSink, type RecordParser, emptyFrame } from "./_parser.js";

/** Magic numbers (as read big-endian) and fixed sizes of classic pcap. */
export const PCAP = {
  MAGIC_US: 0xa1b2c3d4,
  MAGIC_NS: 0xa1b23c4d,
  MAGIC_US_SWAPPED: 0xd4c3b2a1,
  MAGIC_NS_SWAPPED: 0x4d3cb2a1,
  VERSION_MAJOR: 2,
  VERSION_MINOR: 4,
  HEADER_LENGTH: 24,
  RECORD_HEADER_LENGTH: 16,
} as const;

const HDR = { MAGIC: 0, MAJOR: 4, MINOR: 6, SNAPLEN: 16, LINKTYPE: 20 } as const;
const REC = { TS_SEC: 0, TS_FRAC: 4, CAPLEN: 8, ORIGLEN: 12, DATA: 16 } as const;
/** LinkType is the low 16 bits; the high bits carry FCS information we do not use. */
const LINKTYPE_MASK = 0xffff;

/** How a pcap file's first four bytes (read big-endian) name its byte order and resolution. */
export function pcapMagicFormat(magicBE: number): { littleEndian: boolean; nanosecond: boolean } | undefined {
  switch (magicBE) {
    case PCAP.MAGIC_US:
      return { littleEndian: false, nanosecond: false };
    case PCAP.MAGIC_NS:
      return { littleEndian: false, nanosecond: true };
    case PCAP.MAGIC_US_SWAPPED:
      return { littleEndian: true, nanosecond: false };
    case PCAP.MAGIC_NS_SWAPPED:
      return { littleEndian: true, nanosecond: true };
    default:
      return undefined;
  }
}

/** Reads classic pcap: the file header first, then one packet record per step. */
export class PcapParser implements RecordParser {
  base = 0;
  need = 0;
  pending = "pcap file header";
  private readonly le: boolean;
  private readonly nanosecond: boolean;
  private linkType = -1;
  private readonly frame = emptyFrame();

  /** `magicBE` must be one that pcapMagicFormat knows. */
  constructor(
    private readonly path: string,
    magicBE: number,
  ) {
    const f = pcapMagicFormat(magicBE);
    if (!f) throw captureError("MALFORMED", path, 0, `0x${magicBE.toString(16)} is not a pcap magic number`);
    this.le = f.littleEndian;
    this.nanosecond = f.nanosecond;
  }

  step(b: Uint8Array, dv: DataView, pos: number, end: number, sink: FrameSink): number {
    if (this.linkType < 0) return this.header(dv, pos, end);
    if (end - pos < REC.DATA) return this.wait(REC.DATA, "pcap record header");
    const le = this.le;
    const caplen = dv.getUint32(pos + REC.CAPLEN, le);
    const total = REC.DATA + caplen;
    if (end - pos < total) return this.wait(total, `pcap record of ${caplen} captured bytes`);
    let sec = dv.getUint32(pos + REC.TS_SEC, le);
    let nsec = dv.getUint32(pos + REC.TS_FRAC, le);
    if (!this.nanosecond) nsec *= 1000;
    if (nsec >= 1e9) (sec += Math.floor(nsec / 1e9)), (nsec %= 1e9);
    const f = this.frame;
    f.tsSec = sec;
    f.tsNsec = nsec;
    f.capturedLength = caplen;
    f.originalLength = dv.getUint32(pos + REC.ORIGLEN, le);
    f.linkType = this.linkType;
    f.interfaceIndex = 0;
    f.dataStart = pos + REC.DATA;
    sink(f, b);
    return total;
  }

  private header(dv: DataView, pos: number, end: number): number {
    if (end - pos < PCAP.HEADER_LENGTH) return this.wait(PCAP.HEADER_LENGTH, "pcap file header");
    const major = dv.getUint16(pos + HDR.MAJOR, this.le);
    if (major !== PCAP.VERSION_MAJOR) {
      throw captureError("MALFORMED", this.path, this.base + pos + HDR.MAJOR, `pcap major version ${major}, expected 2`);
    }
    this.linkType = dv.getUint32(pos + HDR.LINKTYPE, this.le) & LINKTYPE_MASK;
    return PCAP.HEADER_LENGTH;
  }

  private wait(need: number, what: string): 0 {
    this.need = need;
    this.pending = what;
    return 0;
  }
}

/** What a pcap file is written as. */
export interface PcapFormat {
  linkType: number;
  /** Longest frame kept; longer ones are cut (captured < original length). */
  snaplen: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. */
  nanosecond: boolean;
  /** Big-endian file instead of little-endian. */
  bigEndian: boolean;
}

/** One record to write: the fields of CaptureWriter.write. */
export interface RecordInput {
  tsSec: number;
  tsNsec: number;
  data: Uint8Array;
  /** Defaults to data.length; raised to the captured length when smaller. */
  originalLength?: number;
  interfaceIndex?: number;
}

/** Encodes pcap file header and records for one format (two-pass: length, then bytes). */
export class PcapEncoder {
  private readonly le: boolean;
  /** The format every header and record of this encoder uses. */
  constructor(readonly format: PcapFormat) {
    this.le = !format.bigEndian;
  }

  /** The 24-byte file header. */
  header(): Uint8Array {
    const f = this.format;
    const out = new Uint8Array(PCAP.HEADER_LENGTH);
    putU32(out, HDR.MAGIC, f.nanosecond ? PCAP.MAGIC_NS : PCAP.MAGIC_US, this.le);
    putU16(out, HDR.MAJOR, PCAP.VERSION_MAJOR, this.le);
    putU16(out, HDR.MINOR, PCAP.VERSION_MINOR, this.le);
    putU32(out, HDR.SNAPLEN, f.snaplen, this.le);
    putU32(out, HDR.LINKTYPE, f.linkType, this.le);
    return out;
  }

  /** Bytes the record for `p` takes. */
  recordLength(p: RecordInput): number {
    return REC.DATA + Math.min(p.data.length, this.format.snaplen);
  }

  /** Writes the record for `p` at out[off]; returns the end offset. */
  encodeRecord(p: RecordInput, out: Uint8Array, off: number): number {
    const caplen = Math.min(p.data.length, this.format.snaplen);
    const frac = this.format.nanosecond ? p.tsNsec : Math.floor(p.tsNsec / 1000);
    putU32(out, off + REC.TS_SEC, p.tsSec, this.le);
    putU32(out, off + REC.TS_FRAC, frac, this.le);
    putU32(out, off + REC.CAPLEN, caplen, this.le);
    putU32(out, off + REC.ORIGLEN, Math.max(p.originalLength ?? p.data.length, caplen), this.le);
    out.set(caplen === p.data.length ? p.data : p.data.subarray(0, caplen), off + REC.DATA);
    return off + REC.DATA + caplen;
  }
}
