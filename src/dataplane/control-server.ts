// How other processes reach a running daemon: a unix socket in its state directory, where a
// line "stats" gets one JSON line back (`ioam node stats`), and optionally a Prometheus text
// endpoint on a local TCP port (`--metrics 127.0.0.1:PORT`, GET /metrics). Both answer from
// the same stats function.

import { rmSync } from "node:fs";
import { type Server as HttpServer, createServer as createHttpServer } from "node:http";
import { type Server, type Socket, connect, createServer } from "node:net";
import { IoamError } from "../errors.js";
import { type NodeStats, prometheusText } from "./node-stats.js";

export interface ControlServers {
  close(): Promise<void>;
}

/** Listens on `path` (and on `metrics` when given); `stats` is asked per request. */
export async function startControl(path: string, metrics: { host: string; port: number } | undefined, stats: () => Promise<NodeStats>): Promise<ControlServers> {
  rmSync(path, { force: true });
  const control: Server = createServer((s: Socket) => {
    s.on("error", () => {});
    s.once("data", (d) => {
      if (d.toString().trim() !== "stats") return void s.end('{"error":"unknown request (stats)"}\n');
      stats().then((r) => s.end(JSON.stringify(r) + "\n"), (e: Error) => s.end(JSON.stringify({ error: e.message }) + "\n"));
    });
  });
  await listen(control, () => control.listen(path), `the control socket ${path}`);
  let http: HttpServer | undefined;
  if (metrics) {
    http = createHttpServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end("see /metrics\n");
      stats().then(
        (r) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(prometheusText(r)),
        (e: Error) => res.writeHead(500).end(e.message + "\n"),
      );
    });
    await listen(http, () => http!.listen(metrics.port, metrics.host), `the metrics endpoint ${metrics.host}:${metrics.port}`).catch(async (e) => (await close(control), Promise.reject(e)));
  }
  return { close: async () => (await close(control), http && (await close(http)), rmSync(path, { force: true })) };
}

function listen(s: Server | HttpServer, start: () => void, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once("error", (e: NodeJS.ErrnoException) => reject(new IoamError("IO", `cannot listen on ${what}: ${e.message}`)));
    s.once("listening", () => resolve());
    start();
  });
}

function close(s: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

/** Asks the daemon behind `path` for its stats. */
export function askStats(path: string): Promise<NodeStats> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    let text = "";
    s.on("error", (e: NodeJS.ErrnoException) => reject(new IoamError("IO", e.code === "ENOENT" || e.code === "ECONNREFUSED" ? "no ioam node run is running in this network namespace (no control socket)" : `asking the daemon: ${e.message}`)));
    s.on("data", (d) => (text += d.toString()));
    s.on("end", () => {
      try {
        const r = JSON.parse(text) as NodeStats & { error?: string };
        if (r.error) reject(new IoamError("IO", `the daemon answered: ${r.error}`));
        else resolve(r);
      } catch {
        reject(new IoamError("IO", "the daemon's answer was not JSON"));
      }
    });
    s.write("stats\n");
  });
}
