// `ioam node run FILE`: the userspace IOAM data plane of one node (src/dataplane/daemon.ts),
// until SIGTERM or SIGINT; SIGHUP reloads FILE. Lines for the operator go to stderr ("ready"
// once packets flow); with --json the last stats are printed on stdout when it stops.

import { UsageError } from "../../errors.js";
import { NodeDaemon } from "../../dataplane/daemon.js";
import { statsLines } from "../../dataplane/node-stats.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";

/** `--metrics HOST:PORT` (IPv6 hosts in brackets). */
function metricsAddress(text: string | undefined): { host: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--metrics "${text}" is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  return { host: m[1] ?? m[2]!, port };
}

async function run(a: ParsedArgs): Promise<number> {
  const [file, extra] = a.positional;
  if (file === undefined || extra !== undefined) throw new UsageError("usage: ioam node run FILE [--sink PATH] [--metrics HOST:PORT] [--json]");
  const log = (line: string) => process.stderr.write(`ioam node run: ${line}\n`);
  const daemon = await NodeDaemon.start({ file, sink: a.flags.get("sink"), metrics: metricsAddress(a.flags.get("metrics")), log });
  const s = await daemon.stats();
  log(`ready: pid ${process.pid}, queue ${s.role.queues}, ${s.role.encapPolicies} encap polic${s.role.encapPolicies === 1 ? "y" : "ies"}, ${s.role.decap} decap item(s), owns ${s.role.ownedIngresses.join(", ") || "no ingress"}, fail-${s.role.failure} (SIGHUP reloads, SIGTERM stops)`);
  process.on("SIGHUP", () => void daemon.reload());
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const last = await daemon.stop(signal);
  if (last && a.booleans.has("json")) process.stdout.write(JSON.stringify(last) + "\n");
  else if (last) for (const l of statsLines(last)) log(l);
  return 0;
}

export const nodeRunCommand: Command = {
  name: "node run",
  summary: "run the userspace IOAM data plane of the node FILE describes (encap, decap, transit over NFQUEUE)",
  help: `usage: ioam [--netns NAME] node run FILE [--sink PATH] [--metrics HOST:PORT] [--json]

Applies FILE's kernel part as 'ioam apply' does, then runs its 'dataplane:' section on real
packets taken from the kernel through NFQUEUE (ip6tables rules in chains of ioamkit's own):
encap policies (a prefix and the words of 'ip -6 route ... encap ioam6', plus POT, E2E, DEX,
incremental traces), decapsulation ('tunnel ADDR' ends tunnels, 'edge PREFIX' removes inline
IOAM leaving the domain) with the IOAM data written to --sink as NDJSON records (a file, or a
unix socket a collector listens on; format in docs/dataplane.md), and transit for what the
kernel does not do ('transit: all'). Fail-open by default ('failure: closed' to drop instead).
Runs until SIGTERM/SIGINT, then removes its rules and restores every sysctl it changed;
SIGHUP reloads FILE without losing packets. A daemon killed with SIGKILL is cleaned up by the
next start or by 'ioam node cleanup'. Needs root.

Example file (r1.yaml):
  version: 1
  node: { id: 1 }
  interfaces:
    west: { enabled: true, id: 11 }
  namespaces:
    123: {}
  dataplane:
    encap:
      - "2001:db8:2::/64 mode encap tundst 2001:db8:1::2 trace prealloc type 0xf00000 ns 123 size 48"
    decap:
      - tunnel 2001:db8:0::1

Examples:
  ioam --netns r1 node run r1.yaml --sink /var/log/ioam-r1.ndjson --metrics 127.0.0.1:9464
  ioam --netns r1 node stats
  kill -HUP $(jq .pid /run/ioamkit/r1/node.json)`,
  flags: { values: ["sink", "metrics"] },
  run,
};
