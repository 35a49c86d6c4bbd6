// A test NFQUEUE consumer on ioamkit's PacketPath, run inside a netns (ip netns exec), with
// its behaviour given as JSON on the command line:
//   { "queues": [3], "mode": "hoplimit" | "strip" | "accept" | "drop" | "none", "hopLimit": 200, "slowUs": 0,
//     "unbind": false }   (unbind: bind, then unbind the queues again before saying ready)
//   { "queues": [3], "mode": "retrace", "traceId": HEX }   the trace id of every ioamkit trace-context
//     snapshot (header 0x07696f6b: 7 words of schema "iok", docs/cross-layer.md) replaced by
//     traceId; packets without one accepted unchanged
// "strip" removes a Hop-by-Hop header (as decapsulation does; the path pads what is too short);
// "none" gives no verdict (the socket must accept unchanged). Prints "ready" on stderr once
// the queues are bound, or one line "error: …" and exits 1; on SIGTERM prints its counters as
// JSON on stdout and exits 0.

import { NfqueuePath } from "../../src/dataplane/nfqueue-path.js";
import type { PathPacket } from "../../src/dataplane/packet-path.js";

interface Config {
  queues: number[];
  mode: "hoplimit" | "strip" | "accept" | "drop" | "none" | "retrace";
  hopLimit?: number;
  traceId?: string;
  slowUs?: number;
  unbind?: boolean;
}

const config = JSON.parse(process.argv[2] ?? "{}") as Config;

function busy(us: number): void {
  const until = process.hrtime.bigint() + BigInt(us * 1000);
  while (process.hrtime.bigint() < until);
}

function handle(path: NfqueuePath, p: PathPacket): void {
  if (config.slowUs) busy(config.slowUs);
  if (config.mode === "accept") return path.accept(p);
  if (config.mode === "drop") return path.drop(p);
  if (config.mode === "none") return;
  if (config.mode === "strip") return strip(path, p);
  if (config.mode === "retrace") return retrace(path, p, Buffer.from(config.traceId!, "hex"));
  const at = path.beginReplace(p, p.length);
  if (at < 0) return;
  path.out.set(p.bytes.subarray(p.offset, p.offset + p.length), at);
  path.out[at + 7] = config.hopLimit ?? 200;
}

const SNAPSHOT_HEADER = Buffer.from("07696f6b", "hex");

/** Replaces the packet by itself with each trace-context snapshot's trace id (data octets 4–19) set to `traceId`. */
function retrace(path: NfqueuePath, p: PathPacket, traceId: Buffer): void {
  const packet = Buffer.from(p.bytes.subarray(p.offset, p.offset + p.length));
  let at = packet.indexOf(SNAPSHOT_HEADER);
  if (at < 0) return path.accept(p);
  for (; at >= 0; at = packet.indexOf(SNAPSHOT_HEADER, at + 4)) traceId.copy(packet, at + 4 + 4);
  path.replace(p, packet, 0, packet.length);
}

/** Replaces the packet by itself without its Hop-by-Hop header (Next Header and Payload Length fixed). */
function strip(path: NfqueuePath, p: PathPacket): void {
  const b = p.bytes;
  const o = p.offset;
  if (b[o + 6] !== 0) return path.accept(p);
  const hbh = (b[o + 41]! + 1) * 8;
  const length = p.length - hbh;
  const at = path.beginReplace(p, length);
  if (at < 0) return;
  path.out.set(b.subarray(o, o + 40), at);
  path.out.set(b.subarray(o + 40 + hbh, o + p.length), at + 40);
  path.out[at + 6] = b[o + 40]!;
  new DataView(path.out.buffer, path.out.byteOffset).setUint16(at + 4, length - 40, false);
}

if (process.argv[2] === undefined) process.exit(0); // imported or listed, not started by consumer.ts

try {
  const path: NfqueuePath = await NfqueuePath.open({ queues: config.queues }, (p) => handle(path, p));
  if (config.unbind) for (const q of config.queues) await path.unbind(q);
  process.on("SIGTERM", () => {
    const out = { path: path.stats(), socket: path.socketCounters() };
    path.close();
    process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0));
  });
  process.stderr.write("ready\n");
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(1);
}
