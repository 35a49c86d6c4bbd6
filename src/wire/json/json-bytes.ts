// A JSON text writer that appends ASCII bytes to one growable Uint8Array: no intermediate
// strings, so `decode --json` spends its time on the packet, not on the garbage collector.

import { SCRATCH, putHexBytes, putUint } from "./ascii-put.js";

const ASCII_CACHE = new Map<string, Uint8Array>();
const HEX = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Encodes ASCII text once, for constant pieces written with JsonBytes.raw(). */
export function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export class JsonBytes {
  private bytesBuf: Uint8Array;
  /** A DataView over `buf`, for the ascii-put writers (kept in step when `buf` is replaced). */
  view: DataView;
  pos = 0;

  constructor(size = 1 << 16) {
    this.bytesBuf = new Uint8Array(size);
    this.view = new DataView(this.bytesBuf.buffer);
  }

  get buf(): Uint8Array {
    return this.bytesBuf;
  }

  set buf(b: Uint8Array) {
    this.bytesBuf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Makes room for `n` more bytes (and the scratch the ascii-put writers may use after them). */
  reserve(n: number): void {
    if (this.pos + n + SCRATCH <= this.bytesBuf.length) return;
    const bigger = new Uint8Array(Math.max(this.pos + n + SCRATCH, 2 * this.bytesBuf.length));
    bigger.set(this.bytesBuf.subarray(0, this.pos));
    this.buf = bigger;
  }

  /**
   * Appends text known to be ASCII without characters JSON must escape (keys, literals).
   * Keys repeat for every record, so their bytes are encoded once and copied after that.
   */
  ascii(s: string): void {
    let enc = ASCII_CACHE.get(s);
    if (enc === undefined) {
      enc = Uint8Array.from(s, (c) => c.charCodeAt(0));
      if (ASCII_CACHE.size < 4096) ASCII_CACHE.set(s, enc);
    }
    this.reserve(enc.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < enc.length; i++) b[p++] = enc[i]!; // faster than set() for short keys
    this.pos = p;
  }

  /**
   * Appends JSON text produced elsewhere (not cached). Non-ASCII characters can only stand
   * inside its string literals, so they are written as \uXXXX escapes there.
   */
  text(s: string): void {
    this.reserve(6 * s.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x7f) b[p++] = c;
      else {
        b[p++] = 0x5c;
        b[p++] = 0x75;
        for (let k = 12; k >= 0; k -= 4) b[p++] = HEX[(c >>> k) & 15]!;
      }
    }
    this.pos = p;
  }

  /** Appends any string as a JSON string literal (escaping quotes, controls, non-ASCII). */
  str(s: string): void {
    this.reserve(2 + 6 * s.length);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) b[p++] = c;
      else {
        b[p++] = 0x5c;
        b[p++] = 0x75;
        for (let k = 12; k >= 0; k -= 4) b[p++] = HEX[(c >>> k) & 15]!;
      }
    }
    b[p++] = 0x22;
    this.pos = p;
  }

  /** Appends a non-negative integer (up to 2^53). */
  uint(n: number): void {
    this.reserve(16);
    this.pos = putUint(this.view, this.pos, n);
  }

  /** Appends pre-encoded bytes (see asciiBytes); a plain loop beats set() for short keys. */
  raw(enc: Uint8Array): void {
    this.reserve(enc.length);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < enc.length; i++) b[p++] = enc[i]!;
    this.pos = p;
  }

  /** Appends one ASCII character code (e.g. 0x2c for a comma). */
  byte(c: number): void {
    this.reserve(1);
    this.buf[this.pos++] = c;
  }

  bool(v: boolean): void {
    this.ascii(v ? "true" : "false");
  }

  /** Appends `"0x…"`: the bytes in lowercase hex. */
  hexBytes(v: Uint8Array): void {
    this.reserve(4 + 2 * v.length);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 0x22;
    b[p++] = 0x30;
    b[p++] = 0x78;
    p = putHexBytes(this.view, p, v, 0, v.length);
    b[p++] = 0x22;
    this.pos = p;
  }

  /** Appends `"0x…"` with exactly `digits` hex digits of a non-negative integer (< 2^64). */
  hexNum(v: number | bigint, digits: number): void {
    this.reserve(4 + digits);
    this.buf[this.pos++] = 0x22;
    this.buf[this.pos++] = 0x30;
    this.buf[this.pos++] = 0x78;
    if (digits > 8) {
      const big = BigInt(v);
      this.hexDigits(Number(big >> 32n), digits - 8);
      this.hexDigits(Number(big & 0xffffffffn), 8);
    } else this.hexDigits(Number(v), digits);
    this.buf[this.pos++] = 0x22;
  }

  private hexDigits(v: number, digits: number): void {
    const b = this.buf;
    for (let k = digits - 1; k >= 0; k--) b[this.pos++] = HEX[k >= 8 ? 0 : (v >>> (4 * k)) & 15]!;
  }

  /** The bytes written so far (aliases the buffer until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** The text written so far. */
  toString(): string {
    let s = "";
    for (let i = 0; i < this.pos; i += 8192) s += String.fromCharCode(...this.buf.subarray(i, Math.min(i + 8192, this.pos)));
    return s;
  }

  reset(): void {
    this.pos = 0;
  }
}
