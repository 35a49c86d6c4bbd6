// Who may talk to `ioam ui` (docs/api.md, "Security"). Loopback by default; anywhere else only
// with a token and TLS (refused at start otherwise). Every request's Host must be one of this
// server's names (a DNS-rebinding page sends its own name), and an Origin, when sent, must be
// this server itself (a page elsewhere cannot read the API or open the WebSocket), on loopback
// too. Beyond loopback the API needs the token: `Authorization: Bearer T`, or the cookie the
// page gets from visiting /?token=T once.

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { hostname, networkInterfaces } from "node:os";
import { isIPv6 } from "node:net";
import { UsageError } from "../errors.js";
import { ApiError } from "./api/api-error.js";

/** Where the server listens. */
export interface ListenAddress {
  host: string;
  port: number;
}

export const DEFAULT_LISTEN = "127.0.0.1:8464";
export const TOKEN_COOKIE = "ioam_token";

/** "127.0.0.1:8464", "[::1]:8464", "localhost:0", "0.0.0.0:8464" → host and port. */
export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen "${text}": expected HOST:PORT, e.g. 127.0.0.1:8464 or [::1]:8464 (port 0: any free port)`);
  return { host: m[1] ?? m[2]!, port };
}

/** True for the loopback names and addresses (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** What the server requires of requests. */
export interface AccessPolicy {
  loopback: boolean;
  tls: boolean;
  token?: string;
  /** Host header values accepted ("name:port", lower case). */
  hosts: ReadonlySet<string>;
}

/** Refuses to expose the server beyond loopback without a token and TLS (one line, for the CLI). */
export function checkExposure(at: ListenAddress, o: { token?: string | undefined; tls: boolean }): void {
  if (isLoopback(at.host)) return;
  const missing = [o.token ? "" : "a token (--token-file FILE or IOAM_UI_TOKEN)", o.tls ? "" : "TLS (--tls-cert FILE --tls-key FILE)"].filter(Boolean).join(" and ");
  if (missing) throw new UsageError(`refusing to listen on ${at.host}:${at.port} without ${missing}: beyond loopback the UI needs both (or use --listen 127.0.0.1:${at.port})`);
  if (o.token!.length < 16) throw new UsageError("the token must be at least 16 characters (e.g. openssl rand -hex 16)");
}

const bracket = (h: string) => (isIPv6(h) ? `[${h}]` : h);

/** The Host values this server answers to, once its port is known. */
export function hostNames(at: ListenAddress, port: number, extra: readonly string[]): Set<string> {
  const names = new Set<string>(["localhost", "127.0.0.1", "::1"]);
  const wildcard = at.host === "0.0.0.0" || at.host === "::";
  if (wildcard) {
    names.add(hostname());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.replace(/%.*$/, ""));
  } else names.add(at.host);
  if (!isLoopback(at.host) && !wildcard) for (const n of ["localhost", "127.0.0.1", "::1"]) names.delete(n);
  const out = new Set([...names].map((n) => `${bracket(n).toLowerCase()}:${port}`));
  for (const e of extra) {
    const hasPort = /^\[[^\]]+\]:\d+$/.test(e) || /^[^:]+:\d+$/.test(e);
    out.add((hasPort ? e : `${bracket(e)}:${port}`).toLowerCase());
  }
  return out;
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === TOKEN_COOKIE && v !== undefined) return decodeURIComponent(v);
  }
  return undefined;
}

/** True when `given` equals the token (constant time). */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host and Origin checks: throws a 403 ApiError naming what was refused. */
export function checkHostAndOrigin(req: IncomingMessage, p: AccessPolicy): void {
  const host = (req.headers.host ?? "").toLowerCase();
  if (!p.hosts.has(host)) throw new ApiError("FORBIDDEN", `Host "${host}" is not a name of this server (DNS rebinding is refused); use one of ${[...p.hosts].join(", ")}`);
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const scheme = p.tls ? "https" : "http";
  if (origin.toLowerCase() !== `${scheme}://${host}`) throw new ApiError("FORBIDDEN", `Origin "${origin}" is not this server (${scheme}://${host}): a page elsewhere may not use this API`);
}

/** The token check beyond loopback: throws a 401 ApiError. */
export function checkToken(req: IncomingMessage, p: AccessPolicy): void {
  if (p.loopback || p.token === undefined) return;
  const auth = req.headers.authorization;
  const given = auth?.startsWith("Bearer ") ? auth.slice(7) : cookieToken(req);
  if (!tokenMatches(given, p.token)) throw new ApiError("UNAUTHORIZED", given === undefined ? "this server needs its token: Authorization: Bearer TOKEN, or open /?token=TOKEN once" : "wrong token");
}
