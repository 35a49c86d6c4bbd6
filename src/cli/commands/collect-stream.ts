// `ioam collect --source nats://… --store postgres://…`: a stream worker (collector/stream/).
// Kept beside collect.ts so that the command's registration stays one flag table.

import type { CollectConfig } from "../../collector/config.js";
import { startWorker } from "../../collector/stream/start-worker.js";
import { serverUrls } from "../../collector/stream/nats-config.js";
import { defaultStreamConfig } from "../../collector/stream/stream-config.js";
import { UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";

/** A PostgreSQL URL from the command line: never with a password in it. */
export function storeUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UsageError(`--store "${text}": expected postgres://USER@HOST[:PORT]/DATABASE`);
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new UsageError(`--store "${text}": expected postgres://USER@HOST[:PORT]/DATABASE`);
  if (u.password) throw new UsageError("--store: passwords never go on the command line; use PGPASSWORD or ~/.pgpass (docs/scale.md)");
  return text;
}

/** Applies --source and --store to the configuration. */
export function streamArgs(a: ParsedArgs, c: CollectConfig, sourcesGiven: boolean): void {
  const store = a.flags.get("store");
  if (store !== undefined) c.store.url = storeUrl(store);
  const source = a.flags.get("source");
  if (source === undefined) return;
  if (sourcesGiven) throw new UsageError("--source reads records from the stream; local sources (--netns, --pcap, …) belong to ioam agent");
  c.stream ??= defaultStreamConfig();
  c.stream.nats.servers = serverUrls(source);
}

/** Runs the worker until SIGTERM/SIGINT; with --json one line per commit. */
export async function runStreamWorker(c: CollectConfig, json: boolean): Promise<number> {
  if (!c.store.url) throw new UsageError("a stream worker needs --store postgres://USER@HOST/DB");
  let last = 0;
  const running = await startWorker(c, (s) => {
    if (json && Date.now() - last >= 100) (last = Date.now()), process.stdout.write(JSON.stringify({ v: 1, ...s }) + "\n");
  });
  process.stderr.write(`ioam collect: stream ${c.stream!.nats.stream} on ${c.stream!.nats.servers.join(",")} (consumer ${c.stream!.consumer}) → ${c.store.url} (ready)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await running.stop();
  const s = running.worker.stats;
  process.stdout.write(json ? JSON.stringify({ v: 1, done: true, ...s }) + "\n" : `records ${s.records} (${s.duplicates} already stored), journeys ${s.journeys}, late ${s.late}\n`);
  return 0;
}
