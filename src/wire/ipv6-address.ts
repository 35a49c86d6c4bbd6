// IPv6 address text (RFC 4291 §2.2 input, RFC 5952 canonical output).

import { readU16 } from "./_be.js";

/** Formats the 16 octets at `o` in RFC 5952 form (lowercase, longest zero run as "::"). */
export function formatIpv6Address(b: Uint8Array, o = 0): string {
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (readU16(b, o + 2 * i) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && readU16(b, o + 2 * j) === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const group = (i: number): string => readU16(b, o + 2 * i).toString(16);
  if (bestStart < 0) return Array.from({ length: 8 }, (_, i) => group(i)).join(":");
  const head = Array.from({ length: bestStart }, (_, i) => group(i)).join(":");
  const tailFrom = bestStart + bestLen;
  const tail = Array.from({ length: 8 - tailFrom }, (_, i) => group(tailFrom + i)).join(":");
  return `${head}::${tail}`;
}

/** Parses IPv6 address text; returns undefined if it is not a valid address. */
export function parseIpv6Address(text: string): Uint8Array | undefined {
  let s = text.trim();
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const parts = v4.slice(2, 6).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    const [a, b, c, d] = parts as [number, number, number, number];
    s = `${v4[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined): string[] => (h ? h.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}
