// The NFQUEUE self-test (kernel-selftest.ts) takes two seconds in scratch namespaces; what it
// finds cannot change while the kernel runs, so its result is kept per boot and kernel release
// in /run/ioamkit/selftest.json (tmpfs: gone after a reboot) and reused by every later start.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { type KernelSelfTest, selfTestKernel } from "./kernel-selftest.js";
import { STATE_ROOT } from "./state-file.js";

const FILE = join(STATE_ROOT, "selftest.json");

function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "unknown";
  }
}

/** The self-test's result for this boot: from the cache, else run now (and cached when it could run). */
export async function kernelSelfTestCached(): Promise<KernelSelfTest & { cached: boolean }> {
  const key = `${bootId()} ${release()}`;
  try {
    const c = JSON.parse(readFileSync(FILE, "utf8")) as { key: string; result: KernelSelfTest };
    if (c.key === key) return { ...c.result, cached: true };
  } catch {
    // no cache yet
  }
  const result = await selfTestKernel();
  if (result.ok || !result.reason?.includes("could not run")) {
    mkdirSync(STATE_ROOT, { recursive: true });
    writeFileSync(FILE, JSON.stringify({ key, result }) + "\n");
  }
  return { ...result, cached: false };
}
