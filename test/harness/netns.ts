// The network-namespace test harness: unique names, and removal of everything a test made,
// also when it fails (NetnsSet, from src/linux). Oracle tests need root; they skip outside CI
// and fail in CI without it.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The skip reason for root-only tests, or false when they can run (always in CI). */
export function rootSkip(): string | false {
  if (process.env.CI === "true") return false;
  if (process.getuid?.() !== 0) return "needs root (network namespaces); runs in CI";
  return spawnSync("ip", ["-V"]).status === 0 ? false : "needs iproute2 (apt-get install iproute2); runs in CI";
}
export { NetnsSet, type VethEnd } from "../../src/linux/netns-set.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
export const IOAM_MAIN = join(ROOT, "dist", "src", "cli", "main.js");

/**
 * A PATH that holds nsenter and nothing else, so that `ioam` provably never runs ip or
 * sysctl. Remove the directory with the returned cleanup.
 */
export function pathWithoutIproute2(): { path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-path-"));
  symlinkSync("/usr/bin/nsenter", join(dir, "nsenter"));
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the ioam CLI with the given PATH; returns status and output. */
export function runIoam(args: string[], path: string, input?: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [IOAM_MAIN, ...args], { encoding: "utf8", input, env: { ...process.env, PATH: path } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
