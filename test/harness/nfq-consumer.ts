// A test NFQUEUE consumer on ioamkit's PacketPath, run inside a netns (ip netns exec), with
// its behaviour given as JSON on the command line:
//   { "queues": [3], "mode": "hoplimit" | "accept" | "drop" | "none", "hopLimit": 200, "slowUs": 0 }
// "none" gives no verdict (the socket must accept unchanged). Prints "ready" on stderr once
// the queues are bound, or one line "error: …" and exits 1; on SIGTERM prints its counters as
// JSON on stdout and exits 0.

import { NfqueuePath } from "../../src/dataplane/nfqueue-path.js";
import type { PathPacket } from "../../src/dataplane/packet-path.js";

interface Config {
  queues: number[];
  mode: "hoplimit" | "accept" | "drop" | "none";
  hopLimit?: number;
  slowUs?: number;
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
  const at = path.beginReplace(p, p.length);
  if (at < 0) return;
  path.out.set(p.bytes.subarray(p.offset, p.offset + p.length), at);
  path.out[at + 7] = config.hopLimit ?? 200;
}

try {
  const path: NfqueuePath = await NfqueuePath.open({ queues: config.queues }, (p) => handle(path, p));
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
