// `ioam collect`: the collector as a service (collector/start.ts). Flags add to the file's
// configuration; `ioam collect` alone reads ioam6_events in the current netns into ./ioam.db.

import { type CollectConfig, defaultConfig, loadConfig } from "../../collector/config.js";
import { startCollector } from "../../collector/start.js";
import { IoamError, UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { TS_FORMAT_FLAG, parseTsFormats } from "./analyze.js";
import { STREAM_DESCRIPTION, STREAM_EXAMPLE, STREAM_FLAGS, STREAM_FORM, runStreamWorker, storeName, storeUrl } from "./collect-stream.js";

/** The configuration from --config and the flags. */
export function configFromArgs(a: Parsed): CollectConfig {
  const file = a.text("config");
  const c = file ? loadConfig(file) : defaultConfig();
  const l = (k: string) => [...a.list(k)];
  const sourcesGiven = ["netns", "pcap", "capture", "decap", "dex-udp", "dex-unix"].some((k) => l(k).length > 0) || a.has("events");
  if (sourcesGiven && !file) c.sources.events = [];
  if (a.has("events")) c.sources.events.push("self");
  c.sources.events.push(...l("netns"));
  c.sources.pcap.push(...l("pcap"));
  c.sources.capture.push(...l("capture"));
  c.sources.decap.push(...l("decap"));
  const senders = l("dex-sender");
  for (const udp of l("dex-udp")) {
    if (senders.length === 0) throw new UsageError("--dex-udp needs at least one --dex-sender ADDRESS (only configured senders are accepted)");
    c.sources.dex.push({ udp, senders });
  }
  for (const unix of l("dex-unix")) c.sources.dex.push({ unix, senders: [] });
  if (a.has("db")) c.store.path = a.text("db")!;
  if (a.has("store")) c.store.url = storeUrl(a.text("store")!);
  if (a.has("metrics")) c.prometheus = { listen: a.text("metrics")!, maxPaths: c.prometheus?.maxPaths ?? 50 };
  if (a.has("otlp")) c.otlp = { url: a.text("otlp")!, sampleRate: sampleRate(a.text("sample"), c.otlp?.sampleRate ?? 0.01), maxQueue: c.otlp?.maxQueue ?? 2048 };
  for (const [ns, f] of parseTsFormats(a.text("ts-format"))) c.namespaces.set(ns, f);
  if (Object.values(c.sources).every((s) => s.length === 0)) throw new UsageError("no source: give --netns, --pcap, --capture, --decap, --dex-udp or a --config with sources");
  return c;
}

/** --sample: a fraction from 0 to 1. */
function sampleRate(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!/^(0|1|0?\.\d+|1\.0*)$/.test(text) || !(v >= 0 && v <= 1)) throw new UsageError(`--sample "${text}": expected a fraction from 0 to 1, e.g. 0.01`);
  return v;
}

