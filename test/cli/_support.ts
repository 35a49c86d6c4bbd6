// Shared by the CLI tests: running `ioam` as a user does (a new process), and paths.

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
export const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
export const SAMPLE = join(ROOT, "samples", "ioam-trace.pcapng");

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `ioam args…` with `input` on stdin. */
export function ioam(args: readonly string[], input?: string | Uint8Array): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", input, maxBuffer: 1 << 28, cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs a bash command line from the repository root with `ioam` on PATH. */
export function bash(line: string, env: Record<string, string> = {}): Run {
  const bin = mkdtempSync(join(tmpdir(), "ioamkit-bin-"));
  try {
    writeFileSync(join(bin, "ioam"), `#!/bin/sh\nexec "${process.execPath}" "${MAIN}" "$@"\n`, { mode: 0o755 });
    const r = spawnSync("bash", ["-o", "pipefail", "-c", line], { encoding: "utf8", cwd: ROOT, maxBuffer: 1 << 28, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

/** A one-line reason to skip when `tool` is not installed (never under CI=true); false when it is. */
export function toolSkip(tool: string): string | false {
  const found = spawnSync("bash", ["-c", `command -v ${tool}`]).status === 0;
  if (found) return false;
  if (process.env.CI === "true") throw new Error(`${tool} is required under CI=true (.ci/run installs it)`);
  return `${tool} is not installed`;
}

/** A scratch directory removed by the returned function. */
export function scratch(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-cli-"));
  return { dir, path: (n) => join(dir, n), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
