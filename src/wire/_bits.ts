// Bit counting shared by the codec's length rules (DEX Extension-Flags, trace field offsets).

/** Set bits of each byte value 0–255. */
export const POPCOUNT8: Uint8Array = Uint8Array.from({ length: 256 }, (_, v) => {
  let n = 0;
  for (; v; v &= v - 1) n++;
  return n;
});
