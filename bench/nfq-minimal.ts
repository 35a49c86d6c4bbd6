// bench/dataplane's row (2b): nfq-minimal.c's consumer on ioamkit's own socket (addon +
// TypeScript messages) — same queue, copy range, queue length, receive buffer and fail-open;
// every packet returned with its payload rewritten (hop limit set), verdicts batched.
// Usage: node dist/bench/nfq-minimal.js QUEUE HOPLIMIT MAXLEN RCVBUF   (until SIGTERM/SIGINT)

import { NfqueueSocket } from "../src/linux/nfqueue/socket.js";

const [queue, hopLimit, maxLen, rcvbuf] = process.argv.slice(2).map(Number) as [number, number, number, number];
let handled = 0;

const sock = await NfqueueSocket.open({ queues: [queue], maxLen, rcvbuf, copyRange: 0xffff, failOpen: true }, (p) => {
  const len = p.payloadLength;
  if (len < 40) return sock.accept(p);
  const at = sock.reserve(p, len);
  const out = sock.out.bytes;
  out.set(p.bytes.subarray(p.payloadOffset, p.payloadOffset + len), at);
  out[at + 7] = hopLimit; // IPv6 Hop Limit (RFC 8200 §3)
  handled++;
});

const finish = () => {
  sock.close();
  process.stdout.write(JSON.stringify({ handled, ...sock.counters, native: sock.nativeCounters() }) + "\n");
  process.exit(0);
};
process.on("SIGTERM", finish).on("SIGINT", finish);
process.stderr.write("nfq-minimal-ts: ready\n");
