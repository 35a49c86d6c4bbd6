// `ioam collect`: the collector as a service (collector/start.ts). Flags add to the file's
// configuration; `ioam collect` alone reads ioam6_events in the current netns into ./ioam.db.

import { type CollectConfig, defaultConfig, loadConfig } from "../../collector/config.js";
import { startCollector } from "../../collector/start.js";
import { IoamError, UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";
import { parseTsFormats } from "./analyze.js";
import { runStreamWorker, streamArgs } from "./collect-stream.js";

/** The configuration from --config and the flags. */
export function configFromArgs(a: ParsedArgs): CollectConfig {
  const file = a.flags.get("config");
  const c = file ? loadConfig(file) : defaultConfig();
  const l = (k: string) => a.lists?.get(k) ?? [];
  const sourcesGiven = ["netns", "pcap", "decap", "dex-udp", "dex-unix"].some((k) => l(k).length > 0) || a.booleans.has("events");
  if (sourcesGiven && !file) c.sources.events = [];
  if (a.booleans.has("events")) c.sources.events.push("self");
  c.sources.events.push(...l("netns"));
  c.sources.pcap.push(...l("pcap"));
  c.sources.decap.push(...l("decap"));
  const senders = l("dex-sender");
  for (const udp of l("dex-udp")) {
    if (senders.length === 0) throw new UsageError("--dex-udp needs at least one --dex-sender ADDRESS (only configured senders are accepted)");
    c.sources.dex.push({ udp, senders });
  }
  for (const unix of l("dex-unix")) c.sources.dex.push({ unix, senders: [] });
  if (a.flags.has("db")) c.store.path = a.flags.get("db")!;
  if (a.flags.has("metrics")) c.prometheus = { listen: a.flags.get("metrics")!, maxPaths: c.prometheus?.maxPaths ?? 50 };
  if (a.flags.has("otlp")) c.otlp = { url: a.flags.get("otlp")!, sampleRate: Number(a.flags.get("sample") ?? c.otlp?.sampleRate ?? 0.01), maxQueue: c.otlp?.maxQueue ?? 2048 };
  for (const [ns, f] of parseTsFormats(a.flags.get("ts-format"))) c.namespaces.set(ns, f);
  streamArgs(a, c, sourcesGiven);
  if (c.stream) return c;
  if (c.sources.events.length + c.sources.pcap.length + c.sources.decap.length + c.sources.dex.length === 0) throw new UsageError("no source: give --netns, --pcap, --decap, --dex-udp or a --config with sources");
  return c;
}

async function run(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new UsageError(`collect takes no words (got "${a.positional[0]}"); sources are flags: --pcap FILE, --netns NAME …`);
  const c = configFromArgs(a);
  if (c.stream) return runStreamWorker(c, a.booleans.has("json"));
  const json = a.booleans.has("json");
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const batch = a.flags.has("batch") ? Number(a.flags.get("batch")) : undefined;
  if (batch !== undefined && !(Number.isInteger(batch) && batch > 0)) throw new UsageError(`--batch "${a.flags.get("batch")}": expected a positive number of journeys`);
  let failed: ((e: Error) => void) | undefined;
  const running = await startCollector(c, {
    ...(batch !== undefined ? { batchSize: batch } : {}),
    onFailure: (e) => failed?.(e),
    onProblem: (p) => {
      if (p.reason === "source-failed" || p.reason === "corrupt-capture" || p.reason === "overrun") process.stderr.write(`ioam collect: ${p.source}: ${p.reason}: ${p.detail}\n`);
    },
    onStored: (r) => {
      if (json) process.stdout.write(JSON.stringify({ stored: r.totalStored, batch: r.journeys, duplicates: r.duplicates, problems: r.problems }) + "\n");
      else if (tty && Date.now() - lastLine > 1000) {
        lastLine = Date.now();
        process.stderr.write(`\rstored ${r.totalStored} journeys, problems ${r.problems}   `);
      }
    },
  });
  const where = running.metricsPort !== undefined ? `, metrics on :${running.metricsPort}/metrics` : "";
  await Promise.all(running.sources.map((s) => s.ready?.()));
  process.stderr.write(`ioam collect: ${running.sources.map((s) => s.name).join(", ")} → ${c.store.path}${where} (ready)\n`);
  let failure: Error | undefined;
  const stopped = new Promise<void>((resolve) => {
    failed = (e) => ((failure = e), resolve());
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
    if (a.booleans.has("exit-at-end") && running.sources.every((s) => s.kind === "pcap")) void running.collector.sourcesEnded().then(resolve);
  });
  await stopped;
  await running.stop();
  if (failure) throw new IoamError("IO", `the store failed, nothing more was written (everything acknowledged is in ${c.store.path}; a restart resumes): ${failure.message}`);
  const h = running.collector.health;
  const summary = { v: 1, done: true, recordsIn: h.recordsIn, journeysStored: h.journeysStored, duplicates: h.duplicates, problems: h.problemsByReason };
  process.stdout.write(json ? JSON.stringify(summary) + "\n" : `${tty ? "\n" : ""}stored ${h.journeysStored} journeys from ${h.recordsIn} records; problems ${JSON.stringify(h.problemsByReason)}\n`);
  return 0;
}

export const collectCommand: Command = {
  name: "collect",
  summary: "run the collector: sources → journeys → SQLite, Prometheus /metrics, OTLP traces",
  help: `usage: ioam collect [--config FILE] [--db PATH] [--events] [--netns NAME]... [--pcap FILE]...
                    [--decap PATH]... [--dex-udp HOST:PORT --dex-sender ADDR...] [--dex-unix PATH]...
                    [--metrics HOST:PORT] [--otlp URL [--sample RATE]] [--ts-format NS=linux|ptp|ntp]
                    [--batch N] [--exit-at-end] [--json]
       ioam collect --source nats://HOST:PORT[,…] --store postgres://USER@HOST/DB [--config FILE] [--json]

Collects IOAM records — the kernel's ioam6_events (this netns with --events, others with
--netns, repeatable), capture files, the data plane's decap sink, direct-export records — joins
each packet's observations into a journey and stores journeys, per-hop series, problems and
flags in SQLite (WAL). With no source flag and no file: events of the current netns into
./ioam.db. After a crash it resumes: captures from the offset committed with their records,
live sources from now with the gap recorded. SIGTERM/SIGINT stop it cleanly. --json prints one
line per durable write ({"stored": N, …}: everything counted there is in the database).
--batch N sets the journeys per write (default 5000). --exit-at-end stops once every capture
source is read. See docs/collector.md.

--store postgres://… stores into PostgreSQL instead of SQLite. With --source nats://… the
collector is a stream worker: it reads the records \`ioam agent\`s publish to NATS JetStream (one
durable consumer shared by every worker), stores each record once whatever is redelivered, and
assembles journeys in the database. Credentials never go on the command line: PGPASSWORD or
~/.pgpass; stream.nats.credentials / passwordFile in the config file, or IOAM_NATS_* variables.
See docs/scale.md.

Examples:
  ioam collect
  ioam collect --netns r1 --netns r2 --netns r4 --db lab.db --metrics 127.0.0.1:9464
  ioam collect --pcap samples/ioam-trace.pcapng --db /tmp/sample.db --exit-at-end
  ioam collect --source nats://10.0.0.5:4222 --store postgres://ioam@db.example/ioam`,
  flags: { values: ["config", "db", "metrics", "otlp", "sample", "ts-format", "batch", "source", "store"], booleans: ["events", "exit-at-end"], repeated: ["netns", "pcap", "decap", "dex-udp", "dex-sender", "dex-unix"] },
  ownsNetns: true,
  run,
};
