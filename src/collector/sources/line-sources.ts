// Sources of NDJSON records (ndjson-record.ts): the data plane's decap sink — a unix stream
// socket the daemon connects to, or a file it appends to — and the DEX receiver — UDP datagrams
// and a unix stream socket (docs/dex-export.md). Both resume from now after a restart, with the
// gap recorded. The DEX receiver accepts only configured senders (RFC 9326 §6: a trusted
// receiver); a unix socket is restricted by its file mode (0660).

import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { chmodSync, existsSync, lstatSync, openSync, readSync, closeSync, statSync, unlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { RecordSource, TimeSource } from "../observation.js";
import { RecordError, parseRecordLine } from "./ndjson-record.js";
import type { Checkpoint, ObservationSink, Source, SourceStats } from "./source.js";

const MAX_LINE = 1 << 20;

/** Splits a byte stream into lines and hands each to the record parser. */
class LineFeed {
  private rest = "";
  constructor(private readonly line: (s: string) => void) {}
  push(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      if (nl > start) this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
    if (this.rest.length > MAX_LINE) (this.line(this.rest), (this.rest = ""));
  }
}

/** Shared by the line sources: parse, count, report. */
abstract class LineSource implements Source {
  abstract readonly kind: "decap" | "dex";
  protected sink: ObservationSink | undefined;
  protected records = 0;
  protected problemCount = 0;
  protected running = false;
  private finished: (() => void) | undefined;

  constructor(readonly name: string, private readonly defaults: { source: RecordSource; timeSource: TimeSource }) {}

  protected take(line: string, at: string): void {
    try {
      for (const o of parseRecordLine(line, { ...this.defaults, at, now: Date.now() })) {
        this.records++;
        this.sink!.observe(o);
      }
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      this.problem("malformed", `${at}: ${e.message}`);
    }
  }

  protected problem(reason: "malformed" | "unauthorized-sender" | "source-failed", detail: string): void {
    this.problemCount++;
    this.sink?.problem({ reason, source: this.name, time: Date.now(), detail, count: 1 });
  }

  async run(sink: ObservationSink, resume: Checkpoint | undefined): Promise<void> {
    this.sink = sink;
    this.running = true;
    if (resume?.time !== undefined) sink.problem({ reason: "gap", source: this.name, time: Date.now(), since: resume.time, detail: "records sent while the collector was not running are lost" });
    await new Promise<void>((resolve) => {
      this.finished = resolve;
      this.open();
    });
    this.running = false;
  }

  protected abstract open(): void;
  protected abstract close(): Promise<void>;

  async stop(): Promise<void> {
    await this.close();
    this.finished?.();
  }

  stats(): SourceStats {
    return { records: this.records, problems: this.problemCount, running: this.running };
  }
}

/** Listens on a unix stream socket at `path` (a stale socket file is replaced). */
function unixServer(path: string, onLine: (line: string, at: string) => void): Server {
  if (existsSync(path) && lstatSync(path).isSocket()) unlinkSync(path);
  const server = createServer((c) => {
    const feed = new LineFeed((l) => onLine(l, `unix:${path}`));
    c.setEncoding("utf8").on("data", (s: string) => feed.push(s)).on("error", () => c.destroy());
  });
  server.listen(path, () => chmodSync(path, 0o660));
  return server;
}

/** The data plane's decap sink: a unix socket the daemon writes to, or a file it appends to. */
export class DecapSinkSource extends LineSource {
  readonly kind = "decap" as const;
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly path: string) {
    super(`decap:${path}`, { source: "decap", timeSource: "daemon-clock" });
  }

  protected open(): void {
    if (existsSync(this.path) && statSync(this.path).isFile()) this.tail();
    else this.server = unixServer(this.path, (l, at) => this.take(l, at)).on("error", (e) => this.problem("source-failed", e.message));
  }

  /** Follows the file from its current end (records already in it were stored by the last run or are older than it). */
  private tail(): void {
    let pos = statSync(this.path).size;
    const feed = new LineFeed((l) => this.take(l, this.path));
    const buf = Buffer.alloc(1 << 16);
    this.timer = setInterval(() => {
      const size = statSync(this.path, { throwIfNoEntry: false })?.size ?? 0;
      if (size < pos) pos = 0; // truncated or replaced: start again from its beginning
      if (size === pos) return;
      const fd = openSync(this.path, "r");
      try {
        for (let n; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n) feed.push(buf.toString("utf8", 0, n));
      } finally {
        closeSync(fd);
      }
    }, 100);
  }

  protected async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** Options of the DEX receiver. */
export interface DexReceiverOptions {
  /** UDP address to listen on, "[::1]:4739" or "127.0.0.1:4739". */
  udp?: string;
  /** Unix stream socket path. */
  unix?: string;
  /** Addresses allowed to send over UDP; nothing else is read. */
  senders: readonly string[];
}

/** Direct-export records from the data plane's nodes (RFC 9326), NDJSON over UDP or a unix socket. */
export class DexReceiver extends LineSource {
  readonly kind = "dex" as const;
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  /** The UDP port actually bound (when asked for port 0). */
  port = 0;

  constructor(private readonly opts: DexReceiverOptions) {
    super(`dex:${opts.udp ?? opts.unix}`, { source: "dex", timeSource: "daemon-clock" });
  }

  protected open(): void {
    if (this.opts.unix) this.server = unixServer(this.opts.unix, (l, at) => this.take(l, at));
    if (this.opts.udp) this.openUdp(this.opts.udp);
  }

  private openUdp(addr: string): void {
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(addr);
    if (!m) return this.problem("source-failed", `udp "${addr}": expected HOST:PORT, e.g. [::1]:4739`);
    const host = m[1]!;
    const allowed = new Set(this.opts.senders.map(normalize));
    this.udp = createSocket(host.includes(":") ? "udp6" : "udp4");
    this.udp.on("message", (msg, rinfo) => {
      if (!allowed.has(normalize(rinfo.address))) return this.problem("unauthorized-sender", `datagram from ${rinfo.address} (not in the DEX senders)`);
      for (const line of msg.toString("utf8").split("\n")) if (line.trim()) this.take(line, `udp:${rinfo.address}`);
    });
    this.udp.on("error", (e) => this.problem("source-failed", e.message));
    this.udp.bind(Number(m[2]), host, () => (this.port = this.udp!.address().port));
  }

  protected async close(): Promise<void> {
    this.udp?.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** An address in one spelling (IPv4-mapped IPv6 → IPv4, lower case). */
function normalize(a: string): string {
  return a.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}
