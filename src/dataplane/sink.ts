// Where decap and DEX records go (`--sink PATH`): appended to a file, or streamed to a local
// unix socket a collector listens on — NDJSON either way (sink-record.ts). The data plane never
// waits for it: records collect in one buffer that is written in the background; while the
// target lags by more than MAX_PENDING octets (or a socket is down), records are counted as
// dropped instead of queued without bound. Each worker owns one Sink; file writes are O_APPEND,
// so lines of several writers never interleave.

import { closeSync, openSync, statSync, write } from "node:fs";
import { type Socket, createConnection } from "node:net";
import { JsonBytes } from "../wire/json/json-bytes.js";

const MAX_PENDING = 8 << 20;
const FLUSH_MS = 50;
const RECONNECT_MS = 1000;

export class Sink {
  /** The handler writes whole records here, after asking accepting(). */
  readonly w = new JsonBytes(1 << 16);
  records = 0;
  dropped = 0;
  private inFlight = 0;
  private spare: Uint8Array | undefined;
  private fd = -1;
  private sock: Socket | undefined;
  private connected = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  /** A sink writing to `path` (a unix socket if one is there, else a file, created if need be); none: records are only counted. */
  constructor(readonly path: string | undefined) {
    if (path !== undefined) {
      if (isSocket(path)) this.connect();
      else this.fd = openSync(path, "a");
    }
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Whether a record may be written now; counts it as dropped if not. */
  accepting(): boolean {
    if (this.path !== undefined && this.inFlight + this.w.pos < MAX_PENDING && (this.fd >= 0 || this.connected)) return true;
    this.dropped++;
    return false;
  }

  /** Marks one record written (after accepting() said yes). */
  committed(): void {
    this.records++;
  }

  /** Hands what is buffered to the target (at most one write in flight). */
  flush(): void {
    if (this.w.pos === 0 || this.inFlight > 0 || this.closed) return;
    const full = this.w.buf;
    const n = this.w.pos;
    this.w.buf = this.spare ?? new Uint8Array(full.length);
    this.spare = undefined;
    this.w.reset();
    this.inFlight = n;
    const done = () => ((this.inFlight = 0), (this.spare = full), this.w.pos > 0 && this.flush());
    if (this.fd >= 0) write(this.fd, full, 0, n, null, done);
    else if (this.sock && this.connected) this.sock.write(Buffer.from(full.buffer, full.byteOffset, n), done);
    else done();
  }

  private connect(): void {
    if (this.closed) return;
    const s = createConnection(this.path!);
    this.sock = s;
    s.on("connect", () => (this.connected = true));
    s.on("error", () => {});
    s.on("close", () => {
      this.connected = false;
      this.inFlight = 0;
      if (!this.closed) setTimeout(() => this.connect(), RECONNECT_MS).unref();
    });
  }

  /** Writes what is left and closes the target. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    for (let i = 0; i < 100 && (this.inFlight > 0 || this.w.pos > 0); i++) {
      this.flush();
      await new Promise((r) => setTimeout(r, 10));
    }
    this.closed = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.sock?.end();
  }
}

function isSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
