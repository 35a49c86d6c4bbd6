// The lab's background processes — each node's data plane (`ioam node run`, daemon-hook.ts) and
// agent (`ioam agent`, agent-hook.ts): started detached in their own process group with output
// to a log in the lab's directory, waited for until they say they are ready, known afterwards
// by the pid recorded in the lab's state, stopped as a group (SIGTERM, then SIGKILL).

import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { IoamError, type IoamErrorCode } from "../errors.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while a process with this pid exists (kill(2) with signal 0: an existence check only). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A recorded status as it stands: "running" whose process is gone reads "exited (see its log)". */
export function liveStatus(p: { status: string; pid?: number }): string {
  return p.status === "running" && p.pid !== undefined && !isAlive(p.pid) ? "exited (see its log)" : p.status;
}

/** The whole log ("" when it does not exist yet). */
export function logText(log: string): string {
  try {
    return readFileSync(log, "utf8");
  } catch {
    return "";
  }
}

/** The log's last three lines on one line, for an error message. */
export const logTail = (log: string): string => logText(log).trim().split("\n").slice(-3).join(" | ");

/** What to start and how to tell it is ready. */
export interface BackgroundStart {
  /** "r1: ioam node run", as error messages name it. */
  what: string;
  cmd: string;
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  log: string;
  ready(): boolean | Promise<boolean>;
  timeoutMs: number;
  /** The IoamError code when it does not start. */
  code: IoamErrorCode;
}

/** Starts the process detached, output appended to its log; resolves with its pid once ready(). Throws with the log's last lines. */
export async function startBackground(s: BackgroundStart): Promise<number> {
  const out = openSync(s.log, "a");
  const child = spawn(s.cmd, s.argv, { env: s.env ?? process.env, stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  child.unref();
  let exit: number | null | undefined;
  child.on("exit", (code) => (exit = code ?? 1));
  for (const started = Date.now(); Date.now() - started < s.timeoutMs; await sleep(100)) {
    if (exit !== undefined) throw new IoamError(s.code, `${s.what} exited (${exit}) before it was ready: ${logTail(s.log) || "no output"} (log ${s.log})`);
    if (await s.ready()) return child.pid!;
  }
  process.kill(-child.pid!, "SIGKILL");
  throw new IoamError(s.code, `${s.what} not ready after ${s.timeoutMs / 1000} s: ${logTail(s.log)} (log ${s.log})`);
}

/** Stops a process group: SIGTERM, SIGKILL when it still runs after `graceMs`. */
export async function stopBackground(pid: number | undefined, graceMs: number): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return; // gone meanwhile
  }
  for (let waited = 0; waited < graceMs && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) process.kill(-pid, "SIGKILL");
}
