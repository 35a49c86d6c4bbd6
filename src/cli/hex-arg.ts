// Hex typed on the command line (a packet, --data 0x…): refusals that say what is wrong and
// where, not only "not hex".

import { UsageError } from "../errors.js";
import { hexToBytes } from "../wire/hex.js";

/** Why `text` is not whole octets of hex (as hexToBytes reads it), or undefined when it is. */
export function hexProblem(text: string): string | undefined {
  const prefix = /^0x/i.test(text) ? 2 : 0;
  for (let i = prefix; i < text.length; i++) {
    const c = text[i]!;
    if (!/[0-9a-fA-F\s:]/.test(c)) return `character ${i + 1}, "${c}", is not a hex digit`;
  }
  const digits = text.slice(prefix).replace(/[\s:]/g, "").length;
  if (digits === 0) return "no hex digits";
  if (digits % 2 !== 0) return `odd number of hex digits (${digits}); every octet takes two`;
  return undefined;
}

/** The bytes of hex `text`; throws a UsageError naming `what` and the problem. */
export function hexArg(text: string, what: string): Uint8Array {
  const why = hexProblem(text);
  const b = why ? undefined : hexToBytes(text);
  if (!b) throw new UsageError(`${what} "${text.length > 40 ? text.slice(0, 40) + "…" : text}": ${why ?? "not hex"}`);
  return b;
}
