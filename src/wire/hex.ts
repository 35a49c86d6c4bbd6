// Hex text for bytes and integers, as the canonical record and the human output use it.

const HEX = "0123456789abcdef";

/** Lowercase hex of the bytes, no prefix, no separators. */
export function bytesToHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    const v = b[i]!;
    s += HEX[v >>> 4]! + HEX[v & 15]!;
  }
  return s;
}

/** "0x" + lowercase hex of the bytes (the canonical record's form for opaque bytes). */
export function bytesToHex0x(b: Uint8Array): string {
  return "0x" + bytesToHex(b);
}

/**
 * Parses hex text into bytes. Accepts an optional 0x prefix, and spaces, colons and
 * newlines between octets. Returns undefined when the text is not whole octets of hex.
 */
export function hexToBytes(text: string): Uint8Array | undefined {
  const s = text.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/** "0x" + `width` lowercase hex digits of a non-negative integer. */
export function hexNum(v: number | bigint, width: number): string {
  return "0x" + v.toString(16).padStart(width, "0");
}
