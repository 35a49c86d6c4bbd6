// The daemon's record of what it changed in its netns — /run/ioamkit/<netns>/node.json — so
// that nothing outlives it: written before each change (a sysctl, a rule tag) and after (the
// installed rules), removed when everything is undone. A daemon killed with SIGKILL leaves it
// behind; the next `ioam node run` or `ioam node cleanup` in that netns finds it and undoes
// what it lists (cleanup.ts). Directory per netns: its name (--netns) or, for a process started
// inside a netns some other way, the netns inode; the inode is kept too, so that a record of a
// deleted netns is never applied to a new one that reuses the name.

import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InstalledQueueRules } from "../linux/ip6tables/queue-rules.js";
import { NETNS_ENV } from "../linux/netns.js";

export const STATE_ROOT = "/run/ioamkit";

/** A sysctl the daemon changed: restored to `before` when it stops. */
export interface SysctlChange {
  key: string;
  before: string;
  value: string;
}

export interface NodeRunState {
  v: 1;
  pid: number;
  startedAt: string;
  netns: string | null;
  netnsInode: number;
  file: string;
  /** Rule tags that may be installed (written before installing). */
  tags: string[];
  rules: InstalledQueueRules[];
  sysctls: SysctlChange[];
}

/** The inode of this process's network namespace. */
export function netnsInode(): number {
  return statSync("/proc/self/ns/net").ino;
}

/** This netns's state directory. */
export function stateDir(): string {
  const name = process.env[NETNS_ENV];
  return join(STATE_ROOT, name && /^[\w.-]+$/.test(name) ? name : `netns-${netnsInode()}`);
}

export const statePath = (): string => join(stateDir(), "node.json");
/** The daemon's control socket (`ioam node stats` asks it). */
export const controlPath = (): string => join(stateDir(), "control.sock");

export function readState(): NodeRunState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(), "utf8")) as NodeRunState;
  } catch {
    return undefined;
  }
}

/** Writes the record atomically (a crash leaves the old or the new one, never half of it). */
export function writeState(s: NodeRunState): void {
  mkdirSync(stateDir(), { recursive: true, mode: 0o700 });
  const tmp = `${statePath()}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, statePath());
}

export function removeState(): void {
  rmSync(stateDir(), { recursive: true, force: true });
}

/** True when `pid` is a live `ioam node run` (not merely a reused pid). */
export function daemonAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("\0node\0run\0");
  } catch {
    return false;
  }
}
