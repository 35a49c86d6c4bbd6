// `ioam ui`: the HTTP API and the page over a collector's database (src/ui/, docs/api.md).

import { UsageError } from "../../errors.js";
import { DEFAULT_LISTEN } from "../../ui/security.js";
import type { Store } from "../../collector/store/store.js";
import type { TsFormat } from "../../collector/hops.js";
import { type UiSettings, openPgForUi, openSqliteForUi, prepareUi, startUi } from "../../ui/start.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { TS_FORMAT_FLAG, parseTsFormats } from "./analyze.js";
import { storeUrl } from "./collect-stream.js";

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP (the terminal went away), or when standard
 * output or error can no longer be written (EPIPE: `ioam demo | head` ended) — each would
 * otherwise end the process without its cleanup. The handlers stay: a second signal — Ctrl-C
 * reaches both npm and its child, and npm passes its own on — must not kill it mid-cleanup.
 */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => resolve());
    for (const stream of [process.stdout, process.stderr]) stream.on("error", () => resolve());
  });
}

/** The store to serve: PostgreSQL with --store (its URL checked before anything opens), else the SQLite file. */
async function openStore(a: Parsed, tsFormats: ReadonlyMap<number, TsFormat>): Promise<{ store: Store; name: string; json: Record<string, string> }> {
  const url = a.text("store");
  if (url !== undefined) return { store: await openPgForUi(storeUrl(url), tsFormats), name: url, json: { store: url } };
  const db = a.text("db") ?? "ioam.db";
  return { store: openSqliteForUi(db, tsFormats), name: db, json: { db } };
}

async function run(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`ui takes no words (got "${a.words[0]}"); the database is --db FILE or --store postgres://…`);
  const tsFormats = parseTsFormats(a.text("ts-format"));
  const f = (k: string) => a.text(k);
  const settings: UiSettings = {
    listen: f("listen") ?? DEFAULT_LISTEN,
    tsFormats,
    allowHosts: [...a.list("allow-host")],
    ...(f("token-file") !== undefined ? { tokenFile: f("token-file")! } : {}),
    ...(f("tls-cert") !== undefined ? { tlsCert: f("tls-cert")! } : {}),
    ...(f("tls-key") !== undefined ? { tlsKey: f("tls-key")! } : {}),
    ...(f("jaeger") !== undefined ? { jaegerUrl: f("jaeger")! } : {}),
  };
  prepareUi(settings);
  const { store, name, json } = await openStore(a, tsFormats);
  const stopped = untilSignal();
  try {
    const ui = await startUi(store, settings);
    if (a.has("json")) process.stdout.write(JSON.stringify({ v: 1, ...json, url: ui.url, ...(a.has("open") ? { open: ui.openUrl } : {}) }) + "\n");
    else {
      process.stderr.write(`ioam ui: serving ${name} on ${ui.url}\n`);
      if (a.has("open")) process.stdout.write(`${ui.openUrl}\n`);
    }
    await stopped;
    await ui.close();
  } finally {
    await store.close();
  }
  return 0;
}

export const uiCommand: CommandSpec = {
  name: "ui",
  summary: "serve the web UI and its HTTP API over a collector's database",
  description: `Serves the page (the domain graph with per-hop latency, paths and their share, per-hop latency
and queue-depth series, a latency heatmap, a live tail, one journey as a waterfall of hops) and
the HTTP API it reads (/api/v1/…, docs/api.md) over the SQLite database ioam collect writes
(default ./ioam.db), or with --store postgres://USER@HOST/DB over the PostgreSQL database that
stream workers write (read-only; the password from PGPASSWORD or ~/.pgpass, never on the
command line). It listens on ${DEFAULT_LISTEN} unless told otherwise. Anywhere but
loopback it needs a token (--token-file FILE, or IOAM_UI_TOKEN in the environment; never on
the command line, where every local user can read it) and TLS, or it refuses to start.
Requests whose Host is not this server's name, or whose Origin is another site, are refused
(403) on loopback too; --allow-host adds a DNS name. --open prints the URL to open (with
?token=… when there is a token); --json prints {"v":1,"db" or "store","url","open"} as one line instead.
--jaeger links journeys that carry an application trace context to that Jaeger UI.
SIGINT/SIGTERM stop it.`,
  forms: [{ words: "", flags: ["db", "store", "listen", "open", "json", "jaeger", "ts-format", "token-file", "tls-cert", "tls-key", "allow-host"] }],
  flags: [
    { name: "db", help: "the database ioam collect writes (default ./ioam.db)", value: { placeholder: "FILE", spec: V.file("a SQLite database written by ioam collect") } },
    { name: "store", help: "serve a PostgreSQL store instead (read-only; password from PGPASSWORD or ~/.pgpass, never here)", value: { placeholder: "postgres://USER@HOST[:PORT]/DB", spec: V.text("a PostgreSQL URL without a password") }, notWith: ["db"] },
    { name: "listen", help: `where to listen (default ${DEFAULT_LISTEN}; port 0: any free port)`, value: { placeholder: "HOST:PORT", spec: V.text("an address and port, e.g. 127.0.0.1:8464 or [::1]:0") } },
    { name: "open", help: "print the URL to open (with ?token= when there is a token)" },
    { name: "json", help: "print where it serves as one JSON line" },
    { name: "jaeger", help: "link journeys with an application trace to this Jaeger UI", value: { placeholder: "URL", spec: V.text("an http(s) URL, e.g. http://127.0.0.1:16686") } },
    TS_FORMAT_FLAG,
    { name: "token-file", help: "the API token (else IOAM_UI_TOKEN); required beyond loopback", value: { placeholder: "FILE", spec: V.file("a file holding the token") } },
    { name: "tls-cert", help: "serve HTTPS with this certificate (PEM); required beyond loopback", value: { placeholder: "FILE", spec: V.file("a PEM certificate") } },
    { name: "tls-key", help: "the certificate's private key (PEM)", value: { placeholder: "FILE", spec: V.file("a PEM private key") } },
    { name: "allow-host", help: "also accept this Host name (repeat for more)", value: { placeholder: "NAME", spec: V.text("a DNS name the server is reached by") }, repeated: true },
  ],
  values: {},
  examples: [
    { cmd: "ioam ui --db lab.db --open" },
    { cmd: "IOAM_UI_TOKEN=$(cat ui.token) ioam ui --db lab.db --listen [::]:8464 --tls-cert ui.crt --tls-key ui.key --allow-host ioam.example.net" },
    { cmd: "ioam ui --db lab.db --jaeger http://127.0.0.1:16686" },
    { cmd: "PGPASSFILE=/etc/ioamkit/ui.pgpass ioam ui --store postgres://ioam_ui@db.example/ioam --listen [::]:8464 --token-file ui.token --tls-cert ui.crt --tls-key ui.key" },
  ],
  run,
};
