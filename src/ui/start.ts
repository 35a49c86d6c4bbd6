// `ioam ui` put together: a store opened for reading, the API context, credentials read from
// files or the environment (never from argv, where every local user can read them), the server.

import { existsSync, readFileSync } from "node:fs";
import type { TsFormat } from "../collector/hops.js";
import { SqliteStore } from "../collector/store/sqlite-store.js";
import type { Store } from "../collector/store/store.js";
import { UsageError } from "../errors.js";
import type { ApiContext } from "./api/context.js";
import { parseListen } from "./security.js";
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
  return SqliteStore.open(file, tsFormats ? { tsFormats } : {});
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

/** Starts the UI over `store`. */
export async function startUi(store: Store, s: UiSettings): Promise<UiServer> {
  const token = readSecret(s.tokenFile, "--token-file") ?? (process.env.IOAM_UI_TOKEN || undefined);
  const cert = s.tlsCert !== undefined ? readFileSync(s.tlsCert) : undefined;
  const key = s.tlsKey !== undefined ? readFileSync(s.tlsKey) : undefined;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError("TLS needs both --tls-cert FILE and --tls-key FILE");
  return startUiServer(apiContext(store, s), {
    listen: parseListen(s.listen),
    ...(token !== undefined ? { token } : {}),
    ...(cert && key ? { tls: { cert, key } } : {}),
    ...(s.allowHosts ? { allowHosts: s.allowHosts } : {}),
    ...(s.tail ? { tail: s.tail } : {}),
    ...(s.webRoot ? { webRoot: s.webRoot } : {}),
  });
}
