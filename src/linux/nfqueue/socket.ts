// An NFQUEUE consumer socket: binds queues, receives batches of queued packets and hands each
// to one handler as a reused view, collects the handler's verdicts in one send buffer and
// sends them with one sendmsg per batch. Configuration requests and their acks share the
// stream with packets. Rules: every packet gets exactly one verdict during the handler —
// one it did not answer (or threw on) is accepted unchanged and counted, never left queued.

import { KernelError } from "../kernel-error.js";
import { NLMSG, nlAlign } from "../netlink/message.js";
import { readAck } from "./ack.js";
import { NF_VERDICT, NFQA_CFG_F, NFQNL_CFG_CMD, NFQNL_COPY } from "./constants.js";
import { type QueueConfig, encodeQueueConfig } from "./config.js";
import { type NlSocket, type NlSocketCounters, nfqueueAddon } from "./native.js";
import { bindRefusalReason } from "./proc.js";
import { NFQ_PACKET_TYPE, NFQ_PARSE, NfqPacketView } from "./packet-view.js";
import { checkOptions, type NfqueueOptions, resolveOptions, type ResolvedOptions } from "./options.js";
import { VerdictWriter } from "./verdict.js";

export const NETLINK_NETFILTER = 12;
const EPERM = 1;
const EAGAIN = 11;
const ENOBUFS = 105;
/** recv() rounds per readiness callback, so that timers and signals get their turn. */
const MAX_ROUNDS = 16;

export type { NfqueueOptions } from "./options.js";

/** Called once per queued packet; the view is valid only during the call. */
export type PacketHandler = (pkt: NfqPacketView) => void;

/** What the socket counted (beside the addon's own counters). */
export interface NfqueueCounters {
  packets: number;
  /** Packet messages without a packet header (no verdict possible). */
  malformed: number;
  /** Packets whose message was cut by a small slot (accepted unchanged). */
  truncated: number;
  /** Packets the handler left without a verdict, or threw on: accepted unchanged. */
  unanswered: number;
  handlerErrors: number;
  verdictsSent: number;
  /** Verdicts the kernel refused (NLMSG_ERROR), e.g. ENOENT for an unknown id. */
  verdictErrors: number;
  /** Verdicts that could not be sent (the send failed twice): their packets stay queued until close. */
  verdictsLost: number;
  lastErrno: number;
}

interface Pending {
  what: string;
  resolve(): void;
  reject(e: Error): void;
}

export class NfqueueSocket {
  readonly view: NfqPacketView;
  readonly out: VerdictWriter;
  readonly counters: NfqueueCounters = { packets: 0, malformed: 0, truncated: 0, unanswered: 0, handlerErrors: 0, verdictsSent: 0, verdictErrors: 0, verdictsLost: 0, lastErrno: 0 };
  private readonly rbuf: Uint8Array;
  private readonly dv: DataView;
  private readonly pairs: Int32Array;
  private readonly pending = new Map<number, Pending>();
  private seq = 1;
  private answered = true;
  private handlerError: unknown = undefined;
  private closed = false;

  private constructor(
    private readonly sock: NlSocket,
    readonly options: ResolvedOptions,
    private readonly handler: PacketHandler,
  ) {
    this.rbuf = new Uint8Array(options.slotSize * options.batch);
    this.dv = new DataView(this.rbuf.buffer);
    this.pairs = new Int32Array(2 * options.batch);
    this.view = new NfqPacketView(this.rbuf);
    this.out = new VerdictWriter(options.sendCapacity);
  }

