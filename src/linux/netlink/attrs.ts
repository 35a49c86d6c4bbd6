// Netlink attributes (include/uapi/linux/netlink.h struct nlattr): 2-octet length, 2-octet
// type, payload padded to 4. Host byte order.

import { nlAlign } from "./message.js";

export const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;

/** Builds an attribute list; methods chain. */
export class AttrWriter {
  private parts: Uint8Array[] = [];

  raw(type: number, data: Uint8Array): this {
    const b = new Uint8Array(nlAlign(4 + data.length));
    const dv = new DataView(b.buffer);
    dv.setUint16(0, 4 + data.length, true);
    dv.setUint16(2, type, true);
    b.set(data, 4);
    this.parts.push(b);
    return this;
  }
  u8(type: number, v: number): this {
    return this.raw(type, Uint8Array.of(v));
  }
  u16(type: number, v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    return this.raw(type, b);
  }
  u32(type: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.raw(type, b);
  }
  u64(type: number, v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.raw(type, b);
  }
  flag(type: number): this {
    return this.raw(type, new Uint8Array(0));
  }
  string(type: number, s: string): this {
    return this.raw(type, new TextEncoder().encode(s + "\0"));
  }
  nested(type: number, inner: AttrWriter): this {
    return this.raw(type | NLA_F_NESTED, inner.bytes());
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of this.parts) (out.set(p, o), (o += p.length));
    return out;
  }
}

/** Attributes by type (the last one wins, as the kernel's nla_parse does). */
export type Attrs = Map<number, Uint8Array>;

/** Parses an attribute list; stops at a malformed length. */
export function parseAttrs(b: Uint8Array): Attrs {
  return new Map(parseAttrList(b));
}

/** Every attribute in order (also for arrays such as CTRL_ATTR_MCAST_GROUPS); stops at a malformed length. */
export function parseAttrList(b: Uint8Array): Array<[number, Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0; o + 4 <= b.length; ) {
    const len = dv.getUint16(o, true);
    if (len < 4 || o + len > b.length) break;
    out.push([dv.getUint16(o + 2, true) & NLA_TYPE_MASK, b.subarray(o + 4, o + len)]);
    o += nlAlign(len);
  }
  return out;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
export const attrU8 = (b: Uint8Array): number => b[0]!;
export const attrU16 = (b: Uint8Array): number => view(b).getUint16(0, true);
export const attrU32 = (b: Uint8Array): number => view(b).getUint32(0, true);
export const attrU64 = (b: Uint8Array): bigint => view(b).getBigUint64(0, true);
export const attrString = (b: Uint8Array): string => new TextDecoder().decode(b[b.length - 1] === 0 ? b.subarray(0, -1) : b);
