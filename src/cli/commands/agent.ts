// `ioam agent`: the collector's live sources on one node, publishing to NATS JetStream
// (collector/agent/). SIGTERM/SIGINT stop it: what could not be published stays spooled.

import { Agent } from "../../collector/agent/agent.js";
import { type AgentConfig, defaultAgentConfig, loadAgentConfig, token } from "../../collector/agent/config.js";
import { serverUrls } from "../../collector/stream/nats-config.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";

/** The configuration from --config and the flags. */
export function agentConfigFromArgs(a: Parsed): AgentConfig {
  const file = a.text("config");
  const c = file ? loadAgentConfig(file) : defaultAgentConfig();
  const f = (k: string) => a.text(k);
  if (f("node") !== undefined) c.node = token(f("node"), "--node");
  if (f("domain") !== undefined) c.domain = token(f("domain"), "--domain");
  if (f("server") !== undefined) c.nats.servers = serverUrls(f("server")!);
  if (f("spool") !== undefined) c.spool.dir = f("spool")!;
  // As collect: source flags without a file name every source (--decap alone reads no kernel events).
  const netns = a.list("netns");
  if (!file && (netns.length || a.list("decap").length)) c.sources.events = [];
  c.sources.events.push(...netns.filter((n) => !c.sources.events.includes(n)));
  c.sources.decap.push(...a.list("decap"));
  return c;
}

async function run(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`agent takes no words (got "${a.words[0]}")`);
  const c = agentConfigFromArgs(a);
  const json = a.has("json");
  const agent = new Agent(c);
  await agent.run();
  process.stderr.write(`ioam agent: ${c.node}: ${agent.sources.map((s) => s.name).join(", ")} → ${agent.subject} on ${c.nats.servers.join(",")}, spool ${c.spool.dir} (ready)\n`);
  const timer = json ? setInterval(() => process.stdout.write(JSON.stringify({ v: 1, ...agent.stats() }) + "\n"), 1000) : undefined;
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  // Credentials or TLS refused: stop (what was read stays spooled) and fail with the reason.
  const failure = await Promise.race([stopped.then(() => undefined), agent.failed.catch((e: Error) => e)]);
  clearInterval(timer);
  await agent.stop(failure ? 0 : undefined);
  if (failure) throw failure;
  const s = agent.stats();
  process.stdout.write(json ? JSON.stringify({ v: 1, done: true, ...s }) + "\n" : `published ${s.published} records, ${s.spooledFrames} batches left in the spool, dropped ${s.dropped}\n`);
  return 0;
}

export const agentCommand: CommandSpec = {
  name: "agent",
  summary: "publish this node's IOAM records (kernel events, decap sink, DEX) to NATS JetStream",
  description: `Runs the collector's live sources on this node — the kernel's ioam6_events (this netns, or
--netns NAME, repeatable), the data plane's decap sink, DEX receivers (config file) — and
publishes their records to NATS JetStream on the subject ioam.DOMAIN.NODE, each batch with a
publish acknowledgement. Batches wait in a bounded on-disk spool (--spool, default
/var/lib/ioamkit/spool) until the stream acknowledged them, so an unreachable stream or a
restart loses nothing already read; kernel events while the agent is not running are lost, and
the agent publishes that gap when it starts. Records carry ids NODE.START.SEQ, so that
ioam collect --source stores each once. Credentials and TLS come from the config file's nats:
section or IOAM_NATS_* variables, never from the command line. --json prints its counters
every second. See docs/deployment.md.`,
  forms: [{ words: "", flags: ["config", "node", "domain", "server", "netns", "decap", "spool", "json"] }],
  flags: [
    { name: "config", help: "an agent configuration file (docs/deployment.md); --node, --domain, --server and --spool override it, sources add to it", value: { placeholder: "FILE", spec: V.file("a YAML file, version: 1") } },
    { name: "node", help: "this node's name: the subject ioam.DOMAIN.NODE and the record ids (default the host name)", value: { placeholder: "NAME", spec: V.text("letters, digits, _ or -") } },
    { name: "domain", help: "the IOAM domain's name (default \"default\")", value: { placeholder: "NAME", spec: V.text("letters, digits, _ or -") } },
    { name: "server", help: "the NATS servers (no credentials here)", value: { placeholder: "nats://HOST:PORT[,…]", spec: V.text("NATS server URLs, comma-separated") } },
    { name: "netns", help: "read the kernel's ioam6_events of this network namespace (repeat for more; default this one)", value: { placeholder: "NAME", spec: V.netns }, repeated: true },
    { name: "decap", help: "a data plane's decap sink: a unix socket to listen on, or a file to follow", value: { placeholder: "PATH", spec: V.text("a unix socket or a file") }, repeated: true },
    { name: "spool", help: "the spool directory (default /var/lib/ioamkit/spool)", value: { placeholder: "DIR", spec: V.text("a directory") } },
    { name: "json", help: "print the counters as one JSON line a second, and a summary" },
  ],
  values: {},
  examples: [{ cmd: "ioam agent --config /etc/ioamkit/agent.yaml" }, { cmd: "ioam agent --node r1 --domain lab --server nats://127.0.0.1:4222 --spool /tmp/r1-spool" }],
  ownsNetns: true,
  run,
};
