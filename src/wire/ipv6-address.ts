// IPv6 address text (RFC 4291 §2.2 input, RFC 5952 canonical output).

import { readU16 } from "./_be.js";

/**
 * The run of zero groups RFC 5952 §4.2 compresses to "::" in the address at b[o]: the first
 * longest run of at least two, as start · 16 + length, or -1 for none. (A number, not an
 * object: this is on the `decode --json` hot path.)
 */
export function zeroRunToCompress(b: Uint8Array, o: number): number {
  let bestStart = -1;
  let bestLen = 1; // a single zero group is never compressed (RFC 5952 §4.2.2)
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (b[o + 2 * i] === 0 && b[o + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestStart = runStart;
        bestLen = i - runStart + 1;
      }
    } else runStart = -1;
  }
  return bestStart < 0 ? -1 : bestStart * 16 + bestLen;
}

/** Formats the 16 octets at `o` in RFC 5952 form (lowercase, longest zero run as "::"). */
export function formatIpv6Address(b: Uint8Array, o = 0): string {
  // Hot in `decode --json`: plain loops, no arrays or closures.
  const run = zeroRunToCompress(b, o);
  const bestStart = run < 0 ? -1 : run >>> 4;
  const bestLen = run & 15;
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    s += readU16(b, o + 2 * i).toString(16);
    if (i < 7) s += ":";
  }
  return s;
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

/**
 * The address as glibc's inet_ntop(3) writes it, which iproute2 prints: RFC 5952, except
 * that an address whose first 96 bits are zero (and not ::/::1-like, i.e. the 7th group is
 * non-zero) or that is IPv4-mapped (::ffff:0:0/96) ends in dotted-quad IPv4.
 */
export function formatIpv6AddressInetNtop(b: Uint8Array, o = 0): string {
  const zeroTo = (n: number) => b.subarray(o, o + n).every((x) => x === 0);
  const v4 = () => `${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  if (zeroTo(10) && b[o + 10] === 0xff && b[o + 11] === 0xff) return `::ffff:${v4()}`;
  if (zeroTo(12) && (b[o + 12] !== 0 || b[o + 13] !== 0)) return `::${v4()}`;
  return formatIpv6Address(b, o);
}
