// `ioam collect --source nats://… --store postgres://…`: a stream worker (collector/stream/).
// Kept beside collect.ts so that collect's own table entry only gains one form and two flags.

import { type CollectConfig, defaultConfig, loadConfig } from "../../collector/config.js";
import { startWorker } from "../../collector/stream/start-worker.js";
import { serverUrls } from "../../collector/stream/nats-config.js";
import { defaultStreamConfig } from "../../collector/stream/stream-config.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import type { Example, FlagSpec, FormSpec } from "../spec.js";
import { V } from "../values.js";
import { parseTsFormats } from "./analyze.js";

/** The worker's usage line: selected by --source. */
export const STREAM_FORM: FormSpec = { whenFlag: "source", words: "", flags: ["source", "store", "config", "ts-format", "json"], required: ["store"] };

export const STREAM_FLAGS: readonly FlagSpec[] = [
  { name: "source", help: "be a stream worker: read the records ioam agents publish to these NATS servers", value: { placeholder: "nats://HOST:PORT[,…]", spec: V.text("NATS server URLs, comma-separated") } },
  { name: "store", help: "store into PostgreSQL instead of SQLite (password from PGPASSWORD or ~/.pgpass, never here)", value: { placeholder: "postgres://USER@HOST[:PORT]/DB", spec: V.text("a PostgreSQL URL without a password") }, notWith: ["db"] },
];

export const STREAM_DESCRIPTION = `
--store postgres://… stores into PostgreSQL instead of SQLite. With --source nats://… the
collector is a stream worker: it reads the records that ioam agents publish to NATS JetStream
(one durable consumer shared by every worker), stores each record once whatever is
redelivered, acknowledges only after the database committed, and assembles journeys in the
database. Credentials never go on the command line: PGPASSWORD or ~/.pgpass for PostgreSQL;
stream.nats.credentials / passwordFile in the config file, or IOAM_NATS_* variables, for
NATS. See docs/deployment.md.`;

export const STREAM_EXAMPLE: Example = { cmd: "ioam collect --source nats://10.0.0.5:4222 --store postgres://ioam@db.example/ioam" };

/** A PostgreSQL URL from the command line: never with a password in it. */
export function storeUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`--store "${text}": expected postgres://USER@HOST[:PORT]/DATABASE`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new UsageError(`--store "${text}": expected postgres://USER@HOST[:PORT]/DATABASE`);
  if (u.password) throw new UsageError("--store: passwords never go on the command line; use PGPASSWORD or ~/.pgpass (docs/deployment.md)");
  return text;
}

/** The worker's configuration from --config, --source, --store and --ts-format. */
export function streamConfigFromArgs(a: Parsed): CollectConfig {
  const file = a.text("config");
  const c = file ? loadConfig(file) : defaultConfig();
  c.stream ??= defaultStreamConfig();
  c.stream.nats.servers = serverUrls(a.text("source")!);
  c.store.url = storeUrl(a.text("store")!);
  for (const [ns, f] of parseTsFormats(a.text("ts-format"))) c.namespaces.set(ns, f);
  return c;
}

/** Runs the worker until SIGTERM/SIGINT; with --json one line per commit (at most 10 a second). */
export async function runStreamWorker(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`collect takes no words (got "${a.words[0]}")`);
  if (!a.has("store")) throw new UsageError("collect --source needs --store postgres://USER@HOST/DB: a stream worker stores into PostgreSQL");
  const c = streamConfigFromArgs(a);
  const json = a.has("json");
  let last = 0;
  const running = await startWorker(c, (s) => {
    if (json && Date.now() - last >= 100) (last = Date.now()), process.stdout.write(JSON.stringify({ v: 1, ...s }) + "\n");
  });
  process.stderr.write(`ioam collect: stream ${c.stream!.nats.stream} on ${c.stream!.nats.servers.join(",")} (consumer ${c.stream!.consumer}) → ${redacted(c.store.url!)} (ready)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await running.stop();
  const s = running.worker.stats;
  process.stdout.write(json ? JSON.stringify({ v: 1, done: true, ...s }) + "\n" : `records ${s.records} (${s.duplicates} already stored), journeys ${s.journeys}, late ${s.late}, at the wait limit ${s.forced}, agents silent ${s.silentAgents}\n`);
  return 0;
}

/** Where the collector stores, for messages: the SQLite file, or the PostgreSQL URL without its password. */
export function storeName(c: CollectConfig): string {
  return c.store.url ? redacted(c.store.url) : c.store.path;
}

/** The URL without a password (one from the config file may have one). */
function redacted(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
