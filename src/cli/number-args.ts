// Numbers typed on the command line, with iproute2's base rules (0x hex, leading-0 octal,
// decimal) and a usage error that names the value and its range.

import { UsageError } from "../errors.js";
import { parseUint, parseUintBig } from "../wire/number-text.js";

/** An unsigned integer from 0 to max; `what` names it in the error. */
export function uintArg(text: string | undefined, max: number, what: string): number {
  const v = text === undefined ? undefined : parseUint(text, max);
  if (v === undefined) throw new UsageError(`invalid ${what} "${text ?? ""}" (0-${max})`);
  return v;
}

/** A 64-bit-capable unsigned integer from 0 to max (base 16 when `base` is 16, as ip ioam's wide data). */
export function bigArg(text: string | undefined, max: bigint, what: string, base: 0 | 16 = 0): bigint {
  const v = text === undefined ? undefined : parseUintBig(text, max, base);
  if (v === undefined) throw new UsageError(`invalid ${what} "${text ?? ""}" (0-${base === 16 ? "0x" + max.toString(16) : max})`);
  return v;
}
