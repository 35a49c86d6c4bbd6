// Integers as operators type them. One parser per rule, each named for the tool whose habit
// it follows (the table of which surface uses which rule is in docs/cli.md "Numbers"):
// - C notation (strtoul(3), base 0): what iproute2 (get_u32/get_u64 in lib/utils.c) and the
//   kernel's sysctl writes (proc_get_long in kernel/sysctl.c) accept: "0x" hex, a leading
//   "0" octal, else decimal. Both refuse trailing characters, so "09" is an error, not 9.
// - hex (strtoull base 16): `ip ioam namespace add … wide` reads its 64-bit value this way.
// - seconds: `e2e … ts SEC[.FRACTION]`, a decimal time whose fraction becomes nanoseconds.

/** Parses `text` in C notation (strtoul base 0) as a bigint ≤ max; undefined when it is not one. */
export function parseCNumber(text: string, max: bigint): bigint | undefined {
  let v: bigint;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) v = BigInt("0x" + text.slice(2));
  else if (/^0[0-7]*$/.test(text)) v = text.length > 1 ? BigInt("0o" + text.slice(1)) : 0n;
  else if (/^[1-9][0-9]*$/.test(text)) v = BigInt(text);
  else return undefined;
  return v <= max ? v : undefined;
}

/** Parses hexadecimal digits with an optional 0x (strtoull base 16) as a bigint ≤ max. */
export function parseHexNumber(text: string, max: bigint): bigint | undefined {
  const m = /^(?:0[xX])?([0-9a-fA-F]+)$/.exec(text);
  if (!m) return undefined;
  const v = BigInt("0x" + m[1]!);
  return v <= max ? v : undefined;
}

/** Parses an unsigned integer ≤ max in C notation (see parseCNumber). */
export function parseUint(text: string, max: number): number | undefined {
  const v = parseCNumber(text, BigInt(max));
  return v === undefined ? undefined : Number(v);
}

/** Parses an unsigned integer ≤ max as bigint, in C notation or (base 16) as hex. */
export function parseUintBig(text: string, max: bigint, base: 0 | 16 = 0): bigint | undefined {
  return base === 16 ? parseHexNumber(text, max) : parseCNumber(text, max);
}

/** A time as seconds and nanoseconds. */
export interface SecondsText {
  sec: number;
  nsec: number;
  /** True when the text had a fraction part. */
  hasFraction: boolean;
}

/**
 * Parses `SEC[.FRACTION]`: SEC decimal digits ≤ maxSec, FRACTION one to nine decimal digits
 * read as a fraction of a second (1.5 and 1.500 are 500000000 ns; 1.05 is 50000000 ns).
 * Undefined when the text is not that, or would need more precision than a nanosecond.
 */
export function parseSeconds(text: string, maxSec: number): SecondsText | undefined {
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const sec = Number(m[1]);
  if (!(sec <= maxSec)) return undefined;
  const frac = m[2];
  return { sec, nsec: frac === undefined ? 0 : Number(frac.padEnd(9, "0")), hasFraction: frac !== undefined };
}

/**
 * Why `text` is not a C-notation number ≤ max, as a phrase for an error message ("is above
 * 65535, the largest value here"); undefined when it is one.
 */
export function cNumberProblem(text: string, max: bigint): string | undefined {
  if (parseCNumber(text, max) !== undefined) return undefined;
  if (parseCNumber(text, BigInt(Number.MAX_SAFE_INTEGER) ** 4n) !== undefined) return `is above ${max}, the largest value here`;
  if (/^0[0-9]+$/.test(text)) return `is not a number: a leading 0 means octal (as iproute2 and sysctl read it), so write ${text.replace(/^0+(?=.)/, "")} for decimal`;
  return "is not a number (write 0x1f hex, 017 octal or 31 decimal)";
}
