// A netlink socket with requests and replies matched by sequence number, dumps collected
// until NLMSG_DONE, errors turned into KernelError, and multicast subscription. The socket
// itself comes from the `netlink` package (a small native addon: Node has no AF_NETLINK).

import { RawNetlinkSocket } from "netlink/dist/raw.js";
import { KernelError } from "../kernel-error.js";
import { NLMSG, NLM_F, type NetlinkMessage, decodeMessages, encodeMessage } from "./message.js";

export const NETLINK_ROUTE = 0;
export const NETLINK_GENERIC = 16;
const ENOBUFS = 105;

interface Pending {
  what: string;
  replies: NetlinkMessage[];
  resolve(m: NetlinkMessage[]): void;
  reject(e: Error): void;
}

export class NetlinkSocket {
  private readonly raw: RawNetlinkSocket;
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly pending = new Map<number, Pending>();
  private listener: ((m: NetlinkMessage) => void) | undefined;
  private overrun: (() => void) | undefined;

  constructor(protocol: number) {
    this.raw = new RawNetlinkSocket(protocol, { recvBufferSize: 1 << 20, sendBufferSize: 1 << 16 });
    this.raw.on("message", (b: Buffer) => this.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    this.raw.on("error", (e: Error & { errno?: number }) => {
      // ENOBUFS on a multicast subscriber: the kernel dropped messages for us (socket(7)); the
      // socket goes on. Requests in flight fail only on other errors.
      if (this.overrun && (e.errno === ENOBUFS || e.errno === -ENOBUFS)) this.overrun();
      else this.failAll(e);
    });
    this.raw.unref();
  }

  private receive(b: Uint8Array): void {
    for (const m of decodeMessages(b)) {
      const p = m.seq !== 0 ? this.pending.get(m.seq) : undefined;
      if (!p) {
        this.listener?.(m);
        continue;
      }
      if (m.type === NLMSG.ERROR) this.settleError(m, p);
      else if (m.type === NLMSG.DONE) this.settle(m.seq, p);
      else {
        p.replies.push(m);
        if (!(m.flags & NLM_F.MULTI)) this.settle(m.seq, p);
      }
    }
  }

  private settleError(m: NetlinkMessage, p: Pending): void {
    const errno = -new DataView(m.payload.buffer, m.payload.byteOffset, 4).getInt32(0, true);
    this.pending.delete(m.seq);
    this.unrefIfIdle();
    if (errno === 0) p.resolve(p.replies);
    else p.reject(new KernelError(p.what, errno));
  }

  private settle(seq: number, p: Pending): void {
    this.pending.delete(seq);
    this.unrefIfIdle();
    p.resolve(p.replies);
  }

  private unrefIfIdle(): void {
    if (this.pending.size === 0 && !this.listener) this.raw.unref();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /**
   * Sends a request (flags REQUEST|ACK added) and resolves with its replies: the messages of a
   * dump, or none for a plain ACK. `what` names the operation in errors.
   */
  request(type: number, flags: number, payload: Uint8Array, what: string): Promise<NetlinkMessage[]> {
    const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { what, replies: [], resolve, reject });
      this.raw.ref();
      this.raw.send(encodeMessage(type, flags | NLM_F.REQUEST | NLM_F.ACK, seq, payload), {}, (err) => {
        if (!err) return;
        this.pending.delete(seq);
        this.unrefIfIdle();
        reject(new KernelError(what, err.errno < 0 ? -err.errno : err.errno));
      });
    });
  }

  /**
   * Joins a multicast group; `onMessage` then receives every unsolicited message, and
   * `onOverrun` (if given) each time the kernel reports ENOBUFS: messages were dropped, how
   * many is not said.
   */
  subscribe(group: number, onMessage: (m: NetlinkMessage) => void, onOverrun?: () => void): void {
    this.listener = onMessage;
    this.overrun = onOverrun;
    this.raw.addMembership(group);
    this.raw.ref();
  }

  /** Asks for a larger receive buffer (SO_RCVBUF; the kernel caps it at rmem_max). */
  setReceiveBuffer(bytes: number): void {
    this.raw.setRecvBufferSize(bytes);
  }

  close(): void {
    this.raw.close();
  }
}
