// What the kernel says about its queues (net/netfilter/nfnetlink_queue.c seq_show, one line
// per bound queue of this netns in /proc/net/netfilter/nfnetlink_queue), and whether this
// process has CAP_NET_ADMIN (bit 12 of CapEff in /proc/self/status) — to tell a queue taken by
// another process from missing privileges, which both answer EPERM.

import { readFileSync } from "node:fs";

/** One bound queue as the kernel reports it. */
export interface QueueRow {
  queue: number;
  /** Netlink port id of the socket that bound it. */
  portId: number;
  /** Packets waiting for a verdict. */
  waiting: number;
  copyMode: number;
  copyRange: number;
  /** Packets dropped because the queue was full (not counted with fail-open: those pass). */
  queueDropped: number;
  /** Packets the kernel could not send to the socket (receive buffer full). */
  userDropped: number;
  idSequence: number;
}

export const NFQUEUE_PROC = "/proc/net/netfilter/nfnetlink_queue";

/** Parses the file's text; lines that are not 9 numbers are skipped. */
export function parseQueueTable(text: string): QueueRow[] {
  const rows: QueueRow[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length < 8 || f.some((n) => !Number.isFinite(n))) continue;
    const [queue, portId, waiting, copyMode, copyRange, queueDropped, userDropped, idSequence] = f as [number, number, number, number, number, number, number, number];
    rows.push({ queue, portId, waiting, copyMode, copyRange, queueDropped, userDropped, idSequence });
  }
  return rows;
}

/** The bound queues of this netns; empty when the file is absent (module not loaded). */
export function readQueueTable(): QueueRow[] {
  try {
    return parseQueueTable(readFileSync(NFQUEUE_PROC, "utf8"));
  } catch {
    return [];
  }
}

const CAP_NET_ADMIN = 12n;

/** True when this process's effective capabilities include CAP_NET_ADMIN. */
export function hasNetAdmin(): boolean {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m !== null && ((BigInt(`0x${m[1]}`) >> CAP_NET_ADMIN) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Why binding `queue` was refused with EPERM, for the error message. */
export function bindRefusalReason(queue: number, ownPort: number): string {
  const owner = readQueueTable().find((r) => r.queue === queue && r.portId !== ownPort);
  if (owner) return `already bound by another socket (netlink port ${owner.portId}, see ${NFQUEUE_PROC})`;
  return hasNetAdmin() ? "refused by the kernel" : "needs CAP_NET_ADMIN";
}
