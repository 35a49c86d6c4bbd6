// Starting and stopping the test NFQUEUE consumer (nfq-consumer.ts) inside a netns.

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PacketPathStats } from "../../src/dataplane/packet-path.js";
import type { NfqueueCounters } from "../../src/linux/nfqueue/socket.js";

const SCRIPT = join(fileURLToPath(new URL(".", import.meta.url)), "nfq-consumer.js");

export interface ConsumerResult {
  path: PacketPathStats;
  socket: NfqueueCounters;
}

export interface Consumer {
  child: ChildProcess;
  /** SIGTERM, then the counters it printed. */
  stop(): Promise<ConsumerResult>;
}

/** Starts the consumer in `ns`; resolves when its queues are bound, rejects with its error line. */
export function startConsumer(ns: string, config: object): Promise<Consumer> {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, SCRIPT, JSON.stringify(config)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const stop = async (): Promise<ConsumerResult> => {
    child.kill("SIGTERM");
    await exited;
    return JSON.parse(out) as ConsumerResult;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`consumer in ${ns}: not ready after 10 s: ${err}`))), 10_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (/^ready$/m.test(err)) (clearTimeout(timer), resolve({ child, stop }));
    });
    void exited.then((code) => (clearTimeout(timer), reject(new Error(err.trim() || `consumer exited with ${code}`))));
  });
}
