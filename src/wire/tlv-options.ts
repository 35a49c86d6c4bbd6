// TLV-encoded options of Hop-by-Hop and Destination Options headers (RFC 8200 §4.2):
// one walker shared by both headers.

export const PAD1 = 0;
export const PADN = 1;

/** A non-IOAM option as found: Pad1 has no data; PadN and others keep their data bytes. */
export interface TlvRecord {
  /** Offset of the Option Type octet from the start of the IPv6 packet. */
  offset: number;
  type: number;
  data?: Uint8Array;
}

/**
 * Returns the offset just past the TLV at `pos`, or -1 when it runs past `end`.
 * The only length rule for options: Pad1 is one octet, every other is 2 + Opt Data Len.
 */
export function tlvEnd(b: Uint8Array, pos: number, end: number): number {
  if (b[pos] === PAD1) return pos + 1;
  if (pos + 2 > end) return -1;
  const e = pos + 2 + b[pos + 1]!;
  return e > end ? -1 : e;
}

/** Octets a TLV record takes on the wire. */
export function tlvLength(t: TlvRecord): number {
  return t.type === PAD1 ? 1 : 2 + (t.data?.length ?? 0);
}

/** Writes a TLV record at `o`; returns the end offset. */
export function encodeTlv(t: TlvRecord, out: Uint8Array, o: number): number {
  out[o] = t.type;
  if (t.type === PAD1) return o + 1;
  const data = t.data ?? new Uint8Array(0);
  out[o + 1] = data.length;
  out.set(data, o + 2);
  return o + 2 + data.length;
}

/**
 * The padding that brings `pos` (offset within the header) to `align·n + rem`: Pad1 for a
 * one-octet gap, PadN otherwise (RFC 8200 §4.2; Linux writes `01 00` for two octets).
 */
export function paddingTo(pos: number, align: number, rem = 0): TlvRecord[] {
  const gap = (((rem - pos) % align) + align) % align;
  if (gap === 0) return [];
  if (gap === 1) return [{ offset: pos, type: PAD1 }];
  return [{ offset: pos, type: PADN, data: new Uint8Array(gap - 2) }];
}
