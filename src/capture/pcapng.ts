// pcapng reading (draft-ietf-opsawg-pcapng §3 General Block Structure, §4.1 Section Header
// Block, §4.2 Interface Description Block, §4.3 Enhanced Packet Block, §4.4 Simple Packet
// Block, Appendix A obsolete Packet Block). Other block types are skipped whole.
//
//  Every block                              Enhanced Packet Block body
//  +------------------------------+         +------------------------------+
//  | Block Type                   |  0      | Interface ID                 |  8
//  | Block Total Length           |  4      | Timestamp (high, low)        | 12
//  | Block Body … (padded to 32b) |  8      | Captured / Original Length   | 20
//  | Block Total Length           | len-4   | Packet Data … Options …      | 28
//  +------------------------------+         +------------------------------+
// A section's byte order is set by its SHB's Byte-Order Magic; a new SHB starts a new
// section whose interfaces are numbered from 0 again.

import { captureError } from "./_errors.js";
import { type FrameSink, type RecordParser, emptyFrame } from "./_parser.js";
import { MICROSECONDS, TS, tsUnits, unitsToTime, type TsUnits } from "./_timestamp.js";

/** Block types, option codes and fixed sizes of pcapng. */
export const PCAPNG = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  PB: 0x00000002,
  SPB: 0x00000003,
  EPB: 0x00000006,
  BYTE_ORDER_MAGIC: 0x1a2b3c4d,
  VERSION_MAJOR: 1,
  VERSION_MINOR: 0,
  OPT_ENDOFOPT: 0,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_TSRESOL: 9,
  IF_TSOFFSET: 14,
  /** Block Type + Block Total Length before the body, the trailing length after it. */
  BLOCK_OVERHEAD: 12,
} as const;

/** Offsets inside each block, from the start of the block. */
export const BLOCK = {
  TYPE: 0,
  LENGTH: 4,
  SHB_BOM: 8,
  SHB_MAJOR: 12,
  SHB_MINOR: 14,
  SHB_SECTION_LENGTH: 16,
  SHB_OPTIONS: 24,
  IDB_LINKTYPE: 8,
  IDB_SNAPLEN: 12,
  IDB_OPTIONS: 16,
  EPB_IFID: 8,
  EPB_TS_HIGH: 12,
  EPB_TS_LOW: 16,
  EPB_CAPLEN: 20,
  EPB_ORIGLEN: 24,
  EPB_DATA: 28,
  SPB_ORIGLEN: 8,
  SPB_DATA: 12,
} as const;

/** One IDB of the current section. */
interface Interface {
  readonly linkType: number;
  readonly snaplen: number;
  readonly units: TsUnits;
  /** if_tsoffset: seconds to add to every timestamp. */
  readonly tsOffset: number;
}

/** Reads pcapng block by block; one packet per EPB, SPB or PB. */
export class PcapngParser implements RecordParser {
  base = 0;
  need = 0;
  pending = "pcapng block";
  private le = true;
  private ifaces: Interface[] = [];
  private readonly frame = emptyFrame();

  /** `path` is only used in error messages. */
  constructor(private readonly path: string) {}

  step(b: Uint8Array, dv: DataView, pos: number, end: number, sink: FrameSink): number {
    if (end - pos < PCAPNG.BLOCK_OVERHEAD) return this.wait(PCAPNG.BLOCK_OVERHEAD, "pcapng block header");
    const type = dv.getUint32(pos, this.le);
    if (type === PCAPNG.SHB) this.sectionByteOrder(dv, pos);
    const len = dv.getUint32(pos + BLOCK.LENGTH, this.le);
    if (len < PCAPNG.BLOCK_OVERHEAD || len % 4 !== 0) this.corrupt(pos + BLOCK.LENGTH, `block length ${len}`);
    if (end - pos < len) return this.wait(len, `pcapng block of type ${type} and ${len} bytes`);
    if (dv.getUint32(pos + len - 4, this.le) !== len) this.corrupt(pos + len - 4, "trailing block length differs");
    if (type === PCAPNG.EPB || type === PCAPNG.PB) this.packet(b, dv, pos, len, type, sink);
    else if (type === PCAPNG.SPB) this.simplePacket(b, dv, pos, len, sink);
    else if (type === PCAPNG.IDB) this.ifaces.push(this.interfaceBlock(b, dv, pos, len));
    else if (type === PCAPNG.SHB) this.section(dv, pos, len);
    return len;
  }

  private sectionByteOrder(dv: DataView, pos: number): void {
    const bom = dv.getUint32(pos + BLOCK.SHB_BOM, true);
    if (bom === PCAPNG.BYTE_ORDER_MAGIC) this.le = true;
    else if (dv.getUint32(pos + BLOCK.SHB_BOM, false) === PCAPNG.BYTE_ORDER_MAGIC) this.le = false;
    else this.corrupt(pos + BLOCK.SHB_BOM, `Byte-Order Magic 0x${bom.toString(16)} is not 0x1a2b3c4d`);
  }

