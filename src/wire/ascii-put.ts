// ASCII writers that put text into a byte array at a position and return the position after
// it. The primitives under JsonBytes and the direct record writer (direct-json.ts): they take
// the buffer and position as arguments, so a caller that reserved room once can write a whole
// record from locals, without a bounds check or a property store per value.

/** "00".."99" as byte pairs: integers are written two digits per division. */
const DIGIT_PAIRS = (() => {
  const t = new Uint8Array(200);
  for (let i = 0; i < 100; i++) (t[2 * i] = 48 + Math.floor(i / 10)), (t[2 * i + 1] = 48 + (i % 10));
  return t;
})();

/** "00".."ff" as byte pairs, lowercase. */
const HEX_PAIRS = (() => {
  const digits = "0123456789abcdef";
  const t = new Uint8Array(512);
  for (let i = 0; i < 256; i++) (t[2 * i] = digits.charCodeAt(i >>> 4)), (t[2 * i + 1] = digits.charCodeAt(i & 15));
  return t;
})();

/** Decimal digits of a non-negative integer below 2^53. */
function digitCount(n: number): number {
  if (n < 1e5) return n < 10 ? 1 : n < 100 ? 2 : n < 1e3 ? 3 : n < 1e4 ? 4 : 5;
  if (n < 1e10) return n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
  let len = 10;
  for (let t = n / 1e10; t >= 1; t /= 10) len++;
  return len;
}

/** Writes a non-negative integer (up to 2^53) in decimal at b[p]. */
export function putUint(b: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  const end = p + digitCount(n);
  let q = end;
  // Above 2^32 the quotient needs Math.floor; below it a truncating shift is exact and faster.
  while (n > 0xffffffff) {
    const h = Math.floor(n / 100);
    const r = 2 * (n - 100 * h);
    b[--q] = DIGIT_PAIRS[r + 1]!;
    b[--q] = DIGIT_PAIRS[r]!;
    n = h;
  }
  while (n >= 100) {
    const h = (n / 100) >>> 0;
    const r = 2 * (n - 100 * h);
    b[--q] = DIGIT_PAIRS[r + 1]!;
    b[--q] = DIGIT_PAIRS[r]!;
    n = h;
  }
  if (n >= 10) {
    b[--q] = DIGIT_PAIRS[2 * n + 1]!;
    b[--q] = DIGIT_PAIRS[2 * n]!;
  } else b[--q] = 48 + n;
  return end;
}

/** Copies pre-encoded bytes to b[p]; a plain loop beats set() for the short keys of a record. */
export function putRaw(b: Uint8Array, p: number, piece: Uint8Array): number {
  const n = piece.length;
  for (let i = 0; i < n; i++) b[p + i] = piece[i]!;
  return p + n;
}

/** Writes src[from, to) as lowercase hex digits (two per byte, no quotes or "0x"). */
export function putHexBytes(b: Uint8Array, p: number, src: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const x = 2 * src[i]!;
    b[p++] = HEX_PAIRS[x]!;
    b[p++] = HEX_PAIRS[x + 1]!;
  }
  return p;
}

/** Writes the low `digits` hex digits of a non-negative integer below 2^32, zero-padded. */
export function putHexDigits(b: Uint8Array, p: number, v: number, digits: number): number {
  for (let k = digits - 1; k >= 0; k--) b[p++] = HEX_PAIRS[2 * (k >= 8 ? 0 : (v >>> (4 * k)) & 15) + 1]!;
  return p;
}

/** Writes a 16-bit value in hex without leading zeros (an IPv6 address group, RFC 5952 §4.1). */
export function putHexGroup(b: Uint8Array, p: number, v: number): number {
  if (v >= 0x1000) b[p++] = HEX_PAIRS[2 * (v >>> 12) + 1]!;
  if (v >= 0x100) b[p++] = HEX_PAIRS[2 * ((v >>> 8) & 15) + 1]!;
  if (v >= 0x10) b[p++] = HEX_PAIRS[2 * ((v >>> 4) & 15) + 1]!;
  b[p++] = HEX_PAIRS[2 * (v & 15) + 1]!;
  return p;
}
