// PacketPath (docs/architecture.md): the one interface the data plane uses for packet I/O — receive
// packets in batches, give each a verdict (accept, drop, replace), flush — so that NFQUEUE
// rewriting can be replaced by another mechanism (TUN or raw-socket reinjection, tc-BPF)
// without touching the daemon. Implementations: nfqueue-path.ts.

import { IPPROTO, extHeaderLength, isWalkedExtHeader } from "../wire/ext-header.js";

/** Where in the IPv6 stack a packet was taken (netfilter hook). */
export type PacketStage = "prerouting" | "input" | "forward" | "output" | "postrouting";

/**
 * One packet handed to the data plane. The object is reused and `bytes` is the path's receive
 * buffer: both are valid only during the handler call that received them.
 */
export interface PathPacket {
  /** Buffer holding the IPv6 packet at [offset, offset + length). */
  readonly bytes: Uint8Array;
  readonly offset: number;
  readonly length: number;
  readonly stage: PacketStage;
  /** Interface indexes; 0 when there is none (no input at output, no output before routing). */
  readonly ingressIfindex: number;
  readonly egressIfindex: number;
  /** The kernel's receive time, when it recorded one. */
  readonly hasTimestamp: boolean;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** The whole packet is in `bytes` (not cut by a copy range): only then may it be replaced. */
  readonly complete: boolean;
  /**
   * The shortest replacement the path takes back as it is. A shorter one (e.g. a decapsulated
   * TCP ACK) is returned padded with zeros after the IPv6 payload up to this length; the next
   * receiver trims to the Payload Length, so the padding crosses one link.
   */
  readonly minReplaceLength: number;
}

/** What a path counted; every packet received ends in exactly one of the verdict counters. */
export interface PacketPathStats {
  received: number;
  accepted: number;
  dropped: number;
  replaced: number;
  /** Replacements shorter than minReplaceLength, returned padded (also in `replaced`). */
  padded: number;
  /** Replacements refused as too long for the path (the packet was accepted unchanged). */
  tooLong: number;
  /** Packets that were not complete or not answered by the handler, accepted unchanged. */
  passedUnchanged: number;
  /** Verdicts the path could not deliver (their packets follow the path's failure rule). */
  lost: number;
}

export type PacketHandler = (pkt: PathPacket) => void;

/** Packet I/O for the data plane. Each received packet gets exactly one verdict during the handler. */
export interface PacketPath {
  /** Names the mechanism ("nfqueue"), for stats and logs. */
  readonly kind: string;
  /** Lets the packet continue unchanged. */
  accept(pkt: PathPacket): void;
  drop(pkt: PathPacket): void;
  /**
   * Replaces the packet by `length` octets, which the caller writes into `out` at the returned
   * offset before its next call on the path. Returns -1 when the path cannot take that length:
   * the packet was then accepted unchanged (and counted in tooLong).
   */
  beginReplace(pkt: PathPacket, length: number): number;
  /** The buffer beginReplace's offsets point into. */
  readonly out: Uint8Array;
  /** Replaces the packet by a copy of src[off, off + length). Returns false as beginReplace's -1. */
  replace(pkt: PathPacket, src: Uint8Array, off: number, length: number): boolean;
  /** Sends what is pending now (paths also flush by themselves after each batch). */
  flush(): void;
  stats(): PacketPathStats;
  /** Stops receiving and releases the path; packets still queued follow the path's rule. */
  close(): void;
}

/**
 * Offset of the upper-layer header: 40 plus the extension headers the kernel had walked when
 * it queued the packet. Before routing (prerouting, input, forward) that is only Hop-by-Hop
 * (ipv6_rcv/ipv6_parse_hopopts set the transport header after it); for output and
 * postrouting it is the whole chain (the sending socket's layer set it). Both are at most the
 * whole walked chain, so that is used where the stage does not say.
 */
export function transportOffset(b: Uint8Array, off: number, len: number, stage: PacketStage): number {
  if (len < 40) return len;
  const first = b[off + 6]!;
  if (stage === "prerouting" || stage === "input" || stage === "forward") {
    if (first !== IPPROTO.HOPOPTS) return 40;
    const l = extHeaderLength(b, first, off + 40, off + len);
    return l < 0 ? len : 40 + l;
  }
  let nh = first;
  let pos = 40;
  while (isWalkedExtHeader(nh)) {
    const l = extHeaderLength(b, nh, off + pos, off + len);
    if (l < 0) return len;
    nh = b[off + pos]!;
    pos += l;
  }
  return pos;
}