async function run(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`collect takes no words (got "${a.words[0]}"); sources are flags: --pcap FILE, --netns NAME …`);
  if (a.has("source")) return runStreamWorker(a);
  const c = configFromArgs(a);
  const json = a.has("json");
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  const batch = a.has("batch") ? a.num("batch") : undefined;
  let failed: ((e: Error) => void) | undefined;
  const running = await startCollector(c, {
    ...(batch !== undefined ? { batchSize: batch } : {}),
    onFailure: (e) => failed?.(e),
    onProblem: (p) => {
      if (p.reason === "source-failed" || p.reason === "corrupt-capture" || p.reason === "overrun" || p.reason === "capture-dropped") process.stderr.write(`ioam collect: ${p.source}: ${p.reason}: ${p.detail}\n`);
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
  try {
    await Promise.all(running.sources.map((s) => s.ready?.()));
  } catch (e) {
    await running.stop(); // a source that cannot start (no such interface, no tcpdump): nothing half-running
    throw e;
  }
  process.stderr.write(`ioam collect: ${running.sources.map((s) => s.name).join(", ")} → ${storeName(c)}${where} (ready)\n`);
  let failure: Error | undefined;
  const stopped = new Promise<void>((resolve) => {
    failed = (e) => ((failure = e), resolve());
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
    if (a.has("exit-at-end") && running.sources.every((s) => s.kind === "pcap")) void running.collector.sourcesEnded().then(resolve);
  });
  await stopped;
  await running.stop();
  if (failure) throw new IoamError("IO", `the store failed, nothing more was written (everything acknowledged is in ${storeName(c)}; a restart resumes): ${failure.message}`);
  const h = running.collector.health;
  const summary = { v: 1, done: true, recordsIn: h.recordsIn, journeysStored: h.journeysStored, duplicates: h.duplicates, problems: h.problemsByReason };
  process.stdout.write(json ? JSON.stringify(summary) + "\n" : `${tty ? "\n" : ""}stored ${h.journeysStored} journeys from ${h.recordsIn} records; problems ${JSON.stringify(h.problemsByReason)}\n`);
  return 0;
}

export const collectCommand: CommandSpec = {
  name: "collect",
  summary: "run the collector: sources → journeys → SQLite, Prometheus /metrics, OTLP traces",
  description: `Collects IOAM records — the kernel's ioam6_events (this netns with --events, others with
--netns, repeatable), capture files, live captures on an interface (--capture, through
tcpdump), the data plane's decap sink, direct-export records — joins each packet's
observations into a journey and stores journeys, per-hop series, problems and
flags in SQLite (WAL). With no source flag and no file: events of the current netns into
./ioam.db. After a crash it resumes: captures from the offset committed with their records,
live sources from now with the gap recorded (a live capture also counts the packets its
kernel buffer dropped). SIGTERM/SIGINT stop it cleanly. --json prints one
line per durable write ({"stored": N, …}: everything counted there is in the database).
--batch N sets the journeys per write (default 5000). --exit-at-end stops once every capture
source is read. See docs/collector.md.
${STREAM_DESCRIPTION}`,
  forms: [{ words: "", flags: ["config", "db", "store", "events", "netns", "pcap", "capture", "decap", "dex-udp", "dex-sender", "dex-unix", "metrics", "otlp", "sample", "ts-format", "batch", "exit-at-end", "json"] }, STREAM_FORM],
  flags: [
    { name: "config", help: "a collector configuration file (docs/collector.md); flags add to it", value: { placeholder: "FILE", spec: V.file("a YAML file, version: 1") } },
    { name: "db", help: "the SQLite database (default ./ioam.db)", value: { placeholder: "PATH", spec: V.outfile("a database file") } },
    { name: "events", help: "the kernel's ioam6_events of the current network namespace" },
    { name: "netns", help: "the kernel's ioam6_events of this network namespace (repeat for more)", value: { placeholder: "NAME", spec: V.netns }, repeated: true },
    { name: "pcap", help: "a capture file (repeat for more)", value: { placeholder: "FILE", spec: V.file("a pcap or pcapng capture") }, repeated: true },
    { name: "capture", help: "capture live on an interface (tcpdump), in this netns or another: IFNAME or NETNS/IFNAME (repeat for more)", value: { placeholder: "[NETNS/]IF", spec: V.text("an interface, e.g. eth1 or r4/eth1") }, repeated: true },
    { name: "decap", help: "a data plane's decap sink: a unix socket to listen on, or a file to follow", value: { placeholder: "PATH", spec: V.text("a unix socket or a file") }, repeated: true },
    { name: "dex-udp", help: "receive direct-export records on this UDP address", value: { placeholder: "HOST:PORT", spec: V.text("an address and port, e.g. [::1]:4739") }, repeated: true },
    { name: "dex-sender", help: "an address allowed to send direct-export records (RFC 9326 asks for trusted senders)", value: { placeholder: "ADDR", spec: V.text("an IP address") }, repeated: true, onlyWith: { flag: "dex-udp" } },
    { name: "dex-unix", help: "receive direct-export records on this unix socket", value: { placeholder: "PATH", spec: V.text("a socket path") }, repeated: true },
    { name: "metrics", help: "serve Prometheus /metrics here", value: { placeholder: "HOST:PORT", spec: V.text("e.g. 127.0.0.1:9464") } },
    { name: "otlp", help: "export journeys as OTLP/HTTP traces to this URL", value: { placeholder: "URL", spec: V.text("e.g. http://127.0.0.1:4318/v1/traces") } },
    { name: "sample", help: "the share of journeys without an application trace to export", value: { placeholder: "RATE", spec: V.text("a fraction from 0 to 1 (default 0.01)") }, onlyWith: { flag: "otlp" } },
    TS_FORMAT_FLAG,
    { name: "batch", help: "journeys per durable write (default 5000)", value: { placeholder: "N", spec: V.count("journeys per write", 1_000_000n) } },
    { name: "exit-at-end", help: "stop once every capture source is read" },
    { name: "json", help: "one JSON line per durable write, and a summary" },
    ...STREAM_FLAGS,
  ],
  values: {},
  examples: [
    { cmd: "ioam collect" },
    { cmd: "ioam collect --netns r1 --netns r2 --netns r4 --db lab.db --metrics 127.0.0.1:9464" },
    { cmd: "ioam collect --capture ioamkit.diamond.r4/eth1 --decap /run/ioamkit/labs/diamond/r4.sink.ndjson" },
    { cmd: "ioam collect --pcap samples/ioam-trace.pcapng --db /tmp/ioam-sample.db --exit-at-end", runnable: true },
    STREAM_EXAMPLE,
  ],
  ownsNetns: true,
  run,
};
