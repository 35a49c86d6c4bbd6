// `ioam agent`: the collector's live sources on one node, publishing to NATS JetStream
// (collector/agent/). SIGTERM/SIGINT stop it: what could not be published stays spooled.

import { Agent } from "../../collector/agent/agent.js";
import { type AgentConfig, defaultAgentConfig, loadAgentConfig, token } from "../../collector/agent/config.js";
import { serverUrls } from "../../collector/stream/nats-config.js";
import { UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";

/** The configuration from --config and the flags. */
export function agentConfigFromArgs(a: ParsedArgs): AgentConfig {
  const file = a.flags.get("config");
  const c = file ? loadAgentConfig(file) : defaultAgentConfig();
  const f = (k: string) => a.flags.get(k);
  if (f("node") !== undefined) c.node = token(f("node"), "--node");
  if (f("domain") !== undefined) c.domain = token(f("domain"), "--domain");
  if (f("server") !== undefined) c.nats.servers = serverUrls(f("server")!);
  if (f("spool") !== undefined) c.spool.dir = f("spool")!;
  const netns = a.lists?.get("netns") ?? [];
  if (netns.length) c.sources.events = netns;
  c.sources.decap.push(...(a.lists?.get("decap") ?? []));
  return c;
}

async function run(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new UsageError(`agent takes no words (got "${a.positional[0]}")`);
  const c = agentConfigFromArgs(a);
  const agent = new Agent(c);
  await agent.run();
  process.stderr.write(`ioam agent: ${c.node}: ${agent.sources.map((s) => s.name).join(", ")} → ${agent.subject} on ${c.nats.servers.join(",")}, spool ${c.spool.dir} (ready)\n`);
  const timer = a.booleans.has("json") ? setInterval(() => process.stdout.write(JSON.stringify({ v: 1, ...agent.stats() }) + "\n"), 1000) : undefined;
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  clearInterval(timer);
  await agent.stop();
  const s = agent.stats();
  process.stdout.write(a.booleans.has("json") ? JSON.stringify({ v: 1, done: true, ...s }) + "\n" : `published ${s.published} records, ${s.spooledFrames} batches left in the spool, dropped ${s.dropped}\n`);
  return 0;
}

export const agentCommand: Command = {
  name: "agent",
  summary: "publish this node's IOAM records (kernel events, decap sink, DEX) to NATS JetStream",
  help: `usage: ioam agent [--config FILE] [--node NAME] [--domain NAME] [--server nats://HOST:PORT[,…]]
                  [--netns NAME]... [--decap PATH]... [--spool DIR] [--json]

Runs the collector's live sources on this node — the kernel's ioam6_events (this netns, or
--netns NAME, repeatable), the data plane's decap sink, DEX receivers (config file) — and
publishes their records to NATS JetStream on the subject ioam.DOMAIN.NODE, each batch with a
publish acknowledgement. Batches wait in a bounded on-disk spool (--spool, default
/var/lib/ioamkit/spool) until the stream acknowledged them, so an unreachable stream or a
restart loses nothing already read; kernel events while the agent is not running are lost, and
the agent publishes that gap when it starts. Records carry ids NODE.START.SEQ, so that
'ioam collect --source' stores each once. Credentials and TLS come from the config file's nats:
section or IOAM_NATS_* variables, never from the command line. --json prints its counters
every second. See docs/scale.md.

Examples:
  ioam agent --config /etc/ioamkit/agent.yaml
  ioam agent --node r1 --domain lab --server nats://127.0.0.1:4222 --spool /tmp/r1-spool`,
  flags: { values: ["config", "node", "domain", "server", "spool"], repeated: ["netns", "decap"] },
  ownsNetns: true,
  run,
};
