// Netlink messages (RFC 3549 §2.3.2, include/uapi/linux/netlink.h): the 16-byte header, host
// byte order (little-endian on every platform ioamkit runs on), messages padded to 4 octets.

export const NLMSG = { NOOP: 1, ERROR: 2, DONE: 3 } as const;
export const NLM_F = { REQUEST: 0x1, MULTI: 0x2, ACK: 0x4, DUMP: 0x300, CAPPED: 0x100, ACK_TLVS: 0x200 } as const;
export const NLMSG_HDRLEN = 16;

/** One received message: header fields and the payload after the header. */
export interface NetlinkMessage {
  type: number;
  flags: number;
  seq: number;
  port: number;
  payload: Uint8Array;
}

/** Rounds up to the netlink alignment of 4 octets. */
export function nlAlign(n: number): number {
  return (n + 3) & ~3;
}

/** Builds one message with the given header fields around `payload`. */
export function encodeMessage(type: number, flags: number, seq: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(NLMSG_HDRLEN + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, out.length, true);
  dv.setUint16(4, type, true);
  dv.setUint16(6, flags, true);
  dv.setUint32(8, seq, true);
  dv.setUint32(12, 0, true);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/** Splits a datagram into messages; a malformed length ends the walk. */
export function decodeMessages(b: Uint8Array): NetlinkMessage[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: NetlinkMessage[] = [];
  for (let o = 0; o + NLMSG_HDRLEN <= b.length; ) {
    const len = dv.getUint32(o, true);
    if (len < NLMSG_HDRLEN || o + len > b.length) break;
    out.push({ type: dv.getUint16(o + 4, true), flags: dv.getUint16(o + 6, true), seq: dv.getUint32(o + 8, true), port: dv.getUint32(o + 12, true), payload: b.subarray(o + NLMSG_HDRLEN, o + len) });
    o += nlAlign(len);
  }
  return out;
}