  private section(dv: DataView, pos: number, len: number): void {
    if (len < BLOCK.SHB_OPTIONS + 4) this.corrupt(pos + BLOCK.LENGTH, `Section Header Block of ${len} bytes`);
    const major = dv.getUint16(pos + BLOCK.SHB_MAJOR, this.le);
    if (major !== PCAPNG.VERSION_MAJOR) this.corrupt(pos + BLOCK.SHB_MAJOR, `pcapng major version ${major}`);
    this.ifaces = [];
  }

  private interfaceBlock(b: Uint8Array, dv: DataView, pos: number, len: number): Interface {
    if (len < BLOCK.IDB_OPTIONS + 4) this.corrupt(pos + BLOCK.LENGTH, `Interface Description Block of ${len} bytes`);
    let units = MICROSECONDS;
    let tsOffset = 0;
    const limit = pos + len - 4;
    for (let o = pos + BLOCK.IDB_OPTIONS; o + 4 <= limit; ) {
      const code = dv.getUint16(o, this.le);
      const olen = dv.getUint16(o + 2, this.le);
      if (code === PCAPNG.OPT_ENDOFOPT) break;
      if (o + 4 + olen > limit) this.corrupt(o, `option ${code} of ${olen} bytes runs past its block`);
      if (code === PCAPNG.IF_TSRESOL && olen >= 1) units = tsUnits(b[o + 4]!);
      if (code === PCAPNG.IF_TSOFFSET && olen >= 8) tsOffset = Number(dv.getBigInt64(o + 4, this.le));
      o += 4 + ((olen + 3) & ~3);
    }
    const linkType = dv.getUint16(pos + BLOCK.IDB_LINKTYPE, this.le);
    return { linkType, snaplen: dv.getUint32(pos + BLOCK.IDB_SNAPLEN, this.le), units, tsOffset };
  }

  /** EPB, or the obsolete PB whose Interface ID is 16 bits followed by a drops count. */
  private packet(b: Uint8Array, dv: DataView, pos: number, len: number, type: number, sink: FrameSink): void {
    const le = this.le;
    if (len < BLOCK.EPB_DATA + 4) this.corrupt(pos + BLOCK.LENGTH, `packet block of ${len} bytes`);
    const id = type === PCAPNG.EPB ? dv.getUint32(pos + BLOCK.EPB_IFID, le) : dv.getUint16(pos + BLOCK.EPB_IFID, le);
    const iface = this.iface(id, pos + BLOCK.EPB_IFID);
    const caplen = dv.getUint32(pos + BLOCK.EPB_CAPLEN, le);
    const data = pos + BLOCK.EPB_DATA;
    if (caplen > len - BLOCK.EPB_DATA - 4) this.corrupt(pos + BLOCK.EPB_CAPLEN, `captured length ${caplen} exceeds its block`);
    unitsToTime(dv.getUint32(pos + BLOCK.EPB_TS_HIGH, le), dv.getUint32(pos + BLOCK.EPB_TS_LOW, le), iface.units);
    this.emit(sink, b, TS.sec + iface.tsOffset, TS.nsec, caplen, dv.getUint32(pos + BLOCK.EPB_ORIGLEN, le), iface.linkType, id, data);
  }

  /** SPB: interface 0, no timestamp; captured length = min(original, snaplen, room in block). */
  private simplePacket(b: Uint8Array, dv: DataView, pos: number, len: number, sink: FrameSink): void {
    if (len < BLOCK.SPB_DATA + 4) this.corrupt(pos + BLOCK.LENGTH, `Simple Packet Block of ${len} bytes`);
    const iface = this.iface(0, pos);
    const origlen = dv.getUint32(pos + BLOCK.SPB_ORIGLEN, this.le);
    let caplen = Math.min(origlen, len - BLOCK.SPB_DATA - 4);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    const data = pos + BLOCK.SPB_DATA;
    this.emit(sink, b, 0, 0, caplen, origlen, iface.linkType, 0, data);
  }

  private emit(sink: FrameSink, b: Uint8Array, tsSec: number, tsNsec: number, caplen: number, origlen: number, linkType: number, id: number, data: number): void {
    const f = this.frame;
    f.tsSec = tsSec;
    f.tsNsec = tsNsec;
    f.capturedLength = caplen;
    f.originalLength = origlen;
    f.linkType = linkType;
    f.interfaceIndex = id;
    f.dataStart = data;
    sink(f, b);
  }

  private iface(id: number, at: number): Interface {
    const iface = this.ifaces[id];
    if (!iface) this.corrupt(at, `interface ${id} has no Interface Description Block in this section`);
    return iface;
  }

  private corrupt(pos: number, what: string): never {
    throw captureError("MALFORMED", this.path, this.base + pos, `corrupt pcapng block: ${what}`);
  }

  private wait(need: number, what: string): 0 {
    this.need = need;
    this.pending = what;
    return 0;
  }
}
