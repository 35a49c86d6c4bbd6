// Owning IOAM on an ingress (docs/dataplane.md, "Who fills"): where ioamkit decapsulates or
// re-addresses packets, the kernel must not process their IOAM first — with ioam6_enabled=1,
// ipv6_hop_ioam attaches the input route before PREROUTING and a re-addressed packet is then
// never re-routed — so the daemon sets net.ipv6.conf.IF.ioam6_enabled=0 there and the engine
// fills this node's data with the interface's configured state instead. Every change is
// recorded (state file) before it is made and undone when the daemon stops.

import { readFileSync, writeFileSync } from "node:fs";
import type { SysctlChange } from "./state-file.js";

const path = (key: string) => `/proc/sys/${key.replaceAll(".", "/")}`;
export const enabledKey = (dev: string): string => `net.ipv6.conf.${dev}.ioam6_enabled`;

export function readSysctl(key: string): string {
  return readFileSync(path(key), "utf8").trim();
}

export function writeSysctl(key: string, value: string): void {
  writeFileSync(path(key), value + "\n");
}

/**
 * Sets ioam6_enabled=0 on `devs`; `record` is called with each change before it is made (and
 * must persist it). Returns the changes made.
 */
export function takeIngresses(devs: readonly string[], record: (c: SysctlChange) => void): SysctlChange[] {
  const made: SysctlChange[] = [];
  for (const dev of devs) {
    const key = enabledKey(dev);
    const before = readSysctl(key);
    if (before === "0") continue;
    const c = { key, before, value: "0" };
    record(c);
    writeSysctl(key, "0");
    made.push(c);
  }
  return made;
}

/** Restores each change, last first; returns one line per change that could not be restored (interface gone …). */
export function restoreSysctls(changes: readonly SysctlChange[]): string[] {
  const problems: string[] = [];
  for (const c of [...changes].reverse()) {
    try {
      writeSysctl(c.key, c.before);
    } catch (e) {
      problems.push(`${c.key}: ${(e as Error).message}`);
    }
  }
  return problems;
}
