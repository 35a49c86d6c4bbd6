// Working inside another network namespace. Node cannot setns(2), so ioamkit re-executes itself
// under nsenter(1) --net=/run/netns/NAME: one child per command, its exit status passed on.

import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { IoamError } from "../errors.js";

/** Where iproute2 keeps named network namespaces. */
export const NETNS_RUN_DIR = "/run/netns";

/** Set in the child so that it does not re-execute itself again. */
export const NETNS_ENV = "IOAMKIT_NETNS";

/** True when this process already runs inside the named netns (re-executed by runInNetns). */
export function insideNetns(name: string): boolean {
  return process.env[NETNS_ENV] === name;
}

/**
 * Runs `node script args…` inside netns `name` and resolves with its exit status. Throws
 * IoamError naming the netns when it does not exist.
 */
export function runInNetns(name: string, script: string, args: readonly string[]): Promise<number> {
  if (!/^[\w.-]+$/.test(name) || !existsSync(`${NETNS_RUN_DIR}/${name}`)) {
    throw new IoamError("BAD_CONFIG", `network namespace "${name}" not found in ${NETNS_RUN_DIR} (see ip netns list)`);
  }
  const child = spawn("nsenter", [`--net=${NETNS_RUN_DIR}/${name}`, "--", process.execPath, script, ...args], {
    stdio: "inherit",
    env: { ...process.env, [NETNS_ENV]: name },
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  // SIGHUP too: `ioam node run` reloads its file on it.
  process.on("SIGINT", forward).on("SIGTERM", forward).on("SIGHUP", forward);
  return new Promise((resolve, reject) => {
    child.on("error", (e) => reject(new IoamError("NOT_SUPPORTED", `cannot enter network namespace "${name}": ${e.message} (needs nsenter from util-linux)`)));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
  });
}

/**
 * Throws when this process was started in a named netns (--netns) that has since been deleted
 * or replaced: configuration written now would land in a namespace nobody can reach.
 */
export function assertNetnsStillNamed(): void {
  const name = process.env[NETNS_ENV];
  if (name === undefined) return;
  let same = false;
  try {
    const named = statSync(`${NETNS_RUN_DIR}/${name}`);
    const mine = statSync("/proc/self/ns/net");
    same = named.ino === mine.ino && named.dev === mine.dev;
  } catch {
    same = false;
  }
  if (!same) throw new IoamError("BAD_CONFIG", `network namespace "${name}" vanished (deleted or replaced) while ioam was working in it`);
}
