// Shared by the golden byte tests of the IOAM option bodies (RFC 9197
// §4.4–§4.6, RFC 9326 §3): hand-written option hex → bytes, decode, guarded re-encode.
// No assertions here (wire/ imports no `node:` module); the tests assert on what it returns.

import { hexToBytes } from "../hex.js";
import { type ExtHeaderKind, type IoamOption, decodeIoamOption, encodeIoamOption } from "./option.js";

/** The byte a re-encode buffer is pre-filled with, so stray writes show. */
export const GUARD_BYTE = 0xaa;
const GUARD_LENGTH = 16;

/** Bytes of a hand-written hex constant; whitespace and `|` field separators are ignored. */
export function goldenBytes(hex: string): Uint8Array {
  const b = hexToBytes(hex.replace(/[\s|]/g, ""));
  if (!b) throw new Error(`bad hex in a golden constant: ${hex}`);
  return b;
}

/** Decodes the option TLV that fills `b`, as found at a 4n offset of a `header`. */
export function decodeGolden(b: Uint8Array, header: ExtHeaderKind = "hop"): IoamOption {
  return decodeIoamOption(b, 0, b.length, { header, headerIndex: 0, headerStart: 0 });
}

/** Encodes `opt` at offset 0 of a guard-filled buffer `length` + 16 octets long. */
export function reencodeGolden(opt: IoamOption, length: number): { end: number; written: Uint8Array; guard: Uint8Array } {
  const out = new Uint8Array(length + GUARD_LENGTH).fill(GUARD_BYTE);
  const end = encodeIoamOption(opt, out, 0);
  return { end, written: out.subarray(0, Math.min(end, length)), guard: out.subarray(length) };
}
