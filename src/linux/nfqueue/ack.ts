// NLMSG_ERROR read in place (include/uapi/linux/netlink.h struct nlmsgerr): the errno (0 for
// an ACK), the request's sequence number, and the extended-ack message the kernel adds with
// NETLINK_EXT_ACK (NLMSGERR_ATTR_MSG). NETLINK_CAP_ACK makes the kernel echo only the
// request's header (NLM_F_CAPPED), not a whole verdict with its payload.

import { NLMSG_HDRLEN, NLM_F, nlAlign } from "../netlink/message.js";

const NLMSGERR_ATTR_MSG = 1;

/** One NLMSG_ERROR: errno (positive, 0 = ACK), the request's seq, extack text if any. */
export interface Ack {
  errno: number;
  seq: number;
  extack: string | undefined;
}

function extackOf(bytes: Uint8Array, dv: DataView, from: number, end: number): string | undefined {
  for (let a = from; a + 4 <= end; ) {
    const len = dv.getUint16(a, true);
    if (len < 4 || a + len > end) return undefined;
    if ((dv.getUint16(a + 2, true) & 0x3fff) === NLMSGERR_ATTR_MSG) {
      const s = bytes.subarray(a + 4, a + len);
      return new TextDecoder().decode(s[s.length - 1] === 0 ? s.subarray(0, -1) : s);
    }
    a += nlAlign(len);
  }
  return undefined;
}

/** Reads the NLMSG_ERROR message at `off` of `avail` octets; undefined when too short. */
export function readAck(bytes: Uint8Array, dv: DataView, off: number, avail: number): Ack | undefined {
  if (avail < NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) return undefined;
  const flags = dv.getUint16(off + 6, true);
  const errno = -dv.getInt32(off + NLMSG_HDRLEN, true) | 0; // | 0: an ACK is 0, not -0
  const orig = off + NLMSG_HDRLEN + 4;
  const seq = dv.getUint32(orig + 8, true);
  if (!(flags & NLM_F.ACK_TLVS)) return { errno, seq, extack: undefined };
  const origLen = flags & NLM_F.CAPPED ? NLMSG_HDRLEN : nlAlign(dv.getUint32(orig, true));
  return { errno, seq, extack: extackOf(bytes, dv, orig + origLen, off + avail) };
}
