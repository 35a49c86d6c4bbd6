// nats-server (JetStream, file storage) and PostgreSQL as child processes on free loopback ports
// with their own data directories, for tests and bench:scale — never the system's services. Each
// can be stopped and started again on the same port and data (the fault tests), and cleanup()
// kills it and removes its directory. PostgreSQL refuses to run as root: as root it runs as the
// `postgres` user the Debian package creates.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** Why tests that start these servers skip (outside CI, when one is not installed), or false. */
export function serversSkip(): string | false {
  if (process.env.CI === "true") return false;
  const nats = (process.env.PATH ?? "").split(":").some((d) => existsSync(join(d, "nats-server")));
  return nats && existsSync("/usr/lib/postgresql") ? false : "needs nats-server and postgresql (apt-get install nats-server postgresql); runs in CI";
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function waitFor(child: ChildProcess, ready: RegExp, what: string, ms = 30_000): Promise<void> {
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not ready after ${ms} ms: ${out.slice(-2000)}`)), ms);
    const on = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) (clearTimeout(timer), resolve());
    };
    child.stdout?.on("data", on);
    child.stderr?.on("data", on);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`${what} exited (${code}): ${out.slice(-2000)}`))));
  });
}

async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  await exited;
}

/** A nats-server with JetStream. `config` (nats-server.conf text) replaces the command-line setup. */
export class NatsServer {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "ioamkit-nats-"));

  private constructor(readonly port: number, private readonly config: string | undefined) {}

  static async start(opts: { config?: (port: number, storeDir: string) => string } = {}): Promise<NatsServer> {
    const port = await freePort();
    const s = new NatsServer(port, opts.config?.(port, "STORE"));
    await s.start();
    return s;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts (again) on the same port and store directory. */
  async start(): Promise<void> {
    const store = join(this.dir, "js");
    let args = ["-a", "127.0.0.1", "-p", String(this.port), "-js", "-sd", store];
    if (this.config) {
      writeFileSync(join(this.dir, "nats.conf"), this.config.replaceAll("STORE", store));
      args = ["-c", join(this.dir, "nats.conf")];
    }
    this.child = spawn("nats-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    await waitFor(this.child, /Server is ready/, "nats-server");
  }

  async stop(): Promise<void> {
    await stopChild(this.child, "SIGTERM");
  }

  async cleanup(): Promise<void> {
    await stopChild(this.child, "SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function pgBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "postgres"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error("PostgreSQL server not found in /usr/lib/postgresql (apt-get install postgresql)");
  return join(base, versions[0], "bin");
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })), gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })) };
}

/** A PostgreSQL cluster with trust authentication on 127.0.0.1 (user ioam, database ioam). */
export class PgServer {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "ioamkit-pg-"));
  private readonly user = postgresUser();

  private constructor(readonly port: number, private readonly settings: string[]) {}

  /** initdb, start, CREATE DATABASE ioam. `fsync: false` for tests that never lose power. */
  static async start(opts: { fsync?: boolean } = {}): Promise<PgServer> {
    const s = new PgServer(await freePort(), opts.fsync === false ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []);
    if (s.user) chownSync(s.dir, s.user.uid, s.user.gid);
    execFileSync(join(pgBin(), "initdb"), ["-D", join(s.dir, "data"), "-A", "trust", "-U", "ioam", "--no-sync"], { stdio: "ignore", ...(s.user ?? {}) });
    await s.start();
    const c = new pg.Client({ connectionString: `postgres://ioam@127.0.0.1:${s.port}/postgres` });
    await c.connect();
    await c.query("CREATE DATABASE ioam");
    await c.end();
    return s;
  }

  get url(): string {
    return `postgres://ioam@127.0.0.1:${this.port}/ioam`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts (again) on the same port and data. */
  async start(): Promise<void> {
    const args = ["-D", join(this.dir, "data"), "-p", String(this.port), "-k", this.dir, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=100", ...this.settings];
    this.child = spawn(join(pgBin(), "postgres"), args, { stdio: ["ignore", "pipe", "pipe"], ...(this.user ?? {}) });
    await waitFor(this.child, /ready to accept connections/, "postgres");
  }

  /** Fast shutdown (SIGINT): sessions are ended, committed work stays. */
  async stop(): Promise<void> {
    await stopChild(this.child, "SIGINT");
  }

  async cleanup(): Promise<void> {
    await stopChild(this.child, "SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
