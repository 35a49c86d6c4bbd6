// `ioam ui` put together: a store opened for reading, the API context, credentials read from
// files or the environment (never from argv, where every local user can read them), the server.

import { existsSync, readFileSync } from "node:fs";
import type { TsFormat } from "../collector/hops.js";
import { PgStore } from "../collector/store/pg-store.js";
import { SqliteStore } from "../collector/store/sqlite-store.js";
import type { Store } from "../collector/store/store.js";
import { IoamError, UsageError } from "../errors.js";
import type { ApiContext } from "./api/context.js";
import { type ListenAddress, checkExposure, parseListen } from "./security.js";
import { type UiServer, startUiServer } from "./server.js";
import type { TailOptions } from "./tail.js";

/** Settings of `ioam ui`. */
export interface UiSettings {
  listen: string;
  /** File holding the token; else IOAM_UI_TOKEN. */
  tokenFile?: string;
  tlsCert?: string;
  tlsKey?: string;
  allowHosts?: readonly string[];
  jaegerUrl?: string;
  tsFormats?: ReadonlyMap<number, TsFormat>;
  nodeNames?: ReadonlyMap<string, string>;
  tail?: TailOptions;
  webRoot?: string;
}

/** Opens an existing SQLite store (refusing to create an empty one by mistake). */
export function openSqliteForUi(file: string, tsFormats?: ReadonlyMap<number, TsFormat>): Store {
  if (!existsSync(file)) throw new UsageError(`no database "${file}": give --db FILE written by ioam collect (or run npm start for the demo)`);
  try {
    return SqliteStore.open(file, tsFormats ? { tsFormats } : {});
  } catch (e) {
    throw new IoamError("IO", `"${file}" cannot be read as ioam collect's database: ${(e as Error).message}`);
  }
}

/**
 * Opens a PostgreSQL store that stream workers (or ioam collect --store) write, for reading only.
 * The URL carries no password: node-postgres reads PGPASSWORD or ~/.pgpass (docs/deployment.md).
 */
export async function openPgForUi(url: string, tsFormats?: ReadonlyMap<number, TsFormat>): Promise<Store> {
  try {
    return await PgStore.openReader(url, tsFormats ? { tsFormats } : {});
  } catch (e) {
    const why = e instanceof Error ? e.message || (e as NodeJS.ErrnoException).code || e.name : String(e);
    throw new IoamError(e instanceof IoamError ? e.code : "IO", `--store ${url}: ${why}`);
  }
}

function readSecret(file: string | undefined, what: string): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, "utf8").trim();
  } catch (e) {
    throw new UsageError(`${what} "${file}" cannot be read: ${(e as Error).message}`);
  }
}

/** The API's view of a store. */
export function apiContext(store: Store, s: Pick<UiSettings, "tsFormats" | "nodeNames" | "jaegerUrl">): ApiContext {
  if (s.jaegerUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(s.jaegerUrl)) throw new UsageError(`--jaeger "${s.jaegerUrl}": expected the http(s) URL of a Jaeger UI, e.g. http://127.0.0.1:16686`);
  return {
    store,
    tsFormat: (ns) => s.tsFormats?.get(ns) ?? "linux",
    now: Date.now,
    nodeNames: s.nodeNames ?? new Map(),
    ...(s.jaegerUrl !== undefined ? { jaegerUrl: s.jaegerUrl.replace(/\/+$/, "") } : {}),
  };
}

/** Where and how the UI will listen, checked before anything is opened (refusals are one line). */
export function prepareUi(s: UiSettings): { listen: ListenAddress; token?: string; tls?: { cert: Uint8Array; key: Uint8Array } } {
  const listen = parseListen(s.listen);
  const token = readSecret(s.tokenFile, "--token-file") ?? (process.env.IOAM_UI_TOKEN || undefined);
  if ((s.tlsCert === undefined) !== (s.tlsKey === undefined)) throw new UsageError("TLS needs both --tls-cert FILE and --tls-key FILE");
  checkExposure(listen, { token, tls: s.tlsCert !== undefined });
  apiContext(undefined as unknown as Store, s); // checks --jaeger
  const tls = s.tlsCert !== undefined ? { cert: readSecretBytes(s.tlsCert, "--tls-cert"), key: readSecretBytes(s.tlsKey!, "--tls-key") } : undefined;
  return { listen, ...(token !== undefined ? { token } : {}), ...(tls ? { tls } : {}) };
}

function readSecretBytes(file: string, what: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new UsageError(`${what} "${file}" cannot be read: ${(e as Error).message}`);
  }
}

/** Starts the UI over `store`. */
export async function startUi(store: Store, s: UiSettings): Promise<UiServer> {
  const { listen, token, tls } = prepareUi(s);
  return startUiServer(apiContext(store, s), {
    listen,
    ...(token !== undefined ? { token } : {}),
    ...(tls ? { tls } : {}),
    ...(s.allowHosts ? { allowHosts: s.allowHosts } : {}),
    ...(s.tail ? { tail: s.tail } : {}),
    ...(s.webRoot ? { webRoot: s.webRoot } : {}),
  });
}
