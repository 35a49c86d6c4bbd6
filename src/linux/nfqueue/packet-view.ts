// NFQNL_MSG_PACKET read in place (nfnetlink_queue.h; the attributes the kernel's
// nfqnl_build_packet_message emits). One view is reset onto each message of a batch: no
// object per packet. Invariant: after reset() returns NFQ_PARSE.OK, payloadOffset and
// payloadLength lie within `bytes`, and every field below holds this message's value or its
// "absent" value (0, false). The view aliases the receive buffer: valid until the next recv.

import { NLMSG_HDRLEN, nlAlign } from "../netlink/message.js";
import { NFGENMSG_LEN, NFQA, NFQNL_MSG, nfqMsgType } from "./constants.js";

/** reset() results. */
export const NFQ_PARSE = {
  OK: 0,
  /** Not an NFQNL_MSG_PACKET message. */
  NOT_PACKET: 1,
  /** No NFQA_PACKET_HDR: nothing to give a verdict on. */
  MALFORMED: 2,
} as const;
export type NfqParse = (typeof NFQ_PARSE)[keyof typeof NFQ_PARSE];

export const NFQ_PACKET_TYPE = nfqMsgType(NFQNL_MSG.PACKET);

/** A reusable view of one queued packet's message. */
export class NfqPacketView {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  /** Queue number (nfgenmsg.res_id). */
  queue = 0;
  /** Packet id, for the verdict. */
  id = 0;
  /** Link-layer protocol, host order (0x86dd for IPv6). */
  hwProtocol = 0;
  /** NF_INET_HOOK value. */
  hook = 0;
  mark = 0;
  /** Interface indexes; 0 when the kernel sent none (no input device at LOCAL_OUT, …). */
  indev = 0;
  outdev = 0;
  physIndev = 0;
  physOutdev = 0;
  /** Where the network-layer packet (copied part) starts in `bytes`, and its length. */
  payloadOffset = 0;
  payloadLength = 0;
  /** NFQA_CAP_LEN: the packet's full length when the copy range cut it, else 0. */
  capLen = 0;
  /** NFQA_SKB_INFO bits (NFQA_SKB.*). */
  skbInfo = 0;
  /** NFQA_TIMESTAMP: the skb's receive time (seconds, microseconds) when it had one. */
  hasTimestamp = false;
  tsSec = 0;
  tsUsec = 0;
  /** The datagram ended before the message did (a slot too small): the payload is cut. */
  truncated = false;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The packet's length in the kernel (capLen if the copy was cut, else the copy's). */
  get packetLength(): number {
    return this.capLen || this.payloadLength;
  }

  /** True when the payload holds the whole packet, so that a replacement may be built from it. */
  get complete(): boolean {
    return !this.truncated && (this.capLen === 0 || this.capLen === this.payloadLength);
  }

  private clear(): void {
    this.id = this.hwProtocol = this.hook = this.mark = 0;
    this.indev = this.outdev = this.physIndev = this.physOutdev = 0;
    this.payloadOffset = this.payloadLength = this.capLen = this.skbInfo = 0;
    this.hasTimestamp = false;
    this.tsSec = this.tsUsec = 0;
  }

  /**
   * Reads the message at `off`, of which `avail` octets were received (fewer than its
   * nlmsg_len when the datagram was cut).
   */
  reset(off: number, avail: number): NfqParse {
    this.clear();
    const dv = this.dv;
    if (avail < NLMSG_HDRLEN + NFGENMSG_LEN || dv.getUint16(off + 4, true) !== NFQ_PACKET_TYPE) return NFQ_PARSE.NOT_PACKET;
    const declared = dv.getUint32(off, true);
    this.truncated = declared > avail;
    const end = off + Math.min(declared, avail);
    this.queue = dv.getUint16(off + NLMSG_HDRLEN + 2, false);
    let sawHdr = false;
    for (let a = off + NLMSG_HDRLEN + NFGENMSG_LEN; a + 4 <= end; ) {
      const len = dv.getUint16(a, true);
      if (len < 4) break;
      const type = dv.getUint16(a + 2, true) & 0x3fff;
      const body = a + 4;
      // Only the payload may be cut short (it is the last attribute the kernel writes).
      const bodyLen = Math.min(len, end - a) - 4;
      if (type === NFQA.PAYLOAD) {
        this.payloadOffset = body;
        this.payloadLength = bodyLen;
        this.truncated ||= bodyLen < len - 4;
      } else if (a + len <= end) sawHdr = this.attr(type, body, bodyLen) || sawHdr;
      a += nlAlign(len);
    }
    return sawHdr ? NFQ_PARSE.OK : NFQ_PARSE.MALFORMED;
  }

  /** One fixed-size attribute; returns true for NFQA_PACKET_HDR. */
  private attr(type: number, at: number, len: number): boolean {
    const dv = this.dv;
    if (len < 4) return false;
    const u32 = dv.getUint32(at, false);
    switch (type) {
      case NFQA.PACKET_HDR:
        if (len < 7) return false;
        this.id = u32;
        this.hwProtocol = dv.getUint16(at + 4, false);
        this.hook = dv.getUint8(at + 6);
        return true;
      case NFQA.MARK: this.mark = u32; break;
      case NFQA.IFINDEX_INDEV: this.indev = u32; break;
      case NFQA.IFINDEX_OUTDEV: this.outdev = u32; break;
      case NFQA.IFINDEX_PHYSINDEV: this.physIndev = u32; break;
      case NFQA.IFINDEX_PHYSOUTDEV: this.physOutdev = u32; break;
      case NFQA.CAP_LEN: this.capLen = u32; break;
      case NFQA.SKB_INFO: this.skbInfo = u32; break;
      case NFQA.TIMESTAMP:
        if (len < 16) break;
        this.hasTimestamp = true;
        this.tsSec = u32 * 2 ** 32 + dv.getUint32(at + 4, false);
        this.tsUsec = dv.getUint32(at + 12, false);
        break;
    }
    return false;
  }
}
