// The lab's hook to the userspace data plane: a node whose `ioam:` block has a `dataplane:`
// section gets `ioam node run FILE --sink SINK` in the node's netns, in its own process group, logging
// to the lab's directory; `lab down` stops it (SIGTERM, then SIGKILL) and runs
// `ioam node cleanup` there, which removes what a killed daemon left (rules, sysctls).
// A daemon that fails to start fails `lab up`, which then takes down what it made.

import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NETNS_ENV } from "../linux/netns.js";
import { type RunResult, run } from "../linux/run-program.js";
import type { DaemonState } from "./lab-state.js";
import { logTail, startBackground, stopBackground } from "./background.js";

/** The `ioam` entry point (the CLI re-executes itself the same way for --netns). */
export const IOAM_MAIN = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/**
 * `ip netns exec NS node main.js args…`, marked as being in NS (netns.ts NETNS_ENV) as
 * `ioam --netns NS` would be, but one process instead of two: Node's start-up is most of
 * what a lab's bring-up costs.
 */
export function ioamInNetns(netns: string, args: readonly string[]): { cmd: string; argv: string[]; env: NodeJS.ProcessEnv } {
  return { cmd: "ip", argv: ["netns", "exec", netns, process.execPath, IOAM_MAIN, ...args], env: { ...process.env, [NETNS_ENV]: netns } };
}

/** Runs `ioam args…` inside netns `netns` to completion. */
export function runIoamIn(netns: string, args: readonly string[]): Promise<RunResult> {
  const c = ioamInNetns(netns, args);
  const child = spawn(c.cmd, c.argv, { env: c.env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on("error", (e) => resolve({ code: 1, stdout, stderr: e.message }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const READY_TIMEOUT_MS = 30_000; // its start includes apply and, once per boot, the NFQUEUE self-test

/** Ready: the daemon said so on its log, or its NFQUEUE rules (tagged ioamkit:) are in place. */
async function ready(netns: string, log: string): Promise<boolean> {
  if (/\bready\b/i.test(logTail(log))) return true;
  const r = await run("ip6tables-save", ["-t", "mangle"], { netns });
  return r.code === 0 && /ioamkit:/.test(r.stdout);
}

/** Starts the node's data plane and waits until it is ready. Throws (with its log's last lines) when it fails to start. */
export async function startDaemon(node: string, netns: string, d: Omit<DaemonState, "status" | "pid">): Promise<DaemonState> {
  const c = ioamInNetns(netns, ["node", "run", d.file, "--sink", d.sink]);
  const pid = await startBackground({ what: `${node}: ioam node run`, cmd: c.cmd, argv: c.argv, env: c.env, log: d.log, ready: () => ready(netns, d.log), timeoutMs: READY_TIMEOUT_MS, code: "KERNEL" });
  return { ...d, pid, status: "running" };
}

/** Stops the daemon's process group (SIGTERM, SIGKILL after 5 s), then `ioam node cleanup` in its netns. */
export async function stopDaemon(netns: string, d: DaemonState): Promise<void> {
  await stopBackground(d.pid, 5000);
  if (d.status === "running") await runIoamIn(netns, ["node", "cleanup"]);
}
