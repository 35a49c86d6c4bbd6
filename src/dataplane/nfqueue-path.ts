// PacketPath over NFQUEUE (linux/nfqueue): packets queued by ip6tables NFQUEUE rules, verdicts
// batched into one sendmsg per receive batch. NFQUEUE specifics kept here, so the daemon
// never sees them: the kernel (nfqnl_mangle in net/netfilter/nfnetlink_queue.c) refuses a
// replacement shorter than the packet's transport offset and then drops the packet — so a
// shorter replacement is padded up to it; and a packet the copy range cut is never replaced.

import type { NfqPacketView } from "../linux/nfqueue/packet-view.js";
import { type NfqueueCounters, type NfqueueOptions, NfqueueSocket } from "../linux/nfqueue/socket.js";
import { type PacketHandler, type PacketPath, type PacketPathStats, type PacketStage, type PathPacket, transportOffset } from "./packet-path.js";

const STAGE_OF_HOOK: readonly PacketStage[] = ["prerouting", "input", "forward", "output", "postrouting"];

/** The reused packet record the handler sees. */
class NfqPathPacket implements PathPacket {
  bytes: Uint8Array;
  offset = 0;
  length = 0;
  stage: PacketStage = "prerouting";
  ingressIfindex = 0;
  egressIfindex = 0;
  hasTimestamp = false;
  tsSec = 0;
  tsNsec = 0;
  complete = false;
  minReplaceLength = 0;
  /** The view it was filled from (queue and id for the verdict). */
  view: NfqPacketView;
  constructor(view: NfqPacketView) {
    this.view = view;
    this.bytes = view.bytes;
  }
  fill(v: NfqPacketView): void {
    this.offset = v.payloadOffset;
    this.length = v.payloadLength;
    this.stage = STAGE_OF_HOOK[v.hook] ?? "prerouting";
    this.ingressIfindex = v.indev;
    this.egressIfindex = v.outdev;
    this.hasTimestamp = v.hasTimestamp;
    this.tsSec = v.tsSec;
    this.tsNsec = v.tsUsec * 1000;
    this.complete = v.complete;
    this.minReplaceLength = transportOffset(v.bytes, v.payloadOffset, v.payloadLength, this.stage);
  }
}

/** NFQUEUE as a PacketPath. Open with NfqueuePath.open(options, handler). */
export class NfqueuePath implements PacketPath {
  readonly kind = "nfqueue";
  private readonly counts: PacketPathStats = { received: 0, accepted: 0, dropped: 0, replaced: 0, padded: 0, tooLong: 0, passedUnchanged: 0, lost: 0 };
  private pkt!: NfqPathPacket;
  private sock!: NfqueueSocket;

  private constructor(private readonly handler: PacketHandler) {}

  /** Binds the queues (see NfqueueOptions) and starts calling `handler` for each packet. */
  static async open(options: NfqueueOptions, handler: PacketHandler): Promise<NfqueuePath> {
    const path = new NfqueuePath(handler);
    path.sock = await NfqueueSocket.open(options, (v) => path.onPacket(v));
    path.pkt = new NfqPathPacket(path.sock.view);
    return path;
  }

  private onPacket(v: NfqPacketView): void {
    const p = this.pkt;
    p.fill(v);
    if (!p.complete) {
      this.counts.passedUnchanged++;
      return this.sock.accept(v);
    }
    this.handler(p);
  }

  get out(): Uint8Array {
    return this.sock.out.bytes;
  }

  accept(pkt: PathPacket): void {
    this.counts.accepted++;
    this.sock.accept((pkt as NfqPathPacket).view);
  }

  drop(pkt: PathPacket): void {
    this.counts.dropped++;
    this.sock.drop((pkt as NfqPathPacket).view);
  }

  beginReplace(pkt: PathPacket, length: number): number {
    const p = pkt as NfqPathPacket;
    const size = Math.max(length, p.minReplaceLength);
    const at = this.sock.reserve(p.view, size);
    if (at < 0) {
      this.counts.tooLong++;
      this.sock.accept(p.view);
      return -1;
    }
    this.counts.replaced++;
    if (size > length) {
      this.counts.padded++;
      this.sock.out.bytes.fill(0, at + length, at + size);
    }
    return at;
  }

  replace(pkt: PathPacket, src: Uint8Array, off: number, length: number): boolean {
    const at = this.beginReplace(pkt, length);
    if (at < 0) return false;
    this.sock.out.bytes.set(src.subarray(off, off + length), at);
    return true;
  }

  flush(): void {
    this.sock.flush();
  }

  stats(): PacketPathStats {
    const c = this.sock.counters;
    return { ...this.counts, received: c.packets, passedUnchanged: this.counts.passedUnchanged + c.unanswered + c.truncated, lost: c.verdictsLost };
  }

  /** The socket's own counters (for `ioam node stats` and the bench). */
  socketCounters(): NfqueueCounters {
    return { ...this.sock.counters };
  }

  /** Stops taking packets from one queue; with --queue-bypass they then pass untouched. */
  unbind(queue: number): Promise<void> {
    return this.sock.unbind(queue);
  }

  close(): void {
    this.sock.close();
  }
}
