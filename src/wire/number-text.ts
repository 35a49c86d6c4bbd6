// Integers as operators type them, with iproute2's rules (strtoul base 0: "0x" hex,
// a leading "0" octal, else decimal), so that words carry over from `ip ioam` and `ip route`.

/** Parses an unsigned integer ≤ max; undefined when the text is not one. */
export function parseUint(text: string, max: number): number | undefined {
  const v = parseUintBig(text, BigInt(max));
  return v === undefined ? undefined : Number(v);
}

/** Parses an unsigned integer ≤ max as bigint (for 56/64-bit values). */
export function parseUintBig(text: string, max: bigint, base: 0 | 16 = 0): bigint | undefined {
  const s = text.trim();
  let v: bigint;
  if (base === 16 || /^0[xX]/.test(s)) {
    const h = s.replace(/^0[xX]/, "");
    if (!/^[0-9a-fA-F]+$/.test(h)) return undefined;
    v = BigInt("0x" + h);
  } else if (/^0[0-7]+$/.test(s)) {
    v = BigInt("0o" + s.slice(1));
  } else if (/^[0-9]+$/.test(s)) {
    v = BigInt(s);
  } else {
    return undefined;
  }
  return v <= max ? v : undefined;
}
