// ASCII writers that put text into a buffer (through a DataView) at a position and return the
// position after it: the primitives under JsonBytes and the direct record writer
// (direct-json.ts). They store two or four characters at a time (digit pairs, hex pairs,
// whole words of constant text): on V8 one unaligned 32-bit store costs what one byte store
// does, so a record is written in a quarter of the stores.
//
// Scratch: a writer may store up to SCRATCH bytes past the position it returns (garbage the
// next write overwrites). Callers reserve that much room beyond what they write.

/** Bytes a writer may store past the position it returns. */
export const SCRATCH = 8;

/** Constant ASCII text as little-endian 32-bit words (the last one padded with zeros). */
export interface AsciiPiece {
  readonly length: number;
  readonly words: Uint32Array;
}

/** Encodes constant ASCII text once, for putPiece. */
export function asciiPiece(s: string): AsciiPiece {
  const words = new Uint32Array(Math.ceil(s.length / 4));
  for (let i = 0; i < s.length; i++) words[i >>> 2]! |= s.charCodeAt(i) << (8 * (i & 3));
  return { length: s.length, words };
}

/** Writes a constant piece of text. */
export function putPiece(d: DataView, p: number, piece: AsciiPiece): number {
  const w = piece.words;
  for (let i = 0; i < w.length; i++) d.setUint32(p + 4 * i, w[i]!, true);
  return p + piece.length;
}

/** "0000".."9999" as little-endian words: four digits in one store. */
const DIGITS4 = Uint32Array.from({ length: 10_000 }, (_, n) => {
  const s = String(n).padStart(4, "0");
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;
});

/** Writes 0 ≤ n < 10000 without leading zeros (from its zero-padded word, shifted). */
function putBelow1e4(d: DataView, p: number, n: number): number {
  if (n < 10) {
    d.setUint8(p, 48 + n);
    return p + 1;
  }
  if (n < 100) {
    d.setUint16(p, DIGITS4[n]! >>> 16, true);
    return p + 2;
  }
  if (n < 1000) {
    d.setUint32(p, DIGITS4[n]! >>> 8, true);
    return p + 3;
  }
  d.setUint32(p, DIGITS4[n]!, true);
  return p + 4;
}

/** Writes a non-negative integer (up to 2^53) in decimal. */
export function putUint(d: DataView, p: number, n: number): number {
  if (n < 1e4) return putBelow1e4(d, p, n);
  if (n < 1e8) {
    const hi = (n / 1e4) >>> 0; // exact: the quotient cannot round up to the next integer
    p = putBelow1e4(d, p, hi);
    d.setUint32(p, DIGITS4[n - hi * 1e4]!, true);
    return p + 4;
  }
  let hi = Math.floor(n / 1e8);
  if (hi * 1e8 > n) hi--; // guard the rounding of the quotient near 2^53
  p = hi < 1e4 ? putBelow1e4(d, p, hi) : putUint(d, p, hi);
  const rest = n - hi * 1e8;
  const mid = (rest / 1e4) >>> 0;
  d.setUint32(p, DIGITS4[mid]!, true);
  d.setUint32(p + 4, DIGITS4[rest - mid * 1e4]!, true);
  return p + 8;
}

/** "00".."ff" as little-endian 16-bit words: one store per byte of hex. */
const HEX2 = Uint16Array.from({ length: 256 }, (_, v) => {
  const s = v.toString(16).padStart(2, "0");
  return s.charCodeAt(0) | (s.charCodeAt(1) << 8);
});

/** Writes src[from, to) as lowercase hex digits (two per byte, no quotes or "0x"). */
export function putHexBytes(d: DataView, p: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++, p += 2) d.setUint16(p, HEX2[src[i]!]!, true);
  return p;
}

/** Writes the low `digits` hex digits of a non-negative integer below 2^32, zero-padded. */
export function putHexDigits(d: DataView, p: number, v: number, digits: number): number {
  for (let k = digits - 1; k >= 0; k--) d.setUint8(p++, HEX2[k >= 8 ? 0 : (v >>> (4 * k)) & 15]! >>> 8);
  return p;
}

/** Writes a 16-bit value in hex without leading zeros (an IPv6 address group, RFC 5952 §4.1). */
export function putHexGroup(d: DataView, p: number, v: number): number {
  if (v >= 0x1000) d.setUint8(p++, HEX2[v >>> 12]! >>> 8);
  if (v >= 0x100) d.setUint8(p++, HEX2[(v >>> 8) & 15]! >>> 8);
  if (v >= 0x10) d.setUint8(p++, HEX2[(v >>> 4) & 15]! >>> 8);
  d.setUint8(p++, HEX2[v & 15]! >>> 8);
  return p;
}
