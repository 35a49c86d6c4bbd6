// Undoing what a daemon that did not stop cleanly left in its netns (`ioam node cleanup`, and
// every `ioam node run` before it starts): its queue rules — by the record and by tag, so
// that rules installed just before a crash are found too — and the sysctls it changed. A live
// daemon is never touched: stop it (SIGTERM) and it cleans up after itself.

import { existsSync, rmSync } from "node:fs";
import { IoamError } from "../errors.js";
import { listQueueRuleTags, removeQueueRulesByTag } from "../linux/ip6tables/queue-rules.js";
import { restoreSysctls } from "./ownership.js";
import { controlPath, daemonAlive, netnsInode, readState, removeState, stateDir } from "./state-file.js";

/** The rule tags of `ioam node run` (two generations, alternated by reloads). */
export const NODE_TAGS = ["noderun0", "noderun1"] as const;

export interface CleanupReport {
  /** A record was found (pid of the daemon that wrote it). */
  stalePid: number | null;
  chainsRemoved: string[];
  sysctlsRestored: string[];
  problems: string[];
}

/** Undoes a dead daemon's changes in this netns; throws when a daemon is alive here. */
export async function cleanupNode(): Promise<CleanupReport> {
  const state = readState();
  const report: CleanupReport = { stalePid: state?.pid ?? null, chainsRemoved: [], sysctlsRestored: [], problems: [] };
  if (state && state.pid !== process.pid && daemonAlive(state.pid)) {
    throw new IoamError("BAD_CONFIG", `ioam node run (pid ${state.pid}) is running in this network namespace: stop it with kill -TERM ${state.pid} (it removes its rules and restores its sysctls itself)`);
  }
  // A record of a netns that was deleted and replaced under the same name: nothing of it is here.
  const sameNetns = !state || state.netnsInode === netnsInode();
  if (state && sameNetns) {
    for (const rec of state.rules) await removeTag(rec.tag, report, rec.backend);
    report.problems.push(...restoreSysctls(state.sysctls));
    report.sysctlsRestored = state.sysctls.map((c) => `${c.key}=${c.before}`);
  }
  const live = await listQueueRuleTags().catch(() => [] as string[]);
  for (const tag of NODE_TAGS) if (live.includes(tag)) await removeTag(tag, report);
  if (state || existsSync(stateDir())) removeState();
  rmSync(controlPath(), { force: true });
  return report;
}

async function removeTag(tag: string, report: CleanupReport, backend?: "nf_tables" | "legacy"): Promise<void> {
  try {
    report.chainsRemoved.push(...(await removeQueueRulesByTag(tag, backend ? { backend } : {})));
  } catch (e) {
    report.problems.push(`rules ${tag}: ${(e as Error).message}`);
  }
}