  /**
   * Opens the socket and binds every queue of `options` (copy mode packet, copy range, queue
   * length, fail-open/GSO flags in one request per queue). On any refusal the socket is closed
   * — and with it every queue it had bound — and a KernelError names the queue.
   */
  static async open(options: NfqueueOptions, handler: PacketHandler): Promise<NfqueueSocket> {
    const opts = resolveOptions(checkOptions(options));
    const sock = new (nfqueueAddon().NlSocket)(NETLINK_NETFILTER, opts.rcvbuf, opts.sndbuf);
    const { errno } = sock.info();
    if (errno !== 0) throw new KernelError("opening a NETLINK_NETFILTER socket (CONFIG_NETFILTER_NETLINK)", errno);
    if (opts.timestamps) sock.enableTimestamps(); // best effort: without it packets carry no NFQA_TIMESTAMP
    const s = new NfqueueSocket(sock, opts, handler);
    sock.start(() => s.onReadable());
    try {
      for (const q of opts.queues) await s.bind(q);
    } catch (e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Binds one queue; an EPERM says whether another socket holds it or privileges are missing. */
  private async bind(queue: number): Promise<void> {
    try {
      await this.configure(queue, this.bindConfig(), `binding NFQUEUE queue ${queue}`);
    } catch (e) {
      if (!(e instanceof KernelError) || e.errno !== EPERM) throw e;
      throw new KernelError(`binding NFQUEUE queue ${queue} (${bindRefusalReason(queue, this.sock.info().portId)})`, EPERM, e.extack);
    }
  }

  private bindConfig(): QueueConfig {
    const o = this.options;
    const mask = NFQA_CFG_F.FAIL_OPEN | NFQA_CFG_F.GSO;
    const value = (o.failOpen ? NFQA_CFG_F.FAIL_OPEN : 0) | (o.gso ? NFQA_CFG_F.GSO : 0);
    return { command: { cmd: NFQNL_CFG_CMD.BIND }, copy: { mode: NFQNL_COPY.PACKET, range: o.copyRange }, maxLen: o.maxLen, flags: { mask, value } };
  }

  /** Sends one CONFIG request for `queue` and resolves on the kernel's ACK. */
  configure(queue: number, config: QueueConfig, what: string): Promise<void> {
    const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
    const msg = encodeQueueConfig(queue, config, seq);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (this.pending.delete(seq), reject(new KernelError(`${what}: no answer from the kernel`, 110))), 5000);
      const done = () => clearTimeout(timer);
      this.pending.set(seq, { what, resolve: () => (done(), resolve()), reject: (e) => (done(), reject(e)) });
      const r = this.sock.send(msg, msg.length);
      if (r < 0) this.settle(seq, -r, undefined);
    });
  }

  private settle(seq: number, errno: number, extack: string | undefined): void {
    const p = this.pending.get(seq);
    if (!p) {
      if (errno !== 0) (this.counters.verdictErrors++, (this.counters.lastErrno = errno));
      return;
    }
    this.pending.delete(seq);
    if (errno === 0) p.resolve();
    else p.reject(new KernelError(p.what, errno, extack));
  }

  private onReadable(): void {
    for (let round = 0; round < MAX_ROUNDS && !this.closed; round++) {
      const n = this.sock.recv(this.rbuf, this.options.slotSize, this.pairs);
      if (n < 0) return this.failReceive(-n);
      if (n === 0) break;
      for (let i = 0; i < n; i++) this.datagram(this.pairs[2 * i]!, this.pairs[2 * i + 1]!);
      this.flush();
      if (n < this.options.batch) break;
    }
    this.flush();
    const e = this.handlerError;
    this.handlerError = undefined;
    if (e !== undefined) throw e; // after every packet of the batch has its verdict
  }

  /**
   * A receive error the addon does not absorb (not EAGAIN/ENOBUFS/EINTR) would come back on
   * every readiness callback: stop polling and raise it once (the process's owner decides;
   * fail-open keeps traffic flowing meanwhile).
   */
  private failReceive(errno: number): never {
    this.counters.lastErrno = errno;
    this.flush();
    this.sock.stop();
    throw new KernelError("receiving from the NFQUEUE socket", errno);
  }

  private datagram(off: number, len: number): void {
    const dv = this.dv;
    for (let o = off, end = off + len; o + 16 <= end; ) {
      const mlen = dv.getUint32(o, true);
      if (mlen < 16) return;
      const avail = Math.min(mlen, end - o);
      const type = dv.getUint16(o + 4, true);
      if (type === NFQ_PACKET_TYPE) this.packet(o, avail);
      else if (type === NLMSG.ERROR) {
        const ack = readAck(this.rbuf, dv, o, avail);
        if (ack) this.settle(ack.seq, ack.errno, ack.extack);
      }
      o += nlAlign(mlen);
    }
  }

  private packet(off: number, avail: number): void {
    const v = this.view;
    if (v.reset(off, avail) !== NFQ_PARSE.OK) return void this.counters.malformed++;
    this.counters.packets++;
    if (v.truncated) {
      this.counters.truncated++;
      return void this.verdict(v.queue, v.id, NF_VERDICT.ACCEPT);
    }
    this.answered = false;
    try {
      this.handler(v);
    } catch (e) {
      this.counters.handlerErrors++;
      this.handlerError ??= e;
    }
    if (!this.answered) {
      this.counters.unanswered++;
      this.verdict(v.queue, v.id, NF_VERDICT.ACCEPT);
    }
  }

  /** Queues a verdict without payload for the packet `id` of `queue`. */
  verdict(queue: number, id: number, verdict: number, mark = -1): void {
    this.answered = true;
    if (!this.out.verdict(queue, id, verdict, mark)) (this.flush(), this.out.verdict(queue, id, verdict, mark));
  }

  /** Unbinds one queue (NFQNL_CFG_CMD_UNBIND); with --queue-bypass its packets then pass untouched. */
  unbind(queue: number): Promise<void> {
    return this.configure(queue, { command: { cmd: NFQNL_CFG_CMD.UNBIND } }, `unbinding NFQUEUE queue ${queue}`);
  }

  accept(pkt: NfqPacketView): void {
    this.verdict(pkt.queue, pkt.id, NF_VERDICT.ACCEPT);
  }

  drop(pkt: NfqPacketView): void {
    this.verdict(pkt.queue, pkt.id, NF_VERDICT.DROP);
  }

  /**
   * Queues an ACCEPT verdict that replaces the packet by `length` octets and returns where
   * in `out.bytes` to write them (before the next verdict call), or -2 when `length` is more
   * than a netlink attribute can carry (then no verdict was queued).
   */
  reserve(pkt: NfqPacketView, length: number, mark = -1): number {
    let at = this.out.reserve(pkt.queue, pkt.id, NF_VERDICT.ACCEPT, length, mark);
    if (at === -1) (this.flush(), (at = this.out.reserve(pkt.queue, pkt.id, NF_VERDICT.ACCEPT, length, mark)));
    if (at >= 0) this.answered = true;
    return at;
  }

  /** Sends the queued verdicts (one sendmsg); retries once on EAGAIN/ENOBUFS, else counts them lost. */
  flush(): void {
    const out = this.out;
    if (out.length === 0 || this.closed) return;
    let r = this.sock.send(out.bytes, out.length);
    if (r === -EAGAIN || r === -ENOBUFS) r = this.sock.send(out.bytes, out.length);
    if (r < 0) (this.counters.verdictsLost += out.messages), (this.counters.lastErrno = -r);
    else this.counters.verdictsSent += out.messages;
    out.clear();
  }

  /** The addon's counters (syscalls, EAGAIN/ENOBUFS, truncations) and what the kernel granted. */
  nativeCounters(): NlSocketCounters & { rcvbuf: number; sndbuf: number; portId: number } {
    const i = this.sock.info();
    return { ...this.sock.counters(), rcvbuf: i.rcvbuf, sndbuf: i.sndbuf, portId: i.portId };
  }

  /** Lets the process exit while the socket is open (the socket keeps it alive by default). */
  unref(): void {
    this.sock.unref();
  }

  /**
   * Sends what is queued, then closes the socket; the kernel unbinds its queues and drops
   * packets still waiting for a verdict (remove the rules that feed the queue first).
   */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.sock.close();
    for (const [seq, p] of this.pending) (this.pending.delete(seq), p.reject(new KernelError(`${p.what}: socket closed`, 9)));
  }
}
