// `ioam node run FILE`: the userspace IOAM data plane of one node (src/dataplane/daemon.ts),
// until SIGTERM or SIGINT; SIGHUP reloads FILE. Lines for the operator go to stderr ("ready"
// once packets flow); with --json the last stats are printed on stdout when it stops.

import { UsageError } from "../../errors.js";
import { NodeDaemon } from "../../dataplane/daemon.js";
import { statsLines } from "../../dataplane/node-stats.js";
import type { Parsed } from "../args.js";

/** `--metrics HOST:PORT` (IPv6 hosts in brackets). */
function metricsAddress(text: string | undefined): { host: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--metrics "${text}" is not HOST:PORT (e.g. 127.0.0.1:9464)`);
  return { host: m[1] ?? m[2]!, port };
}

export async function runNodeDaemon(a: Parsed): Promise<number> {
  const [file, extra] = a.words;
  if (file === undefined || extra !== undefined) throw new UsageError("usage: ioam node run FILE [--sink PATH] [--metrics HOST:PORT] [--json]");
  const metrics = metricsAddress(a.text("metrics")); // usage errors before anything is touched
  const log = (line: string) => process.stderr.write(`ioam node run: ${line}\n`);
  const daemon = await NodeDaemon.start({ file, sink: a.text("sink"), metrics, log });
  const s = await daemon.stats();
  log(`ready: pid ${process.pid}, queue ${s.role.queues}, ${s.role.encapPolicies} encap polic${s.role.encapPolicies === 1 ? "y" : "ies"}, ${s.role.decap} decap item(s), owns ${s.role.ownedIngresses.join(", ") || "no ingress"}, fail-${s.role.failure} (SIGHUP reloads, SIGTERM stops)`);
  process.on("SIGHUP", () => void daemon.reload());
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const last = await daemon.stop(signal);
  if (last && a.has("json")) process.stdout.write(JSON.stringify(last) + "\n");
  else if (last) for (const l of statsLines(last)) log(l);
  return 0;
}

/** What `ioam node --help` says of run, stats and cleanup. */
export const NODE_RUN_DESCRIPTION = `node run applies FILE's kernel part as 'ioam apply' does, then runs its 'dataplane:' section
on real packets taken from the kernel through NFQUEUE (ip6tables rules in chains of ioamkit's
own): encap policies (a prefix and the words of 'ip -6 route ... encap ioam6', plus POT, E2E,
DEX, incremental traces), decapsulation ('tunnel ADDR' ends tunnels, 'edge PREFIX' removes
inline IOAM leaving the domain) with the IOAM data written to --sink as NDJSON records (a file,
or a unix socket a collector listens on; format in docs/dataplane.md), and transit for what the
kernel does not do ('transit: all'). Fail-open by default ('failure: closed' drops instead).
'traceContext: { socket: PATH }' writes the application's W3C trace context in this node's
snapshot, from flows registered on PATH or plaintext HTTP traceparent headers (docs/cross-layer.md).
It runs until SIGTERM/SIGINT, then removes its rules and restores every sysctl it changed;
SIGHUP reloads FILE without losing packets (kill -HUP $(jq .pid /run/ioamkit/NETNS/node.json)).
Needs root. A file for r1:
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

node stats asks the running data plane of this namespace for its counters: packets seen,
encapsulated, decapsulated, filled, passed, dropped by reason, why packets were not
encapsulated (frequency, MTU, an existing Hop-by-Hop header, hop limit), where timestamps came
from (the kernel's receive time or the daemon's clock), the delay from receive to verdict, and
'bypassed': packets the queue rules matched that the daemon never saw — with fail-open they went
on uninstrumented (the kernel counts them nowhere else); at a decapsulating node they were lost.

node cleanup undoes what a killed 'node run' left in this namespace, from its state file
(/run/ioamkit/NETNS/node.json) and by the tags of its ip6tables chains: its NFQUEUE rules and
every sysctl it changed. It refuses while the daemon runs; 'node run' does the same at start.`;
