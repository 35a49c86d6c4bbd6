// pcapng writing (draft-ietf-opsawg-pcapng §3.5 Options, §4.1 SHB with shb_userappl,
// §4.2 IDB with if_name and if_tsresol, §4.3 EPB). Layouts and offsets: see pcapng.ts.

import { putU16, putU32 } from "./_endian.js";
import { timeToUnits, WORDS } from "./_timestamp.js";
import { BLOCK, PCAPNG } from "./pcapng.js";
import type { RecordInput } from "./pcap.js";
import { ConfigError } from "../errors.js";

/** One interface (IDB) of a pcapng file being written. */
export interface PcapngInterface {
  linkType: number;
  /** Longest frame kept; 0 means no limit (the IDB says 0 too). */
  snaplen?: number;
  /** if_name option. */
  name?: string;
  /** if_tsresol = 9 (nanoseconds) instead of the default microseconds. */
  tsResolutionNs?: boolean;
}

/** What a pcapng file is written as. */
export interface PcapngFormat {
  interfaces: readonly PcapngInterface[];
  /** shb_userappl option. */
  application: string;
  /** Big-endian file instead of little-endian. */
  bigEndian: boolean;
}

interface Option {
  code: number;
  value: Uint8Array;
}

const DEFAULT_SNAPLEN = 262144;
const utf8 = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Encodes the SHB + IDBs and then EPBs for one format (two-pass: length, then bytes). */
export class PcapngEncoder {
  private readonly le: boolean;
  private readonly snaplens: number[];
  private readonly perSecond: number[];

  /** The format every block of this encoder uses. */
  constructor(readonly format: PcapngFormat) {
    this.le = !format.bigEndian;
    this.snaplens = format.interfaces.map((i) => i.snaplen ?? DEFAULT_SNAPLEN);
    this.perSecond = format.interfaces.map((i) => (i.tsResolutionNs ? 1e9 : 1e6));
  }

  /** The Section Header Block followed by one Interface Description Block per interface. */
  header(): Uint8Array {
    const blocks = [this.shb(), ...this.format.interfaces.map((i, n) => this.idb(i, this.snaplens[n]!))];
    const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
    let o = 0;
    for (const b of blocks) (out.set(b, o), (o += b.length));
    return out;
  }

  /** Bytes the EPB for `p` takes. Throws ConfigError for an interface the file lacks. */
  recordLength(p: RecordInput): number {
    return BLOCK.EPB_DATA + pad4(this.caplen(p)) + 4;
  }

  /** Writes the EPB for `p` at out[off]; returns the end offset. */
  encodeRecord(p: RecordInput, out: Uint8Array, off: number): number {
    const id = p.interfaceIndex ?? 0;
    const caplen = this.caplen(p);
    const len = BLOCK.EPB_DATA + pad4(caplen) + 4;
    const perSecond = this.perSecond[id]!;
    timeToUnits(p.tsSec, perSecond === 1e9 ? p.tsNsec : Math.floor(p.tsNsec / 1000), perSecond);
    putU32(out, off + BLOCK.TYPE, PCAPNG.EPB, this.le);
    putU32(out, off + BLOCK.LENGTH, len, this.le);
    putU32(out, off + BLOCK.EPB_IFID, id, this.le);
    putU32(out, off + BLOCK.EPB_TS_HIGH, WORDS.hi, this.le);
    putU32(out, off + BLOCK.EPB_TS_LOW, WORDS.lo, this.le);
    putU32(out, off + BLOCK.EPB_CAPLEN, caplen, this.le);
    putU32(out, off + BLOCK.EPB_ORIGLEN, Math.max(p.originalLength ?? p.data.length, caplen), this.le);
    out.set(caplen === p.data.length ? p.data : p.data.subarray(0, caplen), off + BLOCK.EPB_DATA);
    out.fill(0, off + BLOCK.EPB_DATA + caplen, off + len - 4);
    putU32(out, off + len - 4, len, this.le);
    return off + len;
  }

  private caplen(p: RecordInput): number {
    const id = p.interfaceIndex ?? 0;
    const snaplen = this.snaplens[id];
    if (snaplen === undefined) {
      throw new ConfigError("interfaceIndex", `${id} is not one of the ${this.snaplens.length} interfaces of this pcapng file`);
    }
    return snaplen > 0 ? Math.min(p.data.length, snaplen) : p.data.length;
  }

  private shb(): Uint8Array {
    const options = [{ code: PCAPNG.SHB_USERAPPL, value: utf8.encode(this.format.application) }];
    return this.block(PCAPNG.SHB, BLOCK.SHB_OPTIONS, options, (b) => {
      putU32(b, BLOCK.SHB_BOM, PCAPNG.BYTE_ORDER_MAGIC, this.le);
      putU16(b, BLOCK.SHB_MAJOR, PCAPNG.VERSION_MAJOR, this.le);
      putU16(b, BLOCK.SHB_MINOR, PCAPNG.VERSION_MINOR, this.le);
      // Section Length -1: not specified, so readers do not rely on it.
      putU32(b, BLOCK.SHB_SECTION_LENGTH, 0xffffffff, this.le);
      putU32(b, BLOCK.SHB_SECTION_LENGTH + 4, 0xffffffff, this.le);
    });
  }

  private idb(i: PcapngInterface, snaplen: number): Uint8Array {
    const options: Option[] = [];
    if (i.name !== undefined) options.push({ code: PCAPNG.IF_NAME, value: utf8.encode(i.name) });
    if (i.tsResolutionNs) options.push({ code: PCAPNG.IF_TSRESOL, value: Uint8Array.of(9) });
    return this.block(PCAPNG.IDB, BLOCK.IDB_OPTIONS, options, (b) => {
      putU16(b, BLOCK.IDB_LINKTYPE, i.linkType, this.le);
      putU32(b, BLOCK.IDB_SNAPLEN, snaplen, this.le);
    });
  }

  /** A block of `type` with fixed fields up to `optionsAt`, then `options` + opt_endofopt. */
  private block(type: number, optionsAt: number, options: Option[], fixed: (b: Uint8Array) => void): Uint8Array {
    const optionsLength = options.length === 0 ? 0 : options.reduce((s, o) => s + 4 + pad4(o.value.length), 4);
    const len = optionsAt + optionsLength + 4;
    const b = new Uint8Array(len);
    putU32(b, BLOCK.TYPE, type, this.le);
    putU32(b, BLOCK.LENGTH, len, this.le);
    fixed(b);
    let o = optionsAt;
    for (const opt of options) {
      putU16(b, o, opt.code, this.le);
      putU16(b, o + 2, opt.value.length, this.le);
      b.set(opt.value, o + 4);
      o += 4 + pad4(opt.value.length);
    }
    putU32(b, len - 4, len, this.le);
    return b;
  }
}
