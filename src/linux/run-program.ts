// Running ip6tables programs — in this netns or, for tests, labs and benches, under
// `ip netns exec NAME` — with their output collected and their failures as one-line errors.

import { spawn } from "node:child_process";
import { IoamError } from "../errors.js";

/** Where a command runs: this process's netns, or a named one (ip netns exec). */
export interface Where {
  netns?: string | undefined;
}

/** How to run a program: where, and what to give it on stdin. */
export interface RunOptions extends Where {
  input?: string;
}

/** The exit status and output of one program run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args…` (inside `opts.netns` if given) with `opts.input` on stdin. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const where = opts;
  const argv = where.netns ? ["netns", "exec", where.netns, cmd, ...args] : [...args];
  const child = spawn(where.netns ? "ip" : cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.on("error", () => {}); // a program that exits early closes its stdin: its status says why
  child.stdin.end(opts.input ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(new IoamError("NOT_SUPPORTED", e.code === "ENOENT" ? `${where.netns ? "ip (iproute2)" : cmd} not found: install iptables and iproute2 (apt-get install iptables iproute2)` : `cannot run ${cmd}: ${e.message}`)),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The first line of a program's complaint, for a one-line error. */
export function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "no message";
}

/** Runs and throws IoamError (KERNEL) with `opts.what` and the program's first line when it fails. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions & { what: string }): Promise<string> {
  const { what, ...where } = opts;
  const r = await run(cmd, args, where);
  if (r.code === 0) return r.stdout;
  const hint = /permission denied|must be root|not permitted/i.test(r.stderr) ? " (needs root / CAP_NET_ADMIN)" : "";
  throw new IoamError("KERNEL", `${what}${where.netns ? ` in netns ${where.netns}` : ""}: ${cmd} failed${hint}: ${firstLine(r.stderr)}`);
}
