// `ioam collect` as a child process for tests: started with the given flags, ready once it
// printed "(ready)" (its sources listen), with its exit and its standard error kept.

import { type ChildProcess, spawn } from "node:child_process";
import { IOAM_MAIN } from "./netns.js";

export interface CollectChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Standard error so far. */
  stderr(): string;
  /** The /metrics port it printed, when Prometheus is on. */
  metricsPort: number | undefined;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `ioam collect ARGS`; rejects with its standard error when it exits before it is ready. */
export async function startCollect(args: string[]): Promise<CollectChild> {
  const child = spawn(process.execPath, [IOAM_MAIN, "collect", ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const exited = new Promise<number | null>((r) => child.on("exit", r));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => ((err += d), /\(ready\)/.test(err) && resolve()));
    void exited.then((c) => reject(new Error(`collect exited ${c}: ${err}`)));
  });
  const port = /metrics on :(\d+)/.exec(err)?.[1];
  return { child, exited, stderr: () => err, metricsPort: port ? Number(port) : undefined, stop: () => (child.kill("SIGTERM"), exited) };
}
