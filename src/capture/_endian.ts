// Integer stores in a chosen byte order, for the pcap and pcapng encoders (the files are
// in the writer's byte order, unlike network data which is always big-endian).

/** Stores the low 16 bits of `v` at `o`, little-endian when `le`. */
export function putU16(b: Uint8Array, o: number, v: number, le: boolean): void {
  b[o + (le ? 0 : 1)] = v;
  b[o + (le ? 1 : 0)] = v >>> 8;
}

/** Stores the low 32 bits of `v` at `o`, little-endian when `le`. */
export function putU32(b: Uint8Array, o: number, v: number, le: boolean): void {
  for (let i = 0; i < 4; i++) b[o + (le ? i : 3 - i)] = v >>> (8 * i);
}
