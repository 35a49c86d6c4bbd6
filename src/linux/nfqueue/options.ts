// Options of an NFQUEUE socket, their defaults, and the checks that refuse bad values before
// anything is opened.

import { ConfigError } from "../../errors.js";
import { MAX_QUEUE } from "./constants.js";

export interface NfqueueOptions {
  /** Queue numbers this socket binds (one process per queue; --queue-balance spreads over several). */
  queues: readonly number[];
  /** Octets of each packet copied to userspace; 0xffff (default) for whole packets. */
  copyRange?: number;
  /** Packets the kernel holds per queue before it drops or (fail-open) accepts them; default 8192. */
  maxLen?: number;
  /** Accept packets the queue has no room for instead of dropping them (default true). */
  failOpen?: boolean;
  /** Take GSO packets whole instead of having the kernel segment them (default false: IOAM is per packet). */
  gso?: boolean;
  /**
   * Ask the kernel to timestamp received packets (default true), so that each carries its
   * receive time (NFQA_TIMESTAMP). Without it, packets have a timestamp only while some
   * socket on the host has asked for them (net_enable_timestamp is host-wide).
   */
  timestamps?: boolean;
  /** Receive buffer (SO_RCVBUFFORCE), octets; default 16 MiB. */
  rcvbuf?: number;
  /** Datagrams per recv call (and slots in the receive buffer); default 64. */
  batch?: number;
  /** Octets per receive slot; default copyRange + 512 (room for the message's attributes). */
  slotSize?: number;
}

export interface ResolvedOptions {
  queues: readonly number[];
  copyRange: number;
  maxLen: number;
  failOpen: boolean;
  gso: boolean;
  timestamps: boolean;
  rcvbuf: number;
  sndbuf: number;
  batch: number;
  slotSize: number;
  sendCapacity: number;
}

/** Attribute room beyond the packet: headers, ifindexes, timestamp, hw address, uid/gid, … */
const SLOT_OVERHEAD = 512;

const isInt = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;

/** Throws ConfigError naming the option when a value is out of range. */
export function checkOptions(o: NfqueueOptions): NfqueueOptions {
  if (o.queues.length === 0) throw new ConfigError("nfqueue.queues", "no queue to bind");
  for (const q of o.queues) if (!isInt(q, 0, MAX_QUEUE)) throw new ConfigError("nfqueue.queues", `queue ${q} is not in 0..${MAX_QUEUE}`);
  if (new Set(o.queues).size !== o.queues.length) throw new ConfigError("nfqueue.queues", "a queue is listed twice");
  if (o.copyRange !== undefined && !isInt(o.copyRange, 40, 0xffff)) throw new ConfigError("nfqueue.copyRange", `${o.copyRange} is not in 40..65535 (an IPv6 header needs 40)`);
  if (o.maxLen !== undefined && !isInt(o.maxLen, 1, 2 ** 31 - 1)) throw new ConfigError("nfqueue.maxLen", `${o.maxLen} is not a positive 32-bit count`);
  if (o.batch !== undefined && !isInt(o.batch, 1, 256)) throw new ConfigError("nfqueue.batch", `${o.batch} is not in 1..256 (recvmmsg batch)`);
  if (o.rcvbuf !== undefined && !isInt(o.rcvbuf, 4096, 2 ** 30)) throw new ConfigError("nfqueue.rcvbuf", `${o.rcvbuf} is not in 4096..2^30`);
  if (o.slotSize !== undefined && !isInt(o.slotSize, 256, 1 << 20)) throw new ConfigError("nfqueue.slotSize", `${o.slotSize} is not in 256..1 MiB`);
  return o;
}

/**
 * Send buffer for verdicts: 256 KiB, room for a whole batch of 1500-octet replacements and
 * always for one of the largest (64 KiB); the socket's send buffer is twice that, because
 * netlink_sendmsg refuses a message larger than sk_sndbuf − 32.
 */
const SEND_CAPACITY = 1 << 18;

/** Fills in the defaults. */
export function resolveOptions(o: NfqueueOptions): ResolvedOptions {
  const copyRange = o.copyRange ?? 0xffff;
  const batch = o.batch ?? 64;
  const slotSize = o.slotSize ?? (copyRange + SLOT_OVERHEAD + 3) & ~3;
  const sendCapacity = SEND_CAPACITY;
  return { queues: o.queues, copyRange, maxLen: o.maxLen ?? 8192, failOpen: o.failOpen ?? true, gso: o.gso ?? false, timestamps: o.timestamps ?? true, rcvbuf: o.rcvbuf ?? 16 << 20, sndbuf: 2 * sendCapacity, batch, slotSize, sendCapacity };
}
