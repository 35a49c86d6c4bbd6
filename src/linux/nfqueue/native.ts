// Loads ioamkit's NFQUEUE socket addon (native/nfqueue/, built by `npm ci` through node-gyp)
// and states its JavaScript shape. Why an addon of our own: docs/architecture.md ("The queue
// socket").

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { IoamError } from "../../errors.js";

/** Counters the addon keeps (native/nfqueue/nlsock.h enum nls_counter). */
export interface NlSocketCounters {
  recvCalls: number;
  datagrams: number;
  recvEagain: number;
  recvEnobufs: number;
  recvEintr: number;
  truncated: number;
  foreign: number;
  sendCalls: number;
  sendBytes: number;
  sendEagain: number;
  sendEnobufs: number;
  sendErrors: number;
  pollErrors: number;
}

/** The socket's state: errno of a failed open (else 0), and what the kernel granted. */
export interface NlSocketInfo {
  errno: number;
  fd: number;
  portId: number;
  rcvbuf: number;
  sndbuf: number;
  noEnobufs: number;
}

/** The addon's class: a non-blocking netlink socket with batched receive and send. */
export interface NlSocket {
  /** Calls `onReadable` from the event loop whenever the socket has data (level triggered). */
  start(onReadable: () => void): void;
  stop(): void;
  /** Reads datagrams into slots of `slotSize` octets; (offset, length) pairs into `out`. Returns the count, 0 when none, or -errno. */
  recv(buf: Uint8Array, slotSize: number, out: Int32Array): number;
  /** Sends `length` octets of `buf` to the kernel; returns octets sent or -errno. */
  send(buf: Uint8Array, length: number): number;
  counters(): NlSocketCounters;
  /** SO_TIMESTAMP: the kernel stamps received packets host-wide, so NFQA_TIMESTAMP is sent. 0 or -errno. */
  enableTimestamps(): number;
  info(): NlSocketInfo;
  ref(): void;
  unref(): void;
  close(): void;
}

interface Addon {
  NlSocket: new (protocol: number, rcvbuf: number, sndbuf: number) => NlSocket;
}

const ADDON = fileURLToPath(new URL("../../../../build/Release/ioamkit_nfqueue.node", import.meta.url));
let addon: Addon | undefined;

/** The addon, loaded once; throws NOT_SUPPORTED naming the file and the fix when not built. */
export function nfqueueAddon(): Addon {
  if (addon) return addon;
  if (!existsSync(ADDON)) throw new IoamError("NOT_SUPPORTED", `the NFQUEUE socket addon is not built (${ADDON} missing): run npm ci, or npx node-gyp rebuild in the package directory (needs a C compiler)`);
  addon = createRequire(import.meta.url)(ADDON) as Addon;
  return addon;
}
