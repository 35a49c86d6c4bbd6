// The UI's HTTP(S) server: the API under /api/v1, the live tail's WebSocket at /api/v1/tail,
// and the built page (dist/web, no CDN). Security rules in security.ts; this file applies them
// to every request before anything else runs, and is the one place that turns an ApiError
// into a status and a JSON body.

import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { ApiError } from "./api/api-error.js";
import type { ApiContext } from "./api/context.js";
import { Params, nodeParam, pathParam } from "./api/params.js";
import { API_PREFIX, handleApi } from "./api/routes.js";
import { type AccessPolicy, type ListenAddress, TOKEN_COOKIE, checkExposure, checkHostAndOrigin, checkToken, hostNames, isLoopback, tokenMatches } from "./security.js";
import { serveStatic } from "./static.js";
import { TailHub, type TailOptions } from "./tail.js";

/** Settings of the server. */
export interface UiServerOptions {
  listen: ListenAddress;
  token?: string;
  tls?: { cert: Uint8Array; key: Uint8Array };
  /** More Host names to answer to (a DNS name of this machine). */
  allowHosts?: readonly string[];
  tail?: TailOptions;
  /** Directory of the built page (default: dist/web beside this build). */
  webRoot?: string;
}

/** A listening UI server. */
export interface UiServer {
  url: string;
  /** The URL to open in a browser: with `?token=` when the server has a token (it sets the cookie). */
  openUrl: string;
  port: number;
  tail: TailHub;
  close(): Promise<void>;
}

function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : undefined;
  const status = err?.status ?? 500;
  if (!err) process.stderr.write(`ioam ui: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  const body = JSON.stringify({ v: 1, error: { code: err?.code ?? "INTERNAL", message: err?.message ?? "internal error (see the server's log)" } });
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...(status === 401 ? { "www-authenticate": 'Bearer realm="ioam"' } : {}) });
  res.end(body);
}

async function onRequest(ctx: ApiContext, policy: AccessPolicy, webRoot: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    checkHostAndOrigin(req, policy);
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method !== "GET" && req.method !== "HEAD") throw new ApiError("NOT_FOUND", `${req.method} is not served: the API is read-only (GET)`);
    if (url.pathname === API_PREFIX || url.pathname.startsWith(API_PREFIX + "/")) {
      checkToken(req, policy);
      const json = await handleApi(ctx, url.pathname.slice(API_PREFIX.length), url.searchParams);
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff" });
      return void res.end(req.method === "HEAD" ? undefined : json);
    }
    if (url.pathname === "/" && url.searchParams.has("token") && policy.token !== undefined) return login(res, policy, url.searchParams.get("token")!);
    await serveStatic(webRoot, url.pathname, req, res);
  } catch (e) {
    sendError(res, e);
  }
}

/** /?token=T: sets the token as a cookie (HttpOnly, Secure, SameSite=Strict) and leaves the token out of the address bar. */
function login(res: ServerResponse, policy: AccessPolicy, given: string): void {
  if (!tokenMatches(given, policy.token!)) throw new ApiError("UNAUTHORIZED", "wrong token");
  res.writeHead(303, { location: "/", "set-cookie": `${TOKEN_COOKIE}=${encodeURIComponent(given)}; Path=/; HttpOnly; Secure; SameSite=Strict`, "cache-control": "no-store" });
  res.end();
}

function refuseUpgrade(socket: Duplex, e: unknown): void {
  const err = e instanceof ApiError ? e : new ApiError("NOT_FOUND", "no such WebSocket");
  const body = JSON.stringify({ v: 1, error: { code: err.code, message: err.message } });
  const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found" }[err.status] ?? "Error";
  socket.end(`HTTP/1.1 ${err.status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

function onUpgrade(wss: WebSocketServer, hub: TailHub, policy: AccessPolicy, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on("error", () => socket.destroy());
  try {
    checkHostAndOrigin(req, policy);
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname !== `${API_PREFIX}/tail`) throw new ApiError("NOT_FOUND", `no WebSocket at ${url.pathname}; the live tail is ${API_PREFIX}/tail`);
    checkToken(req, policy);
    const p = new Params(url.searchParams, ["path", "node"]);
    const pathId = pathParam(p);
    const node = nodeParam(p);
    wss.handleUpgrade(req, socket, head, (ws) => hub.add(ws, { ...(pathId !== undefined ? { pathId } : {}), ...(node !== undefined ? { node } : {}) }));
  } catch (e) {
    refuseUpgrade(socket, e);
  }
}

/** Starts the server (refusing an exposure beyond loopback without token and TLS). */
export async function startUiServer(ctx: ApiContext, o: UiServerOptions): Promise<UiServer> {
  checkExposure(o.listen, { token: o.token, tls: o.tls !== undefined });
  const webRoot = o.webRoot ?? new URL("../../web/", import.meta.url).pathname;
  const policy: AccessPolicy = { loopback: isLoopback(o.listen.host), tls: o.tls !== undefined, ...(o.token !== undefined ? { token: o.token } : {}), hosts: new Set() };
  const handler = (req: IncomingMessage, res: ServerResponse) => void onRequest(ctx, policy, webRoot, req, res);
  const server: Server = o.tls ? createHttps({ cert: Buffer.from(o.tls.cert), key: Buffer.from(o.tls.key) }, handler) : createHttp(handler);
  const hub = new TailHub(ctx, o.tail);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on("upgrade", (req, socket, head) => onUpgrade(wss, hub, policy, req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.listen.port, o.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  policy.hosts = hostNames(o.listen, port, o.allowHosts ?? []);
  const shown = o.listen.host === "0.0.0.0" || o.listen.host === "::" ? "localhost" : o.listen.host.includes(":") ? `[${o.listen.host}]` : o.listen.host;
  const url = `${o.tls ? "https" : "http"}://${shown}:${port}/`;
  const close = async () => {
    hub.close();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const openUrl = o.token !== undefined ? `${url}?token=${encodeURIComponent(o.token)}` : url;
  return { url, openUrl, port, tail: hub, close };
}
