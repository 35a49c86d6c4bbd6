// `ioam ui`: the HTTP API and the page over a collector's database (src/ui/, docs/api.md).

import { UsageError } from "../../errors.js";
import { DEFAULT_LISTEN } from "../../ui/security.js";
import { type UiSettings, openSqliteForUi, prepareUi, startUi } from "../../ui/start.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";
import { parseTsFormats } from "./analyze.js";

/**
 * Resolves on the first SIGINT or SIGTERM. The handlers stay: a second signal — Ctrl-C reaches
 * both npm and its child, and npm passes its own on — must not kill the process mid-cleanup.
 */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.on("SIGINT", () => resolve());
    process.on("SIGTERM", () => resolve());
  });
}

async function run(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new UsageError(`ui takes no words (got "${a.positional[0]}"); the database is --db FILE`);
  const tsFormats = parseTsFormats(a.flags.get("ts-format"));
  const f = (k: string) => a.flags.get(k);
  const settings: UiSettings = {
    listen: f("listen") ?? DEFAULT_LISTEN,
    tsFormats,
    allowHosts: a.lists?.get("allow-host") ?? [],
    ...(f("token-file") !== undefined ? { tokenFile: f("token-file")! } : {}),
    ...(f("tls-cert") !== undefined ? { tlsCert: f("tls-cert")! } : {}),
    ...(f("tls-key") !== undefined ? { tlsKey: f("tls-key")! } : {}),
    ...(f("jaeger") !== undefined ? { jaegerUrl: f("jaeger")! } : {}),
  };
  prepareUi(settings);
  const store = openSqliteForUi(a.flags.get("db") ?? "ioam.db", tsFormats);
  try {
    const ui = await startUi(store, settings);
    process.stderr.write(`ioam ui: serving ${a.flags.get("db") ?? "ioam.db"} on ${ui.url}\n`);
    if (a.booleans.has("open")) process.stdout.write(`${ui.openUrl}\n`);
    await untilSignal();
    await ui.close();
  } finally {
    await store.close();
  }
  return 0;
}

export const uiCommand: Command = {
  name: "ui",
  summary: "serve the web UI and its HTTP API over a collector's database",
  help: `usage: ioam ui [--db FILE] [--listen HOST:PORT] [--open] [--jaeger URL] [--ts-format NS=linux|ptp|ntp]
               [--token-file FILE] [--tls-cert FILE --tls-key FILE] [--allow-host NAME]...

Serves the page (the domain graph with per-hop latency, paths and their share, per-hop latency
and queue-depth series, a latency heatmap, a live tail, one journey as a waterfall of hops) and
the HTTP API it reads (/api/v1/…, docs/api.md) over the SQLite database ioam collect writes
(default ./ioam.db). It listens on ${DEFAULT_LISTEN} unless told otherwise. Anywhere but
loopback it needs a token (--token-file FILE, or IOAM_UI_TOKEN in the environment; never on the
command line) and TLS, or it refuses to start. Requests whose Host is not this server's name, or
whose Origin is another site, are refused (403) on loopback too; --allow-host adds a DNS name.
--open prints the URL to open (with ?token=… when there is a token). --jaeger links journeys that carry an application trace
context to that Jaeger UI. SIGINT/SIGTERM stop it.

Examples:
  ioam ui --db lab.db --open
  IOAM_UI_TOKEN=$(cat ui.token) ioam ui --db lab.db --listen [::]:8464 --tls-cert ui.crt --tls-key ui.key --allow-host ioam.example.net
  ioam ui --db lab.db --jaeger http://127.0.0.1:16686`,
  flags: { values: ["db", "listen", "jaeger", "ts-format", "token-file", "tls-cert", "tls-key"], booleans: ["open"], repeated: ["allow-host"] },
  run,
};
