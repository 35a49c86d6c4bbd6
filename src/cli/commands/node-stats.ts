// `ioam node stats`: what the running data plane of this netns counted (it answers on its
// control socket), and `ioam node cleanup`: undo what a daemon that did not stop left behind.

import { cleanupNode } from "../../dataplane/cleanup.js";
import { askStats } from "../../dataplane/control-server.js";
import { statsLines } from "../../dataplane/node-stats.js";
import { controlPath, daemonAlive, readState } from "../../dataplane/state-file.js";
import { IoamError, UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";

export async function nodeStats(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError("usage: ioam node stats [--json]");
  const st = readState();
  if (st && !daemonAlive(st.pid)) throw new IoamError("IO", `ioam node run (pid ${st.pid}) did not stop cleanly and is gone: its rules and sysctls are still in place; run ioam node cleanup`);
  const s = await askStats(controlPath());
  process.stdout.write(a.has("json") ? JSON.stringify(s) + "\n" : statsLines(s).join("\n") + "\n");
  return 0;
}

export async function nodeCleanup(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError("usage: ioam node cleanup [--json]");
  const r = await cleanupNode();
  if (a.has("json")) process.stdout.write(JSON.stringify(r) + "\n");
  else {
    const what = r.stalePid === null && r.chainsRemoved.length === 0 ? "nothing to clean up" : `removed ${r.chainsRemoved.length} chain(s)${r.chainsRemoved.length ? ` (${r.chainsRemoved.join(", ")})` : ""}, restored ${r.sysctlsRestored.length} sysctl(s)${r.sysctlsRestored.length ? ` (${r.sysctlsRestored.join(", ")})` : ""}`;
    process.stdout.write(`${what}${r.problems.length ? `; problems: ${r.problems.join("; ")}` : ""}\n`);
  }
  return r.problems.length ? 1 : 0;
}
