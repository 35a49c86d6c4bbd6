// `ioam node stats`: what the running data plane of this netns counted (it answers on its
// control socket), and `ioam node cleanup`: undo what a daemon that did not stop left behind.

import { cleanupNode } from "../../dataplane/cleanup.js";
import { askStats } from "../../dataplane/control-server.js";
import { statsLines } from "../../dataplane/node-stats.js";
import { controlPath, daemonAlive, readState } from "../../dataplane/state-file.js";
import { IoamError, UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";

async function stats(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new UsageError("usage: ioam node stats [--json]");
  const st = readState();
  if (st && !daemonAlive(st.pid)) throw new IoamError("IO", `ioam node run (pid ${st.pid}) did not stop cleanly and is gone: its rules and sysctls are still in place; run ioam node cleanup`);
  const s = await askStats(controlPath());
  process.stdout.write(a.booleans.has("json") ? JSON.stringify(s) + "\n" : statsLines(s).join("\n") + "\n");
  return 0;
}

export const nodeStatsCommand: Command = {
  name: "node stats",
  summary: "what the running data plane counted: seen, encapsulated, decapsulated, filled, dropped, bypassed …",
  help: `usage: ioam [--netns NAME] node stats [--json]

Asks the 'ioam node run' of this network namespace for its counters: packets seen,
encapsulated, decapsulated, filled, passed, dropped by reason, why packets were not
encapsulated (frequency, MTU, an existing Hop-by-Hop header, hop limit), where timestamps came
from (the kernel's receive time or the daemon's clock), the delay from receive to verdict,
and 'bypassed': packets the queue rules matched that the daemon never saw — with fail-open
they went on uninstrumented (the kernel counts them nowhere else); at a decapsulating node
they were lost. --json prints one object (the same the Prometheus endpoint serves).

Examples:
  ioam --netns r1 node stats
  ioam --netns r1 node stats --json | jq .bypassed`,
  flags: {},
  run: stats,
};

async function cleanup(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new UsageError("usage: ioam node cleanup [--json]");
  const r = await cleanupNode();
  if (a.booleans.has("json")) process.stdout.write(JSON.stringify(r) + "\n");
  else {
    const what = r.stalePid === null && r.chainsRemoved.length === 0 ? "nothing to clean up" : `removed ${r.chainsRemoved.length} chain(s)${r.chainsRemoved.length ? ` (${r.chainsRemoved.join(", ")})` : ""}, restored ${r.sysctlsRestored.length} sysctl(s)${r.sysctlsRestored.length ? ` (${r.sysctlsRestored.join(", ")})` : ""}`;
    process.stdout.write(`${what}${r.problems.length ? `; problems: ${r.problems.join("; ")}` : ""}\n`);
  }
  return r.problems.length ? 1 : 0;
}

export const nodeCleanupCommand: Command = {
  name: "node cleanup",
  summary: "remove the rules and restore the sysctls of an 'ioam node run' that did not stop cleanly",
  help: `usage: ioam [--netns NAME] node cleanup [--json]

Undoes what a killed 'ioam node run' left in this network namespace, from its state file
(/run/ioamkit/NETNS/node.json) and by the tags of its ip6tables chains: its NFQUEUE rules and
every sysctl it changed (ioam6_enabled on the ingresses it owned). Refuses while the daemon
runs (stop it with SIGTERM: it cleans up itself). 'ioam node run' does the same before it starts.

Examples:
  ioam --netns r1 node cleanup
  ioam node cleanup --json`,
  flags: {},
  run: cleanup,
};
